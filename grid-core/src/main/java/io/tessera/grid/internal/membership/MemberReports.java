package io.tessera.grid.internal.membership;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jgroups.Address;
import org.jgroups.View;

/**
 * The latest {@link MemberReport} of every member of the view, this member's own included (it files its own when it
 * sends it). Reports of members that left the view are dropped.
 *
 * <p>Threads: filed from JGroups threads and the member's timer, read by any thread; the map is concurrent.
 */
public final class MemberReports {
    private static final long CLOCK_STEP_MILLIS = 10_000;

    private final Map<Address, MemberReport> latest = new ConcurrentHashMap<>();

    /** Keeps {@code report} as the latest of {@code member}. */
    public void file(Address member, MemberReport report) {
        // Reports travel out of band, so two of a member's may arrive in either order: the later one taken stays. One
        // taken much earlier is no reordering but the sender's clock stepped back, and is kept so its figures move on.
        latest.merge(member, report, (kept, arrived) -> {
            long earlierBy = kept.reportedAtMillis() - arrived.reportedAtMillis();
            return earlierBy <= 0 || earlierBy > CLOCK_STEP_MILLIS ? arrived : kept;
        });
    }

    /** The latest report of {@code member}, or null before its first. */
    public MemberReport of(Address member) {
        return latest.get(member);
    }

    /** Every member's latest report. */
    public Map<Address, MemberReport> all() {
        return Map.copyOf(latest);
    }

    /** Forgets the members that are not in {@code view}. */
    public void viewChanged(View view) {
        latest.keySet().removeIf(member -> !view.containsMember(member));
    }
}
