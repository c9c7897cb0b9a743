package io.tessera.grid;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.tessera.grid.testing.GridCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Topics on a real three-member cluster: every member's listeners get every message, in publication order. */
class GridTopicTest {
    private static GridCluster cluster;

    @BeforeAll
    static void start() {
        cluster = GridCluster.start(3);
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    @Test
    void publishOnOneMember_reachesListenersOnEveryMember_inOrder_andCountsReceivers() {
        String name = "orders-" + UUID.randomUUID();
        List<List<String>> received = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            List<String> mine = Collections.synchronizedList(new ArrayList<>());
            received.add(mine);
            GridTopic<String> topic = cluster.member(i).topic(name);
            topic.subscribe(message -> {
                mine.add(message);
                return 1;
            });
        }
        // member 2 has a second listener that fans out to two receivers
        cluster.member(2).<String>topic(name).subscribe(message -> 2);

        GridTopic<String> publisher = cluster.member(1).topic(name);
        List<String> sent = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            sent.add("m" + i);
            assertThat(publisher.publish("m" + i).join()).isEqualTo(5L);
        }
        for (List<String> mine : received) {
            assertThat(mine).containsExactlyElementsOf(sent);
        }
    }

    @Test
    void unsubscribedListener_getsNothing_andPublishWithoutListenersCountsZero() {
        String name = "quiet-" + UUID.randomUUID();
        List<Integer> received = Collections.synchronizedList(new ArrayList<>());
        GridTopic<Integer> topic = cluster.member(0).topic(name);
        UUID id = topic.subscribe(message -> {
            received.add(message);
            return 1;
        });
        assertThat(cluster.member(2).<Integer>topic(name).publish(1).join()).isEqualTo(1L);
        assertThat(topic.unsubscribe(id)).isTrue();
        assertThat(topic.unsubscribe(id)).isFalse();
        assertThat(cluster.member(2).<Integer>topic(name).publish(2).join()).isZero();
        await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(2)).until(() -> received.equals(List.of(1)));
    }

    @Test
    void failingListener_doesNotStopOthers_andUnregisteredMessageTypesAreRefusedAtPublish() {
        String name = "faulty-" + UUID.randomUUID();
        List<String> received = Collections.synchronizedList(new ArrayList<>());
        cluster.member(0).<String>topic(name).subscribe(message -> {
            throw new IllegalStateException("listener bug");
        });
        cluster.member(0).<String>topic(name).subscribe(message -> {
            received.add(message);
            return 1;
        });
        assertThat(cluster.member(1).<String>topic(name).publish("after-bug").join()).isEqualTo(1L);
        assertThat(received).containsExactly("after-bug");

        record Unregistered(int x) {
        }
        assertThatThrownBy(() -> cluster.member(1).<Object>topic(name).publish(new Unregistered(1)))
                .isInstanceOf(GridSerializationException.class);
        assertThatThrownBy(() -> cluster.member(1).topic("")).isInstanceOf(IllegalArgumentException.class);
    }
}
