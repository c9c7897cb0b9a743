package io.tessera.grid;

import java.util.List;

/**
 * One partition as the local member's newest table describes it: its id, the hash slots it covers, its primary and
 * its backups.
 *
 * @param id the partition id, 0..partitionCount-1
 * @param firstSlot the first hash slot (CRC16 of the key mod 16384, honouring {@code {hash tags}})
 * @param lastSlot the last hash slot, inclusive
 * @param primary the member that executes its operations, or {@code null} before the table is known
 * @param backups the members that keep synchronous copies, in promotion order
 */
public record Partition(int id, int firstSlot, int lastSlot, Member primary, List<Member> backups) {
}
