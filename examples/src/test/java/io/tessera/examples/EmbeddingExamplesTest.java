package io.tessera.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.tessera.grid.testing.GridCluster;
import io.tessera.grid.testing.MemberProcesses;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Runs the examples that docs/embedding.md is made of on real clusters: members of one JVM on the {@code local}
 * stack ({@link GridCluster}), and for {@link ClusterExample} on the {@code tcp} stack on 127.0.0.1, asserting what
 * each shows.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class EmbeddingExamplesTest {

    @Test
    void clusterExample_twoTcpMembers_summarizeTheClusterAndKeepEveryEntryWhenOneLeaves() {
        int port = MemberProcesses.freePortBase(2);

        ClusterExample.Outcome outcome = ClusterExample.run("cluster-example-" + UUID.randomUUID(), port, 500);

        assertThat(outcome.members()).isEqualTo(2);
        assertThat(outcome.summary()).matches("cluster-example-[-0-9a-f]+: 2 members, table version \\d+, \\d+ "
                + "partitions moving, ready: (true|false)");
        assertThat(outcome.sizeAfterLeave()).isEqualTo(500);
    }

    @Test
    void gridMapExample_readsOnOneMemberWhatAnotherWrote() {
        try (GridCluster cluster = GridCluster.start(2)) {
            GridMapExample.Outcome outcome = GridMapExample.run(cluster.member(0), cluster.member(1));

            assertThat(outcome.apples()).isEqualTo(17);
            assertThat(outcome.pearRemoved()).isTrue();
            assertThat(outcome.previousPrice()).isEqualTo(90);
            assertThat(outcome.deleted()).isTrue();
            assertThat(outcome.asyncPrice()).isEqualTo(120);
            assertThat(outcome.ttlLeft()).hasValueSatisfying(ttl -> assertThat(ttl)
                    .isPositive().isLessThanOrEqualTo(Duration.ofSeconds(30)));
            assertThat(outcome.ttlAfterPersist()).isEmpty();
            assertThat(outcome.cartTtl()).hasValueSatisfying(ttl -> assertThat(ttl)
                    .isGreaterThan(Duration.ofMinutes(9)).isLessThanOrEqualTo(Duration.ofMinutes(10)));
            assertThat(cluster.member(1).<String, Integer>map("stock")).containsOnlyKeys("apple");
        }
    }

    @Test
    void entryProcessorExample_threeMembersReserveAtOnce_neverOversell() {
        try (GridCluster cluster = GridCluster.start(3, b -> b.serialization(EntryProcessorExample.types()))) {
            EntryProcessorExample.Outcome outcome = EntryProcessorExample.run(cluster.members(), 50, 40);

            assertThat(outcome.reserved()).isEqualTo(50);
            assertThat(outcome.left()).isZero();
            assertThat(outcome.transferred()).isTrue();
            assertThat(outcome.checking()).isEqualTo(70);
            assertThat(outcome.savings()).isEqualTo(30);
        }
    }

    @Test
    void listenerExample_hearsAnotherMembersWritesAndAnExpiry() throws InterruptedException {
        try (GridCluster cluster = GridCluster.start(2)) {
            ListenerExample.Outcome outcome = ListenerExample.run(cluster.member(0), cluster.member(1));

            assertThat(outcome.mapEvents()).containsExactlyInAnyOrder("added order:1=new",
                    "updated order:1 new->paid", "added order:2=new", "removed order:1 (was paid)", "expired order:2");
            assertThat(outcome.mapEvents().stream().filter(e -> e.contains("order:1")).toList())
                    .as("the events of one key arrive in the order its primary applied them")
                    .containsExactly("added order:1=new", "updated order:1 new->paid", "removed order:1 (was paid)");
            assertThat(outcome.keyEvents()).containsExactly("UPDATED order:1 null");
        }
    }

    @Test
    void nearCacheExample_servesRepeatedReadsLocally_andSeesAnotherMembersWriteAtOnce() {
        try (GridCluster cluster = GridCluster.start(2)) {
            NearCacheExample.Outcome outcome = NearCacheExample.run(cluster.member(0), cluster.member(1));

            assertThat(outcome.firstRead()).isEqualTo("0.90");
            assertThat(outcome.hits()).isEqualTo(2.0);
            assertThat(outcome.afterRemoteWrite()).isEqualTo("0.95");
        }
    }

    @Test
    void serializationExample_readsRegisteredAndBuiltInTypesBack_andRefusesAnUnregisteredClass() {
        try (GridCluster cluster = GridCluster.start(2, b -> b.serialization(SerializationExample.types()))) {
            SerializationExample.Outcome outcome = SerializationExample.run(cluster.member(0), cluster.member(1));

            assertThat(outcome.read()).isEqualTo(new SerializationExample.Order("o-1", SerializationExample.Status.PAID,
                    List.of(new SerializationExample.Line("apple", 3, new java.math.BigDecimal("0.90")))));
            assertThat(outcome.builtIn()).containsExactly(java.util.Map.entry("alice", List.of(3, 5)));
            assertThat(outcome.refusal()).isEqualTo("Class io.tessera.examples.SerializationExample.Coupon is not "
                    + "registered for serialization. Register it on every member: Grid.builder().serialization("
                    + "SerializationConfig.builder().register(io.tessera.examples.SerializationExample.Coupon.class)"
                    + ".build())");
            assertThat(cluster.member(1).map("orders")).doesNotContainKey("coupon");
        }
    }
}
