package io.tessera.redis.internal.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.channel.embedded.EmbeddedChannel;
import io.tessera.grid.MapConfig;
import io.tessera.grid.testing.GridCluster;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A change of a user made on another member while a connection here authenticates as it: the change lands between
 * AUTH's read of the user and the connection taking it, after this member's listener has already passed over the
 * connection (which still ran as {@code default}). The connection must end up with the change all the same.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AclUsersRaceTest {
    private static final byte[] PASSWORD = "pw1".getBytes(StandardCharsets.UTF_8);

    private GridCluster cluster;
    private final List<ClientSession> clientsHere = new CopyOnWriteArrayList<>();
    private AclUsers here;
    private AclUsers elsewhere;

    @BeforeEach
    void start() {
        cluster = GridCluster.start(2);
        here = new AclUsers(cluster.member(0), MapConfig.builder().build(), CommandTable.standard(), () -> null,
                () -> clientsHere);
        elsewhere = new AclUsers(cluster.member(1), MapConfig.builder().build(), CommandTable.standard(), () -> null,
                List::of);
        elsewhere.setUser("racer", List.of("on", ">pw1", "~*", "+get"));
    }

    @AfterEach
    void stop() {
        here.close();
        elsewhere.close();
        cluster.close();
    }

    @Test
    void authenticate_whileTheUserChangesOnAnotherMember_endsWithTheChangedUser() throws Exception {
        ClientSession watcher = connectionAuthenticatedAs("racer");
        ClientSession client = connection();
        CompletableFuture<Void> readDone = new CompletableFuture<>();
        CompletableFuture<Void> changeSeen = new CompletableFuture<>();
        here.readForAuth = read -> read.thenCompose(user -> {
            readDone.complete(null);
            return changeSeen.thenApply(seen -> user);
        });

        CompletableFuture<Boolean> auth = here.authenticate(client, "racer", PASSWORD);
        readDone.get(10, TimeUnit.SECONDS);
        elsewhere.setUser("racer", List.of("-get", "+set"));
        // this member's listener has handled the change: the connection already authenticated as racer has it
        await().atMost(Duration.ofSeconds(10)).until(() -> watcher.user().rules().contains("+set"));
        changeSeen.complete(null);

        assertThat(auth.get(10, TimeUnit.SECONDS)).isTrue();
        assertThat(client.authenticated()).isTrue();
        assertThat(client.user().name()).isEqualTo("racer");
        assertThat(client.user().rules()).isEqualTo(watcher.user().rules()).endsWith("-get +set");
    }

    @Test
    void authenticate_whileTheUserIsDeletedOnAnotherMember_killsTheConnection() throws Exception {
        ClientSession watcher = connectionAuthenticatedAs("racer");
        ClientSession client = connection();
        CompletableFuture<Void> readDone = new CompletableFuture<>();
        CompletableFuture<Void> deletionSeen = new CompletableFuture<>();
        here.readForAuth = read -> read.thenCompose(user -> {
            readDone.complete(null);
            return deletionSeen.thenApply(seen -> user);
        });

        CompletableFuture<Boolean> auth = here.authenticate(client, "racer", PASSWORD);
        readDone.get(10, TimeUnit.SECONDS);
        assertThat(elsewhere.deleteUsers(List.of("racer"))).isEqualTo(1);
        await().atMost(Duration.ofSeconds(10)).until(watcher::killed);
        deletionSeen.complete(null);

        auth.get(10, TimeUnit.SECONDS);
        assertThat(client.killed()).isTrue();
    }

    private ClientSession connection() {
        ClientSession client = new ClientSession(clientsHere.size() + 1, new EmbeddedChannel(), here.defaultUser());
        clientsHere.add(client);
        return client;
    }

    private ClientSession connectionAuthenticatedAs(String name) throws Exception {
        ClientSession client = connection();
        assertThat(here.authenticate(client, name, PASSWORD).get(10, TimeUnit.SECONDS)).isTrue();
        return client;
    }
}
