package io.tessera.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tessera.grid.Grid;
import io.tessera.grid.internal.GridNode;
import io.tessera.grid.internal.store.Record;
import io.tessera.grid.testing.ReplicaProbe;
import io.tessera.redis.internal.command.ServerContext;
import io.tessera.redis.testing.RespCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jgroups.Address;
import org.jgroups.protocols.DISCARD;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * Issue 7, finding 7, through RESP: an INCR whose reply is lost when its primary dies must not be applied twice. Before
 * the fix the member answered {@code TRYAGAIN} (the grid's IndeterminateOutcomeException) and a client that retries
 * TRYAGAIN, as Redis Cluster tells clients to, incremented twice. docs/architecture.md ("Fencing, epochs and
 * exactly-once"): a retry after a failover returns the first attempt's result; the member retries with the call's id
 * itself and answers {@code :1}.
 *
 * <p>Three in-JVM members with RESP servers; the client talks to member {@code C}. {@code C} stops hearing the key's
 * primary {@code P} (DISCARD) so the reply is lost after {@code P} applied the INCR and its backup {@code B}
 * acknowledged it; then {@code P} is cut off for good and the survivors promote {@code B}.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class RetriedIncrTest {

    private static DISCARD discard(Grid grid) {
        return ((GridNode) grid).cluster().channel().getProtocolStack().findProtocol(DISCARD.class);
    }

    private static Address address(Grid grid) {
        return ((GridNode) grid).address();
    }

    @Test
    void incrWhoseReplyWasLost_isAppliedOnce_evenByAClientThatRetriesTryAgain() throws Exception {
        try (RespCluster cluster = RespCluster.start(3)) {
            List<Grid> members = cluster.grid().members();
            Grid primary = members.get(1);
            String key = ReplicaProbe.keysWithPrimary(members, primary, "counter-", 1).get(0);
            Grid backup = ReplicaProbe.ownerOf(members, key, 1);
            Grid caller = members.stream().filter(g -> g != primary && g != backup).findFirst().orElseThrow();
            int callerPort = cluster.port(members.indexOf(caller));
            String map = ServerContext.databaseMapName(0);

            try (Jedis jedis = new Jedis(new HostAndPort("127.0.0.1", callerPort),
                    DefaultJedisClientConfig.builder().socketTimeoutMillis(60_000).build())) {
                jedis.set(key, "0");
                long before = ReplicaProbe.recordOn(backup, map, key).version();

                discard(caller).addIgnoredMembers(address(primary));
                List<String> replies = new ArrayList<>();
                CompletableFuture<Long> incr = CompletableFuture.supplyAsync(() -> {
                    // A client that retries TRYAGAIN, as Redis Cluster clients do (bounded here).
                    for (int attempt = 0; ; attempt++) {
                        try {
                            long value = jedis.incr(key);
                            replies.add(Long.toString(value));
                            return value;
                        } catch (JedisDataException e) {
                            replies.add(e.getMessage());
                            if (!e.getMessage().startsWith("TRYAGAIN") || attempt >= 10) {
                                throw e;
                            }
                        }
                    }
                });
                await("the primary applied the INCR and its backup acknowledged it").until(() -> {
                    Record r = ReplicaProbe.recordOn(backup, map, key);
                    return r != null && r.version() > before;
                });
                Set<Address> others = new HashSet<>(List.of(address(backup), address(caller)));
                discard(primary).addIgnoredMembers(others.toArray(Address[]::new));
                discard(backup).addIgnoredMembers(address(primary));

                long answered = incr.get(60, TimeUnit.SECONDS);
                try (Jedis check = new Jedis(new HostAndPort("127.0.0.1", cluster.port(members.indexOf(backup))))) {
                    await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                            .until(() -> check.get(key) != null);
                    assertThat(check.get(key))
                            .as("the counter after one INCR whose reply was lost (the client saw %s)", replies)
                            .isEqualTo("1");
                }
                assertThat(answered).as("the INCR's answer (the client saw %s)", replies).isEqualTo(1);
            } finally {
                for (Grid g : members) {
                    discard(g).resetIgnoredMembers();
                }
            }
        }
    }
}
