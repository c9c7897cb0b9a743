package io.tessera.grid.internal.membership;

import io.tessera.grid.internal.partition.PartitionTable;
import io.tessera.grid.internal.wire.MessageType;
import io.tessera.grid.internal.wire.WireReader;
import io.tessera.grid.internal.wire.WireWriter;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import org.jgroups.Address;

/**
 * The figures a member reports about itself every second ({@link MessageType#MEMBER_REPORT}, one-way, to every other
 * member), so that any member's {@code Grid.status()} shows the whole cluster without sending a message when it is
 * asked. About a hundred bytes while nothing migrates.
 *
 * <p>Wire format after the type byte: address (string, {@code host:port} or empty), startedAt and reportedAt (varlong,
 * wall milliseconds), heap used and max (varlong, bytes), primary entries (varlong), operations per second as primary
 * (fixed 8-byte IEEE double bits), migration copies completed and bytes sent since start (varlong each, the coordinator
 * takes a round's progress from them), the copies running now (varint count, then per copy: varint partition, varint
 * target count and each target as two fixed longs, varlong copied bytes, varlong total bytes or -1, varlong startedAt),
 * and the partitions whose primary the sender, as coordinator, is moving now (a bitset as length-prefixed bytes; empty
 * unless it coordinates a round that copies).
 *
 * @param address the sender's transport address ({@code host:port}), or empty where its stack has none
 * @param startedAtMillis when the sender started
 * @param reportedAtMillis when the sender took these figures, by its clock
 * @param heapUsedBytes the sender's used heap
 * @param heapMaxBytes the sender's maximum heap
 * @param primaryEntries the entries the sender holds as primary, over all maps
 * @param opsPerSecond the operations per second the sender executed as primary over the last report interval
 * @param copiesCompleted the migration copies the sender completed as their source since it started
 * @param bytesSent the snapshot bytes the sender sent for migrations since it started
 * @param copies the copies the sender runs now
 * @param movingPrimaries the partitions whose primary the sender, as coordinator, moves in the running round
 */
public record MemberReport(String address, long startedAtMillis, long reportedAtMillis, long heapUsedBytes,
                           long heapMaxBytes, long primaryEntries, double opsPerSecond, long copiesCompleted,
                           long bytesSent, List<Copy> copies, BitSet movingPrimaries) {

    /** Copies the list and the set. */
    public MemberReport {
        copies = List.copyOf(copies);
        movingPrimaries = (BitSet) movingPrimaries.clone();
    }

    /**
     * One copy the sender runs.
     *
     * @param partition the partition
     * @param targets the members that receive it
     * @param copiedBytes the bytes sent so far
     * @param totalBytes the bytes it sends, or -1 until known
     * @param startedAtMillis when it started
     */
    public record Copy(int partition, List<Address> targets, long copiedBytes, long totalBytes,
                       long startedAtMillis) {
        /** Copies the targets. */
        public Copy {
            targets = List.copyOf(targets);
        }
    }

    /** Encodes the report as a {@link MessageType#MEMBER_REPORT} message. */
    public WireWriter encode() {
        WireWriter out = WireWriter.forType(MessageType.MEMBER_REPORT, 96 + copies.size() * 48);
        out.writeString(address);
        out.writeVarLong(startedAtMillis).writeVarLong(reportedAtMillis);
        out.writeVarLong(heapUsedBytes).writeVarLong(heapMaxBytes);
        out.writeVarLong(primaryEntries);
        out.writeLong(Double.doubleToRawLongBits(opsPerSecond));
        out.writeVarLong(copiesCompleted).writeVarLong(bytesSent);
        out.writeVarInt(copies.size());
        for (Copy copy : copies) {
            out.writeVarInt(copy.partition());
            out.writeVarInt(copy.targets().size());
            copy.targets().forEach(t -> PartitionTable.writeAddress(out, t));
            out.writeVarLong(copy.copiedBytes()).writeVarLong(copy.totalBytes()).writeVarLong(copy.startedAtMillis());
        }
        out.writeBytes(movingPrimaries.toByteArray());
        return out;
    }

    /** Decodes a report (after the type byte). */
    public static MemberReport readFrom(WireReader in) {
        String address = in.readString();
        long startedAt = in.readVarLong();
        long reportedAt = in.readVarLong();
        long heapUsed = in.readVarLong();
        long heapMax = in.readVarLong();
        long entries = in.readVarLong();
        double ops = Double.longBitsToDouble(in.readLong());
        long completed = in.readVarLong();
        long sent = in.readVarLong();
        int n = in.readVarInt();
        List<Copy> copies = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int partition = in.readVarInt();
            int targetCount = in.readVarInt();
            List<Address> targets = new ArrayList<>(targetCount);
            for (int t = 0; t < targetCount; t++) {
                targets.add(PartitionTable.readAddress(in));
            }
            copies.add(new Copy(partition, targets, in.readVarLong(), in.readVarLong(), in.readVarLong()));
        }
        BitSet moving = BitSet.valueOf(in.readBytes());
        return new MemberReport(address, startedAt, reportedAt, heapUsed, heapMax, entries, ops, completed, sent,
                copies, moving);
    }
}
