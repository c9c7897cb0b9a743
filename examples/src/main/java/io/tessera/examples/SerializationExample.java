package io.tessera.examples;

import io.tessera.grid.Grid;
import io.tessera.grid.GridMap;
import io.tessera.grid.GridSerializationException;
import io.tessera.grid.SerializationConfig;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

/**
 * The embedding guide's serialization example (docs/embedding.md): application classes registered with explicit ids,
 * built-in types that need no registration, and what an unregistered class gets.
 */
public final class SerializationExample {

    // tag::types[]
    /** An order's state: an enum, so it is registered like any application class. */
    public enum Status {
        /** Placed, not paid yet. */ NEW,
        /** Paid, not shipped yet. */ PAID,
        /** On its way. */ SHIPPED
    }

    /** An order line. */
    public record Line(String sku, int quantity, BigDecimal price) {
    }

    /** An order: a record whose fields are registered classes and built-in types. */
    public record Order(String id, Status status, List<Line> lines) {
    }
    // end::types[]

    /** A class nobody registered. */
    public record Coupon(String code) {
    }

    /**
     * What the example saw.
     *
     * @param read the order another member read back
     * @param builtIn the built-in map another member read back
     * @param refusal the message of the exception that storing an unregistered class threw
     */
    public record Outcome(Order read, Map<String, List<Integer>> builtIn, String refusal) {
    }

    private SerializationExample() {
    }

    /**
     * Lists the registrations every member of the example's cluster makes.
     *
     * @return the serialization config with the example's classes registered
     */
    public static SerializationConfig types() {
        // tag::register[]
        SerializationConfig types = SerializationConfig.builder()
                .register(Status.class, 100)                // ids from SerializationConfig.FIRST_USER_TYPE_ID
                .register(Line.class, 101)                  // never give a used id to another class
                .register(Order.class, 102)
                .build();
        // end::register[]
        return types;
    }

    /**
     * Writes on {@code writer} and reads back on {@code reader}, another member registered alike.
     *
     * @param writer the member that writes
     * @param reader another member of the same cluster, registered alike, that reads
     * @return what the reader read, and the refusal of the unregistered class
     */
    public static Outcome run(Grid writer, Grid reader) {
        GridMap<String, Object> orders = writer.map("orders");
        orders.put("o-1", new Order("o-1", Status.PAID, List.of(new Line("apple", 3, new BigDecimal("0.90")))));
        orders.put("scores", Map.of("alice", List.of(3, 5)));   // built-in types need no registration
        GridMap<String, Object> elsewhere = reader.map("orders");
        Order read = (Order) elsewhere.get("o-1");
        @SuppressWarnings("unchecked")
        Map<String, List<Integer>> scores = (Map<String, List<Integer>>) elsewhere.get("scores");

        // tag::unregistered[]
        String refusal;
        try {
            orders.put("coupon", new Coupon("SPRING"));     // Coupon is not registered
            refusal = "stored";
        } catch (GridSerializationException e) {            // thrown on the caller's thread; nothing was sent
            refusal = e.getMessage();                       // names the class and how to register it
        }
        // end::unregistered[]
        return new Outcome(read, scores, refusal);
    }

    /**
     * Runs the example on two members of one JVM on the default {@code tcp} stack, and prints what it saw.
     *
     * @param args ignored
     */
    public static void main(String[] args) {
        // tag::start[]
        try (Grid writer = Grid.builder().clusterName("serialization-example").serialization(types()).start();
             Grid reader = Grid.builder().clusterName("serialization-example").serialization(types()).start()) {
            System.out.println(run(writer, reader));
        }
        // end::start[]
    }
}
