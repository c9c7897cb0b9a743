package io.tessera.grid.internal.membership;

import io.micrometer.core.instrument.Timer;
import io.tessera.grid.internal.membership.StateReport.Replica;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.jgroups.Address;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The coordinator's rounds that copy partitions, reported: a log line when one starts (partitions, new replicas,
 * about how many bytes, primaries that move), its progress every few seconds while it copies, a line when it ends
 * (bytes the primaries sent, time), and the same figures for the member's meters and status.
 *
 * <p>Progress comes from the members' {@link MemberReport}s: the copies each completed and the bytes each sent since
 * it started, against their sums when the round began; so it lags by up to a report interval, and a copy outside the
 * round (a backup's resync) would count too. The bytes a round moves are estimated when it starts from the primaries'
 * {@link StateReport} (what their records take in memory) and counted when it ends from their answers (what the
 * snapshots took on the wire).
 *
 * <p>Threads: the coordinator thread starts and ends rounds; meters and status pages read from theirs.
 */
final class RebalanceRounds {
    private static final Logger log = LoggerFactory.getLogger(MembershipCoordinator.class);

    private final MemberReports reports;
    private final Timer roundTimer;
    private final AtomicLong roundsRun = new AtomicLong();
    private final LongAdder partitionsCopied = new LongAdder();
    private final LongAdder bytesCopied = new LongAdder();
    private volatile Round copying; // the round that copies now, or null

    RebalanceRounds(MemberReports reports, Timer roundTimer) {
        this.reports = reports;
        this.roundTimer = roundTimer;
    }

    /**
     * One round that copies.
     *
     * @param number the round's number on this member
     * @param partitions the partitions it copies
     * @param replicas the new replicas it fills
     * @param totalBytes the estimated bytes it moves (each partition's bytes on its primary, once per new replica)
     * @param movingPrimaries the partitions whose primary moves
     * @param startNanos when it started ({@code nanoTime})
     * @param baselineCopies the members' completed copies when it started
     * @param baselineBytes the members' sent bytes when it started
     */
    record Round(long number, int partitions, int replicas, long totalBytes, BitSet movingPrimaries, long startNanos,
                 long baselineCopies, long baselineBytes) {
    }

    /** The progress of the round that copies now: partitions and bytes copied so far by the members' reports. */
    record Progress(Round round, int partitionsCopied, long bytesCopied) {
    }

    /** Starts a round from its plan (per partition: current owners, replicas to fill, target owners). */
    Round start(long tableVersion, List<List<Address>> owners, List<List<Address>> syncing,
                List<List<Address>> target, List<Replica> primaryStates) {
        int partitions = 0;
        int copies = 0;
        long bytes = 0;
        BitSet moving = new BitSet(owners.size());
        for (int p = 0; p < owners.size(); p++) {
            int need = syncing.get(p).size();
            if (need > 0) {
                partitions++;
                copies += need;
                Replica primary = primaryStates.get(p);
                bytes += primary == null ? 0 : primary.bytes() * need;
            }
            if (!owners.get(p).isEmpty() && !owners.get(p).get(0).equals(target.get(p).get(0))) {
                moving.set(p);
            }
        }
        long baselineCopies = 0;
        long baselineBytes = 0;
        for (MemberReport report : reports.all().values()) {
            baselineCopies += report.copiesCompleted();
            baselineBytes += report.bytesSent();
        }
        Round started = new Round(roundsRun.incrementAndGet(), partitions, copies, bytes, moving, System.nanoTime(),
                baselineCopies, baselineBytes);
        copying = started;
        log.info("rebalance round {}: table {} copies {} partitions ({} new replicas, about {}) to new owners; {} "
                + "primaries move", started.number(), tableVersion, partitions, copies, size(bytes),
                moving.cardinality());
        return started;
    }

    /** Logs the progress of the round that copies now. */
    void logProgress() {
        Progress progress = progress();
        if (progress == null) {
            return;
        }
        Round r = progress.round();
        log.info("rebalance round {}: {} of {} partitions copied, {} of about {}, {} s", r.number(),
                progress.partitionsCopied(), r.partitions(), size(progress.bytesCopied()), size(r.totalBytes()),
                TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - r.startNanos()));
    }

    /** Ends {@code round}, which published table {@code tableVersion} after its copies sent {@code bytes}. */
    void completed(Round round, long bytes, long tableVersion, int partitionCount, int members) {
        long nanos = System.nanoTime() - round.startNanos();
        partitionsCopied.add(round.partitions());
        bytesCopied.add(bytes);
        if (roundTimer != null) {
            roundTimer.record(nanos, TimeUnit.NANOSECONDS);
        }
        log.info("rebalance round {} done: {} partitions copied, {} sent, in {} ms; table {} balances {} partitions "
                + "over {} members", round.number(), round.partitions(), size(bytes),
                TimeUnit.NANOSECONDS.toMillis(nanos), tableVersion, partitionCount, members);
    }

    /** Forgets the round that copied (completed or aborted). */
    void ended() {
        copying = null;
    }

    /** The rounds that copied partitions (aborted ones included). */
    long roundsRun() {
        return roundsRun.get();
    }

    /** The partitions the completed rounds copied. */
    long partitionsCopied() {
        return partitionsCopied.sum();
    }

    /** The snapshot bytes the completed rounds moved, by the primaries' answers. */
    long bytesCopied() {
        return bytesCopied.sum();
    }

    /** The progress of the round that copies now, or null when none does. */
    Progress progress() {
        Round current = copying;
        if (current == null) {
            return null;
        }
        long copies = 0;
        long bytes = 0;
        for (MemberReport report : reports.all().values()) {
            copies += report.copiesCompleted();
            bytes += report.bytesSent();
        }
        int copied = (int) Math.max(0, Math.min(current.partitions(), copies - current.baselineCopies()));
        return new Progress(current, copied, Math.max(0, bytes - current.baselineBytes()));
    }

    /** The partitions whose primary the round running now moves (empty when none runs). */
    BitSet movingPrimaries() {
        Round current = copying;
        return current == null ? new BitSet() : (BitSet) current.movingPrimaries().clone();
    }

    private static String size(long bytes) {
        return bytes < 1_000_000 ? String.format(Locale.ROOT, "%.1f kB", bytes / 1_000.0)
                : String.format(Locale.ROOT, "%.1f MB", bytes / 1_000_000.0);
    }
}
