package io.tessera.redis.chaos;

import io.tessera.grid.GridMap;
import io.tessera.grid.MapConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The chaos run of issue 7: member processes on 127.0.0.1 and a workload that records every write's outcome,
 * through RESP and the Java API, while faults are injected (kill -9 and restart, SIGSTOP beyond the failure
 * detector's timeout, network partitions made with JGroups DISCARD, and a kill while the cluster is still healing);
 * then everything is healed, the cluster must settle, and {@link ChaosCheck} verifies that no acknowledged write
 * was lost.
 *
 * <p>Settings (system properties): {@code tessera.chaos.seconds} (60), {@code tessera.chaos.members} (3 member
 * processes, plus the harness's own member), {@code tessera.chaos.seed} (random; printed),
 * {@code tessera.chaos.settleSeconds} (90), {@code tessera.chaos.minClusterSize} (0: off; see
 * {@link #MIN_CLUSTER_SIZE}). {@code mvn -Pchaos verify} runs only this test, 600 s with 5 members.
 *
 * <p>The harness JVM joins the cluster as one more member (named {@value ChaosCluster#HARNESS}): its Java workload
 * writes through that member's {@link GridMap}, the replica digests are asked through it, and it takes part in
 * network partitions (it has DISCARD too) but is never killed or stopped. Logs: {@code target/chaos/<run>/}, one
 * file per member, and {@code chaos.log} with the harness's own timeline.
 */
class ChaosIT {
    static final String JAVA_MAP = "chaos-java";
    /**
     * The quorum (minimum cluster size) passed to every member as {@code --min-cluster-size} and set on the harness's
     * maps; 0 leaves it off. A write refused for want of quorum is classified FAILED ({@code QuorumException}, RESP
     * {@code CLUSTERDOWN}).
     */
    static final int MIN_CLUSTER_SIZE = Integer.getInteger("tessera.chaos.minClusterSize", 0);
    /** Every map of the run, on every member: the members' own databases and the harness's Java map alike. */
    static final MapConfig MAP_CONFIG = MapConfig.builder().backups(ChaosCluster.BACKUPS)
            .minClusterSize(MIN_CLUSTER_SIZE).build();
    private static final int JAVA_WORKERS = 3;

    @Test
    @Timeout(value = 90, unit = TimeUnit.MINUTES)
    void acknowledgedWrites_surviveKillsPausesAndPartitions() throws Exception {
        int seconds = Integer.getInteger("tessera.chaos.seconds", 60);
        int members = Integer.getInteger("tessera.chaos.members", 3);
        long seed = Long.getLong("tessera.chaos.seed", System.nanoTime() & 0xFFFF_FFFFL);
        Duration settle = Duration.ofSeconds(Integer.getInteger("tessera.chaos.settleSeconds", 90));
        Path logDir = Path.of("target", "chaos", "ChaosIT-" + LocalTime.now().format(
                DateTimeFormatter.ofPattern("HHmmss")) + "-" + seed).toAbsolutePath();
        Files.createDirectories(logDir);
        Timeline timeline = new Timeline(logDir);
        timeline.log("chaos run: " + members + " member processes + the harness member, " + seconds + " s, seed "
                + seed + " (-Dtessera.chaos.seed=" + seed + " repeats its random choices, not its timing),"
                + " min cluster size " + (MIN_CLUSTER_SIZE == 0 ? "off" : MIN_CLUSTER_SIZE) + ", logs in " + logDir);

        List<String> report = new ArrayList<>();
        String summary;
        List<String> failures = new ArrayList<>();
        ChaosCluster cluster = null;
        try {
            cluster = ChaosCluster.start(members, "chaos-" + ProcessHandle.current().pid() + "-" + seed, logDir,
                    timeline, MIN_CLUSTER_SIZE, settle);
            GridMap<String, Object> javaMap = cluster.harness.map(JAVA_MAP, MAP_CONFIG);
            Workload workload = new Workload(cluster.nodes, javaMap, 2 * members, JAVA_WORKERS, seed, timeline);
            int start = timeline.now();
            int end = start + seconds * 1_000;
            FaultInjector faults = new FaultInjector(cluster, seed, timeline, end);
            workload.start();
            faults.start();
            while (timeline.now() < end) {
                Thread.sleep(200);
            }
            faults.requestStop();
            faults.join();
            int faultsEnded = timeline.now();
            faults.healEverything();
            String settleProblem = cluster.awaitSettled(settle);
            workload.stop();
            int workloadEnded = timeline.now();
            // Let what is still in flight inside the grid (retries up to the 15 s operation timeout) end.
            Thread.sleep(7_000);
            if (settleProblem == null) {
                settleProblem = cluster.awaitSettled(settle);
            }
            faults.awaitWatchers();
            if (settleProblem != null) {
                failures.add("the cluster did not settle within " + settle + " after the last heal: " + settleProblem);
            }
            workload.deadWorkers.forEach(w -> failures.add("workload thread died: " + w));
            if (faults.total() == 0) {
                failures.add("no fault was injected (" + faults.skipped.size() + " skipped): the run proves nothing");
            }
            if (faults.failure() != null) {
                failures.add("the fault injector failed: " + faults.failure());
            }

            timeline.log("checks: table, primaries, digests");
            ChaosCheck check = new ChaosCheck(cluster, workload, timeline);
            check.run();

            report.add("run: seed " + seed + ", workload " + Timeline.seconds(workloadEnded - start) + " (faults for "
                    + Timeline.seconds(faultsEnded - start) + "), " + (2 * members) + " RESP workers on "
                    + members + " members and " + JAVA_WORKERS + " Java workers on the harness member");
            Map<String, Integer> kinds = new TreeMap<>();
            faults.counts.forEach((k, v) -> kinds.put(k, v.get()));
            report.add("faults: " + kinds + (faults.skipped.isEmpty() ? "" : ", skipped " + faults.skipped.size()));
            timeline.faults().forEach(f -> report.add("    " + f + (f.note.isEmpty() ? "" : " (" + f.note + ")")));
            faults.skipped.forEach(s -> report.add("    skipped: " + s));
            faults.gateWaits.forEach(s -> report.add("    " + s));
            faults.zombies.forEach(s -> report.add("    " + s));
            report.add("operations (logical; RESP fail-overs " + workload.failovers.sum() + "):");
            new TreeMap<>(workload.tally).forEach((k, v) -> report.add("    " + k + ": " + String.format("%,d",
                    v.sum())));
            report.add("unknown outcomes: " + String.format("%,d", workload.total(History.Outcome.UNKNOWN))
                    + " (of which TRYAGAIN replies admitting the write may have been applied: "
                    + workload.tryAgainAdmittingUnknown.sum() + "); failed (not applied): "
                    + String.format("%,d", workload.total(History.Outcome.FAILED)));
            workload.errorTexts.entrySet().stream()
                    .sorted((a, b) -> Long.compare(b.getValue().sum(), a.getValue().sum())).limit(10)
                    .forEach(e -> report.add(String.format("    %,7d x %s", e.getValue().sum(), e.getKey())));
            if (workload.deletesFindingNothing.sum() > 0) {
                report.add("acknowledged deletes of an acknowledged key that found no key (a lost write, or a"
                        + " delete retried after its first attempt applied): " + workload.deletesFindingNothing.sum()
                        + ", e.g. " + workload.deletesFindingNothingSamples);
            }
            report.addAll(check.details);
            failures.addAll(check.failures);

            summary = String.format("chaos: %d members, %d s, %d faults, %,d acknowledged writes, %,d lost,"
                            + " %s divergent partitions, %s%s", members, seconds, faults.total(),
                    workload.acknowledgedWrites(), check.count(Verdicts.Verdict.LOST),
                    check.divergentPartitions() < 0 ? "?" : Integer.toString(check.divergentPartitions()),
                    check.counterText(), check.summaryExtras(settleProblem == null));
        } catch (Throwable t) {
            timeline.log("the run failed: " + t + "; logs: " + logDir);
            throw t;
        } finally {
            if (cluster != null) {
                cluster.close();
            }
        }
        report.forEach(line -> timeline.log("  " + line));
        if (!failures.isEmpty()) {
            timeline.log("FAILED; logs: " + logDir + " (chaos.log and one log per member)");
            failures.forEach(f -> timeline.log("  failure: " + f));
        }
        timeline.logToFile(summary);
        System.out.println(summary);
        if (!failures.isEmpty()) {
            throw new AssertionError(summary + "\n" + String.join("\n", failures) + "\nlogs: " + logDir);
        }
    }
}
