package io.tessera.session.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tessera.grid.Grid;
import io.tessera.grid.GridMap;
import io.tessera.grid.SerializationConfig;
import io.tessera.grid.internal.GridNode;
import io.tessera.session.TesseraSessionFilter;
import io.tessera.grid.testing.GridCluster;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jgroups.Address;
import org.jgroups.protocols.DISCARD;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * An invalidated session stays invalidated when a member that was cut off, and still holds the session as its
 * primary did, merges back: ending a session deletes it, and the grid's tombstone of that deletion wins the merge
 * over the stale copy (the session module keeps no tombstone of its own).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class InvalidatedSessionAfterMergeTest {
    private static final String MAP = "sessions-merge";

    private static DISCARD discard(Grid grid) {
        return ((GridNode) grid).cluster().channel().getProtocolStack().findProtocol(DISCARD.class);
    }

    private static Address address(Grid grid) {
        return ((GridNode) grid).address();
    }

    private static List<String> keys(String id) {
        return List.of(SessionRecord.sessionKey(id), SessionRecord.timerKey(id));
    }

    @Test
    void sessionInvalidatedWhileItsOldPrimaryWasCutOff_doesNotComeBackWhenItMerges() {
        SerializationConfig types = TesseraSessionFilter.registerTypes(SerializationConfig.builder()).build();
        try (GridCluster cluster = GridCluster.start(3, b -> b.serialization(types).partitionCount(32))) {
            List<Grid> members = cluster.members();
            Grid cutOff = members.get(1);
            String id = null;
            for (int i = 0; id == null; i++) {
                String candidate = "session-" + i;
                if (cutOff.partitionOf(SessionRecord.sessionKey(candidate)).primary().isLocal()) {
                    id = candidate;
                }
            }
            GridMap<String, SessionRecord> map = members.get(0).map(MAP);
            SessionRecord session = SessionRecord.live(id, System.currentTimeMillis(), 1800);
            assertThat(map.executeOnKeysAsync(keys(id), new SessionProcessors.Create(session)).join()).isTrue();
            cutOff.<String, SessionRecord>map(MAP); // the cut-off member uses the map too

            List<Grid> survivors = List.of(members.get(0), members.get(2));
            survivors.forEach(s -> discard(s).addIgnoredMembers(address(cutOff)));
            discard(cutOff).addIgnoredMembers(address(members.get(0)), address(members.get(2)));
            String sessionKey = SessionRecord.sessionKey(id);
            await().atMost(Duration.ofSeconds(30)).until(() ->
                    !survivors.get(0).partitionOf(sessionKey).primary().id().equals(cutOff.localMember().id()));

            SessionRecord ended = map.executeOnKeysAsync(keys(id), new SessionProcessors.End(false, null)).join();
            assertThat(ended).as("the survivors invalidate the session").isNotNull();
            assertThat(map.get(sessionKey)).isNull();

            members.forEach(m -> discard(m).resetIgnoredMembers());
            cluster.awaitSettled();

            for (Grid member : members) {
                assertThat(member.<String, SessionRecord>map(MAP).get(sessionKey))
                        .as("the session on %s after the merge", member.localMember().name()).isNull();
            }
            Outcome access = map.executeOnKeysAsync(keys(id), new SessionProcessors.Access(1, 0)).join();
            assertThat(access.status).isEqualTo(Outcome.GONE);
        }
    }
}
