package io.tessera.grid.internal.cluster;

import io.tessera.grid.GridClock;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jgroups.Address;
import org.jgroups.JChannel;
import org.jgroups.MergeView;
import org.jgroups.View;
import org.jgroups.ViewId;
import org.jgroups.protocols.FailureDetection;
import org.jgroups.protocols.VERIFY_SUSPECT;
import org.jgroups.protocols.VERIFY_SUSPECT2;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This member's lease on acting as a primary: it may serve reads and writes as a partition's primary only while it
 * can be sure the others have not excluded it and promoted its backups.
 *
 * <h2>Why a lease</h2>
 * JGroups excludes a member only when the member that is (or would become) the coordinator has heard nothing from
 * it for the failure detector's timeout (FD_ALL3: at the earliest {@code timeout - interval} after its last message)
 * and then could not reach it either (VERIFY_SUSPECT2). A member that is paused (a long GC, SIGSTOP, a frozen VM) or
 * cut off does not know it was excluded until it hears of a new view, which can take a minute. Meanwhile the others
 * promote its backups, and without a lease it would serve stale reads and take writes as a primary nobody follows.
 *
 * <h2>How it works</h2>
 * Every {@code lease / 5} this member pings every other member of its view, out of band. A member answers only if
 * the sender is in its own view, with the id of that view; an answer counts only if it names this member's view.
 * The lease lasts until {@code min over members m of (the send time of the newest ping m answered) + lease}, with
 * {@code lease = 0.8 * (FD_ALL3 timeout - interval + VERIFY_SUSPECT2 timeout)}: since {@code m} heard this member at
 * or after that send time, and JGroups excludes a member only after the (would-be) coordinator's own failure detector
 * heard nothing from it for {@code timeout - interval} and its own verification failed, no member can be excluded
 * before its lease runs out. The fifth left over covers clocks that run at slightly different rates. A member alone
 * in its view holds the lease: nobody can exclude it.
 *
 * <p>What a lease costs: while a member is silent (paused, cut off) but not yet excluded, the others cannot renew
 * theirs either, so from a lease after its last answer until the view excludes it every member answers retry; clients
 * see a pause of a few seconds (about 2.5 s with the bundled {@code tcp} stack), never an error or a stale read.
 *
 * <p>Three things <em>fence</em> the member (it refuses to act as a primary) beyond the lapse itself:
 * <ul>
 *   <li>a lapse: fenced until the lease is renewed again; and if the view changed meanwhile, also until a partition
 *       table newer than the one it held at the lapse is installed (its partitions may have moved). A member whose
 *       view, after a lapse, holds fewer than half of the members it had then stays fenced until enough of them are
 *       back: members that went silent (a network cut, not a crash: a crash is noticed well within a lease)
 *       may be serving on the other side, and a minority must not take over their partitions. Of an even split,
 *       only the half with the oldest member of the view before the lapse goes on (both halves know which member
 *       that is); the other stays fenced, since writes acknowledged on both halves (increments of one counter) could
 *       not all survive the merge;</li>
 *   <li>a {@link MergeView}: this member may have been excluded and merged back; fenced until a table newer than the
 *       one it held is installed;</li>
 *   <li>a pause: when the lease thread itself did not run for longer than the lease while other members were in the
 *       view, this member was paused (or starved of CPU). It is then <em>isolated</em> as well: a view that shrinks
 *       to itself does not give the lease back (a member that suspects everyone must not make itself primary of
 *       everything); only answers from other members after the pause do, and it makes no membership decisions until
 *       then.</li>
 * </ul>
 *
 * <p>Threads: one lease thread ({@code tessera-lease-<member>}) pings and watches for pauses; JGroups threads record
 * answers and views; partition threads call {@link #holds()} on every primary operation (volatile reads only).
 * Every piece of state is volatile or in a concurrent map; updates of the expiry are synchronized on this object.
 */
public final class MembershipLease implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MembershipLease.class);
    private static final long NO_LEASE = Long.MAX_VALUE;

    private final ClusterService cluster;
    private final GridClock clock;
    private final Address self;
    private final String memberName;
    private final long leaseNanos;
    private final long pingNanos;
    private final ScheduledExecutorService thread;
    private final Map<Address, Long> answeredAt = new ConcurrentHashMap<>();
    private final List<Runnable> fenceListeners = new CopyOnWriteArrayList<>();
    private volatile View view;
    private volatile long expiresAt = NO_LEASE;
    private volatile boolean isolated;
    private volatile long isolatedAt;
    private volatile boolean fenced;
    private volatile long fencedAt;
    private volatile long tableAtFence;
    private volatile boolean viewChangedSinceFence;
    /**
     * The view's members at the fence, in view order (the first is the oldest, its coordinator then); taken again from
     * the view when the coordinator of a view formed since the fence sends this member a newer table.
     */
    private volatile List<Address> membersAtFence = List.of();
    private volatile boolean fencedBySilence;
    private volatile long tableVersion;
    private volatile long lastTick;

    /**
     * Creates the lease of the member on {@code channel}, with its length derived from the channel's failure
     * detection; call {@link #start()} once connected.
     */
    public MembershipLease(ClusterService cluster, GridClock clock, String memberName) {
        this.cluster = cluster;
        this.clock = clock;
        this.self = cluster.localAddress();
        this.memberName = memberName;
        this.leaseNanos = leaseNanos(cluster.channel());
        this.pingNanos = leaseNanos == NO_LEASE ? TimeUnit.SECONDS.toNanos(1) : Math.max(leaseNanos / 5,
                TimeUnit.MILLISECONDS.toNanos(20));
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "tessera-lease-" + memberName);
            t.setDaemon(true);
            return t;
        });
        if (leaseNanos == NO_LEASE) {
            log.warn("member {}: the JGroups stack has no FD_ALL3 (or FD_ALL/FD_ALL2), so a hung member is never"
                    + " excluded; leases are off", memberName);
        }
    }

    /**
     * The lease length for a stack: four fifths of the earliest time after a member's last message at which its
     * exclusion can be confirmed, or {@link #NO_LEASE} when the stack never excludes a silent member.
     */
    static long leaseNanos(JChannel channel) {
        FailureDetection fd = channel.getProtocolStack().findProtocol(FailureDetection.class);
        if (fd == null) {
            return NO_LEASE;
        }
        long verify = 0;
        VERIFY_SUSPECT2 verify2 = channel.getProtocolStack().findProtocol(VERIFY_SUSPECT2.class);
        VERIFY_SUSPECT verify1 = channel.getProtocolStack().findProtocol(VERIFY_SUSPECT.class);
        if (verify2 != null) {
            verify = verify2.getTimeout();
        } else if (verify1 != null) {
            verify = verify1.getTimeout();
        }
        long earliestExclusionMillis = Math.max(fd.getTimeout() - fd.getInterval(), 0) + verify;
        return TimeUnit.MILLISECONDS.toNanos(Math.max(earliestExclusionMillis * 4 / 5, 100));
    }

    /** Starts pinging. */
    public void start() {
        lastTick = clock.nanoTime();
        View current = cluster.view();
        if (current != null) {
            viewChanged(current);
        }
        thread.scheduleWithFixedDelay(this::tick, pingNanos, pingNanos, TimeUnit.NANOSECONDS);
    }

    /** Runs {@code listener} (on the lease or a JGroups thread) whenever this member becomes fenced. */
    public void onFenced(Runnable listener) {
        fenceListeners.add(listener);
    }

    /** The lease length in milliseconds, or {@link Long#MAX_VALUE} when leases are off. */
    public long leaseMillis() {
        return leaseNanos == NO_LEASE ? Long.MAX_VALUE : TimeUnit.NANOSECONDS.toMillis(leaseNanos);
    }

    /**
     * Whether this member may act as a primary now: it holds the lease and is neither fenced nor isolated. Called on
     * every primary operation; cheap.
     */
    public boolean holds() {
        return !fenced && !isolated && clock.nanoTime() < expiresAt;
    }

    /** The newest table this member had installed when it was fenced (or last merged while fenced). */
    public long tableAtFence() {
        return tableAtFence;
    }

    /** Whether this member was paused and has not heard from the others since: it must make no decisions. */
    public boolean isolated() {
        return isolated;
    }

    /**
     * Whether this member is cut off in a minority: fenced after a lapse, its view holds fewer than half of the members
     * it had then, or exactly half but not the oldest of them (members that joined since do not count: a minority is
     * not made a majority by a restarted member that happened to find it first). It makes no membership decisions (it
     * would take over partitions the majority serves). It is back in the majority once the coordinator of a view
     * formed since the fence sends it a newer table (see {@link #tableInstalled}).
     */
    public boolean inMinority() {
        View current = view;
        List<Address> before = membersAtFence;
        if (!fenced || current == null || before.isEmpty()) {
            return false;
        }
        Set<Address> had = Set.copyOf(before);
        long stayed = current.getMembers().stream().filter(had::contains).count();
        // An even split: both halves see exactly half. Only the half that kept the oldest member of the view they
        // shared goes on; the other would acknowledge writes the merge must later drop (a counter's increments on
        // both halves cannot both survive).
        return stayed * 2 < before.size() || stayed * 2 == before.size() && !current.containsMember(before.get(0));
    }

    /**
     * Whether this member is fenced because members went silent (its lease lapsed) or it was paused, rather than only
     * because it merged: members that leave the view meanwhile left by silence, not by a crash, and may be alive.
     */
    public boolean fencedBySilence() {
        return fenced && fencedBySilence;
    }

    /** Why this member does not hold the lease now, for error messages and status; null when it does. */
    public String whyNotHeld() {
        if (isolated) {
            return "member " + memberName + " was paused and has not heard from the others since";
        }
        if (inMinority()) {
            return "member " + memberName + " is cut off with fewer than half of the members it had (or half, without"
                    + " the oldest)";
        }
        if (fenced) {
            return "member " + memberName + " is fenced until its lease is renewed and a current partition table"
                    + " is installed";
        }
        if (clock.nanoTime() >= expiresAt) {
            return "member " + memberName + "'s lease lapsed: not every member of its view answered within "
                    + leaseMillis() + " ms";
        }
        return null;
    }

    /** Takes a new view (JGroups thread). */
    public void viewChanged(View newView) {
        long now = clock.nanoTime();
        synchronized (this) {
            view = newView;
            answeredAt.keySet().retainAll(newView.getMembers());
            for (Address member : newView.getMembers()) {
                // A member new to the view starts its failure detector's watch of us about now; it has not answered a
                // ping yet, which renewedByAllSince tells by the time just before now.
                answeredAt.putIfAbsent(member, now - 1);
            }
            if (fenced) {
                viewChangedSinceFence = true;
            }
            recompute();
        }
        if (newView instanceof MergeView) {
            fence(now, "merged into view " + newView.getViewId() + " (it may have been excluded meanwhile)", true);
        }
        tryUnfence(now);
    }

    /** Records that this member installed partition table {@code version}. */
    public void tableInstalled(long version) {
        synchronized (this) {
            if (version > tableVersion) {
                tableVersion = version;
            }
            View current = view;
            if (fenced && viewChangedSinceFence && version > tableAtFence && current != null) {
                // Tables come only from the coordinator of this member's current view, and a coordinator in a
                // minority publishes none: the majority has taken this member back. The members counted at the fence
                // may be gone for good by now (a crashed member restarts under a new address), so measuring against
                // them would keep this member "in a minority" forever; a later split is measured against this view.
                membersAtFence = List.copyOf(current.getMembers());
            }
        }
        tryUnfence(clock.nanoTime());
    }

    private void tick() {
        try {
            long now = clock.nanoTime();
            long gap = now - lastTick;
            lastTick = now;
            View current = view;
            boolean others = current != null && current.size() > 1;
            if (leaseNanos != NO_LEASE && others && gap > leaseNanos) {
                if (!isolated) {
                    isolatedAt = now;
                    isolated = true;
                    log.warn("member {} did not run for {} ms (GC pause, SIGSTOP or CPU starvation), longer than its"
                            + " {} ms lease: it stops acting as a primary until it has heard from the other members",
                            memberName, TimeUnit.NANOSECONDS.toMillis(gap), leaseMillis());
                }
                fence(now, "paused", false);
            }
            if (!fenced && now >= expiresAt) {
                fence(now, "lease lapsed: " + silentMembers(now) + " did not answer within " + leaseMillis() + " ms",
                        false);
            }
            tryUnfence(now);
            ping(current, now);
        } catch (RuntimeException | Error e) {
            log.error("lease tick failed", e);
        }
    }

    private String silentMembers(long now) {
        StringBuilder silent = new StringBuilder();
        View current = view;
        if (current == null) {
            return "nobody";
        }
        for (Address member : current.getMembers()) {
            Long at = answeredAt.get(member);
            if (!member.equals(self) && (at == null || at + leaseNanos <= now)) {
                silent.append(silent.length() == 0 ? "" : ", ").append(cluster.nameOf(member));
            }
        }
        return silent.length() == 0 ? "nobody" : silent.toString();
    }

    private void ping(View current, long sendTime) {
        if (current == null || current.size() <= 1 || leaseNanos == NO_LEASE) {
            return;
        }
        byte[] payload = LeasePing.request();
        long timeoutMillis = Math.max(1, TimeUnit.NANOSECONDS.toMillis(leaseNanos));
        for (Address member : current.getMembers()) {
            if (member.equals(self)) {
                continue;
            }
            cluster.requestOutOfBand(member, payload, payload.length, timeoutMillis).whenComplete((answer, e) -> {
                if (e == null && answer != null) {
                    onAnswer(member, sendTime, answer);
                }
            });
        }
    }

    private void onAnswer(Address member, long sendTime, byte[] answer) {
        ViewId theirs = LeasePing.readAnswer(answer);
        if (theirs == null) {
            return; // it does not count this member as one of its own: no renewal
        }
        View current = view;
        if (current == null || !current.getViewId().equals(theirs)) {
            return; // mid-change, or another view altogether: wait until both agree
        }
        synchronized (this) {
            Long previous = answeredAt.get(member);
            if (previous == null || previous < sendTime) {
                answeredAt.put(member, sendTime);
            }
            recompute();
        }
        long now = clock.nanoTime();
        if (isolated && renewedByAllSince(isolatedAt)) {
            isolated = false;
            log.info("member {} heard from every member of view {} after its pause; it takes part again",
                    memberName, current.getViewId());
        }
        tryUnfence(now);
    }

    private boolean renewedByAllSince(long since) {
        View current = view;
        if (current == null || current.size() <= 1) {
            return false;
        }
        for (Address member : current.getMembers()) {
            if (member.equals(self)) {
                continue;
            }
            Long at = answeredAt.get(member);
            if (at == null || at < since) {
                return false;
            }
        }
        return true;
    }

    /** Recomputes the expiry from the answers; the caller holds this object's monitor. */
    private void recompute() {
        View current = view;
        if (leaseNanos == NO_LEASE || current == null || current.size() <= 1) {
            expiresAt = NO_LEASE;
            return;
        }
        long min = Long.MAX_VALUE;
        for (Address member : current.getMembers()) {
            if (member.equals(self)) {
                continue;
            }
            Long at = answeredAt.get(member);
            min = Math.min(min, at == null ? Long.MIN_VALUE / 2 : at);
        }
        expiresAt = min + leaseNanos;
    }

    private void fence(long now, String why, boolean needsTable) {
        boolean newlyFenced;
        synchronized (this) {
            newlyFenced = !fenced;
            if (newlyFenced) {
                fenced = true;
                fencedAt = now;
                tableAtFence = tableVersion;
                viewChangedSinceFence = needsTable;
                View current = view;
                membersAtFence = current == null ? List.of() : List.copyOf(current.getMembers());
                fencedBySilence = !needsTable;
            } else if (needsTable) {
                viewChangedSinceFence = true;
                tableAtFence = Math.max(tableAtFence, tableVersion);
            } else {
                fencedBySilence = true;
            }
        }
        if (newlyFenced) {
            log.warn("member {} stops acting as a primary: {}", memberName, why);
            for (Runnable listener : fenceListeners) {
                try {
                    listener.run();
                } catch (RuntimeException e) {
                    log.warn("fence listener failed", e);
                }
            }
        }
    }

    private void tryUnfence(long now) {
        if (!fenced || isolated || now >= expiresAt) {
            return;
        }
        synchronized (this) {
            if (!fenced || isolated || now >= expiresAt) {
                return;
            }
            if (inMinority()) {
                return; // the others may serve on their side: wait until they are back in the view
            }
            if (viewChangedSinceFence && tableVersion <= tableAtFence) {
                return; // the partitions may have moved: wait for the coordinator's next table
            }
            if (expiresAt != NO_LEASE && !renewedByAllSince(fencedAt)) {
                return;
            }
            fenced = false;
            fencedBySilence = false;
        }
        log.info("member {} acts as a primary again (view {}, table {})", memberName,
                view == null ? "?" : view.getViewId(), tableVersion);
    }

    /** Stops pinging. */
    @Override
    public void close() {
        thread.shutdownNow();
    }

    @Override
    public String toString() {
        return "MembershipLease{" + memberName + ", lease=" + leaseMillis() + "ms, holds=" + holds()
                + ", fenced=" + fenced + ", isolated=" + isolated + "}";
    }
}
