package io.tessera.jetty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tessera.grid.GridMap;
import io.tessera.grid.SerializationConfig;
import io.tessera.grid.internal.GridNode;
import io.tessera.grid.testing.GridCluster;
import io.tessera.jetty.internal.SessionRecord;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.session.SessionData;
import org.eclipse.jetty.session.UnreadableSessionDataException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The scenarios of Jetty's {@code AbstractSessionDataStoreTest}, re-implemented against two grid members, each with
 * its own Jetty node: store/load/update/delete, expired-on-load, unreadable data, exists, getExpired for this and
 * other nodes, orphans and savePeriod; plus what Tessera adds (no resurrection, per-context keys).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TesseraSessionDataStoreTest {
    private static final int GRACE_SEC = 20;
    private static GridCluster cluster;

    private StoreNode nodeA;
    private StoreNode nodeB;
    private GridMap<String, SessionRecord> map;

    @BeforeAll
    static void startCluster() {
        cluster = GridCluster.start(2, b -> b.serialization(
                TesseraSessionDataStoreFactory.registerTypes(SerializationConfig.builder()).build()));
    }

    @AfterAll
    static void stopCluster() {
        cluster.close();
    }

    @BeforeEach
    void startNodes() throws Exception {
        nodeA = new StoreNode(cluster.member(0), "nodeA", "/test", null, GRACE_SEC, 0);
        nodeB = new StoreNode(cluster.member(1), "nodeB", "/test", null, GRACE_SEC, 0);
        map = cluster.member(0).map(TesseraSessionDataStoreFactory.DEFAULT_MAP_NAME);
    }

    @AfterEach
    void stopNodes() throws Exception {
        nodeA.close();
        nodeB.close();
        map.clear();
    }

    @Test
    void store_thenLoadOnOtherNode_returnsMetadataAndAttributes() throws Exception {
        long now = System.currentTimeMillis();
        SessionData data = nodeA.newData("s1", now - 1000, 60_000);
        data.setAttribute("a", "b");
        data.setAttribute("n", 42);
        data.setCookieSet(now - 500);
        data.calcAndSetExpiry(now);
        nodeA.store.store("s1", data);

        SessionData loaded = nodeB.store.load("s1");
        assertThat(loaded).isNotNull();
        assertThat(loaded.getId()).isEqualTo("s1");
        assertThat(loaded.getCreated()).isEqualTo(now - 1000);
        assertThat(loaded.getCookieSet()).isEqualTo(now - 500);
        assertThat(loaded.getMaxInactiveMs()).isEqualTo(60_000);
        assertThat(loaded.getExpiry()).isEqualTo(now + 60_000);
        assertThat(loaded.getLastNode()).isEqualTo("nodeA");
        assertThat(loaded.getLastSaved()).isPositive();
        assertThat(loaded.getContextPath()).isEqualTo(nodeA.context().getCanonicalContextPath());
        assertThat(loaded.getAllAttributes()).containsExactlyInAnyOrderEntriesOf(Map.of("a", "b", "n", 42));
    }

    @Test
    void store_ofLoadedSession_updatesIt() throws Exception {
        long now = System.currentTimeMillis();
        SessionData data = nodeA.newData("s2", now, 60_000);
        data.setAttribute("a", "1");
        nodeA.store.store("s2", data);

        SessionData onB = nodeB.store.load("s2");
        onB.setAttribute("a", "2");
        onB.setAttribute("b", "3");
        onB.setLastNode("nodeB");
        nodeB.store.store("s2", onB);

        SessionData again = nodeA.store.load("s2");
        assertThat(again.getAllAttributes()).containsExactlyInAnyOrderEntriesOf(Map.of("a", "2", "b", "3"));
        assertThat(again.getLastNode()).isEqualTo("nodeB");
    }

    /**
     * Jetty marks the whole session dirty when one attribute changes; the store ships the attributes that changed (and
     * the names of those removed), so a request that changes one attribute of ten does not ship the session.
     */
    @Test
    void storeOfOneChangedAttributeOfTen_shipsThatAttribute_notTheSession() throws Exception {
        long now = System.currentTimeMillis();
        SessionData data = nodeA.newData("delta", now, 60_000);
        for (int i = 0; i < 10; i++) {
            data.setAttribute("a" + i, String.valueOf((char) ('a' + i)).repeat(2_000));
        }
        nodeA.store.store("delta", data);

        long before = gridBytesSent();
        for (int round = 0; round < 5; round++) {
            data.setAttribute("a4", String.valueOf((char) ('p' + round)).repeat(2_000));
            nodeA.store.store("delta", data);
        }
        long perStore = (gridBytesSent() - before) / 5;
        // The session is 20 kB of attributes: its primary (unless it is node A's own member) and then its backup are
        // each sent the 2-kB attribute and the metadata, with the messages' headers; not the session.
        assertThat(perStore).isBetween(2_000L, 7_000L);

        data.setAttribute("a7", null); // removes it
        nodeA.store.store("delta", data);
        SessionData onB = nodeB.store.load("delta");
        assertThat(onB.getAttribute("a4")).isEqualTo("t".repeat(2_000));
        assertThat(onB.getAttribute("a9")).isEqualTo("j".repeat(2_000));
        assertThat(onB.getKeys()).hasSize(9).doesNotContain("a7");
    }

    /** Two nodes that change different attributes of one session both keep their change (no lost update). */
    @Test
    void storesOfDifferentAttributesFromTwoNodes_bothSurvive() throws Exception {
        long now = System.currentTimeMillis();
        SessionData data = nodeA.newData("both", now, 60_000);
        data.setAttribute("cart", "empty");
        data.setAttribute("theme", "light");
        nodeA.store.store("both", data);
        SessionData onB = nodeB.store.load("both");

        data.setAttribute("cart", "one book");
        nodeA.store.store("both", data);
        onB.setAttribute("theme", "dark");
        nodeB.store.store("both", onB);

        assertThat(nodeA.store.load("both").getAllAttributes())
                .containsExactlyInAnyOrderEntriesOf(Map.of("cart", "one book", "theme", "dark"));
    }

    /** What both grid members' transports sent so far, in bytes. */
    private static long gridBytesSent() {
        long sent = 0;
        for (int i = 0; i < 2; i++) {
            sent += ((GridNode) cluster.member(i)).cluster().channel().getProtocolStack().getTransport()
                    .getMessageStats().enable(true).getNumBytesSent();
        }
        return sent;
    }

    @Test
    void load_missing_returnsNull() throws Exception {
        assertThat(nodeA.store.load("nope")).isNull();
    }

    @Test
    void load_expiredSession_returnsItForJettyToInvalidate() throws Exception {
        long now = System.currentTimeMillis();
        SessionData data = nodeA.newData("old", now - 20_000, 10_000);
        data.calcAndSetExpiry(now - 10_000);
        nodeA.store.store("old", data);

        SessionData loaded = nodeB.store.load("old");
        assertThat(loaded).isNotNull();
        assertThat(loaded.isExpiredAt(now)).isTrue();
    }

    @Test
    void load_unreadableAttributes_throwsUnreadableSessionData() {
        long now = System.currentTimeMillis();
        map.put(nodeA.store.key("bad"), new SessionRecord("bad", nodeA.context().getCanonicalContextPath(),
                nodeA.context().getVhost(), "nodeA", now, now, now, now, 60_000, now + 60_000, now,
                new LinkedHashMap<>(Map.of("a", new byte[] {1, 2, 3, 4}))));

        assertThatThrownBy(() -> nodeB.store.load("bad")).isInstanceOf(UnreadableSessionDataException.class);
    }

    @Test
    void delete_removesSession_andAnswersWhetherItExisted() throws Exception {
        long now = System.currentTimeMillis();
        nodeA.store.store("d1", nodeA.newData("d1", now, 60_000));
        assertThat(nodeB.store.exists("d1")).isTrue();

        assertThat(nodeB.store.delete("d1")).isTrue();
        assertThat(nodeA.store.load("d1")).isNull();
        assertThat(nodeA.store.exists("d1")).isFalse();
        assertThat(nodeA.store.delete("d1")).isFalse();
    }

    @Test
    void exists_isFalseForExpiredAndMissing_trueForLiveAndImmortal() throws Exception {
        long now = System.currentTimeMillis();
        SessionData live = nodeA.newData("live", now, 60_000);
        live.calcAndSetExpiry(now);
        nodeA.store.store("live", live);
        SessionData expired = nodeA.newData("expired", now - 20_000, 10_000);
        expired.calcAndSetExpiry(now - 20_000);
        nodeA.store.store("expired", expired);
        SessionData immortal = nodeA.newData("immortal", now - 20_000, -1);
        immortal.calcAndSetExpiry(now - 20_000);
        nodeA.store.store("immortal", immortal);

        assertThat(nodeB.store.exists("live")).isTrue();
        assertThat(nodeB.store.exists("expired")).isFalse();
        assertThat(nodeB.store.exists("immortal")).isTrue();
        assertThat(nodeB.store.exists("missing")).isFalse();
    }

    @Test
    void getExpired_checksCandidatesByLastNode_andFindsOtherNodesSessionsAfterGracePeriods() throws Exception {
        long now = System.currentTimeMillis();
        storeWithExpiry(nodeA, "mine-expired", "nodeA", now - 1000);
        storeWithExpiry(nodeA, "mine-live", "nodeA", now + 60_000);
        storeWithExpiry(nodeA, "other-recent", "nodeB", now - 1000);
        storeWithExpiry(nodeA, "other-grace", "nodeB", now - 2_000 - 1000L * GRACE_SEC);
        storeWithExpiry(nodeA, "other-old", "nodeB", now - 1000L * 4 * GRACE_SEC);
        try (StoreNode otherContext = new StoreNode(cluster.member(1), "nodeB", "/other", null, GRACE_SEC, 0)) {
            storeWithExpiry(otherContext, "elsewhere-old", "nodeB", now - 1000L * 4 * GRACE_SEC);

            Set<String> expired = nodeA.store.getExpired(
                    Set.of("mine-expired", "mine-live", "other-recent", "other-grace", "gone"));

            // candidates: mine once expired, another node's a grace period later, missing ones at once;
            // then the first sweep finds this context's sessions expired three grace periods ago
            assertThat(expired).containsExactlyInAnyOrder("mine-expired", "other-grace", "gone", "other-old");
        }
    }

    @Test
    void getExpired_onTheSessionsLastNode_expiresItAtOnce() throws Exception {
        long now = System.currentTimeMillis();
        storeWithExpiry(nodeA, "managed-by-b", "nodeB", now - 1000);

        assertThat(nodeA.store.getExpired(Set.of("managed-by-b"))).isEmpty();
        assertThat(nodeB.store.getExpired(Set.of("managed-by-b"))).containsExactly("managed-by-b");
    }

    @Test
    void cleanOrphans_removesExpiredSessionsOfEveryContext_andKeepsTheRest() throws Exception {
        long now = System.currentTimeMillis();
        try (StoreNode otherContext = new StoreNode(cluster.member(1), "nodeB", "/other", null, GRACE_SEC, 0)) {
            storeWithExpiry(nodeA, "orphan-here", "nodeB", now - 100_000);
            storeWithExpiry(otherContext, "orphan-there", "nodeB", now - 100_000);
            storeWithExpiry(nodeA, "recent", "nodeB", now - 1000);
            storeWithExpiry(nodeA, "live", "nodeA", now + 60_000);
            SessionData immortal = nodeA.newData("immortal", now - 200_000, -1);
            immortal.calcAndSetExpiry(now - 200_000);
            nodeA.store.store("immortal", immortal);

            nodeB.store.cleanOrphans(now - 50_000);

            assertThat(nodeA.store.load("orphan-here")).isNull();
            assertThat(otherContext.store.load("orphan-there")).isNull();
            assertThat(nodeA.store.load("recent")).isNotNull();
            assertThat(nodeA.store.load("live")).isNotNull();
            assertThat(nodeA.store.load("immortal")).isNotNull();
        }
    }

    @Test
    void store_withinSavePeriod_skipsMetadataOnlyChanges_butWritesAttributeChanges() throws Exception {
        try (StoreNode saving = new StoreNode(cluster.member(0), "nodeS", "/saving", null, GRACE_SEC, 30)) {
            long now = System.currentTimeMillis();
            SessionData data = saving.newData("sp", now, 60_000);
            data.calcAndSetExpiry(now);
            saving.store.store("sp", data);

            SessionData loaded = saving.store.load("sp");
            loaded.setAccessed(now + 5000);
            loaded.calcAndSetExpiry(now + 5000);
            loaded.setMetaDataDirty(true);
            saving.store.store("sp", loaded);
            assertThat(saving.store.load("sp").getAccessed()).isEqualTo(now);

            loaded.setAttribute("x", "y");
            saving.store.store("sp", loaded);
            SessionData again = saving.store.load("sp");
            assertThat(again.getAccessed()).isEqualTo(now + 5000);
            assertThat(again.getAttribute("x")).isEqualTo("y");
        }
    }

    @Test
    void store_metadataOnly_keepsTheAttributesStoredMeanwhile() throws Exception {
        long now = System.currentTimeMillis();
        SessionData data = nodeA.newData("touch", now, 60_000);
        data.setAttribute("cart", "empty");
        nodeA.store.store("touch", data);
        SessionData onB = nodeB.store.load("touch");

        SessionData onA = nodeA.store.load("touch");
        onA.setAttribute("cart", "3 items");
        nodeA.store.store("touch", onA);
        onB.setAccessed(now + 1000);
        onB.setMetaDataDirty(true);
        nodeB.store.store("touch", onB);

        SessionData result = nodeA.store.load("touch");
        assertThat(result.getAccessed()).isEqualTo(now + 1000);
        assertThat(result.getAttribute("cart")).isEqualTo("3 items");
    }

    @Test
    void store_ofSessionDeletedElsewhere_doesNotResurrectIt() throws Exception {
        long now = System.currentTimeMillis();
        nodeA.store.store("zombie", nodeA.newData("zombie", now, 60_000));
        SessionData inFlightOnB = nodeB.store.load("zombie");

        nodeA.store.delete("zombie");
        inFlightOnB.setAttribute("late", "write");
        nodeB.store.store("zombie", inFlightOnB);

        assertThat(nodeA.store.load("zombie")).isNull();
    }

    @Test
    void keys_separateContextPathsAndVirtualHosts() throws Exception {
        long now = System.currentTimeMillis();
        try (StoreNode otherPath = new StoreNode(cluster.member(1), "nodeB", "/other", null, GRACE_SEC, 0);
             StoreNode otherHost = new StoreNode(cluster.member(1), "nodeB", "/test", "shop.example", GRACE_SEC, 0)) {
            SessionData here = nodeA.newData("same", now, 60_000);
            here.setAttribute("who", "test");
            nodeA.store.store("same", here);
            SessionData there = otherPath.newData("same", now, 60_000);
            there.setAttribute("who", "other");
            otherPath.store.store("same", there);

            assertThat(nodeB.store.load("same").getAttribute("who")).isEqualTo("test");
            assertThat(otherPath.store.load("same").getAttribute("who")).isEqualTo("other");
            assertThat(otherHost.store.load("same")).isNull();
            otherPath.store.delete("same");
            assertThat(nodeB.store.exists("same")).isTrue();
        }
    }

    private static void storeWithExpiry(StoreNode node, String id, String lastNode, long expiry) throws Exception {
        SessionData data = node.newData(id, expiry - 10_000, 10_000);
        data.setLastNode(lastNode);
        data.setExpiry(expiry);
        node.store.store(id, data);
    }
}
