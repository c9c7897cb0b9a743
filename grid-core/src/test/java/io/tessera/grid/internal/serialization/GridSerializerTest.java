package io.tessera.grid.internal.serialization;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import com.esotericsoftware.kryo.serializers.FieldSerializer;
import io.tessera.grid.GridSerializationException;
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
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

@Timeout(value = 60, unit = SECONDS)
class GridSerializerTest {

    // ---- application types -------------------------------------------------------------------------------------

    enum Status {
        OPEN,
        PAID {
            @Override
            public String toString() {
                return "paid";
            }
        }
    }

    record Line(String sku, int quantity, BigDecimal price) {
    }

    static final class Cart {
        String owner;
        List<Line> lines = new ArrayList<>();
        Map<String, Object> attributes = new HashMap<>();
        Status status = Status.OPEN;

        Cart() {
        }

        Cart(String owner, Line... lines) {
            this.owner = owner;
            this.lines.addAll(List.of(lines));
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Cart c && Objects.equals(owner, c.owner) && lines.equals(c.lines)
                    && attributes.equals(c.attributes) && status == c.status;
        }

        @Override
        public int hashCode() {
            return Objects.hash(owner, lines, attributes, status);
        }
    }

    /** Has no no-arg constructor, so reading it needs the instantiator fallback. */
    static final class Money {
        final long cents;
        final String currency;

        Money(long cents, String currency) {
            this.cents = cents;
            this.currency = currency;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Money m && cents == m.cents && currency.equals(m.currency);
        }

        @Override
        public int hashCode() {
            return Objects.hash(cents, currency);
        }
    }

    static final class Unregistered {
        int x = 1;
    }

    /** Holds an unregistered class in a field. */
    static final class Holder {
        Object inside;
    }

    // Counters live outside the classes they count: reading a static field of a class would initialize it.
    static final AtomicInteger SECRET_INITIALIZATIONS = new AtomicInteger();
    static final AtomicInteger SECRET_CONSTRUCTIONS = new AtomicInteger();
    static final AtomicInteger DECOY_CONSTRUCTIONS = new AtomicInteger();

    /** Must never be initialized nor instantiated by a reader that did not register it under the bytes' id. */
    static final class Secret {
        static {
            SECRET_INITIALIZATIONS.incrementAndGet();
        }

        String payload;

        Secret() {
            SECRET_CONSTRUCTIONS.incrementAndGet();
        }
    }

    /** Shaped like {@link Secret}; shows that the crafted bytes do instantiate a class when Kryo is permissive. */
    static final class Decoy {
        String payload;

        Decoy() {
            DECOY_CONSTRUCTIONS.incrementAndGet();
        }
    }

    private static final SerializationConfig CONFIG = SerializationConfig.builder()
            .register(Cart.class)
            .register(Line.class)
            .register(Status.class)
            .register(Money.class)
            .register(Holder.class)
            .register(Line[].class)
            .build();

    private final GridSerializer serializer = new GridSerializer(CONFIG);

    // ---- keys --------------------------------------------------------------------------------------------------

    @Test
    void encodeKey_string_isItsUtf8Bytes() {
        assertThat(serializer.encodeKey("user:1")).isEqualTo("user:1".getBytes(UTF_8));
        assertThat(serializer.encodeKey("clé:ünï:😀")).isEqualTo("clé:ünï:😀".getBytes(UTF_8));
        assertThat(serializer.encodeKey("")).isEmpty();
    }

    @Test
    void encodeKey_bytes_isACopyOfItself() {
        byte[] key = {1, 2, 3};
        byte[] encoded = serializer.encodeKey(key);
        key[0] = 9;

        assertThat(encoded).containsExactly(1, 2, 3).isNotSameAs(key);
    }

    @Test
    void keyFormat_isStringBytesOrObject() {
        assertThat(GridSerializer.keyFormat("k")).isEqualTo(GridSerializer.KEY_STRING);
        assertThat(GridSerializer.keyFormat(new byte[0])).isEqualTo(GridSerializer.KEY_BYTES);
        assertThat(GridSerializer.keyFormat(42L)).isEqualTo(GridSerializer.KEY_OBJECT);
        assertThat(GridSerializer.keyFormat(new Line("a", 1, BigDecimal.ONE))).isEqualTo(GridSerializer.KEY_OBJECT);
    }

    @Test
    void decodeKey_roundTripsEveryFormat() {
        for (Object key : List.of("user:1", 42L, UUID.randomUUID(), new Line("sku", 2, new BigDecimal("9.99")))) {
            byte[] bytes = serializer.encodeKey(key);
            assertThat(serializer.decodeKey(bytes, GridSerializer.keyFormat(key))).isEqualTo(key);
        }
        byte[] raw = {0, -1, 127};
        assertThat((byte[]) serializer.decodeKey(serializer.encodeKey(raw), GridSerializer.KEY_BYTES))
                .containsExactly(raw).isNotSameAs(raw);
    }

    @Test
    void decodeKey_stringAndBytesFormats_readTheSameBytesInterchangeably() {
        byte[] fromResp = "user:1".getBytes(UTF_8);

        assertThat(serializer.decodeKey(fromResp, GridSerializer.KEY_STRING)).isEqualTo("user:1");
        assertThat(serializer.encodeKey("user:1")).isEqualTo(serializer.encodeKey(fromResp));
    }

    @Test
    void encodeKey_object_isDeterministicAcrossSerializers() {
        Line key = new Line("sku-1", 3, new BigDecimal("12.50"));
        GridSerializer other = new GridSerializer(CONFIG);

        assertThat(serializer.encodeKey(key))
                .isEqualTo(serializer.encodeKey(new Line("sku-1", 3, new BigDecimal("12.50"))))
                .isEqualTo(other.encodeKey(key));
    }

    @Test
    void decodeKey_unknownFormat_refused() {
        assertThatThrownBy(() -> serializer.decodeKey(new byte[] {1}, (byte) 9))
                .isInstanceOf(GridSerializationException.class)
                .hasMessage("format: 9 (expected 1 (string), 2 (bytes) or 3 (object))");
    }

    // ---- values ------------------------------------------------------------------------------------------------

    @Test
    void encodeValue_bytes_isFormatByteThenTheBytes() {
        assertThat(serializer.encodeValue(new byte[] {7, 8})).containsExactly(GridSerializer.VALUE_BYTES, 7, 8);
    }

    @Test
    void encodeValue_string_isFormatByteThenUtf8() {
        byte[] encoded = serializer.encodeValue("héllo");

        assertThat(encoded[0]).isEqualTo(GridSerializer.VALUE_STRING);
        assertThat(Arrays.copyOfRange(encoded, 1, encoded.length)).isEqualTo("héllo".getBytes(UTF_8));
    }

    @Test
    void decodeValue_respBytesAndJavaString_shareTheirPayload() {
        byte[] fromResp = serializer.encodeValue("hello".getBytes(UTF_8));
        byte[] fromJava = serializer.encodeValue("hello");

        assertThat(Arrays.copyOfRange(fromResp, 1, fromResp.length))
                .isEqualTo(Arrays.copyOfRange(fromJava, 1, fromJava.length));
        assertThat((byte[]) serializer.decodeValue(fromResp)).isEqualTo("hello".getBytes(UTF_8));
        assertThat(serializer.decodeValue(fromJava)).isEqualTo("hello");
    }

    @Test
    void encodeValue_integer_isFormatByteKryoClassIdAndZigZagVarint() {
        // Pins the wire format: Kryo's id 0 (Integer) is written as 0 + 2, and 42 as the zig-zag varint 84.
        assertThat(serializer.encodeValue(42)).containsExactly(GridSerializer.VALUE_KRYO, 2, 84);
    }

    @Test
    void decodeValue_offsetAndLength_readOnlyThatRange() {
        byte[] value = serializer.encodeValue(new Cart("ann", new Line("a", 1, BigDecimal.TEN)));
        byte[] framed = new byte[value.length + 7];
        Arrays.fill(framed, (byte) 0x7f);
        System.arraycopy(value, 0, framed, 3, value.length);

        assertThat(serializer.decodeValue(framed, 3, value.length))
                .isEqualTo(new Cart("ann", new Line("a", 1, BigDecimal.TEN)));
        assertThat(serializer.decodeValue(new byte[] {9, 1, 104, 105, 9}, 1, 3)).isEqualTo("hi");
    }

    @Test
    void decodeValue_rangeOutsideArray_refused() {
        assertThatThrownBy(() -> serializer.decodeValue(new byte[3], 2, 2))
                .isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void decodeValue_empty_refused() {
        assertThatThrownBy(() -> serializer.decodeValue(new byte[0]))
                .isInstanceOf(GridSerializationException.class)
                .hasMessage("cannot decode value of 0 bytes: the format byte is missing");
    }

    @Test
    void decodeValue_unknownFormatByte_refused() {
        assertThatThrownBy(() -> serializer.decodeValue(new byte[] {5, 1, 2}))
                .isInstanceOf(GridSerializationException.class)
                .hasMessage("cannot decode value of 3 bytes: format byte 5 (expected 0 (bytes), 1 (string) or 2 (kryo))");
    }

    @Test
    void decodeValue_truncatedKryo_refusedWithContext() {
        byte[] value = serializer.encodeValue(new Cart("ann", new Line("a", 1, BigDecimal.TEN)));
        byte[] truncated = Arrays.copyOf(value, value.length - 3);

        assertThatThrownBy(() -> serializer.decodeValue(truncated))
                .isInstanceOf(GridSerializationException.class)
                .hasMessageStartingWith("cannot decode value of " + truncated.length + " bytes: ")
                .hasCauseInstanceOf(com.esotericsoftware.kryo.KryoException.class);
    }

    @Test
    void decodeValue_trailingBytes_refused() {
        byte[] value = serializer.encodeValue(42);
        byte[] longer = Arrays.copyOf(value, value.length + 2);

        assertThatThrownBy(() -> serializer.decodeValue(longer))
                .isInstanceOf(GridSerializationException.class)
                .hasMessageStartingWith("cannot decode value of 5 bytes: 2 bytes are left after the object");
    }

    @Test
    void decodeValue_kryoNull_refused() {
        assertThatThrownBy(() -> serializer.decodeValue(new byte[] {GridSerializer.VALUE_KRYO, 0}))
                .isInstanceOf(GridSerializationException.class)
                .hasMessage("cannot decode value of 2 bytes: they hold null");
    }

    @Test
    void encodeObject_roundTripsWithoutFormatByte() {
        Cart cart = new Cart("bob", new Line("x", 2, BigDecimal.ONE));
        byte[] bytes = serializer.encodeObject(cart);

        assertThat(serializer.decodeObject(bytes)).isEqualTo(cart);
        assertThat(serializer.encodeValue(cart)).isEqualTo(prepend(GridSerializer.VALUE_KRYO, bytes));
    }

    // ---- built-in types ----------------------------------------------------------------------------------------

    static List<Object> builtInSamples() {
        LinkedHashMap<String, Integer> ordered = new LinkedHashMap<>();
        ordered.put("z", 1);
        ordered.put("a", 2);
        ConcurrentHashMap<String, List<Integer>> concurrent = new ConcurrentHashMap<>();
        concurrent.put("k", new ArrayList<>(List.of(1, 2)));
        ZonedDateTime paris = ZonedDateTime.of(2024, 3, 31, 2, 30, 0, 5, ZoneId.of("Europe/Paris"));
        return Arrays.asList(
                // Kryo's defaults
                42, "text", 1.5f, true, (byte) 7, 'c', (short) 3, 9L, 2.5d,
                // arrays
                new byte[] {1, -2}, new short[] {1, 2}, new int[] {1, -2}, new long[] {Long.MIN_VALUE},
                new float[] {1.5f}, new double[] {2.5}, new char[] {'a', 'é'}, new boolean[] {true, false},
                new String[] {"a", null}, new Object[] {1, "b", null, List.of(1)},
                // mutable collections and maps
                new ArrayList<>(Arrays.asList(1, "two", null)), new LinkedList<>(List.of(1, 2)),
                new ArrayDeque<>(List.of(1, 2, 3)), new HashSet<>(Set.of(1, 2)),
                new LinkedHashSet<>(List.of(3, 1, 2)), new TreeSet<>(Set.of(3, 1, 2)),
                new HashMap<>(Map.of("a", 1, "b", List.of("x"))), ordered, new TreeMap<>(Map.of("b", 2, "a", 1)),
                concurrent, EnumSet.of(Status.PAID),
                // JDK factory collections
                Collections.emptyList(), Collections.emptySet(), Collections.emptyMap(),
                Collections.singletonList("x"), Collections.singleton("x"), Collections.singletonMap("k", "v"),
                Arrays.asList("a", "b"), List.of(1), List.of(1, 2), List.of(), List.of(1, 2, 3),
                List.of(1, 2, 3, 4).subList(1, 3), Set.of(1), Set.of(), Set.of(1, 2, 3), Map.of("k", 1), Map.of(),
                Map.of("a", 1, "b", 2),
                // numbers and identifiers
                new BigInteger("-123456789012345678901234567890"), new BigDecimal("3.14159265358979323846"),
                UUID.randomUUID(), new Date(1_700_000_000_123L),
                // java.time
                Instant.ofEpochSecond(1_700_000_000L, 123_456_789), Duration.ofMillis(-1500),
                LocalDate.of(2024, 2, 29), LocalTime.of(13, 37, 42, 5), LocalDateTime.of(2024, 2, 29, 13, 37),
                paris, OffsetDateTime.of(2024, 1, 2, 3, 4, 5, 6, ZoneOffset.ofHours(2)),
                OffsetTime.of(3, 4, 5, 6, ZoneOffset.ofHoursMinutes(-5, -30)), ZoneOffset.ofHours(-5),
                ZoneId.of("America/New_York"), Period.of(1, 2, 3), Year.of(2024), YearMonth.of(2024, 2),
                MonthDay.of(2, 29));
    }

    @ParameterizedTest(name = "{index}: {0}")
    @MethodSource("builtInSamples")
    void builtInType_roundTripsAsValueKeyAndObject(Object sample) {
        assertRoundTrip(serializer.decodeValue(serializer.encodeValue(sample)), sample);
        assertRoundTrip(serializer.decodeKey(serializer.encodeKey(sample), GridSerializer.keyFormat(sample)), sample);
        assertRoundTrip(serializer.decodeObject(serializer.encodeObject(sample)), sample);
    }

    @ParameterizedTest(name = "{index}: {0}")
    @MethodSource("builtInSamples")
    void builtInType_roundTripsWithoutAnyApplicationRegistration(Object sample) {
        if (sample instanceof EnumSet) {
            return; // its element enum is the application's
        }
        GridSerializer bare = new GridSerializer(SerializationConfig.defaults());

        assertRoundTrip(bare.decodeValue(bare.encodeValue(sample)), sample);
    }

    @Test
    void builtInSamples_coverEveryEntryOfTheTable() {
        List<Class<?>> sampled = builtInSamples().stream().map(Object::getClass).collect(Collectors.toList());

        for (BuiltInTypes.Entry entry : BuiltInTypes.table()) {
            assertThat(sampled.stream().anyMatch(entry.type()::isAssignableFrom))
                    .as("a sample of built-in %s", entry)
                    .isTrue();
        }
        for (BuiltInTypes.Entry entry : BuiltInTypes.kryoDefaults()) {
            assertThat(sampled).as("a sample of Kryo default %s", entry).contains(entry.type());
        }
    }

    @Test
    void builtInIds_neverChange() {
        // The ids travel in every value a cluster ever stored: this list may grow, but no line may change.
        assertThat(BuiltInTypes.table()).extracting(e -> e.id() + "=" + e.type().getTypeName()).containsExactly(
                "10=byte[]", "11=short[]", "12=int[]", "13=long[]", "14=float[]", "15=double[]", "16=char[]",
                "17=boolean[]", "18=java.lang.String[]", "19=java.lang.Object[]",
                "20=java.util.ArrayList", "21=java.util.LinkedList", "22=java.util.ArrayDeque",
                "23=java.util.HashSet", "24=java.util.LinkedHashSet", "25=java.util.TreeSet", "26=java.util.HashMap",
                "27=java.util.LinkedHashMap", "28=java.util.TreeMap", "29=java.util.concurrent.ConcurrentHashMap",
                "30=java.util.EnumSet",
                "35=java.util.Collections$EmptyList", "36=java.util.Collections$EmptySet",
                "37=java.util.Collections$EmptyMap", "38=java.util.Collections$SingletonList",
                "39=java.util.Collections$SingletonSet", "40=java.util.Collections$SingletonMap",
                "41=java.util.Arrays$ArrayList", "42=java.util.ImmutableCollections$List12",
                "43=java.util.ImmutableCollections$ListN", "44=java.util.ImmutableCollections$SubList",
                "45=java.util.ImmutableCollections$Set12", "46=java.util.ImmutableCollections$SetN",
                "47=java.util.ImmutableCollections$Map1", "48=java.util.ImmutableCollections$MapN",
                "55=java.math.BigInteger", "56=java.math.BigDecimal", "57=java.util.UUID", "58=java.util.Date",
                "60=java.time.Instant", "61=java.time.Duration", "62=java.time.LocalDate", "63=java.time.LocalTime",
                "64=java.time.LocalDateTime", "65=java.time.ZonedDateTime", "66=java.time.OffsetDateTime",
                "67=java.time.OffsetTime", "68=java.time.ZoneOffset", "69=java.time.ZoneRegion",
                "70=java.time.Period", "71=java.time.Year", "72=java.time.YearMonth", "73=java.time.MonthDay");
    }

    @Test
    void builtInTypes_neverFallBackToReflectingOnJdkFields() {
        GridKryo kryo = new GridKryo(SerializationConfig.defaults());

        for (BuiltInTypes.Entry entry : BuiltInTypes.table()) {
            assertThat(kryo.getRegistration(entry.type()).getSerializer())
                    .as("serializer of %s", entry)
                    .isNotInstanceOf(FieldSerializer.class);
        }
    }

    @Test
    void builtInIds_areUniqueAndBetween10And99() {
        List<Integer> ids = BuiltInTypes.table().stream().map(BuiltInTypes.Entry::id).collect(Collectors.toList());

        assertThat(ids).doesNotHaveDuplicates().allSatisfy(id -> assertThat(id).isBetween(10, 99));
    }

    @Test
    void kryoDefaults_matchWhatKryoRegistersAndLeave10To99Free() {
        Kryo kryo = new Kryo();
        for (BuiltInTypes.Entry entry : BuiltInTypes.kryoDefaults()) {
            Class<?> registered = kryo.getRegistration(entry.id()).getType();
            assertThat(BuiltInTypes.idOf(registered)).as("%s", entry).hasValue(entry.id());
            assertThat(kryo.getRegistration(entry.type()).getId()).as("%s", entry).isEqualTo(entry.id());
        }
        for (int id = 10; id < 100; id++) {
            assertThat(kryo.getRegistration(id)).as("Kryo's own registration %d", id).isNull();
        }
    }

    // ---- application types -------------------------------------------------------------------------------------

    @Test
    void registeredClass_roundTrips() {
        Cart cart = new Cart("ann", new Line("a", 1, new BigDecimal("1.50")), new Line("b", 2, BigDecimal.TEN));
        cart.attributes.put("coupon", "SPRING");
        cart.attributes.put("lines", new ArrayList<>(List.of(new Line("c", 3, BigDecimal.ZERO))));
        cart.status = Status.PAID;

        assertThat(serializer.decodeValue(serializer.encodeValue(cart))).isEqualTo(cart);
    }

    @Test
    void registeredRecord_roundTrips() {
        Line line = new Line("sku", 7, new BigDecimal("99.95"));

        assertThat(serializer.decodeValue(serializer.encodeValue(line))).isEqualTo(line);
        assertThat(serializer.decodeValue(serializer.encodeValue(new Line(null, 0, null))))
                .isEqualTo(new Line(null, 0, null));
    }

    @Test
    void registeredEnum_roundTripsIncludingConstantWithBody() {
        assertThat(serializer.decodeValue(serializer.encodeValue(Status.PAID))).isSameAs(Status.PAID);
        assertThat(serializer.decodeValue(serializer.encodeValue(Status.OPEN))).isSameAs(Status.OPEN);
    }

    @Test
    void registeredClassWithoutNoArgConstructor_roundTrips() {
        Money money = new Money(1234, "EUR");

        assertThat(serializer.decodeValue(serializer.encodeValue(money))).isEqualTo(money);
    }

    @Test
    void registeredArrayOfRegisteredClass_roundTrips() {
        Line[] lines = {new Line("a", 1, BigDecimal.ONE), null};

        assertThat(serializer.decodeValue(serializer.encodeValue(lines))).isInstanceOf(Line[].class).isEqualTo(lines);
    }

    // ---- refusals on write -------------------------------------------------------------------------------------

    private static String registerGuidance(String className) {
        return "Class " + className + " is not registered for serialization. Register it on every member:"
                + " Grid.builder().serialization(SerializationConfig.builder().register(" + className
                + ".class).build())";
    }

    private static final String UNREGISTERED = "io.tessera.grid.internal.serialization.GridSerializerTest.Unregistered";

    @Test
    void encodeValue_unregisteredClass_refusedWithGuidance() {
        assertThatThrownBy(() -> serializer.encodeValue(new Unregistered()))
                .isInstanceOf(GridSerializationException.class)
                .hasMessage(registerGuidance(UNREGISTERED));
    }

    @Test
    void encodeKeyAndObject_unregisteredClass_refusedWithGuidance() {
        assertThatThrownBy(() -> serializer.encodeKey(new Unregistered()))
                .isInstanceOf(GridSerializationException.class)
                .hasMessage(registerGuidance(UNREGISTERED));
        assertThatThrownBy(() -> serializer.encodeObject(new Unregistered()))
                .isInstanceOf(GridSerializationException.class)
                .hasMessage(registerGuidance(UNREGISTERED));
    }

    @Test
    void encodeValue_unregisteredClassNestedInBuiltIns_refusedWithGuidance() {
        List<Supplier<Object>> nestings = List.of(
                () -> new ArrayList<>(List.of("ok", new Unregistered())),
                () -> new HashMap<>(Map.of("k", new Unregistered())),
                () -> new HashMap<>(Map.of(new Unregistered(), "v")),
                () -> List.of(List.of(new Unregistered())),
                () -> new Object[] {new Unregistered()},
                () -> Collections.singletonMap("k", new ArrayList<>(List.of(new Unregistered()))));
        for (Supplier<Object> nesting : nestings) {
            Object value = nesting.get();
            assertThatThrownBy(() -> serializer.encodeValue(value))
                    .isInstanceOf(GridSerializationException.class)
                    .hasMessage(registerGuidance(UNREGISTERED));
        }
    }

    @Test
    void encodeValue_unregisteredClassInFieldOfRegisteredClass_refusedWithGuidance() {
        Holder holder = new Holder();
        holder.inside = new Unregistered();
        Cart cart = new Cart("ann");
        cart.attributes.put("bad", new Unregistered());

        assertThatThrownBy(() -> serializer.encodeValue(holder))
                .isInstanceOf(GridSerializationException.class)
                .hasMessage(registerGuidance(UNREGISTERED));
        assertThatThrownBy(() -> serializer.encodeValue(cart))
                .isInstanceOf(GridSerializationException.class)
                .hasMessage(registerGuidance(UNREGISTERED));
    }

    @Test
    void encodeValue_unregisteredArrayClass_refusedNamingTheArrayType() {
        assertThatThrownBy(() -> serializer.encodeValue(new Unregistered[0]))
                .isInstanceOf(GridSerializationException.class)
                .hasMessage(registerGuidance(UNREGISTERED + "[]"));
    }

    @Test
    void encodeValue_unregisteredEnum_refusedNamingTheEnumNotItsConstantBody() {
        GridSerializer bare = new GridSerializer(SerializationConfig.defaults());

        assertThatThrownBy(() -> bare.encodeValue(Status.PAID))
                .isInstanceOf(GridSerializationException.class)
                .hasMessage(registerGuidance("io.tessera.grid.internal.serialization.GridSerializerTest.Status"));
    }

    @Test
    void encodeValue_lambda_refusedAsNotSerializable() {
        Runnable lambda = () -> { };

        assertThatThrownBy(() -> serializer.encodeValue(lambda))
                .isInstanceOf(GridSerializationException.class)
                .hasMessageContaining("is a lambda or anonymous class and cannot be serialized");
    }

    @Test
    void encodeValue_jdkInternalClass_refusedWithACopyHint() {
        List<String> view = Collections.unmodifiableList(new ArrayList<>(List.of("a")));

        assertThatThrownBy(() -> serializer.encodeValue(view))
                .isInstanceOf(GridSerializationException.class)
                .hasMessage("Class java.util.Collections.UnmodifiableRandomAccessList is not registered for"
                        + " serialization and cannot be: it is internal to the JDK. Copy the value into a supported"
                        + " type such as ArrayList, HashMap or HashSet before storing it");
    }

    @Test
    void encodeValue_cyclicGraph_refusedAndSerializerStaysUsable() {
        List<Object> cycle = new ArrayList<>();
        cycle.add(cycle);

        assertThatThrownBy(() -> serializer.encodeValue(cycle))
                .isInstanceOf(GridSerializationException.class)
                .hasMessage("cannot encode value of type java.util.ArrayList: its object graph is cyclic or too deep"
                        + " (Tessera serializes without references)");
        assertThat(serializer.decodeValue(serializer.encodeValue(List.of(1)))).isEqualTo(List.of(1));
    }

    @Test
    void nullArguments_refusedNamingTheArgument() {
        assertThatThrownBy(() -> new GridSerializer(null)).isInstanceOf(NullPointerException.class)
                .hasMessage("config");
        assertThatThrownBy(() -> GridSerializer.keyFormat(null)).hasMessage("key");
        assertThatThrownBy(() -> serializer.encodeKey(null)).isInstanceOf(NullPointerException.class)
                .hasMessage("key");
        assertThatThrownBy(() -> serializer.decodeKey(null, GridSerializer.KEY_STRING))
                .isInstanceOf(NullPointerException.class).hasMessage("bytes");
        assertThatThrownBy(() -> serializer.encodeValue(null)).isInstanceOf(NullPointerException.class)
                .hasMessage("value");
        assertThatThrownBy(() -> serializer.decodeValue(null)).isInstanceOf(NullPointerException.class)
                .hasMessage("bytes");
        assertThatThrownBy(() -> serializer.decodeValue(null, 0, 0)).isInstanceOf(NullPointerException.class)
                .hasMessage("bytes");
        assertThatThrownBy(() -> serializer.encodeObject(null)).isInstanceOf(NullPointerException.class)
                .hasMessage("o");
        assertThatThrownBy(() -> serializer.decodeObject(null)).isInstanceOf(NullPointerException.class)
                .hasMessage("bytes");
    }

    // ---- refusals on read --------------------------------------------------------------------------------------

    @Test
    void decodeValue_classIdUnknownHere_refusedNamingTheIdAndCure() {
        GridSerializer writer = new GridSerializer(SerializationConfig.builder().register(Decoy.class, 150).build());
        byte[] bytes = writer.encodeValue(new Decoy());

        assertThatThrownBy(() -> serializer.decodeValue(bytes))
                .isInstanceOf(GridSerializationException.class)
                .hasMessage("cannot decode value of " + bytes.length + " bytes: class id 150 is not registered on"
                        + " this member. Another member registered a class this one did not: register the same"
                        + " classes with the same ids on every member (SerializationConfig.builder()"
                        + ".register(type, 150))");
    }

    @Test
    void decodeValue_classIdUnknownHereNestedInCollection_refused() {
        GridSerializer writer = new GridSerializer(SerializationConfig.builder().register(Decoy.class, 150).build());
        byte[] bytes = writer.encodeValue(new ArrayList<>(List.of("fine", new Decoy())));

        assertThatThrownBy(() -> serializer.decodeValue(bytes))
                .isInstanceOf(GridSerializationException.class)
                .hasMessageContaining("class id 150 is not registered on this member");
        assertThatThrownBy(() -> serializer.decodeObject(Arrays.copyOfRange(bytes, 1, bytes.length)))
                .isInstanceOf(GridSerializationException.class)
                .hasMessageStartingWith("cannot decode object of " + (bytes.length - 1) + " bytes: class id 150");
    }

    @Test
    void decodeValue_classIdOfAnotherKryo_refusedWithoutInitializingTheClassRegisteredHereUnderAnotherId() {
        Kryo foreign = new Kryo();
        foreign.register(Decoy.class, 150);
        Output out = new Output(64, -1);
        out.writeByte(GridSerializer.VALUE_KRYO);
        foreign.writeClassAndObject(out, new Decoy());
        byte[] bytes = out.toBytes();
        GridSerializer reader = new GridSerializer(SerializationConfig.builder().register(Secret.class, 151).build());

        assertThatThrownBy(() -> reader.decodeValue(bytes))
                .isInstanceOf(GridSerializationException.class)
                .hasMessageContaining("class id 150 is not registered on this member");
        assertThat(SECRET_INITIALIZATIONS).hasValue(0);
        assertThat(SECRET_CONSTRUCTIONS).hasValue(0);
    }

    @Test
    void decodeValue_classWrittenByName_refusedAndNeverLoadedNorInstantiated() {
        // The crafted bytes are what Kryo without registration writes; a permissive Kryo instantiates from them.
        byte[] decoyBytes = kryoValueNamingClass(Decoy.class.getName(), "payload");
        Kryo permissive = new Kryo();
        permissive.setRegistrationRequired(false);
        int before = DECOY_CONSTRUCTIONS.get();
        Object decoy = permissive.readClassAndObject(new Input(decoyBytes, 1, decoyBytes.length - 1));
        assertThat(decoy).isInstanceOf(Decoy.class).extracting("payload").isEqualTo("payload");
        assertThat(DECOY_CONSTRUCTIONS.get()).isEqualTo(before + 1);

        String secretName = "io.tessera.grid.internal.serialization.GridSerializerTest$Secret";
        byte[] bytes = kryoValueNamingClass(secretName, "payload");

        assertThatThrownBy(() -> serializer.decodeValue(bytes))
                .isInstanceOf(GridSerializationException.class)
                .hasMessage("cannot decode value of " + bytes.length + " bytes: the bytes name class " + secretName
                        + " by its name instead of a registered class id; Tessera never loads a class by name."
                        + " The bytes were not written by a Tessera member");
        assertThat(SECRET_INITIALIZATIONS).hasValue(0);
        assertThat(SECRET_CONSTRUCTIONS).hasValue(0);
    }

    /** Writes a value's format byte, then a Kryo class-by-name header and the one String field of the class. */
    private static byte[] kryoValueNamingClass(String className, String payload) {
        Output out = new Output(64, -1);
        out.writeByte(GridSerializer.VALUE_KRYO);
        out.writeVarInt(1, true); // DefaultClassResolver.NAME + 2: a class name follows
        out.writeVarInt(0, true); // the name's id within the object graph
        out.writeString(className);
        out.writeString(payload);
        return out.toBytes();
    }

    // ---- concurrency -------------------------------------------------------------------------------------------

    @Test
    void concurrentRoundTrips_from8Threads_areAllCorrect() throws Exception {
        int threads = 8;
        int roundTrips = 10_000;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                results.add(pool.submit(() -> {
                    start.await();
                    int ok = 0;
                    for (int i = 0; i < roundTrips; i++) {
                        Cart cart = new Cart("t" + thread, new Line("sku-" + i, i, BigDecimal.valueOf(i, 2)));
                        cart.attributes.put("i", i);
                        Object back = serializer.decodeValue(serializer.encodeValue(cart));
                        Line key = new Line("k" + thread, i, null);
                        Object keyBack = serializer.decodeKey(serializer.encodeKey(key), GridSerializer.KEY_OBJECT);
                        if (back.equals(cart) && keyBack.equals(key)) {
                            ok++;
                        }
                    }
                    return ok;
                }));
            }
            start.countDown();
            for (Future<Integer> result : results) {
                assertThat(result.get()).isEqualTo(roundTrips);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    // ---- helpers -----------------------------------------------------------------------------------------------

    private static final Class<?> SUB_LIST = List.of(1, 2, 3).subList(0, 1).getClass();

    private static void assertRoundTrip(Object decoded, Object original) {
        if (original instanceof ArrayDeque<?> deque) {
            // ArrayDeque has identity equality.
            assertThat(decoded).isInstanceOf(ArrayDeque.class);
            assertThat(new ArrayList<>((ArrayDeque<?>) decoded)).isEqualTo(new ArrayList<>(deque));
            return;
        }
        assertThat(decoded).isEqualTo(original);
        if (original.getClass() != SUB_LIST) { // Kryo reads a List.of(...).subList(...) back as a List.of(...)
            assertThat(decoded).hasSameClassAs(original);
        }
        if (original instanceof LinkedHashSet<?> || original instanceof LinkedHashMap<?, ?>) {
            assertThat(decoded.toString()).isEqualTo(original.toString()); // iteration order kept
        }
    }

    private static byte[] prepend(byte b, byte[] rest) {
        byte[] out = new byte[rest.length + 1];
        out[0] = b;
        System.arraycopy(rest, 0, out, 1, rest.length);
        return out;
    }
}
