package io.tessera.grid.internal.membership;

import io.tessera.grid.GridClock;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.jgroups.Address;
import org.jgroups.View;

/**
 * The members one member saw leave its view by silence (cut off or hung, maybe alive with their replicas) rather than
 * by a crash or a graceful leave. A partition whose every replica left this way waits {@link #GRACE_MILLIS} for one of
 * them to come back before it restarts empty. Every member keeps and reports its own record, so a coordinator that
 * takes over later (after a merge, say) still knows which partitions wait for whom.
 *
 * <p>Threads: written from view callbacks, read by state requests; the map is concurrent.
 */
final class SilentDepartures {
    /**
     * How long a partition whose every replica left by silence waits for one of them. Meanwhile its operations time
     * out ("not applied"), which is better than serving it empty and having the merge keep the empty side's newer
     * writes over the acknowledged old ones.
     */
    static final long GRACE_MILLIS = 60_000;

    private final GridClock clock;
    private final Map<Address, Long> departedAtNanos = new ConcurrentHashMap<>();

    SilentDepartures(GridClock clock) {
        this.clock = clock;
    }

    /**
     * Records the members of {@code previous} missing from {@code next} when this member was fenced by silence as they
     * went (it did not hear them before they left), and forgets departures whose grace is over.
     */
    void viewChanged(View previous, View next, boolean fencedBySilence) {
        long now = clock.nanoTime();
        if (previous != null && fencedBySilence) {
            for (Address member : previous.getMembers()) {
                if (!next.containsMember(member)) {
                    departedAtNanos.put(member, now);
                }
            }
        }
        long horizon = now - TimeUnit.MILLISECONDS.toNanos(GRACE_MILLIS);
        departedAtNanos.values().removeIf(at -> at - horizon < 0);
    }

    /** The members still within their grace, to how many milliseconds of it are left. */
    Map<Address, Long> remainingMillis() {
        long now = clock.nanoTime();
        Map<Address, Long> left = new HashMap<>();
        departedAtNanos.forEach((member, at) -> {
            long millis = GRACE_MILLIS - TimeUnit.NANOSECONDS.toMillis(now - at);
            if (millis > 0) {
                left.put(member, millis);
            }
        });
        return left;
    }

    /**
     * How long (ms) a partition whose replicas were {@code owners} still waits for one of them, by the members'
     * reports merged in {@code reported}; 0 when one of them crashed or left gracefully (nobody saw it leave by
     * silence), since its replica is gone.
     */
    static long waitFor(Address[] owners, Map<Address, Long> reported) {
        if (owners.length == 0) {
            return 0;
        }
        long longest = 0;
        for (Address owner : owners) {
            Long millis = reported.get(owner);
            if (millis == null) {
                return 0;
            }
            longest = Math.max(longest, millis);
        }
        return longest;
    }
}
