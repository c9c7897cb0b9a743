package io.tessera.grid.internal.membership;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jgroups.Address;
import org.jgroups.MergeView;
import org.jgroups.View;

/** The sides of a merge, and which of them keeps its data as it is. */
final class MergeSides {
    private MergeSides() {
    }

    /**
     * The sides of a merge, disjoint: a member that appears in several subgroups (an excluded member can keep an old
     * view that still lists the others) belongs to the newest subgroup that lists it.
     */
    static List<List<Address>> of(MergeView merge) {
        List<View> subgroups = new ArrayList<>(merge.getSubgroups());
        subgroups.sort(Comparator.comparing(View::getViewId).reversed());
        Set<Address> placed = new HashSet<>();
        List<List<Address>> sides = new ArrayList<>();
        for (View subgroup : subgroups) {
            List<Address> side = new ArrayList<>();
            for (Address member : subgroup.getMembers()) {
                if (placed.add(member)) {
                    side.add(member);
                }
            }
            if (!side.isEmpty()) {
                sides.add(side);
            }
        }
        return sides;
    }

    /**
     * The side to keep among {@code sides}, counting only members in {@code states}: the one with the most members; on
     * a tie, the one whose newest table is newer, then the one with the lowest address. Null when no side answered.
     */
    static List<Address> keptSide(List<List<Address>> sides, Map<Address, StateReport> states) {
        List<Address> best = null;
        long bestVersion = -1;
        for (List<Address> side : sides) {
            List<Address> present = side.stream().filter(states::containsKey).toList();
            if (present.isEmpty()) {
                continue;
            }
            long newest = present.stream().mapToLong(a -> states.get(a).table().version()).max().orElse(0);
            if (best == null || present.size() > best.size()
                    || (present.size() == best.size() && newest > bestVersion)
                    || (present.size() == best.size() && newest == bestVersion
                        && lowest(present).compareTo(lowest(best)) < 0)) {
                best = present;
                bestVersion = newest;
            }
        }
        return best;
    }

    private static Address lowest(List<Address> members) {
        return members.stream().min(Comparator.naturalOrder()).orElseThrow();
    }
}
