package io.tessera.grid.internal.membership;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.BitSet;
import java.util.List;
import org.jgroups.Address;
import org.jgroups.util.UUID;
import org.junit.jupiter.api.Test;

class MemberReportsTest {
    private final Address member = UUID.randomUUID();
    private final MemberReports reports = new MemberReports();

    @Test
    void aReportOvertakenOutOfBand_doesNotReplaceTheLaterOne() {
        reports.file(member, reportTakenAt(2_000, 20));
        reports.file(member, reportTakenAt(1_000, 10));

        assertThat(reports.of(member).primaryEntries()).isEqualTo(20);
    }

    @Test
    void laterReports_replaceEarlierOnes() {
        reports.file(member, reportTakenAt(1_000, 10));
        reports.file(member, reportTakenAt(2_000, 20));

        assertThat(reports.of(member).primaryEntries()).isEqualTo(20);
    }

    @Test
    void aSenderWhoseClockSteppedBack_isStillFollowed() {
        reports.file(member, reportTakenAt(100_000, 10));
        reports.file(member, reportTakenAt(50_000, 20));

        assertThat(reports.of(member).primaryEntries()).isEqualTo(20);
    }

    private static MemberReport reportTakenAt(long reportedAtMillis, long primaryEntries) {
        return new MemberReport("127.0.0.1:7800", 0, reportedAtMillis, 1, 2, primaryEntries, 0, 0, 0, List.of(),
                new BitSet());
    }
}
