package io.tessera.grid.internal.membership;

import io.tessera.grid.GridStatus.MembershipEventKind;
import io.tessera.grid.internal.partition.PartitionTable;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jgroups.Address;
import org.jgroups.MergeView;
import org.jgroups.View;

/**
 * The last {@value #CAPACITY} membership events one member saw, told from its successive views.
 *
 * <p>Crashed or left: JGroups shows both as a member missing from the next view (a process that is killed and one
 * that closes its channel look alike to the others once failure detection is done). What tells them apart on every
 * member is the partition table: a member that leaves gracefully hands every partition off and waits until the table
 * lists it nowhere before it disconnects, so a member that disappears while the table still gives it replicas did not
 * leave, it crashed (or was cut off). A member that held nothing (more members than replicas) counts as left.
 *
 * <p>The table alone is not enough: after a crash the coordinator publishes a table without the crashed member as soon
 * as its own view changed, and that table can reach another member before that member's view does. So every table
 * comes with the id of the view the coordinator decided it in, and a member that a table dropped in a view that no
 * longer held it crashed; one dropped while it was still a member handed its partitions off and left.
 *
 * <p>Threads: views arrive on a JGroups thread, status pages read on theirs; methods are synchronized.
 */
public final class MembershipEvents {
    /** How many events are kept. */
    public static final int CAPACITY = 50;

    /**
     * One event.
     *
     * @param atMillis when this member saw it (the grid clock's wall milliseconds)
     * @param kind what happened
     * @param members whom it concerns
     * @param viewSize the members after it
     */
    public record Event(long atMillis, MembershipEventKind kind, List<Address> members, int viewSize) {
        /** Copies the members. */
        public Event {
            members = List.copyOf(members);
        }
    }

    private final ArrayDeque<Event> events = new ArrayDeque<>(CAPACITY);
    private final Map<Address, Long> droppedInView = new HashMap<>();
    private View previous;
    private PartitionTable lastPublished;

    /**
     * Takes a table as the coordinator published it, decided in the view with id {@code viewId}, and remembers in which
     * view it dropped each member the table before it listed.
     */
    public synchronized void tablePublished(PartitionTable table, long viewId) {
        PartitionTable before = lastPublished;
        if (before != null && table.version() <= before.version()) {
            return;
        }
        lastPublished = table;
        if (before == null) {
            return;
        }
        for (Address member : mentioned(before)) {
            if (!mentions(table, member)) {
                droppedInView.put(member, viewId);
            }
        }
        droppedInView.keySet().removeIf(member -> mentions(table, member));
    }

    /**
     * Takes a new view, with the table this member had when it came ({@code table} still lists the members that
     * crashed), and records what changed; the first view records this member's own join.
     */
    public synchronized void viewChanged(View view, PartitionTable table, Address self, long nowMillis) {
        View before = previous;
        previous = view;
        if (before == null) {
            add(new Event(nowMillis, MembershipEventKind.JOINED, List.of(self), view.size()));
            return;
        }
        List<Address> arrived = new ArrayList<>();
        for (Address member : view.getMembers()) {
            if (!before.containsMember(member)) {
                arrived.add(member);
            }
        }
        List<Address> crashed = new ArrayList<>();
        List<Address> left = new ArrayList<>();
        for (Address member : before.getMembers()) {
            if (!view.containsMember(member)) {
                Long dropped = droppedInView.get(member);
                boolean droppedAfterItWasGone = dropped != null && dropped >= view.getViewId().getId();
                (mentions(table, member) || droppedAfterItWasGone ? crashed : left).add(member);
            }
        }
        droppedInView.keySet().removeIf(member -> !view.containsMember(member));
        if (!arrived.isEmpty()) {
            MembershipEventKind kind = view instanceof MergeView ? MembershipEventKind.MERGED
                    : MembershipEventKind.JOINED;
            add(new Event(nowMillis, kind, arrived, view.size()));
        }
        if (!crashed.isEmpty()) {
            add(new Event(nowMillis, MembershipEventKind.CRASHED, crashed, view.size()));
        }
        if (!left.isEmpty()) {
            add(new Event(nowMillis, MembershipEventKind.LEFT, left, view.size()));
        }
    }

    /** The events, oldest first. */
    public synchronized List<Event> events() {
        return List.copyOf(events);
    }

    private void add(Event event) {
        if (events.size() == CAPACITY) {
            events.removeFirst();
        }
        events.addLast(event);
    }

    private static Set<Address> mentioned(PartitionTable table) {
        Set<Address> members = new HashSet<>();
        for (int p = 0; p < table.partitionCount(); p++) {
            members.addAll(table.ownerList(p));
            members.addAll(Arrays.asList(table.syncing(p)));
        }
        return members;
    }

    private static boolean mentions(PartitionTable table, Address member) {
        for (int p = 0; p < table.partitionCount(); p++) {
            if (table.ownerIndex(p, member) >= 0 || table.isSyncing(p, member)) {
                return true;
            }
        }
        return false;
    }
}
