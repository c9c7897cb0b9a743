package io.tessera.grid;

import static io.tessera.grid.testing.MemberProcesses.fields;
import static org.assertj.core.api.Assertions.assertThat;

import io.tessera.grid.testing.MemberProcesses;
import io.tessera.grid.testing.MemberProcessesTestBase;
import io.tessera.grid.testing.MemberProcesses.ForkedMember;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Two halves of one cluster that formed apart and then meet (JGroups delivers a {@code MergeView}) keep the
 * acknowledged writes of both halves (docs/architecture.md, "Split and merge": the replicas of the side that merges in
 * are merged entry by entry).
 *
 * <p>The split is the one that happens by accident at startup when a joiner does not discover the running member in
 * time (seen in {@link TcpMembershipIT} on a loaded machine): here it is made deterministic with the TCPPING lists.
 * Member {@code a} lists all three ports but starts alone, and takes writes; {@code b} and {@code c} list only each
 * other, so they form their own cluster. {@code a}'s MERGE3 later finds them through its list and the halves merge.
 */
class SplitBrainMergeIT extends MemberProcessesTestBase {
    private static final int PARTITIONS = 64;
    /** Keys written by the half that is merged in; {@code -Dtessera.splitbrain.keys=100000} measures a large merge. */
    private static final int KEYS = Integer.getInteger("tessera.splitbrain.keys", 2_000);
    private static final Duration READY = Duration.ofSeconds(60);

    /** Waits until every member sees all of them in its view; returns when (System.nanoTime()). */
    private static long awaitOneView(List<ForkedMember> members, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (members.stream().allMatch(m -> fields(m.command("VIEW")).get("size")
                    .equals(Integer.toString(members.size())))) {
                return System.nanoTime();
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
        throw new AssertionError("the halves did not merge within " + timeout);
    }

    @Test
    @Timeout(value = 600, unit = TimeUnit.SECONDS)
    void mergeOfTwoHalves_keepsTheAcknowledgedWritesOfBoth() {
        String cluster = "split-merge-" + UUID.randomUUID();
        int base = MemberProcesses.freePortBase(3);
        String[] all = MemberProcesses.initialMembers(base, 3);
        String[] bc = {all[1], all[2]};

        ForkedMember a = processes.start("a", cluster, base, all, PARTITIONS, READY);
        assertThat(a.command("FILL data ka " + KEYS + " t0", Duration.ofSeconds(300))).isEqualTo("FILLED ok=" + KEYS + " failed=0");
        ForkedMember b = processes.start("b", cluster, base + 1, bc, PARTITIONS, READY);
        ForkedMember c = processes.start("c", cluster, base + 2, bc, PARTITIONS, READY);
        String halfView = fields(b.command("VIEW")).get("members");
        System.out.println("before the merge: a sees " + fields(a.command("VIEW")).get("members") + ", b sees "
                + halfView + "; a's " + a.command("TABLE") + "; b's " + b.command("TABLE"));
        assertThat(fields(a.command("VIEW")).get("size")).as("a formed its own half").isEqualTo("1");
        assertThat(b.command("PUT data kb-only t0")).isEqualTo("OK null");

        // MERGE3 (2..8 s intervals) merges the halves; wait for one balanced table over the three.
        long merged = awaitOneView(List.of(a, b, c), Duration.ofSeconds(120));
        MemberProcesses.awaitSettled(List.of(a, b, c), PARTITIONS, Duration.ofSeconds(120));
        System.out.printf("merge: %d entries of the half that was a alone; settled and merged %d ms after every"
                + " member saw one view%n", KEYS, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - merged));
        System.out.println("after the merge: " + c.command("TABLE"));

        assertThat(c.command("GET data kb-only")).as("the write of the b-c half").isEqualTo("VALUE t0");
        assertThat(c.command("CHECK data ka " + KEYS + " t0", Duration.ofSeconds(300)))
                .as("the acknowledged writes of the half that was a alone").isEqualTo("CHECKED ok=" + KEYS + " bad=0");
    }
}
