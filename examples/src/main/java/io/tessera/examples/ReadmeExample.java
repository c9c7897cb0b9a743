package io.tessera.examples;

import io.tessera.grid.EntryEvent;
import io.tessera.grid.EntryListener;
import io.tessera.grid.Grid;
import io.tessera.grid.GridMap;
import io.tessera.grid.MapConfig;
import io.tessera.grid.SerializationConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** The API example of the README, kept here so that it compiles; the README shows the body of {@link #run}. */
public final class ReadmeExample {

    /** A shopping cart: a registered value class. */
    public record Cart(List<String> items) {
        /** An empty cart. */
        public Cart() {
            this(new ArrayList<>());
        }

        /**
         * Returns a copy of this cart with one more item.
         *
         * @param item the item to add at the end
         * @return a new cart; this one is unchanged
         */
        public Cart with(String item) {
            List<String> more = new ArrayList<>(items);
            more.add(item);
            return new Cart(more);
        }
    }

    private ReadmeExample() {
    }

    /**
     * Runs the example as one member of cluster {@code clusterName} on {@code stack}, and returns the final cart.
     *
     * @param clusterName the cluster to join
     * @param stack a bundled JGroups stack name, such as {@code tcp} or {@code local}
     * @return the cart stored under {@code user:42}, holding one apple
     */
    public static Cart run(String clusterName, String stack) {
        SerializationConfig types = SerializationConfig.builder().register(Cart.class).build();
        try (Grid grid = Grid.builder()
                .clusterName(clusterName)                  // members with the same name form one cluster
                .stack(stack)
                .serialization(types)                      // register value classes alike on every member
                .start()) {                                // returns once joined and the partition table is known
            GridMap<String, Cart> carts = grid.map("carts",
                    MapConfig.builder().backups(1).maxIdle(Duration.ofMinutes(30)).build());
            carts.put("user:42", new Cart());              // acknowledged once the backup has it
            carts.computeIfPresent("user:42", (id, cart) -> cart.with("apple"));
            carts.addListener(new EntryListener<>() {
                @Override public void entryExpired(EntryEvent<String, Cart> e) { System.out.println(e.key()); }
            });
            return carts.get("user:42");
        }                                                  // close() hands this member's partitions off first
    }

    /**
     * Runs the example on the default TCP stack and prints the final cart.
     *
     * @param args ignored
     */
    public static void main(String[] args) {
        System.out.println(run("readme-example", "tcp"));
    }
}
