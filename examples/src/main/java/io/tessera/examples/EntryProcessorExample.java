package io.tessera.examples;

import io.tessera.grid.EntryProcessor;
import io.tessera.grid.Grid;
import io.tessera.grid.GridMap;
import io.tessera.grid.MultiKeyProcessor;
import io.tessera.grid.MutableEntry;
import io.tessera.grid.SerializationConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The embedding guide's entry processor examples (docs/embedding.md): reservations against a stock count made at
 * once from several members, none of which oversells, and a transfer between two keys of one partition.
 */
public final class EntryProcessorExample {

    // tag::processor[]
    /** Takes {@code quantity} items from a stock count if that many are left; says whether it did. */
    public record Reserve(int quantity) implements EntryProcessor<String, Integer, Boolean> {
        @Override
        public Boolean process(MutableEntry<String, Integer> entry) {
            Integer left = entry.getValue();                // null if the entry does not exist
            if (left == null || left < quantity) {
                return false;
            }
            entry.setValue(left - quantity);                // applied and replicated when process returns
            return true;
        }
    }
    // end::processor[]

    // tag::multiKeyProcessor[]
    /** Moves {@code amount} from the first key's balance to the second's if the first has enough. */
    public record Transfer(long amount) implements MultiKeyProcessor<String, Long, Boolean> {
        @Override
        public Boolean process(List<MutableEntry<String, Long>> entries) {
            MutableEntry<String, Long> from = entries.get(0);   // one entry per key, in the order given
            MutableEntry<String, Long> to = entries.get(1);
            long balance = from.exists() ? from.getValue() : 0;
            if (balance < amount) {
                return false;
            }
            from.setValue(balance - amount);
            to.setValue((to.exists() ? to.getValue() : 0) + amount);
            return true;
        }
    }
    // end::multiKeyProcessor[]

    /**
     * What the example saw.
     *
     * @param reserved how many reservations of one item succeeded
     * @param left the stock left afterwards
     * @param transferred whether the transfer happened
     * @param checking the first account's balance afterwards
     * @param savings the second account's balance afterwards
     */
    public record Outcome(int reserved, int left, boolean transferred, long checking, long savings) {
    }

    private EntryProcessorExample() {
    }

    /**
     * Lists the classes every member registers: processors travel to the key's primary.
     *
     * @return the serialization config with the example's processors registered
     */
    public static SerializationConfig types() {
        // tag::register[]
        SerializationConfig types = SerializationConfig.builder()
                .register(Reserve.class, 200)               // explicit ids: the same on every member
                .register(Transfer.class, 201)
                .build();
        // end::register[]
        return types;
    }

    /**
     * Puts a stock of {@code stock} items, then makes {@code attempts} reservations of one item from each member of
     * {@code members} at once, and transfers 30 from one account to another.
     *
     * @param members the members to reserve through, of one cluster
     * @param stock the items in stock at the start
     * @param attempts the reservations each member makes
     * @return the reservations that succeeded, the stock left and the accounts after the transfer
     */
    public static Outcome run(List<Grid> members, int stock, int attempts) {
        members.get(0).<String, Integer>map("stock").put("sku-1", stock);
        List<CompletableFuture<Boolean>> reservations = new ArrayList<>();
        for (Grid member : members) {
            GridMap<String, Integer> counts = member.map("stock");
            for (int i = 0; i < attempts; i++) {
                // tag::execute[]
                CompletableFuture<Boolean> reserved = counts.executeOnKeyAsync("sku-1", new Reserve(1));
                // end::execute[]
                reservations.add(reserved);
            }
        }
        int reserved = (int) reservations.stream().filter(CompletableFuture::join).count();
        int left = members.get(1).<String, Integer>map("stock").get("sku-1");

        // tag::executeOnKeys[]
        GridMap<String, Long> balances = members.get(0).map("balances");
        balances.put("{alice}.checking", 100L);             // {alice}: one hash tag, so one partition
        boolean moved = balances.executeOnKeysAsync(List.of("{alice}.checking", "{alice}.savings"),
                new Transfer(30)).join();                   // both entries change together, or neither does
        // end::executeOnKeys[]
        return new Outcome(reserved, left, moved, balances.get("{alice}.checking"), balances.get("{alice}.savings"));
    }

    /**
     * Runs the example on two members of one JVM on the default {@code tcp} stack, and prints what they saw.
     *
     * @param args ignored
     */
    public static void main(String[] args) {
        try (Grid a = Grid.builder().clusterName("processor-example").serialization(types()).start();
             Grid b = Grid.builder().clusterName("processor-example").serialization(types()).start()) {
            System.out.println(run(List.of(a, b), 50, 40));
        }
    }
}
