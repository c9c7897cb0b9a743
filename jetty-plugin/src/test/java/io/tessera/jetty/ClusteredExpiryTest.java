package io.tessera.jetty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tessera.grid.SerializationConfig;
import io.tessera.grid.testing.GridCluster;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.session.SessionCache;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Jetty's clustered expiry scenarios for ee10 and ee11: a dead node's sessions are expired by a survivor (with
 * listeners), and a session kept alive on one node is not scavenged by the other, then expires once idle.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ClusteredExpiryTest {
    private static GridCluster cluster;

    @BeforeAll
    static void startCluster() {
        cluster = GridCluster.start(2, b -> b.serialization(
                TesseraSessionDataStoreFactory.registerTypes(SerializationConfig.builder()).build()));
    }

    @AfterAll
    static void stopCluster() {
        cluster.close();
    }

    @ParameterizedTest
    @EnumSource(Ee.class)
    void sessionOfADeadNode_isExpiredByTheSurvivor(Ee ee) throws Exception {
        String map = "orphan-" + ee + "-" + UUID.randomUUID();
        // A never scavenges and stops without invalidating: as far as sessions go, it died
        ServletNode a = new ServletNode(ee, cluster.member(0), map, "nodeA", 0, SessionCache.NEVER_EVICT, 2, 1,
                null);
        try (ServletNode b = new ServletNode(ee, cluster.member(1), map, "nodeB", 1, SessionCache.NEVER_EVICT, 2, 1,
                null)) {
            SessionClient client = new SessionClient();
            client.body(a.url("count"));
            String id = client.sessionId();
            a.close();
            assertThat(cluster.member(1).map(map)).hasSize(1);

            await().atMost(Duration.ofSeconds(20)).until(() -> b.destroyed.contains(id));
            assertThat(cluster.member(1).map(map)).isEmpty();
            assertThat(a.destroyed).isEmpty();
        }
    }

    @ParameterizedTest
    @EnumSource(Ee.class)
    void sessionKeptAliveOnOneNode_isNotScavengedByTheOther_andExpiresWhenIdle(Ee ee) throws Exception {
        String map = "scavenge-" + ee + "-" + UUID.randomUUID();
        try (ServletNode a = new ServletNode(ee, cluster.member(0), map, "nodeA", 1, SessionCache.NEVER_EVICT, 3, 1,
                null);
             ServletNode b = new ServletNode(ee, cluster.member(1), map, "nodeB", 1, SessionCache.NEVER_EVICT, 3, 1,
                     null)) {
            SessionClient client = new SessionClient();
            client.body(a.url("count"));
            String id = client.sessionId();

            // A's cached copy times out meanwhile, but B is the session's last node and keeps it fresh in the grid
            long keepAliveUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(6);
            int count = 1;
            while (System.nanoTime() < keepAliveUntil) {
                count++;
                assertThat(client.body(b.url("count"))).isEqualTo(count + " " + id);
                Thread.sleep(500);
            }
            assertThat(a.destroyed).isEmpty();
            assertThat(b.destroyed).isEmpty();
            assertThat(cluster.member(0).map(map)).hasSize(1);

            await().atMost(Duration.ofSeconds(20)).until(() -> b.destroyed.contains(id));
            assertThat(cluster.member(0).map(map)).isEmpty();
            assertThat(client.body(b.url("peek"))).isEqualTo("none");
            // A still caches its stale copy (Jetty has no cross-node eviction), but finds it expired when asked
            assertThat(client.body(a.url("peek"))).isEqualTo("none");
            assertThat(a.destroyed).containsExactly(id);
            assertThat(cluster.member(0).map(map)).isEmpty();
        }
    }
}
