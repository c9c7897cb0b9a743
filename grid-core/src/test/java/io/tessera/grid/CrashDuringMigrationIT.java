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
 * {@code kill -9} of a member while partitions migrate to a joining member (docs/architecture.md, "How the table
 * changes: a round": a view change during a round aborts it, and a half-filled replica is never promoted), on the
 * {@code tcp} stack with four member processes. One member keeps writing throughout; no acknowledged write may be lost,
 * and since every write is an idempotent put, no write may fail either.
 */
class CrashDuringMigrationIT extends MemberProcessesTestBase {
    private static final int PARTITIONS = 64;
    private static final int KEYS = 8_000;
    /** Values of ~1 KB make the snapshots big enough that the migration lasts long enough to be interrupted. */
    private static final int VALUE_LENGTH = 1_000;
    private static final Duration READY = Duration.ofSeconds(60);
    private static final Duration SETTLE = Duration.ofSeconds(90);

    @Test
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void killOfASourceDuringJoinMigration_losesNoAcknowledgedWrite() throws InterruptedException {
        killDuringJoin(false);
    }

    @Test
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void killOfTheJoiningMemberDuringMigration_losesNoAcknowledgedWrite() throws InterruptedException {
        killDuringJoin(true);
    }

    private void killDuringJoin(boolean killJoiner) throws InterruptedException {
        String cluster = "crash-migration-" + UUID.randomUUID();
        int base = MemberProcesses.freePortBase(4);
        String[] initial = MemberProcesses.initialMembers(base, 4);
        ForkedMember a = processes.start("a", cluster, base, initial, PARTITIONS, READY);
        ForkedMember b = processes.start("b", cluster, base + 1, initial, PARTITIONS, READY);
        ForkedMember c = processes.start("c", cluster, base + 2, initial, PARTITIONS, READY);
        b.assertJoined(2);
        c.assertJoined(3);
        MemberProcesses.awaitSettled(List.of(a, b, c), PARTITIONS, SETTLE);
        assertThat(a.command("FILL data k " + KEYS + " t0 " + VALUE_LENGTH, Duration.ofSeconds(120)))
                .isEqualTo("FILLED ok=" + KEYS + " failed=0");

        assertThat(a.command("WRITE-START data w t1")).isEqualTo("STARTED");
        ForkedMember d = processes.start("d", cluster, base + 3, initial, PARTITIONS, READY);
        d.assertJoined(4);
        // Catch the migration to d in flight: a table with syncing replicas.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        String table;
        do {
            table = a.command("TABLE");
            assertThat(System.nanoTime()).as("a table with syncing replicas within 30 s").isLessThan(deadline);
        } while (!fields(table).get("syncing").equals("true"));
        ForkedMember victim = killJoiner ? d : b;
        victim.kill9();
        System.out.println("killed " + victim + " while a had " + table);

        List<ForkedMember> survivors = killJoiner ? List.of(a, b, c) : List.of(a, c, d);
        MemberProcesses.awaitSettled(survivors, PARTITIONS, SETTLE);
        Map<String, String> written = fields(a.command("WRITE-STOP", Duration.ofSeconds(60)));
        System.out.println("written during the join and the crash: " + written);
        int count = Integer.parseInt(written.get("count"));
        assertThat(written.get("failed")).as("failed writes: " + written).isEqualTo("0");

        // Reads go to each key's primary whichever member asks; two readers that are not the writer suffice.
        assertThat(c.command("CHECK data k " + KEYS + " t0 " + VALUE_LENGTH, Duration.ofSeconds(120)))
                .as("the filled keys").isEqualTo("CHECKED ok=" + KEYS + " bad=0");
        ForkedMember other = killJoiner ? b : d;
        assertThat(other.command("CHECK data w " + count + " t1", Duration.ofSeconds(120)))
                .as("the keys written during the migration").isEqualTo("CHECKED ok=" + count + " bad=0");
        assertThat(c.command("SIZE data")).isEqualTo("SIZE " + (KEYS + count));
    }
}
