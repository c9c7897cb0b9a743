package io.tessera.grid;

import static io.tessera.grid.testing.MemberProcesses.counts;
import static io.tessera.grid.testing.MemberProcesses.fields;
import static org.assertj.core.api.Assertions.assertThat;

import io.tessera.grid.testing.MemberProcesses;
import io.tessera.grid.testing.MemberProcesses.ForkedMember;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;

/**
 * Membership over the real {@code tcp} stack between separate JVMs on 127.0.0.1: members that join get a balanced
 * share of the partitions, a graceful leave hands its share to the others without losing data, and a member of
 * another cluster that probes the same ports never joins.
 */
class TcpMembershipIT {
    private static final int PARTITIONS = 64;
    private static final int KEYS = 2_000;
    private static final Duration READY = Duration.ofSeconds(60);
    private static final Duration SETTLE = Duration.ofSeconds(60);

    private MemberProcesses processes;

    @BeforeEach
    void setUp(TestInfo info) {
        processes = new MemberProcesses(getClass().getSimpleName() + "-" + info.getTestMethod().orElseThrow().getName());
    }

    @AfterEach
    void tearDown() {
        processes.close();
    }

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
        awaitSettled(List.of(a, b));
        assertThat(b.command("CHECK data k " + KEYS + " t0")).isEqualTo("CHECKED ok=" + KEYS + " bad=0");

        ForkedMember c = processes.start("c", cluster, base + 2, initial, PARTITIONS, READY);
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
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void memberOfAnotherCluster_onOverlappingPorts_neverJoins() throws InterruptedException {
        String cluster = "tcp-membership-" + UUID.randomUUID();
        String other = "tcp-other-" + UUID.randomUUID();
        int base = MemberProcesses.freePortBase(3);
        // All three probe the same three ports: the stranger finds both members at discovery and MERGE3 time.
        String[] initial = MemberProcesses.initialMembers(base, 3);

        ForkedMember a = processes.start("a", cluster, base, initial, PARTITIONS, READY);
        ForkedMember b = processes.start("b", cluster, base + 1, initial, PARTITIONS, READY);
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

    /**
     * Waits until every member sees exactly {@code members}, has installed the same table version without syncing
     * replicas, every partition has min(n, 2) owners among them, and each member holds ⌊P/n⌋..⌈P/n⌉ primaries and
     * as many backups.
     */
    private static void awaitSettled(List<ForkedMember> members) {
        long start = System.nanoTime();
        long deadline = start + SETTLE.toNanos();
        List<String> last = new ArrayList<>();
        while (true) {
            last.clear();
            String problem = settledProblem(members, last);
            if (problem == null) {
                System.out.printf("settled on %d members after %d ms: %s%n", members.size(),
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start), last.get(0));
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not settled within " + SETTLE + ": " + problem + "; last tables " + last);
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    private static String settledProblem(List<ForkedMember> members, List<String> tables) {
        int n = members.size();
        TreeSet<String> names = new TreeSet<>();
        members.forEach(m -> names.add(m.name()));
        String expectedMembers = String.join(",", names);
        String version = null;
        for (ForkedMember m : members) {
            Map<String, String> view = fields(m.command("VIEW"));
            String seen = String.join(",", new TreeSet<>(List.of(view.get("members").split(","))));
            if (!seen.equals(expectedMembers)) {
                return m.name() + " sees " + seen;
            }
            String line = m.command("TABLE");
            tables.add(m.name() + ": " + line);
            Map<String, String> table = fields(line);
            if (version == null) {
                version = table.get("version");
            } else if (!version.equals(table.get("version"))) {
                return "table versions differ";
            }
            if (!"false".equals(table.get("syncing"))) {
                return m.name() + "'s table has syncing replicas";
            }
            int replicas = Math.min(n, 2);
            if (!table.get("minOwners").equals(Integer.toString(replicas))
                    || !table.get("maxOwners").equals(Integer.toString(replicas))) {
                return m.name() + "'s table does not have " + replicas + " owners everywhere";
            }
            if (!expectedMembers.equals(table.get("owners"))) {
                return m.name() + "'s table is owned by " + table.get("owners");
            }
            int floor = PARTITIONS / n;
            int ceil = (PARTITIONS + n - 1) / n;
            Map<String, Integer> primaries = counts(table.get("primaries"));
            Map<String, Integer> backups = counts(table.get("backups"));
            for (String name : names) {
                int p = primaries.getOrDefault(name, 0);
                if (p < floor || p > ceil) {
                    return name + " leads " + p + " partitions (expected " + floor + ".." + ceil + ")";
                }
                if (n > 1) {
                    int b = backups.getOrDefault(name, 0);
                    if (b < floor || b > ceil) {
                        return name + " backs up " + b + " partitions (expected " + floor + ".." + ceil + ")";
                    }
                }
            }
        }
        return null;
    }

    private static void awaitExit(ForkedMember member, int expectedExit) {
        try {
            assertThat(member.process().waitFor(30, TimeUnit.SECONDS)).as(member + " exits after CLOSE").isTrue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
        assertThat(member.process().exitValue()).isEqualTo(expectedExit);
    }
}
