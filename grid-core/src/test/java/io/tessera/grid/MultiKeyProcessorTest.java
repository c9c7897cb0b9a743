package io.tessera.grid;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tessera.grid.testing.GridCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Several keys of one partition changed atomically on their primary, on a real three-member cluster. */
class MultiKeyProcessorTest {
    private static GridCluster cluster;

    /** Moves {@code amount} from the first entry to the second; refuses to overdraw (throws). */
    static final class Transfer implements MultiKeyProcessor<String, Long, Long> {
        long amount;

        Transfer() {
        }

        Transfer(long amount) {
            this.amount = amount;
        }

        @Override
        public Long process(List<MutableEntry<String, Long>> entries) {
            MutableEntry<String, Long> from = entries.get(0);
            MutableEntry<String, Long> to = entries.get(1);
            long balance = from.exists() ? from.getValue() : 0;
            if (balance < amount) {
                throw new IllegalStateException("insufficient funds");
            }
            to.setValue((to.exists() ? to.getValue() : 0) + amount);
            from.setValue(balance - amount);
            return balance - amount;
        }
    }

    /** Reads every entry and removes the second, keeping the first's expiry. */
    static final class ReadAndRemoveSecond implements MultiKeyProcessor<String, Long, List<Object>> {
        @Override
        public List<Object> process(List<MutableEntry<String, Long>> entries) {
            List<Object> seen = new ArrayList<>();
            for (MutableEntry<String, Long> e : entries) {
                seen.add(e.getKey());
                seen.add(e.getValue());
            }
            entries.get(1).remove();
            return seen;
        }
    }

    @BeforeAll
    static void start() {
        cluster = GridCluster.start(3, b -> b.serialization(SerializationConfig.builder()
                .register(Transfer.class).register(ReadAndRemoveSecond.class).build()));
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    @Test
    void concurrentTransfersThroughEveryMember_neverLoseOrCreateMoney() throws Exception {
        List<String> accounts = List.of("{bank}.a", "{bank}.b", "{bank}.c");
        GridMap<String, Long> first = cluster.member(0).map("accounts");
        for (String account : accounts) {
            first.put(account, 1_000L);
        }
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            List<Future<?>> workers = new ArrayList<>();
            for (int w = 0; w < 3; w++) {
                int worker = w;
                workers.add(pool.submit(() -> {
                    GridMap<String, Long> map = cluster.member(worker).map("accounts");
                    for (int i = 0; i < 200; i++) {
                        String from = accounts.get((worker + i) % 3);
                        String to = accounts.get((worker + i + 1) % 3);
                        try {
                            map.executeOnKeysAsync(List.of(from, to), new Transfer(1 + i % 7)).join();
                        } catch (CompletionException e) {
                            assertThat(e).hasMessageContaining("insufficient funds");
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> worker : workers) {
                worker.get();
            }
        } finally {
            pool.shutdownNow();
        }
        for (int member = 0; member < 3; member++) {
            GridMap<String, Long> map = cluster.member(member).map("accounts");
            long total = 0;
            for (String account : accounts) {
                total += map.get(account);
            }
            assertThat(total).as("total seen through member %d", member).isEqualTo(3_000L);
        }
    }

    @Test
    void processorSeesEveryEntry_andItsChangesReplicateTogether() {
        GridMap<String, Long> map = cluster.member(1).map("pairs");
        map.put("{p}.x", 1L, Duration.ofHours(1));
        map.put("{p}.y", 2L);
        List<Object> seen = map.executeOnKeysAsync(List.of("{p}.x", "{p}.y", "{p}.z"), new ReadAndRemoveSecond())
                .join();
        assertThat(seen).containsExactly("{p}.x", 1L, "{p}.y", 2L, "{p}.z", null);
        for (int member = 0; member < 3; member++) {
            GridMap<String, Long> view = cluster.member(member).map("pairs");
            assertThat(view.get("{p}.y")).isNull();
            assertThat(view.get("{p}.x")).isEqualTo(1L);
            assertThat(view.ttl("{p}.x")).isPresent();
        }
    }

    @Test
    void failedProcessor_changesNothing_andKeysMustShareAPartitionAndBeDistinct() {
        GridMap<String, Long> map = cluster.member(2).map("strict");
        map.put("{s}.from", 5L);
        assertThatThrownBy(() -> map.executeOnKeysAsync(List.of("{s}.from", "{s}.to"), new Transfer(10)).join())
                .hasMessageContaining("insufficient funds");
        assertThat(map.get("{s}.from")).isEqualTo(5L);
        assertThat(map.get("{s}.to")).isNull();

        String other = "elsewhere";
        for (int i = 0; cluster.member(0).partitionOf(other).id() == cluster.member(0).partitionOf("{s}.from").id();
             i++) {
            other = "elsewhere" + i;
        }
        String far = other;
        assertThatThrownBy(() -> map.executeOnKeysAsync(List.of("{s}.from", far), new Transfer(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("hash tag");
        assertThatThrownBy(() -> map.executeOnKeysAsync(List.of("{s}.from", "{s}.from"), new Transfer(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("twice");
        assertThatThrownBy(() -> map.executeOnKeysAsync(List.of(), new Transfer(1)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
