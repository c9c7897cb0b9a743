package io.tessera.benchmarks;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.tessera.grid.Grid;
import io.tessera.grid.GridMap;
import io.tessera.grid.SerializationConfig;
import io.tessera.grid.internal.partition.SlotHashing;
import io.tessera.grid.internal.replica.Mutation;
import io.tessera.grid.internal.replica.ValuePatch;
import io.tessera.grid.internal.replication.BackupMessage;
import io.tessera.grid.internal.serialization.GridSerializer;
import io.tessera.grid.internal.store.BytesKey;
import io.tessera.grid.internal.store.Record;
import io.tessera.grid.internal.store.RecordStore;
import io.tessera.grid.internal.wire.WireReader;
import io.tessera.redis.internal.protocol.Reply;
import io.tessera.redis.internal.protocol.RespReplyWriter;
import io.tessera.redis.internal.protocol.RespRequestDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The hot paths of one operation, each alone: RESP decoding of a pipelined batch and reply encoding, key to slot to
 * partition, Kryo for typical values, a local {@code GridMap} get and set on one member, and the encoding of the
 * backup stream's messages by batch size. Average time per operation, in nanoseconds; compare runs on one machine.
 *
 * <pre>
 * mvn -q -B -DskipTests package &amp;&amp; java -jar benchmarks/target/benchmarks.jar HotPathBenchmark
 * </pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgs = {"-Xmx2g", "-Djava.net.preferIPv4Stack=true"})
public class HotPathBenchmark {
    private static final int PIPELINE = 16;

    /** Sixteen pipelined {@code SET key:<n> <100 bytes>} requests, as redis-benchmark -P 16 sends them. */
    @State(Scope.Thread)
    public static class Resp {
        ByteBuf pipelined;
        EmbeddedChannel channel;
        Reply bulk;
        ByteBuf out;

        @Setup(Level.Trial)
        public void setUp() {
            StringBuilder requests = new StringBuilder();
            String value = "x".repeat(100);
            for (int i = 0; i < PIPELINE; i++) {
                String key = "key:" + (100_000 + i);
                requests.append("*3\r\n$3\r\nSET\r\n$").append(key.length()).append("\r\n").append(key)
                        .append("\r\n$100\r\n").append(value).append("\r\n");
            }
            pipelined = Unpooled.unreleasableBuffer(Unpooled.directBuffer().writeBytes(
                    requests.toString().getBytes(StandardCharsets.US_ASCII)));
            channel = new EmbeddedChannel(new RespRequestDecoder());
            bulk = new Reply.Bulk(value.getBytes(StandardCharsets.US_ASCII));
            out = PooledByteBufAllocator.DEFAULT.directBuffer(256);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            channel.finishAndReleaseAll();
            out.release();
        }
    }

    /** Decodes 16 pipelined SETs; time per request. */
    @Benchmark
    @OperationsPerInvocation(PIPELINE)
    public void respDecodeSet(Resp resp, Blackhole hole) {
        resp.channel.writeInbound(resp.pipelined.duplicate());
        Object command;
        while ((command = resp.channel.readInbound()) != null) {
            hole.consume(command);
        }
    }

    /** Encodes a 100-byte bulk reply. */
    @Benchmark
    public int respEncodeBulk(Resp resp) {
        resp.out.clear();
        RespReplyWriter.write(resp.bulk, 2, resp.out);
        return resp.out.writerIndex();
    }

    /** Key bytes of redis-benchmark's shape. */
    @State(Scope.Thread)
    public static class Keys {
        byte[][] keys = new byte[1024][];

        @Setup(Level.Trial)
        public void setUp() {
            for (int i = 0; i < keys.length; i++) {
                keys[i] = ("key:" + (ThreadLocalRandom.current().nextInt(100_000) + 100_000))
                        .getBytes(StandardCharsets.US_ASCII);
            }
        }
    }

    /** Key to hash slot (CRC16) to partition. */
    @Benchmark
    @OperationsPerInvocation(1024)
    public int keyToPartition(Keys keys) {
        int sum = 0;
        for (byte[] key : keys.keys) {
            sum += SlotHashing.partition(key, 256);
        }
        return sum;
    }

    /** Typical values through Kryo, as the embedded API serializes them. */
    @State(Scope.Thread)
    public static class Values {
        GridSerializer serializer;
        String text;
        Map<String, Object> session;
        byte[] encodedText;
        byte[] encodedSession;

        @Setup(Level.Trial)
        public void setUp() {
            serializer = new GridSerializer(SerializationConfig.builder().build());
            text = "user:" + UUID.randomUUID() + ":" + "x".repeat(60);
            session = new HashMap<>();
            for (int i = 0; i < 10; i++) {
                session.put("attribute-" + i, i % 2 == 0 ? (Object) ("value-" + i) : (Object) (long) i);
            }
            encodedText = serializer.encodeValue(text);
            encodedSession = serializer.encodeValue(session);
        }
    }

    /** A 100-character string, encoded. */
    @Benchmark
    public byte[] kryoEncodeString(Values values) {
        return values.serializer.encodeValue(values.text);
    }

    /** A 100-character string, decoded. */
    @Benchmark
    public Object kryoDecodeString(Values values) {
        return values.serializer.decodeValue(values.encodedText);
    }

    /** A session-like map of ten attributes, encoded. */
    @Benchmark
    public byte[] kryoEncodeMap(Values values) {
        return values.serializer.encodeValue(values.session);
    }

    /** A session-like map of ten attributes, decoded. */
    @Benchmark
    public Object kryoDecodeMap(Values values) {
        return values.serializer.decodeValue(values.encodedSession);
    }

    /** One member alone (no backups to wait for): the local path of a map operation, thread hand-offs included. */
    @State(Scope.Benchmark)
    public static class LocalMember {
        Grid grid;
        GridMap<String, byte[]> map;
        String[] keys = new String[10_000];
        byte[] value = new byte[100];

        @Setup(Level.Trial)
        public void setUp() {
            grid = Grid.builder().clusterName("hot-path-" + UUID.randomUUID()).stack("local")
                    .operationTimeout(Duration.ofSeconds(30)).start();
            map = grid.map("bench");
            for (int i = 0; i < keys.length; i++) {
                keys[i] = "key:" + i;
                map.set(keys[i], value);
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            grid.close();
        }
    }

    /** {@code GridMap.get} on a one-member grid. */
    @Benchmark
    public byte[] localGet(LocalMember member) {
        return member.map.get(member.keys[ThreadLocalRandom.current().nextInt(member.keys.length)]);
    }

    /** {@code GridMap.set} on a one-member grid. */
    @Benchmark
    public void localSet(LocalMember member) {
        member.map.set(member.keys[ThreadLocalRandom.current().nextInt(member.keys.length)], member.value);
    }

    /** Backup messages carrying {@code batch} mutations of 100-byte values. */
    @State(Scope.Thread)
    public static class Backups {
        @Param({"1", "16"})
        public int batch;
        BackupMessage message;
        byte[] encoded;

        @Setup(Level.Trial)
        public void setUp() {
            RecordStore store = new RecordStore("bench", 7, 1);
            List<Mutation> mutations = new ArrayList<>();
            long now = System.currentTimeMillis();
            for (int i = 0; i < batch; i++) {
                BytesKey key = new BytesKey(("key:" + (100_000 + i)).getBytes(StandardCharsets.US_ASCII));
                Record record = Record.of(key, (byte) 0, new byte[100], i + 1, now, 0, 0, now, now);
                mutations.add(Mutation.put(store, i + 1, record, null));
            }
            message = new BackupMessage(7, 12, 3, List.of(), mutations, List.of());
            encoded = message.encode();
        }
    }

    /** Encodes one backup message; time per mutation. */
    @Benchmark
    public byte[] backupEncode(Backups backups) {
        return backups.message.encode();
    }

    /** Decodes one backup message (after its type byte). */
    @Benchmark
    public BackupMessage backupDecode(Backups backups) {
        return BackupMessage.readFrom(new WireReader(backups.encoded, 1, backups.encoded.length - 1));
    }

    /**
     * A value of {@code size} bytes and its successor with 100 bytes changed in the middle: what a backup is sent
     * instead of the value (a session with one attribute changed, a pushed list element).
     */
    @State(Scope.Thread)
    public static class Patches {
        @Param({"1024", "1048576"})
        public int size;
        byte[] base;
        byte[] target;
        byte[] patch;

        @Setup(Level.Trial)
        public void setUp() {
            base = new byte[size];
            ThreadLocalRandom.current().nextBytes(base);
            target = base.clone();
            byte[] changed = new byte[100];
            ThreadLocalRandom.current().nextBytes(changed);
            System.arraycopy(changed, 0, target, size / 2, changed.length);
            patch = ValuePatch.diff(base, target);
        }
    }

    /** Makes the patch from the replaced value to the new one (on the primary, once per backup message). */
    @Benchmark
    public byte[] patchDiff(Patches patches) {
        return ValuePatch.diff(patches.base, patches.target);
    }

    /** Rebuilds the new value from the replaced one and the patch (on each backup). */
    @Benchmark
    public byte[] patchApply(Patches patches) {
        return ValuePatch.apply(patches.base, patches.patch);
    }
}
