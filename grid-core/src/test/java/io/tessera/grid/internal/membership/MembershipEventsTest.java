package io.tessera.grid.internal.membership;

import static org.assertj.core.api.Assertions.assertThat;

import io.tessera.grid.GridStatus.MembershipEventKind;
import io.tessera.grid.internal.partition.PartitionTable;
import java.util.List;
import org.jgroups.Address;
import org.jgroups.View;
import org.jgroups.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class MembershipEventsTest {
    private final Address a = UUID.randomUUID();
    private final Address b = UUID.randomUUID();
    private final Address c = UUID.randomUUID();
    private final MembershipEvents events = new MembershipEvents();
    private final PartitionTable withC = PartitionTable.of(2, List.of(List.of(a, b), List.of(c, a)));
    private final PartitionTable withoutC = PartitionTable.of(3, List.of(List.of(a, b), List.of(a, b)));

    @BeforeEach
    void aClusterOfThreeHoldingATable() {
        events.viewChanged(View.create(a, 3, a, b, c), withC, b, 0);
        events.tablePublished(withC, 3);
    }

    @Test
    void aMemberMissingWhileTheTableStillListsIt_crashed() {
        events.viewChanged(View.create(a, 4, a, b), withC, b, 1);

        assertThat(kinds()).containsExactly(MembershipEventKind.JOINED, MembershipEventKind.CRASHED);
    }

    @Test
    void aMemberTheTableDroppedWhileItWasStillInTheView_left() {
        events.tablePublished(withoutC, 3);
        events.viewChanged(View.create(a, 4, a, b), withoutC, b, 1);

        assertThat(kinds()).containsExactly(MembershipEventKind.JOINED, MembershipEventKind.LEFT);
    }

    @Test
    void aTableDecidedAfterTheCrash_arrivingBeforeTheView_stillShowsACrash() {
        // The coordinator saw view 4 first and published a table without c; it reached this member before view 4.
        events.tablePublished(withoutC, 4);
        events.viewChanged(View.create(a, 4, a, b), withoutC, b, 1);

        assertThat(kinds()).containsExactly(MembershipEventKind.JOINED, MembershipEventKind.CRASHED);
    }

    private List<MembershipEventKind> kinds() {
        return events.events().stream().map(MembershipEvents.Event::kind).toList();
    }
}
