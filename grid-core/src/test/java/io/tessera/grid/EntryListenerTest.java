package io.tessera.grid;

import static io.tessera.grid.testing.ReplicaProbe.keysWithPrimary;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import io.tessera.grid.testing.GridCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Entry listeners: every change, made through any member, reaches the member that registered the listener, with
 * old and new values when asked for, in the order the key's primary applied the changes.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class EntryListenerTest {
    private static final Duration GENEROUS = Duration.ofSeconds(20);

    private static GridCluster cluster;

    @BeforeAll
    static void startCluster() {
        cluster = GridCluster.start(3);
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    /** Records every event in arrival order, whatever its type. */
    private static final class Recorder<V> implements EntryListener<String, V> {
        final ConcurrentLinkedQueue<EntryEvent<String, V>> events = new ConcurrentLinkedQueue<>();

        @Override
        public void entryAdded(EntryEvent<String, V> event) {
            events.add(event);
        }

        @Override
        public void entryUpdated(EntryEvent<String, V> event) {
            events.add(event);
        }

        @Override
        public void entryRemoved(EntryEvent<String, V> event) {
            events.add(event);
        }

        @Override
        public void entryExpired(EntryEvent<String, V> event) {
            events.add(event);
        }

        List<EntryEvent<String, V>> of(String key) {
            return events.stream().filter(e -> e.key().equals(key)).toList();
        }
    }

    private static Tuple event(EntryEventType type, Object oldValue, Object value) {
        return tuple(type, oldValue, value);
    }

    // ------------------------------------------------------------------------------------------ values, types

    @Test
    void changesThroughAnyMember_reachTheRegisteringMember_withOldAndNewValues() {
        String name = "el-values";
        List<Grid> ms = cluster.members();
        Recorder<String> recorder = new Recorder<>();
        GridMap<String, String> listening = ms.get(0).map(name);
        UUID id = listening.addListener(recorder);
        try {
            List<String> keys = new ArrayList<>();
            for (Grid writerMember : ms) {
                GridMap<String, String> writer = writerMember.map(name);
                for (Grid primary : ms) {
                    String key = keysWithPrimary(ms, primary, "w" + writerMember.localMember().name() + "-p"
                            + primary.localMember().name() + "-", 1).get(0);
                    keys.add(key);
                    writer.put(key, "1");
                    writer.put(key, "2");
                    writer.remove(key);
                    writer.put(key, "3", Duration.ofMillis(300));
                }
            }
            for (String key : keys) {
                await().atMost(GENEROUS).untilAsserted(() -> assertThat(recorder.of(key)).as(key)
                        .extracting(EntryEvent::type, EntryEvent::oldValue, EntryEvent::value).containsExactly(
                                event(EntryEventType.ADDED, null, "1"),
                                event(EntryEventType.UPDATED, "1", "2"),
                                event(EntryEventType.REMOVED, "2", null),
                                event(EntryEventType.ADDED, null, "3"),
                                event(EntryEventType.EXPIRED, "3", null)));
            }
            assertThat(recorder.events).allSatisfy(e -> assertThat(e.mapName()).isEqualTo(name));
        } finally {
            listening.removeListener(id);
        }
    }

    @Test
    void listenerWithoutValues_getsTypeAndKeyOnly_whileAListenerWithValuesBesideItGetsThem() {
        String name = "el-no-values";
        List<Grid> ms = cluster.members();
        Recorder<String> bareOnM0 = new Recorder<>();
        Recorder<String> fullOnM0 = new Recorder<>();
        Recorder<String> bareOnM1 = new Recorder<>();
        GridMap<String, String> m0 = ms.get(0).map(name);
        GridMap<String, String> m1 = ms.get(1).map(name);
        UUID a = m0.addListener(bareOnM0, false);
        UUID b = m0.addListener(fullOnM0, true);
        UUID c = m1.addListener(bareOnM1, false);
        try {
            GridMap<String, String> writer = ms.get(2).map(name);
            List<String> keys = new ArrayList<>();
            for (Grid primary : ms) {
                keys.add(keysWithPrimary(ms, primary, "bare-" + primary.localMember().name() + "-", 1).get(0));
            }
            for (String key : keys) {
                writer.put(key, "1");
                writer.put(key, "2");
                writer.delete(key);
            }
            for (String key : keys) {
                for (Recorder<String> bare : List.of(bareOnM0, bareOnM1)) {
                    await().atMost(GENEROUS).untilAsserted(() -> assertThat(bare.of(key))
                            .extracting(EntryEvent::type, EntryEvent::oldValue, EntryEvent::value).containsExactly(
                                    event(EntryEventType.ADDED, null, null),
                                    event(EntryEventType.UPDATED, null, null),
                                    event(EntryEventType.REMOVED, null, null)));
                }
                await().atMost(GENEROUS).untilAsserted(() -> assertThat(fullOnM0.of(key))
                        .extracting(EntryEvent::type, EntryEvent::oldValue, EntryEvent::value).containsExactly(
                                event(EntryEventType.ADDED, null, "1"),
                                event(EntryEventType.UPDATED, "1", "2"),
                                event(EntryEventType.REMOVED, "2", null)));
            }
        } finally {
            m0.removeListener(a);
            m0.removeListener(b);
            m1.removeListener(c);
        }
    }

    // ------------------------------------------------------------------------------------------------ order

    @Test
    void perKeyOrder_thousandUpdatesFromOneWriter_arriveInOrder() {
        String name = "el-order";
        List<Grid> ms = cluster.members();
        Recorder<Integer> recorder = new Recorder<>();
        GridMap<String, Integer> listening = ms.get(0).map(name);
        UUID id = listening.addListener(recorder);
        try {
            String key = keysWithPrimary(ms, ms.get(1), "ordered-", 1).get(0);
            GridMap<String, Integer> writer = ms.get(2).map(name);
            for (int i = 0; i < 1_000; i++) {
                writer.put(key, i);
            }
            await().atMost(GENEROUS).until(() -> recorder.events.size() >= 1_000);
            List<EntryEvent<String, Integer>> events = recorder.of(key);
            assertThat(events).hasSize(1_000);
            for (int i = 0; i < 1_000; i++) {
                EntryEvent<String, Integer> e = events.get(i);
                assertThat(e.value()).as("event %d", i).isEqualTo(i);
                assertThat(e.oldValue()).as("event %d", i).isEqualTo(i == 0 ? null : i - 1);
                assertThat(e.type()).isEqualTo(i == 0 ? EntryEventType.ADDED : EntryEventType.UPDATED);
            }
        } finally {
            listening.removeListener(id);
        }
    }

    @Test
    void perKeyOrder_concurrentAsyncWritesToManyKeys_eachKeysEventsChainFromOldToNew() {
        String name = "el-order-async";
        List<Grid> ms = cluster.members();
        Recorder<Integer> recorder = new Recorder<>();
        GridMap<String, Integer> listening = ms.get(0).map(name);
        UUID id = listening.addListener(recorder);
        try {
            List<String> keys = new ArrayList<>();
            for (Grid primary : ms) {
                keys.addAll(keysWithPrimary(ms, primary, "async-" + primary.localMember().name() + "-", 4));
            }
            int updates = 100;
            List<CompletableFuture<Integer>> pending = new ArrayList<>();
            for (int i = 0; i < updates; i++) {
                for (int k = 0; k < keys.size(); k++) {
                    pending.add(ms.get(1 + (k % 2)).<String, Integer>map(name).putAsync(keys.get(k), i));
                }
            }
            pending.forEach(CompletableFuture::join);
            int expected = updates * keys.size();
            await().atMost(GENEROUS).until(() -> recorder.events.size() >= expected);
            assertThat(recorder.events).hasSize(expected);
            for (String key : keys) {
                List<EntryEvent<String, Integer>> events = recorder.of(key);
                assertThat(events).as(key).hasSize(updates);
                assertThat(events.get(0).type()).isEqualTo(EntryEventType.ADDED);
                assertThat(events.get(0).oldValue()).isNull();
                for (int i = 1; i < events.size(); i++) {
                    assertThat(events.get(i).oldValue()).as("%s event %d follows event %d", key, i, i - 1)
                            .isEqualTo(events.get(i - 1).value());
                }
                assertThat(events.get(events.size() - 1).value()).isEqualTo(listening.get(key));
            }
        } finally {
            listening.removeListener(id);
        }
    }

    // ----------------------------------------------------------------------------------- robustness, removal

    @Test
    void throwingListener_keepsReceiving_andDoesNotStarveOthers() {
        String name = "el-throwing";
        List<Grid> ms = cluster.members();
        AtomicInteger calls = new AtomicInteger();
        Recorder<String> wellBehaved = new Recorder<>();
        GridMap<String, String> listening = ms.get(0).map(name);
        UUID bad = listening.addListener(new EntryListener<>() {
            @Override
            public void entryAdded(EntryEvent<String, String> event) {
                calls.incrementAndGet();
                throw new IllegalStateException("listener bug, on purpose");
            }

            @Override
            public void entryUpdated(EntryEvent<String, String> event) {
                calls.incrementAndGet();
                throw new IllegalArgumentException("another listener bug, on purpose");
            }
        });
        UUID good = listening.addListener(wellBehaved);
        try {
            GridMap<String, String> writer = ms.get(1).map(name);
            for (int i = 0; i < 30; i++) {
                writer.put("k" + i, "a");
                writer.put("k" + i, "b");
            }
            await().atMost(GENEROUS).until(() -> calls.get() == 60 && wellBehaved.events.size() == 60);
            for (int i = 0; i < 30; i++) {
                writer.put("late" + i, "c");
            }
            await().atMost(GENEROUS).until(() -> wellBehaved.events.size() == 90);
            await().atMost(GENEROUS).until(() -> calls.get() == 90);
            assertThat(wellBehaved.events).extracting(EntryEvent::key).contains("k0", "k29", "late0", "late29");
        } finally {
            listening.removeListener(bad);
            listening.removeListener(good);
        }
    }

    /**
     * A user's {@code assert} (or any {@link Error} short of the VM failing) in one listener must not cost another
     * listener its events: internal threads catch what user callbacks throw (STYLE rule 15).
     */
    @Test
    void listenerThrowingAnAssertionError_doesNotCostTheNextListenerItsEvents() {
        String name = "el-throwing-error";
        List<Grid> ms = cluster.members();
        AtomicInteger calls = new AtomicInteger();
        Recorder<String> wellBehaved = new Recorder<>();
        GridMap<String, String> listening = ms.get(0).map(name);
        UUID bad = listening.addListener(new EntryListener<>() {
            @Override
            public void entryAdded(EntryEvent<String, String> event) {
                calls.incrementAndGet();
                throw new AssertionError("a failed assert in a listener, on purpose");
            }
        });
        UUID good = listening.addListener(wellBehaved);
        try {
            GridMap<String, String> writer = ms.get(1).map(name);
            for (int i = 0; i < 20; i++) {
                writer.put("k" + i, "a");
            }
            // Awaitility would otherwise fail on the listener thread's uncaught error; assert on the outcome.
            await().dontCatchUncaughtExceptions().atMost(GENEROUS).until(() -> calls.get() == 20);
            await().dontCatchUncaughtExceptions().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                    assertThat(wellBehaved.events).as("events of the listener registered after the throwing one")
                            .hasSize(20));
        } finally {
            listening.removeListener(bad);
            listening.removeListener(good);
        }
    }

    @Test
    void removeListener_stopsDelivery() {
        String name = "el-remove";
        List<Grid> ms = cluster.members();
        Recorder<String> removed = new Recorder<>();
        Recorder<String> sentinel = new Recorder<>();
        GridMap<String, String> listening = ms.get(0).map(name);
        UUID id = listening.addListener(removed);
        UUID sentinelId = listening.addListener(sentinel);
        try {
            GridMap<String, String> writer = ms.get(2).map(name);
            List<String> keys = new ArrayList<>();
            for (Grid primary : ms) {
                keys.add(keysWithPrimary(ms, primary, "rm-" + primary.localMember().name() + "-", 1).get(0));
            }
            keys.forEach(k -> writer.put(k, "before"));
            await().atMost(GENEROUS).until(() -> removed.events.size() == keys.size());

            assertThat(listening.removeListener(id)).isTrue();
            assertThat(listening.removeListener(id)).as("a second removal").isFalse();
            assertThat(listening.removeListener(UUID.randomUUID())).isFalse();

            keys.forEach(k -> writer.put(k, "after"));
            keys.forEach(writer::delete);
            // The sentinel sits on the same member and the same keys: once it heard the last change of every key,
            // the removed listener would have heard them too.
            await().atMost(GENEROUS).until(() -> sentinel.events.size() == 3 * keys.size());
            assertThat(removed.events).hasSize(keys.size())
                    .allSatisfy(e -> assertThat(e.value()).isEqualTo("before"));
        } finally {
            listening.removeListener(sentinelId);
        }
    }

    @Test
    void lastListenerRemoved_thenANewOne_receivesOnlyNewChanges() {
        String name = "el-re-add";
        List<Grid> ms = cluster.members();
        GridMap<String, String> listening = ms.get(1).map(name);
        Recorder<String> first = new Recorder<>();
        UUID id = listening.addListener(first);
        GridMap<String, String> writer = ms.get(0).map(name);
        writer.put("x", "1");
        await().atMost(GENEROUS).until(() -> first.events.size() == 1);
        assertThat(listening.removeListener(id)).isTrue();
        writer.put("x", "2"); // nobody listens on this map now

        Recorder<String> second = new Recorder<>();
        UUID id2 = listening.addListener(second);
        try {
            writer.put("x", "3");
            await().atMost(GENEROUS).until(() -> second.events.size() == 1);
            assertThat(second.events).extracting(EntryEvent::type, EntryEvent::oldValue, EntryEvent::value)
                    .containsExactly(event(EntryEventType.UPDATED, "2", "3"));
            assertThat(first.events).hasSize(1);
        } finally {
            listening.removeListener(id2);
        }
    }

    // ------------------------------------------------------------------------------------------- membership

    @Test
    void listenerRegisteredBeforeAMemberJoined_getsEventsOnceThatMemberIsPrimary() {
        try (GridCluster own = GridCluster.start(2)) {
            String name = "el-join";
            Recorder<String> recorder = new Recorder<>();
            GridMap<String, String> listening = own.member(0).map(name);
            listening.addListener(recorder);

            Grid joined = own.addMember();
            own.awaitSettled();
            List<Grid> ms = own.members();
            List<String> keys = keysWithPrimary(ms, joined, "joined-", 10);
            Map<String, Grid> writers = new LinkedHashMap<>();
            for (int i = 0; i < keys.size(); i++) {
                writers.put(keys.get(i), i % 2 == 0 ? joined : own.member(1));
            }
            writers.forEach((k, w) -> w.<String, String>map(name).put(k, "v"));

            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(recorder.events)
                    .as("events of keys whose primary is the member that joined after the registration")
                    .extracting(EntryEvent::key).containsExactlyInAnyOrderElementsOf(keys));
        }
    }

    // -------------------------------------------------------------------------------------------- one key

    @Test
    void keyListener_hearsItsKeyOnly_fromEveryWriter_andNothingAfterRemoval() {
        String name = "el-key";
        List<Grid> ms = cluster.members();
        Recorder<String> recorder = new Recorder<>();
        GridMap<String, String> listening = ms.get(1).map(name);
        String watched = keysWithPrimary(ms, ms.get(2), "watched-", 1).get(0);
        String other = keysWithPrimary(ms, ms.get(2), "other-", 1).get(0);
        UUID id = listening.addKeyListener(watched, recorder, true);
        for (Grid writer : ms) {
            GridMap<String, String> map = writer.map(name);
            map.put(watched, writer.localMember().name());
            map.put(other, writer.localMember().name());
        }
        ms.get(0).<String, String>map(name).remove(watched);
        await().atMost(GENEROUS).untilAsserted(() -> assertThat(recorder.events)
                .extracting(EntryEvent::type, EntryEvent::key, EntryEvent::value).containsExactly(
                        tuple(EntryEventType.ADDED, watched, ms.get(0).localMember().name()),
                        tuple(EntryEventType.UPDATED, watched, ms.get(1).localMember().name()),
                        tuple(EntryEventType.UPDATED, watched, ms.get(2).localMember().name()),
                        tuple(EntryEventType.REMOVED, watched, null)));

        assertThat(listening.removeListener(id)).isTrue();
        ms.get(0).<String, String>map(name).put(watched, "after");
        ms.get(0).<String, String>map(name).put(other, "after");
        // A map listener registered after the writes above sees its own put; the removed key listener must not.
        Recorder<String> fence = new Recorder<>();
        UUID fenceId = listening.addKeyListener(watched, fence, false);
        ms.get(0).<String, String>map(name).put(watched, "fence");
        await().atMost(GENEROUS).until(() -> fence.events.size() == 1);
        listening.removeListener(fenceId);
        assertThat(recorder.events).as("events after the key listener was removed").hasSize(4);
    }

    @Test
    void keyListener_keepsHearingItsKey_afterThePrimaryLeft() {
        try (GridCluster own = GridCluster.start(3)) {
            String name = "el-key-failover";
            List<Grid> ms = own.members();
            String key = keysWithPrimary(ms, ms.get(2), "k-", 1).get(0);
            Recorder<String> recorder = new Recorder<>();
            ms.get(0).<String, String>map(name).addKeyListener(key, recorder, false);
            ms.get(1).<String, String>map(name).put(key, "before");
            await().atMost(GENEROUS).until(() -> recorder.events.size() == 1);

            own.closeMember(2);
            own.awaitSettled();
            ms.get(1).<String, String>map(name).put(key, "after");
            await().atMost(GENEROUS).untilAsserted(() -> assertThat(recorder.events)
                    .extracting(EntryEvent::type).containsExactly(EntryEventType.ADDED, EntryEventType.UPDATED));
        }
    }
}
