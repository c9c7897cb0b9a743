package io.tessera.examples;

import io.tessera.grid.EntryEvent;
import io.tessera.grid.EntryListener;
import io.tessera.grid.Grid;
import io.tessera.grid.GridMap;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The embedding guide's listener example (docs/embedding.md): one member listens to a map and to one key of it while
 * another member writes, and an entry expires.
 */
public final class ListenerExample {

    /**
     * What the listeners heard.
     *
     * @param mapEvents what the map listener heard, in arrival order
     * @param keyEvents what the listener of {@code order:1} heard, in arrival order
     */
    public record Outcome(List<String> mapEvents, List<String> keyEvents) {
    }

    private ListenerExample() {
    }

    /**
     * Listens on {@code listening} while {@code writing}, another member, changes the map.
     *
     * @param listening the member whose listeners hear the changes
     * @param writing another member of the same cluster, that makes them
     * @return the events the listeners heard, in order
     * @throws InterruptedException if interrupted while waiting for the events
     */
    public static Outcome run(Grid listening, Grid writing) throws InterruptedException {
        GridMap<String, String> orders = listening.map("orders");
        // tag::listener[]
        BlockingQueue<String> heard = new LinkedBlockingQueue<>();
        UUID id = orders.addListener(new EntryListener<>() {    // every member knows of it once this returns
            @Override
            public void entryAdded(EntryEvent<String, String> e) {
                heard.add("added " + e.key() + "=" + e.value());
            }

            @Override
            public void entryUpdated(EntryEvent<String, String> e) {
                heard.add("updated " + e.key() + " " + e.oldValue() + "->" + e.value());
            }

            @Override
            public void entryRemoved(EntryEvent<String, String> e) {
                heard.add("removed " + e.key() + " (was " + e.oldValue() + ")");
            }

            @Override
            public void entryExpired(EntryEvent<String, String> e) {
                heard.add("expired " + e.key());
            }
        });
        // end::listener[]

        // tag::keyListener[]
        BlockingQueue<String> heardOfOne = new LinkedBlockingQueue<>();
        UUID keyId = orders.addKeyListener("order:1", new EntryListener<>() {
            @Override
            public void entryUpdated(EntryEvent<String, String> e) {
                heardOfOne.add(e.type() + " " + e.key() + " " + e.value());   // value null: asked for no values
            }
        }, false);
        // end::keyListener[]

        GridMap<String, String> elsewhere = writing.map("orders");
        elsewhere.put("order:1", "new");
        elsewhere.put("order:1", "paid");
        elsewhere.put("order:2", "new", Duration.ofSeconds(1));
        elsewhere.remove("order:1");

        List<String> mapEvents = take(heard, 5);          // the expiry comes about a second later
        List<String> keyEvents = take(heardOfOne, 1);
        // tag::removeListener[]
        orders.removeListener(id);
        orders.removeListener(keyId);
        // end::removeListener[]
        return new Outcome(mapEvents, keyEvents);
    }

    private static List<String> take(BlockingQueue<String> queue, int count) throws InterruptedException {
        List<String> taken = new ArrayList<>();
        while (taken.size() < count) {
            String event = queue.poll(30, TimeUnit.SECONDS);
            if (event == null) {
                throw new IllegalStateException("heard only " + taken + " in 30 s; expected " + count + " events");
            }
            taken.add(event);
        }
        return taken;
    }

    /**
     * Runs the example on two members of one JVM on the default {@code tcp} stack, and prints what they heard.
     *
     * @param args ignored
     * @throws InterruptedException if interrupted while waiting for the events
     */
    public static void main(String[] args) throws InterruptedException {
        try (Grid listening = Grid.builder().clusterName("listener-example").start();
             Grid writing = Grid.builder().clusterName("listener-example").start()) {
            System.out.println(run(listening, writing));
        }
    }
}
