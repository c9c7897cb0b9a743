package io.tessera.examples;

import io.tessera.grid.Grid;
import io.tessera.grid.GridMap;
import io.tessera.grid.MapConfig;
import io.tessera.grid.NearCacheConfig;
import java.time.Duration;

/**
 * The embedding guide's near cache example (docs/embedding.md): a member's repeated reads are answered from its near
 * cache, and a write made on another member is seen at once all the same.
 */
public final class NearCacheExample {

    /**
     * What the example saw.
     *
     * @param firstRead the value the reading member read first
     * @param hits the near cache's hits after the reading member read the key three times
     * @param afterRemoteWrite the value the reading member read right after the other member's write returned
     */
    public record Outcome(String firstRead, double hits, String afterRemoteWrite) {
    }

    private NearCacheExample() {
    }

    /**
     * Builds the config both members open the map with.
     *
     * @return a map config with a near cache of at most 10,000 entries written within 5 minutes
     */
    public static MapConfig config() {
        // tag::config[]
        MapConfig config = MapConfig.builder()
                .nearCache(NearCacheConfig.ofMaxSize(10_000)        // at most 10,000 entries on each member
                        .expireAfterWrite(Duration.ofMinutes(5)))   // and none older than 5 minutes
                .build();
        // end::config[]
        return config;
    }

    /**
     * Reads on {@code reading} while {@code writing}, another member, changes the entry.
     *
     * @param reading the member that reads through its near cache
     * @param writing another member of the same cluster, that writes
     * @return the values read and the near cache's hits
     */
    public static Outcome run(Grid reading, Grid writing) {
        GridMap<String, String> prices = reading.map("prices", config());
        GridMap<String, String> pricesElsewhere = writing.map("prices", config());
        pricesElsewhere.put("apple", "0.90");
        // tag::consistency[]
        String first = prices.get("apple");                     // "0.90", fetched from the primary and cached
        prices.get("apple");                                    // answered by this member's near cache
        prices.get("apple");                                    // and again
        pricesElsewhere.put("apple", "0.95");                   // returns once every near cache dropped "apple"
        String after = prices.get("apple");                     // "0.95": never the stale "0.90"
        // end::consistency[]
        // tag::hits[]
        double hits = reading.meterRegistry().get("cache.gets")
                .tags("cache", "prices", "result", "hit").functionCounter().count();
        // end::hits[]
        return new Outcome(first, hits, after);
    }

    /**
     * Runs the example on two members of one JVM on the default {@code tcp} stack, and prints what it saw.
     *
     * @param args ignored
     */
    public static void main(String[] args) {
        try (Grid reading = Grid.builder().clusterName("near-cache-example").start();
             Grid writing = Grid.builder().clusterName("near-cache-example").start()) {
            System.out.println(run(reading, writing));
        }
    }
}
