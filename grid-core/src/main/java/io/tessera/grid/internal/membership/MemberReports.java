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
    private final Map<Address, MemberReport> latest = new ConcurrentHashMap<>();

    /** Keeps {@code report} as the latest of {@code member}. */
    public void file(Address member, MemberReport report) {
        latest.put(member, report);
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
