package io.tessera.grid;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.tessera.grid.internal.GridNode;
import io.tessera.grid.internal.operation.LiveEntry;
import io.tessera.grid.internal.serialization.GridSerializer;
import io.tessera.grid.internal.store.LiveOperation;
import io.tessera.grid.internal.store.LiveValue;
import io.tessera.grid.testing.ContractTestSupport;
import io.tessera.grid.testing.GridCluster;
import io.tessera.grid.testing.ReplicaProbe;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.jgroups.protocols.MsgStats;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Values kept live and changed by operations: the stream ships the operations, every replica applies them to its
 * own copy, and the copies stay equal through fail-over and rebalancing; whole-value reads see the current value.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class LiveValuesTest {
    private static final String MAP = "live";

    /** A list of longs, stored as the map's raw byte[] value: 8 bytes per element. */
    static final class LongList implements LiveValue {
        private long[] items = new long[8];
        private int head;
        private int size;

        static LongList of(byte[] stored) {
            LongList list = new LongList();
            ByteBuffer in = ByteBuffer.wrap(stored, 1, stored.length - 1);
            while (in.hasRemaining()) {
                list.add(in.getLong());
            }
            return list;
        }

        void add(long value) {
            if (head + size == items.length) {
                long[] grown = new long[Math.max(8, size * 2)];
                System.arraycopy(items, head, grown, 0, size);
                items = grown;
                head = 0;
            }
            items[head + size++] = value;
        }

        Long takeFirst() {
            if (size == 0) {
                return null;
            }
            size--;
            return items[head++];
        }

        @Override
        public long estimatedBytes() {
            return 16 + 8L * items.length;
        }

        @Override
        public byte[] toBytes() {
            ByteBuffer out = ByteBuffer.allocate(1 + 8 * size);
            out.put(GridSerializer.VALUE_BYTES);
            for (int i = 0; i < size; i++) {
                out.putLong(items[head + i]);
            }
            return out.array();
        }
    }

    /** How a stored list of longs becomes live, and an empty one. */
    abstract static class LongListOperation<R> implements LiveOperation<LongList, R> {
        @Override
        public LongList decode(byte[] stored) {
            return LongList.of(stored);
        }

        @Override
        public LongList create() {
            return new LongList();
        }
    }

    /** Appends a value; answers the new size. */
    static final class Append extends LongListOperation<Integer> {
        long value;

        Append() {
        }

        Append(long value) {
            this.value = value;
        }

        @Override
        public Integer apply(LongList list) {
            list.add(value);
            return list.size;
        }
    }

    /** Removes and answers the first value, or null. */
    static final class TakeFirst extends LongListOperation<Long> {
        @Override
        public Long apply(LongList list) {
            return list.takeFirst();
        }
    }

    /** Appends through the entry's live value. */
    static final class AppendProcessor implements EntryProcessor<String, byte[], Integer> {
        long value;
        boolean failAfter;

        AppendProcessor() {
        }

        AppendProcessor(long value, boolean failAfter) {
            this.value = value;
            this.failAfter = failAfter;
        }

        @Override
        public Integer process(MutableEntry<String, byte[]> entry) {
            int size = ((LiveEntry) entry).apply(new Append(value));
            if (failAfter) {
                throw new IllegalStateException("failing after the operation");
            }
            return size;
        }
    }

    /** Takes the first value through the entry's live value. */
    static final class TakeProcessor implements EntryProcessor<String, byte[], Long> {
        @Override
        public Long process(MutableEntry<String, byte[]> entry) {
            return ((LiveEntry) entry).apply(new TakeFirst());
        }
    }

    private static GridCluster start(int members) {
        return GridCluster.start(members, b -> b.partitionCount(16).serialization(SerializationConfig.builder()
                .register(Append.class, 900).register(TakeFirst.class, 901).register(AppendProcessor.class, 902)
                .register(TakeProcessor.class, 903).build()));
    }

    private static long[] longs(byte[] payload) {
        ByteBuffer in = ByteBuffer.wrap(payload);
        long[] values = new long[payload.length / 8];
        for (int i = 0; i < values.length; i++) {
            values[i] = in.getLong();
        }
        return values;
    }

    @Test
    void operationsReplicateAsThemselves_andTheBackupFailsOverToTheExactValue() {
        try (GridCluster cluster = start(2)) {
            Grid primary = cluster.member(0);
            Grid backup = cluster.member(1);
            String key = ReplicaProbe.keysWithPrimary(cluster.members(), primary, "list-", 1).get(0);
            GridMap<String, byte[]> map = primary.map(MAP);
            for (int i = 0; i < 5_000; i++) {
                assertThat(map.executeOnKey(key, new AppendProcessor(i, false))).isEqualTo(i + 1);
            }
            MsgStats sent = ((GridNode) primary).cluster().channel().getProtocolStack().getTransport()
                    .getMessageStats().enable(true);
            long before = sent.getNumBytesSent();
            for (int i = 5_000; i < 5_100; i++) {
                map.executeOnKey(key, new AppendProcessor(i, false));
            }
            // A 40-kB value: the backup is sent the operation, not the value.
            assertThat((sent.getNumBytesSent() - before) / 100).isLessThan(1_000);
            assertThat(map.executeOnKey(key, new TakeProcessor())).isEqualTo(0L);

            assertThat(ReplicaProbe.recordOn(primary, MAP, key).live()).as("the primary keeps it live").isNotNull();
            assertThat(ReplicaProbe.recordOn(backup, MAP, key).live()).as("the backup applied operations").isNotNull();
            assertThat(ReplicaProbe.recordOn(backup, MAP, key).value())
                    .isEqualTo(ReplicaProbe.recordOn(primary, MAP, key).value());
            assertThat(longs(map.get(key))).hasSize(5_099).startsWith(1, 2, 3).endsWith(5_099);

            cluster.closeMember(0);
            GridMap<String, byte[]> survivor = backup.map(MAP);
            assertThat(longs(survivor.get(key))).hasSize(5_099).startsWith(1, 2, 3);
            assertThat(survivor.executeOnKey(key, new AppendProcessor(-1, false))).isEqualTo(5_100);
            assertThat(survivor.executeOnKey(key, new TakeProcessor())).isEqualTo(1L);
        }
    }

    @Test
    void copiesStayEqual_whileMembersJoinAndLeave_andAFailingProcessorsOperationsStillReplicate() {
        try (GridCluster cluster = start(2)) {
            GridMap<String, byte[]> map = cluster.member(0).map(MAP);
            for (int round = 0; round < 30; round++) {
                for (int k = 0; k < 20; k++) {
                    map.executeOnKey("k" + k, new AppendProcessor(round, false));
                }
                if (round == 10) {
                    cluster.addMember();
                }
                if (round == 20) {
                    cluster.closeMember(1);
                }
            }
            assertThatThrownBy(() -> map.executeOnKey("k0", new AppendProcessor(99, true)))
                    .hasMessageContaining("failing after the operation");
            cluster.awaitSettled();
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                    assertThat(ContractTestSupport.replicaDisagreements(cluster.member(0), MAP, MapConfig.defaults()))
                            .isEmpty());
            for (int k = 0; k < 20; k++) {
                long[] values = longs(map.get("k" + k));
                assertThat(values).hasSize(k == 0 ? 31 : 30);
                assertThat(values[29]).isEqualTo(29);
            }
            assertThat(longs(map.get("k0"))[30]).isEqualTo(99);
        }
    }
}
