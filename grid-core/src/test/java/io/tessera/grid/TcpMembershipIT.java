package io.tessera.grid;

import static io.tessera.grid.testing.MemberProcesses.fields;
import static org.assertj.core.api.Assertions.assertThat;

import io.tessera.grid.testing.MemberProcesses;
import io.tessera.grid.testing.MemberProcessesTestBase;
import io.tessera.grid.testing.MemberProcesses.ForkedMember;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Membership over the real {@code tcp} stack between separate JVMs on 127.0.0.1: members that join get a balanced
 * share of the partitions (and of the backups), a graceful leave hands its share to the others without losing data,
 * writes that run while members join and leave neither fail nor get lost, and a member of another cluster that
 * probes the same ports never joins. Three member processes, driven through {@link MemberProcesses}; 64 partitions.
 */
class TcpMembershipIT extends MemberProcessesTestBase {
    private static final int PARTITIONS = 64;
    private static final int KEYS = 2_000;
    private static final Duration READY = Duration.ofSeconds(60);
    private static final Duration SETTLE = Duration.ofSeconds(60);

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void joiningMembers_getBalancedShares_andGracefulLeave_keepsDataAndBalance() {
        String cluster = "tcp-membership-" + UUID.randomUUID();
        int base = MemberProcesses.freePortBase(3);
        String[] initial = MemberProcesses.initialMembers(base, 3);

        ForkedMember a = processes.start("a", cluster, base, initial, PARTITIONS, READY);
        assertThat(a.command("FILL data k " + KEYS + " t0")).isEqualTo("FILLED ok=" + KEYS + " failed=0");
        awaitSettled(List.of(a));

        ForkedMember b = processes.start("b", cluster, base + 1, initial, PARTITIONS, READY);
        b.assertJoined(2);
        awaitSettled(List.of(a, b));
        assertThat(b.command("CHECK data k " + KEYS + " t0")).isEqualTo("CHECKED ok=" + KEYS + " bad=0");

        ForkedMember c = processes.start("c", cluster, base + 2, initial, PARTITIONS, READY);
        c.assertJoined(3);
        awaitSettled(List.of(a, b, c));
        assertThat(c.command("CHECK data k " + KEYS + " t0")).isEqualTo("CHECKED ok=" + KEYS + " bad=0");
        assertThat(c.command("SIZE data")).isEqualTo("SIZE " + KEYS);

        // Graceful leave of a non-coordinator that holds a third of the primaries.
        assertThat(b.command("CLOSE", Duration.ofSeconds(120))).isEqualTo("CLOSED");
        awaitExit(b, 0);
        awaitSettled(List.of(a, c));
        assertThat(a.command("CHECK data k " + KEYS + " t0")).isEqualTo("CHECKED ok=" + KEYS + " bad=0");
        assertThat(c.command("SIZE data")).isEqualTo("SIZE " + KEYS);

        // Writes keep working, and a graceful leave of the coordinator leaves the last member with everything.
        assertThat(c.command("FILL data k " + KEYS + " t1")).isEqualTo("FILLED ok=" + KEYS + " failed=0");
        assertThat(a.command("CLOSE", Duration.ofSeconds(120))).isEqualTo("CLOSED");
        awaitExit(a, 0);
        awaitSettled(List.of(c));
        assertThat(c.command("CHECK data k " + KEYS + " t1")).isEqualTo("CHECKED ok=" + KEYS + " bad=0");
    }

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void writesDuringJoinAndGracefulLeave_neverFail_andAreNeverLost() throws InterruptedException {
        String cluster = "tcp-membership-" + UUID.randomUUID();
        int base = MemberProcesses.freePortBase(3);
        String[] initial = MemberProcesses.initialMembers(base, 3);

        ForkedMember a = processes.start("a", cluster, base, initial, PARTITIONS, READY);
        ForkedMember b = processes.start("b", cluster, base + 1, initial, PARTITIONS, READY);
        b.assertJoined(2);
        awaitSettled(List.of(a, b));

        // a writes new keys without pause while c joins and b leaves: partitions migrate under the writes.
        assertThat(a.command("WRITE-START data w t0")).isEqualTo("STARTED");
        Thread.sleep(1_000);
        ForkedMember c = processes.start("c", cluster, base + 2, initial, PARTITIONS, READY);
        c.assertJoined(3);
        awaitSettled(List.of(a, b, c));
        assertThat(b.command("CLOSE", Duration.ofSeconds(120))).isEqualTo("CLOSED");
        awaitExit(b, 0);
        awaitSettled(List.of(a, c));
        Thread.sleep(1_000);
        Map<String, String> written = fields(a.command("WRITE-STOP", Duration.ofSeconds(60)));
        System.out.println("written during join and leave: " + written);

        int count = Integer.parseInt(written.get("count"));
        assertThat(count).isGreaterThan(0);
        assertThat(written.get("failed")).as("writes that failed during migrations: " + written).isEqualTo("0");
        assertThat(c.command("CHECK data w " + count + " t0")).isEqualTo("CHECKED ok=" + count + " bad=0");
        assertThat(a.command("SIZE data")).isEqualTo("SIZE " + count);
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void memberOfAnotherCluster_onOverlappingPorts_neverJoins() throws InterruptedException {
        String cluster = "tcp-membership-" + UUID.randomUUID();
        String other = "tcp-other-" + UUID.randomUUID();
        int base = MemberProcesses.freePortBase(3);
        // All three probe the same three ports: the stranger finds both members at discovery and MERGE3 time.
        String[] initial = MemberProcesses.initialMembers(base, 3);

        ForkedMember a = processes.start("a", cluster, base, initial, PARTITIONS, READY);
        ForkedMember b = processes.start("b", cluster, base + 1, initial, PARTITIONS, READY);
        b.assertJoined(2);
        awaitSettled(List.of(a, b));
        ForkedMember stranger = processes.start("stranger", other, base + 2, initial, PARTITIONS, READY);

        assertThat(stranger.command("PUT data shared from-stranger")).isEqualTo("OK null");
        assertThat(a.command("PUT data shared from-cluster")).isEqualTo("OK null");

        // MERGE3 runs every 2..8 s and checks after 1.6 x 8 s: watch longer than one check interval.
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        int polls = 0;
        while (System.nanoTime() < end) {
            assertThat(fields(stranger.command("VIEW")).get("size")).as("stranger's view size").isEqualTo("1");
            assertThat(fields(a.command("VIEW")).get("members")).as("a's view").isEqualTo("a,b");
            assertThat(fields(b.command("VIEW")).get("members")).as("b's view").isEqualTo("a,b");
            polls++;
            Thread.sleep(500);
        }
        assertThat(polls).isGreaterThan(5);

        Map<String, String> strangerTable = fields(stranger.command("TABLE"));
        assertThat(strangerTable.get("owners")).isEqualTo("stranger");
        assertThat(strangerTable.get("primaries")).isEqualTo("stranger:" + PARTITIONS);
        assertThat(fields(a.command("TABLE")).get("owners")).isEqualTo("a,b");
        assertThat(stranger.command("GET data shared")).isEqualTo("VALUE from-stranger");
        assertThat(b.command("GET data shared")).isEqualTo("VALUE from-cluster");
        assertThat(stranger.command("SIZE data")).isEqualTo("SIZE 1");
        assertThat(a.command("SIZE data")).isEqualTo("SIZE 1");
    }

    private static void awaitSettled(List<ForkedMember> members) {
        MemberProcesses.awaitSettled(members, PARTITIONS, SETTLE);
    }

    private static void awaitExit(ForkedMember member, int expectedExit) {
        try {
            assertThat(member.process().waitFor(30, TimeUnit.SECONDS)).as(member + " exits after CLOSE")
                    .isTrue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
        assertThat(member.process().exitValue()).isEqualTo(expectedExit);
    }
}
