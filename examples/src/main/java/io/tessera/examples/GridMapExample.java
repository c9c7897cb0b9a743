package io.tessera.examples;

import io.tessera.grid.Grid;
import io.tessera.grid.GridMap;
import io.tessera.grid.MapConfig;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The embedding guide's {@code GridMap} examples (docs/embedding.md): the {@code ConcurrentMap} operations,
 * {@code set} against {@code put}, the asynchronous variants, and time to live. One member writes and another reads,
 * since every member sees the same entries.
 */
public final class GridMapExample {

    /**
     * What the example saw.
     *
     * @param apples the stock of apples the second member read after the updates (17)
     * @param pearRemoved whether {@code remove("pear", 2)} removed the pear
     * @param previousPrice what {@code put} returned when it overwrote the price (90)
     * @param deleted whether {@code delete} found the key
     * @param asyncPrice the price the asynchronous read returned (120)
     * @param ttlLeft the time to live {@code ttl} reported after {@code put} with 30 seconds
     * @param ttlAfterPersist what {@code ttl} reported after {@code persist} (empty: no expiry)
     * @param cartTtl the time to live of an entry written without one into a map with a default of 10 minutes
     */
    public record Outcome(int apples, boolean pearRemoved, Integer previousPrice, boolean deleted, int asyncPrice,
                          Optional<Duration> ttlLeft, Optional<Duration> ttlAfterPersist,
                          Optional<Duration> cartTtl) {
    }

    private GridMapExample() {
    }

    /**
     * Runs the examples: {@code writer} writes, {@code reader} (another member of the same cluster) reads.
     *
     * @param writer the member that writes
     * @param reader another member of the same cluster, that reads
     * @return what the reader saw
     */
    public static Outcome run(Grid writer, Grid reader) {
        // tag::concurrentMap[]
        GridMap<String, Integer> stock = writer.map("stock");
        stock.put("apple", 10);                             // returns the previous value: null
        stock.putIfAbsent("pear", 3);                       // atomic on the key's primary
        stock.replace("apple", 10, 12);                     // compare-and-set, by the values' serialized bytes
        stock.merge("apple", 5, Integer::sum);              // 17: a compare-and-set loop run by the caller
        stock.computeIfPresent("pear", (f, n) -> n - 1);    // 2, the same way
        boolean pearRemoved = stock.remove("pear", 2);      // only if the value is still 2
        GridMap<String, Integer> same = reader.map("stock");   // on another member: the same entries
        int apples = same.get("apple");                     // 17
        // end::concurrentMap[]

        // tag::setVsPut[]
        GridMap<String, Integer> prices = writer.map("prices");
        prices.set("apple", 90);                            // no previous value travels back
        Integer previous = prices.put("apple", 95);         // 90: the previous value is sent back and decoded
        boolean deleted = prices.delete("apple");           // remove without the old value: did it exist?
        // end::setVsPut[]

        // tag::async[]
        CompletableFuture<Void> written = prices.setAsync("pear", 120, Duration.ZERO); // ZERO: no time to live
        CompletableFuture<Integer> price = written.thenCompose(done -> prices.getAsync("pear"));
        int asyncPrice = price.join();                      // 120, once the write was acknowledged
        // end::async[]

        // tag::ttl[]
        GridMap<String, String> tokens = writer.map("tokens");
        tokens.put("token:1", "alice", Duration.ofSeconds(30));  // expires 30 s from now
        Optional<Duration> left = tokens.ttl("token:1");         // about 30 s
        tokens.expire("token:1", Duration.ofMinutes(5));         // a new time to live
        tokens.persist("token:1");                               // no time to live any more
        Optional<Duration> afterPersist = tokens.ttl("token:1"); // empty
        // end::ttl[]

        // tag::mapConfig[]
        MapConfig cartConfig = MapConfig.builder()
                .backups(1)                                 // synchronous backups on other members (0..6)
                .ttl(Duration.ofMinutes(10))                // for writes that give no time to live
                .maxIdle(Duration.ofMinutes(30))            // expires after 30 minutes without a read or write
                .build();
        GridMap<String, String> carts = writer.map("carts", cartConfig); // use the same config on every member
        carts.put("cart:7", "apple");                       // lives 10 minutes, or 30 idle ones, whichever ends first
        // end::mapConfig[]
        Optional<Duration> cartTtl = carts.ttl("cart:7");

        return new Outcome(apples, pearRemoved, previous, deleted, asyncPrice, left, afterPersist, cartTtl);
    }

    /**
     * Runs the examples on two members of one JVM on the default {@code tcp} stack, and prints what they saw.
     *
     * @param args ignored
     */
    public static void main(String[] args) {
        try (Grid writer = Grid.builder().clusterName("grid-map-example").start();
             Grid reader = Grid.builder().clusterName("grid-map-example").start()) {
            System.out.println(run(writer, reader));
        }
    }
}
