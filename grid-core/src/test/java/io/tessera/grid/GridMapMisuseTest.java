package io.tessera.grid;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tessera.grid.testing.ContractProcessors;
import io.tessera.grid.testing.ContractProcessors.Point;
import io.tessera.grid.testing.ContractProcessors.Read;
import io.tessera.grid.testing.ContractProcessors.Unregistered;
import io.tessera.grid.testing.ContractTestSupport;
import io.tessera.grid.testing.GridCluster;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.UUID;
import org.assertj.core.api.SoftAssertions;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Misuse of the embedded API (issue point 12): use after close, conflicting map configs, backups above the grid's
 * maximum, unregistered classes, and clusters that must stay apart. Nulls are covered per variant by
 * {@link GridMapContractTest}.
 */
@Timeout(value = 60, unit = SECONDS)
class GridMapMisuseTest {

    @Test
    void mapUsedAfterClose_failsWithGridClosedException_thatSaysWhatToDo() {
        try (GridCluster cluster = GridCluster.start(2, b -> b.serialization(ContractProcessors.serialization()))) {
            Grid closing = cluster.member(1);
            GridMap<String, String> plain = closing.map("closed-plain");
            GridMap<String, String> near = closing.map("closed-near",
                    MapConfig.builder().nearCache(NearCacheConfig.defaults()).build());
            plain.put("a", "1");
            near.put("a", "1");
            assertThat(near.get("a")).isEqualTo("1"); // near-cached
            cluster.closeMember(1);
            closing.close(); // idempotent

            SoftAssertions soft = new SoftAssertions();
            for (GridMap<String, String> m : List.of(plain, near)) {
                Map<String, ThrowingCallable> calls = new LinkedHashMap<>();
                calls.put("get", () -> m.get("a"));
                calls.put("put", () -> m.put("a", "2"));
                calls.put("set", () -> m.set("a", "2"));
                calls.put("remove", () -> m.remove("a"));
                calls.put("delete", () -> m.delete("a"));
                calls.put("containsKey", () -> m.containsKey("a"));
                calls.put("putIfAbsent", () -> m.putIfAbsent("b", "2"));
                calls.put("replace", () -> m.replace("a", "1", "2"));
                calls.put("merge", () -> m.merge("a", "2", String::concat));
                calls.put("size", m::size);
                calls.put("isEmpty", m::isEmpty);
                calls.put("clear", m::clear);
                calls.put("iterator", () -> m.entrySet().iterator().hasNext());
                calls.put("putAll", () -> m.putAll(Map.of("x", "y")));
                calls.put("executeOnKey", () -> m.executeOnKey("a", new Read<String, String>()));
                calls.put("ttl", () -> m.ttl("a"));
                calls.put("expire", () -> m.expire("a", Duration.ofSeconds(1)));
                calls.put("addListener", () -> m.addListener(new EntryListener<>() { }));
                calls.put("getAsync", () -> unwrap(() -> m.getAsync("a").join()));
                calls.put("putAsync", () -> unwrap(() -> m.putAsync("a", "2").join()));
                calls.put("removeAsync", () -> unwrap(() -> m.removeAsync("a").join()));
                calls.forEach((what, call) -> soft.assertThatThrownBy(call).as(m.name() + ": " + what)
                        .isInstanceOf(GridClosedException.class)
                        .hasMessageContaining("closed")
                        .hasMessageContaining("Grid.builder()"));
            }
            soft.assertThatThrownBy(() -> closing.map("new-map")).as("map() after close")
                    .isInstanceOf(GridClosedException.class).hasMessageContaining("Grid.builder()");
            soft.assertAll();

            // The graceful leave handed everything over: the survivor still has both entries.
            assertThat(cluster.member(0).<String, String>map("closed-plain").get("a")).isEqualTo("1");
            assertThat(cluster.member(0).<String, String>map("closed-near",
                    MapConfig.builder().nearCache(NearCacheConfig.defaults()).build()).get("a")).isEqualTo("1");
        }
    }

    private static void unwrap(Runnable call) {
        try {
            call.run();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            throw e;
        }
    }

    @Test
    void sameMapName_withAnotherConfig_isRefused_andTheSameConfigGivesTheSameMap() {
        try (GridCluster cluster = GridCluster.start(1)) {
            Grid grid = cluster.member(0);
            MapConfig first = MapConfig.builder().backups(1).ttl(Duration.ofMinutes(5)).build();
            MapConfig second = MapConfig.builder().backups(0).build();
            GridMap<String, String> map = grid.map("orders", first);
            assertThat(grid.<String, String>map("orders", MapConfig.builder().backups(1).ttl(Duration.ofMinutes(5))
                    .build())).isSameAs(map);
            assertThatThrownBy(() -> grid.map("orders", second))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("'orders'")
                    .hasMessageContaining(first.toString())
                    .hasMessageContaining(second.toString());
            assertThatThrownBy(() -> grid.map("orders"))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'orders'");
            assertThat(grid.map("orders", first)).isSameAs(map);
            assertThat(map.config()).isEqualTo(first);
            assertThatThrownBy(() -> grid.map(null)).isInstanceOf(NullPointerException.class);
            assertThatThrownBy(() -> grid.map("x", null)).isInstanceOf(NullPointerException.class);
            assertThatThrownBy(() -> grid.map("")).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("name");
        }
    }

    @Test
    void backupsAboveMaxBackups_areRefused_sayingHowToRaiseTheLimit() {
        try (GridCluster cluster = GridCluster.start(1)) { // maxBackups defaults to 1
            Grid grid = cluster.member(0);
            assertThatThrownBy(() -> grid.map("sessions", MapConfig.builder().backups(2).build()))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("backups: 2")
                    .hasMessageContaining("'sessions'")
                    .hasMessageContaining("maxBackups 1")
                    .hasMessageContaining("maxBackups(2)");
            // The refused call did not claim the name.
            GridMap<String, String> ok = grid.map("sessions", MapConfig.builder().backups(1).build());
            ok.put("a", "1");
            assertThat(ok.get("a")).isEqualTo("1");
        }
        assertThatThrownBy(() -> MapConfig.builder().backups(7)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("backups: 7 (expected 0..6)");
        assertThatThrownBy(() -> MapConfig.builder().backups(-1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("backups: -1 (expected 0..6)");
        assertThatThrownBy(() -> Grid.builder().maxBackups(7)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxBackups: 7");
    }

    @Test
    void unregisteredClasses_areRefusedWithGridSerializationException_namingTheClassAndTheCure() {
        try (GridCluster cluster = GridCluster.start(2, b -> b.serialization(ContractProcessors.serialization()))) {
            GridMap<Object, Object> map = cluster.member(0).map("serialization");
            String name = Unregistered.class.getCanonicalName();
            assertThatThrownBy(() -> map.put("k", new Unregistered("x")))
                    .isInstanceOf(GridSerializationException.class)
                    .hasMessageContaining(name)
                    .hasMessageContaining("register")
                    .hasMessageContaining("SerializationConfig");
            assertThatThrownBy(() -> map.put(new Unregistered("key"), "v"))
                    .isInstanceOf(GridSerializationException.class).hasMessageContaining(name);
            assertThatThrownBy(() -> map.put("k", List.of(new Unregistered("inside a list"))))
                    .isInstanceOf(GridSerializationException.class).hasMessageContaining(name)
                    .hasMessageContaining("register");
            assertThatThrownBy(() -> map.putIfAbsent("k", new Unregistered("x")))
                    .isInstanceOf(GridSerializationException.class).hasMessageContaining(name);
            assertThatThrownBy(() -> map.executeOnKey("k", entry -> "a lambda"))
                    .isInstanceOf(GridSerializationException.class)
                    .hasMessageContaining("lambda")
                    .hasMessageContaining("register");
            assertThat(map.containsKey("k")).isFalse();
            assertThat(map.size()).isZero();
            // Registered classes work on the same map.
            map.put("k", new Point(1, 2));
            assertThat(cluster.member(1).map("serialization").get("k")).isEqualTo(new Point(1, 2));
        }
    }

    @Test
    void memberThatDidNotRegisterTheClasses_isRefusedAtJoin_namingThem_andTheClusterGoesOn() {
        try (GridCluster cluster = GridCluster.start(1, b -> b.serialization(ContractProcessors.serialization()))) {
            GridMap<String, Object> registered = cluster.member(0).map("mixed");
            registered.put("p", new Point(3, 4));

            assertThatThrownBy(() -> Grid.builder().clusterName(cluster.clusterName()).stack("local")
                    .memberName("bare").operationTimeout(Duration.ofSeconds(10)).start())
                    .isInstanceOf(GridException.class)
                    .hasMessageContaining(Point.class.getName())
                    .hasMessageContaining("the same registrations");

            assertThat(registered.get("p")).isEqualTo(new Point(3, 4));
        }
    }

    @Test
    void twoClustersInOneJvm_neverSeeEachOthersMembersOrData() throws Exception {
        try (GridCluster a = GridCluster.start(2); GridCluster b = GridCluster.start(2)) {
            assertThat(a.clusterName()).isNotEqualTo(b.clusterName());
            for (Grid g : a.members()) {
                assertThat(g.members()).hasSize(2);
                assertThat(g.clusterName()).isEqualTo(a.clusterName());
            }
            for (Grid g : b.members()) {
                assertThat(g.members()).hasSize(2);
                assertThat(g.clusterName()).isEqualTo(b.clusterName());
            }
            // Each cluster's view holds exactly its own members (compared by JGroups address, see memberIds test).
            assertThat(ContractTestSupport.viewAddresses(a.member(0)))
                    .containsExactlyInAnyOrderElementsOf(a.members().stream().map(ContractTestSupport::address)
                            .toList());
            assertThat(ContractTestSupport.viewAddresses(b.member(0)))
                    .containsExactlyInAnyOrderElementsOf(b.members().stream().map(ContractTestSupport::address)
                            .toList());
            GridMap<String, String> inA = a.member(0).map("shared-name");
            GridMap<String, String> inB = b.member(1).map("shared-name");
            for (int i = 0; i < 100; i++) {
                inA.put("k" + i, "from-a");
            }
            assertThat(inB.size()).isZero();
            assertThat(inB.get("k1")).isNull();
            inB.put("k1", "from-b");
            assertThat(inA.get("k1")).isEqualTo("from-a");
            assertThat(a.member(1).<String, String>map("shared-name").get("k1")).isEqualTo("from-a");
            assertThat(b.member(0).<String, String>map("shared-name").get("k1")).isEqualTo("from-b");
            assertThat(inA.size()).isEqualTo(100);
            assertThat(inB.size()).isEqualTo(1);

            // A member joining one cluster does not show up in the other.
            b.addMember();
            b.awaitSettled();
            for (Grid g : a.members()) {
                assertThat(g.members()).hasSize(2);
            }
            for (Grid g : b.members()) {
                assertThat(g.members()).hasSize(3);
            }
            assertThat(inA.size()).isEqualTo(100);
            assertThat(b.member(2).<String, String>map("shared-name").size()).isEqualTo(1);
        }
    }

    /**
     * {@link Member#id()} is documented as "the member's unique id (a UUID, new for every start)" and
     * {@link Member#equals} compares ids: members of two clusters, or two starts of a member, must never be equal.
     */
    @Test
    void memberIds_areUuids_uniqueAcrossClustersAndRestarts() {
        try (GridCluster a = GridCluster.start(1); GridCluster b = GridCluster.start(1)) {
            Member inA = a.member(0).localMember();
            Member inB = b.member(0).localMember();
            assertThat(inA.name()).isEqualTo(inB.name()); // the harness names both "m0"
            SoftAssertions soft = new SoftAssertions();
            soft.assertThatCode(() -> UUID.fromString(inA.id())).as("id %s is a UUID", inA.id())
                    .doesNotThrowAnyException();
            soft.assertThat(inA).as("m0 of two different clusters").isNotEqualTo(inB);
            soft.assertThat(inA.id()).isNotEqualTo(inB.id());
            soft.assertAll();
        }
    }
}
