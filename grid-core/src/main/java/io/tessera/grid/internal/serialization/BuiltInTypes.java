package io.tessera.grid.internal.serialization;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.serializers.DefaultSerializers;
import io.tessera.grid.SerializationConfig;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.MonthDay;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.Period;
import java.time.Year;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Date;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.LinkedList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The one table of the types every member can serialize without the application registering them, each with its
 * class id.
 *
 * <p>Ids 0 to 9 are Kryo's own (it registers {@code int}/{@code Integer} as 0, {@code String} as 1, and so on up to
 * {@code double} as 8); this table uses 10 to 99; applications start at
 * {@link SerializationConfig#FIRST_USER_TYPE_ID}. A class id travels in every serialized value, so an id in this table
 * is never changed and never reused: a type is added with a new id, and a removed type leaves its id empty for good.
 * Every type here uses the serializer Kryo picks by default for it (the JDK's immutable {@code List.of}, {@code Set.of}
 * and {@code Map.of} classes get Kryo's {@code ImmutableCollectionsSerializers}, which Kryo installs itself), unless its
 * entry names another: Kryo's default for a class it has no serializer for reflects on private JDK fields, which the
 * module system forbids, so such a class gets an explicit serializer here.
 *
 * <p>Enums are not built in, {@code java.time}'s included: an enum is registered by the application like any of its
 * classes. {@link EnumSet} is built in, but its element enum must be registered.
 */
public final class BuiltInTypes {

    /** Kryo's default registrations, made by its constructor: listed so that nobody registers them again. */
    private static final List<Entry> KRYO_DEFAULTS = List.of(
            new Entry(0, Integer.class),
            new Entry(1, String.class),
            new Entry(2, Float.class),
            new Entry(3, Boolean.class),
            new Entry(4, Byte.class),
            new Entry(5, Character.class),
            new Entry(6, Short.class),
            new Entry(7, Long.class),
            new Entry(8, Double.class));

    /** Tessera's registrations. Append only; never renumber, never reuse an id. */
    private static final List<Entry> TABLE = List.of(
            // Arrays: 10..19
            new Entry(10, byte[].class),
            new Entry(11, short[].class),
            new Entry(12, int[].class),
            new Entry(13, long[].class),
            new Entry(14, float[].class),
            new Entry(15, double[].class),
            new Entry(16, char[].class),
            new Entry(17, boolean[].class),
            new Entry(18, String[].class),
            new Entry(19, Object[].class),
            // Mutable collections and maps: 20..34
            new Entry(20, ArrayList.class),
            new Entry(21, LinkedList.class),
            new Entry(22, ArrayDeque.class),
            new Entry(23, HashSet.class),
            new Entry(24, LinkedHashSet.class),
            new Entry(25, TreeSet.class),
            new Entry(26, HashMap.class),
            new Entry(27, LinkedHashMap.class),
            new Entry(28, TreeMap.class),
            new Entry(29, ConcurrentHashMap.class),
            new Entry(30, EnumSet.class),
            // JDK factory collections, whose classes are private: 35..54
            new Entry(35, Collections.emptyList().getClass()),
            new Entry(36, Collections.emptySet().getClass()),
            new Entry(37, Collections.emptyMap().getClass()),
            new Entry(38, Collections.singletonList(0).getClass()),
            new Entry(39, Collections.singleton(0).getClass()),
            new Entry(40, Collections.singletonMap(0, 0).getClass()),
            new Entry(41, Arrays.asList().getClass()),
            new Entry(42, List.of(0).getClass()),                       // ImmutableCollections.List12
            new Entry(43, List.of().getClass()),                        // ImmutableCollections.ListN
            new Entry(44, List.of(0, 1, 2).subList(0, 1).getClass()),   // ImmutableCollections.SubList
            new Entry(45, Set.of(0).getClass()),                        // ImmutableCollections.Set12
            new Entry(46, Set.of().getClass()),                         // ImmutableCollections.SetN
            new Entry(47, Map.of(0, 0).getClass()),                     // ImmutableCollections.Map1
            new Entry(48, Map.of().getClass()),                         // ImmutableCollections.MapN
            // Numbers and identifiers: 55..59
            new Entry(55, BigInteger.class),
            new Entry(56, BigDecimal.class),
            new Entry(57, UUID.class, DefaultSerializers.UUIDSerializer::new), // not one of Kryo's defaults
            new Entry(58, Date.class),
            // java.time: 60..79
            new Entry(60, Instant.class),
            new Entry(61, Duration.class),
            new Entry(62, LocalDate.class),
            new Entry(63, LocalTime.class),
            new Entry(64, LocalDateTime.class),
            new Entry(65, ZonedDateTime.class),
            new Entry(66, OffsetDateTime.class),
            new Entry(67, OffsetTime.class),
            new Entry(68, ZoneOffset.class),
            new Entry(69, ZoneId.of("Europe/Paris").getClass()),         // java.time.ZoneRegion
            new Entry(70, Period.class),
            new Entry(71, Year.class),
            new Entry(72, YearMonth.class),
            new Entry(73, MonthDay.class));

    private static final Map<Class<?>, Integer> IDS = index();

    private BuiltInTypes() {
    }

    /**
     * Returns the class id of a type every member serializes without registration, or nothing if it must be
     * registered.
     *
     * @param type the class to look up; a primitive class answers with its boxed form's id
     * @return its built-in id, from Kryo's defaults or from this table
     */
    public static OptionalInt idOf(Class<?> type) {
        Integer id = IDS.get(type);
        return id == null ? OptionalInt.empty() : OptionalInt.of(id);
    }

    /** Registers every entry of the table on {@code kryo}, which must be fresh. */
    static void registerAll(Kryo kryo) {
        for (Entry e : TABLE) {
            if (e.serializer() == null) {
                kryo.register(e.type(), e.id());
            } else {
                kryo.register(e.type(), e.serializer().get(), e.id());
            }
        }
    }

    /** Returns Tessera's own entries, ids 10 to 99. */
    static List<Entry> table() {
        return TABLE;
    }

    /** Returns the entries Kryo registers by itself, ids 0 to 9. */
    static List<Entry> kryoDefaults() {
        return KRYO_DEFAULTS;
    }

    private static Map<Class<?>, Integer> index() {
        // A duplicate would make two members disagree on what an id means; refuse to load instead.
        Map<Class<?>, Integer> ids = new HashMap<>();
        Set<Integer> used = new HashSet<>();
        for (List<Entry> list : List.of(KRYO_DEFAULTS, TABLE)) {
            for (Entry e : list) {
                if (ids.put(e.type(), e.id()) != null || !used.add(e.id())) {
                    throw new AssertionError("duplicate built-in type or id: " + e);
                }
            }
        }
        for (Entry e : TABLE) {
            if (e.id() < 10 || e.id() >= SerializationConfig.FIRST_USER_TYPE_ID) {
                throw new AssertionError("built-in id out of 10..99: " + e);
            }
        }
        for (Class<?> primitive : List.of(int.class, float.class, boolean.class, byte.class, char.class,
                short.class, long.class, double.class)) {
            ids.put(primitive, ids.get(boxed(primitive)));
        }
        return Map.copyOf(ids);
    }

    private static Class<?> boxed(Class<?> primitive) {
        return java.lang.invoke.MethodType.methodType(primitive).wrap().returnType();
    }

    /**
     * A built-in type, its class id and, when Kryo would not pick a working one by itself, its serializer.
     *
     * @param id the class id
     * @param type the class
     * @param serializer makes the serializer for each Kryo, or null for Kryo's default one
     */
    record Entry(int id, Class<?> type, Supplier<Serializer<?>> serializer) {

        Entry(int id, Class<?> type) {
            this(id, type, null);
        }
    }
}
