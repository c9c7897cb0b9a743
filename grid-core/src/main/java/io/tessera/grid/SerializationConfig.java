package io.tessera.grid;

import io.tessera.grid.internal.serialization.BuiltInTypes;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.TreeMap;

/**
 * The application classes that members may store and exchange, each with the class id it is written as.
 *
 * <p>Tessera serializes with Kryo and requires registration: a value's class travels as a small number, and a class
 * nobody registered is refused with an error rather than instantiated. So every member of a cluster must register the
 * same classes with the same ids. Either call {@link Builder#register(Class)} in the same order on every member (ids
 * are handed out in call order), or, safer when registrations come from several places, give explicit ids with
 * {@link Builder#register(Class, int)}. Once an id has been used for a class in a cluster whose data lives on, never
 * give it to another class.
 *
 * <p>Built in, and never to be registered: strings, boxed primitives, arrays of primitives, {@code String[]} and
 * {@code Object[]}, the common {@code java.util} collections and maps (including {@code List.of}, {@code Set.of},
 * {@code Map.of}, {@code Arrays.asList} and the {@code Collections.empty*} and {@code singleton*} forms),
 * {@code BigInteger}, {@code BigDecimal}, {@code UUID}, {@code Date} and the {@code java.time} value types. Enums,
 * records and the application's own classes must be registered, as must arrays of them.
 *
 * <p>Instances are immutable and thread-safe; make them with {@link #builder()}.
 */
public final class SerializationConfig {

    /**
     * The lowest class id an application may use; ids below are reserved for Tessera's built-in type table and Kryo.
     * An id, once given to a class, is never reused for another one.
     */
    public static final int FIRST_USER_TYPE_ID = 100;

    /** The highest class id; Kryo writes id + 2 as a variable-length int, which must not overflow. */
    private static final int LAST_USER_TYPE_ID = Integer.MAX_VALUE - 2;

    private static final SerializationConfig DEFAULTS = new SerializationConfig(List.of());

    private final List<Registration> registrations;

    private SerializationConfig(List<Registration> registrations) {
        this.registrations = registrations;
    }

    /**
     * Returns a new builder with no registrations.
     *
     * @return a builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Returns the configuration without application classes: only the built-in types can be stored.
     *
     * @return the default configuration
     */
    public static SerializationConfig defaults() {
        return DEFAULTS;
    }

    /**
     * Returns the application's registrations in ascending id order.
     *
     * @return an unmodifiable list of registrations
     */
    public List<Registration> registrations() {
        return registrations;
    }

    /**
     * Tells whether {@code o} is a configuration with the same registrations.
     *
     * @param o the object to compare with
     * @return true if both register the same classes under the same ids
     */
    @Override
    public boolean equals(Object o) {
        return o instanceof SerializationConfig other && registrations.equals(other.registrations);
    }

    /**
     * Returns a hash code consistent with {@link #equals(Object)}.
     *
     * @return the hash code of the registrations
     */
    @Override
    public int hashCode() {
        return registrations.hashCode();
    }

    /**
     * Returns the registrations as {@code id=class} pairs, for logs.
     *
     * @return a description of this configuration
     */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("SerializationConfig{");
        for (int i = 0; i < registrations.size(); i++) {
            Registration r = registrations.get(i);
            sb.append(i == 0 ? "" : ", ").append(r.id()).append('=').append(r.type().getTypeName());
        }
        return sb.append('}').toString();
    }

    /**
     * One application class and the class id it is written as.
     *
     * @param type the registered class
     * @param id its class id, at least {@link #FIRST_USER_TYPE_ID}
     */
    public record Registration(Class<?> type, int id) {

        /**
         * Creates a registration.
         *
         * @param type the registered class
         * @param id its class id
         */
        public Registration {
            Objects.requireNonNull(type, "type");
        }
    }

    /**
     * Collects registrations, refusing a bad one at the call that adds it. Not thread-safe.
     */
    public static final class Builder {

        private final TreeMap<Integer, Class<?>> typesById = new TreeMap<>();
        private final Map<Class<?>, Integer> idsByType = new HashMap<>();

        private Builder() {
        }

        /**
         * Registers {@code type} under the lowest id, at least {@link #FIRST_USER_TYPE_ID}, that is still free.
         *
         * <p>Ids therefore depend on call order: register in the same order on every member, or use
         * {@link #register(Class, int)}.
         *
         * @param type an enum, record or other application class, or an array of one
         * @return this builder
         * @throws NullPointerException if {@code type} is null
         * @throws IllegalArgumentException if {@code type} is primitive, an interface, built in or already registered
         */
        public Builder register(Class<?> type) {
            checkType(type);
            int id = FIRST_USER_TYPE_ID;
            while (typesById.containsKey(id)) {
                id++;
            }
            return add(type, id);
        }

        /**
         * Registers {@code type} under the given class id.
         *
         * @param type an enum, record or other application class, or an array of one
         * @param id its class id, at least {@link #FIRST_USER_TYPE_ID} and not used by another class
         * @return this builder
         * @throws NullPointerException if {@code type} is null
         * @throws IllegalArgumentException if {@code type} is primitive, an interface, built in or already
         *     registered, or if {@code id} is reserved or taken
         */
        public Builder register(Class<?> type, int id) {
            checkType(type);
            if (id < FIRST_USER_TYPE_ID) {
                throw new IllegalArgumentException(
                        "id: " + id + " (expected >= " + FIRST_USER_TYPE_ID + "; ids below are reserved)");
            }
            if (id > LAST_USER_TYPE_ID) {
                throw new IllegalArgumentException("id: " + id + " (expected <= " + LAST_USER_TYPE_ID + ")");
            }
            Class<?> holder = typesById.get(id);
            if (holder != null) {
                throw new IllegalArgumentException("id: " + id + " (expected an unused id; it is already assigned to "
                        + holder.getTypeName() + ")");
            }
            return add(type, id);
        }

        /**
         * Returns an immutable configuration holding the registrations made so far.
         *
         * @return the configuration
         */
        public SerializationConfig build() {
            List<Registration> list = new ArrayList<>(typesById.size());
            typesById.forEach((id, type) -> list.add(new Registration(type, id)));
            return new SerializationConfig(Collections.unmodifiableList(list));
        }

        private Builder add(Class<?> type, int id) {
            typesById.put(id, type);
            idsByType.put(type, id);
            return this;
        }

        private void checkType(Class<?> type) {
            if (type == null) {
                throw new NullPointerException("type: null (expected a class to register)");
            }
            String name = type.getTypeName();
            if (type.isPrimitive()) {
                throw new IllegalArgumentException("type: " + name
                        + " (expected a reference type; primitives and their boxed forms are built in)");
            }
            if (type.isInterface()) {
                throw new IllegalArgumentException("type: " + name
                        + " (expected a class, enum or record; an interface is never the class of a stored object)");
            }
            OptionalInt builtIn = BuiltInTypes.idOf(type);
            if (builtIn.isPresent()) {
                throw new IllegalArgumentException("type: " + name
                        + " (expected a class that is not built in; Tessera registers it with id "
                        + builtIn.getAsInt() + ")");
            }
            Integer existing = idsByType.get(type);
            if (existing != null) {
                throw new IllegalArgumentException("type: " + name
                        + " (expected a class not registered yet; it already has id " + existing + ")");
            }
        }
    }
}
