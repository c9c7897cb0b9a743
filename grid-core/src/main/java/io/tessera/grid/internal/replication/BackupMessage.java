package io.tessera.grid.internal.replication;

import io.tessera.grid.internal.replica.CallId;
import io.tessera.grid.internal.replica.Mutation;
import io.tessera.grid.internal.wire.MessageType;
import io.tessera.grid.internal.wire.WireReader;
import io.tessera.grid.internal.wire.WireWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link MessageType#BACKUP} message: the mutations of one step of a partition's primary, under the table version
 * and epoch it acted in, with the result of the call that made them (so a promoted backup answers a retry of it), or
 * with none and a <em>barrier</em>: positions the backup must hold before it acknowledges.
 *
 * @param partition the partition
 * @param tableVersion the version of the primary's table
 * @param epoch the primary's epoch ({@code PartitionTable#epoch})
 * @param calls the calls these mutations answer
 * @param mutations the mutations, in order
 * @param barrier positions the backup must hold (map, epoch, sequence), for a message without mutations
 */
public record BackupMessage(int partition, long tableVersion, long epoch, List<CallRecord> calls,
                            List<Mutation> mutations, List<Position> barrier) {

    /**
     * A call's result as the primary recorded it.
     *
     * @param call the call
     * @param watermark the lowest call number its invoker still waits for
     * @param result the encoded result
     * @param retainMillis how long to keep it
     */
    public record CallRecord(CallId call, long watermark, byte[] result, long retainMillis) {
    }

    /**
     * A replication position of one map-partition.
     *
     * @param map the map
     * @param epoch the epoch
     * @param epochBase the sequence that epoch began at
     * @param sequence the sequence
     */
    public record Position(String map, long epoch, long epochBase, long sequence) {
    }

    /** Encodes the message. */
    public byte[] encode() {
        WireWriter out = WireWriter.forType(MessageType.BACKUP, 64);
        out.writeVarInt(partition);
        out.writeVarLong(tableVersion);
        out.writeVarLong(epoch);
        out.writeVarInt(calls.size());
        for (CallRecord c : calls) {
            c.call().writeTo(out);
            out.writeVarLong(c.watermark()).writeBytes(c.result()).writeVarLong(c.retainMillis());
        }
        out.writeVarInt(mutations.size());
        for (Mutation m : mutations) {
            m.writeTo(out);
        }
        out.writeVarInt(barrier.size());
        for (Position p : barrier) {
            out.writeString(p.map()).writeVarLong(p.epoch()).writeVarLong(p.epochBase()).writeVarLong(p.sequence());
        }
        return out.toByteArray();
    }

    /** Decodes a message whose type byte was read. */
    public static BackupMessage readFrom(WireReader in) {
        int partition = in.readVarInt();
        long tableVersion = in.readVarLong();
        long epoch = in.readVarLong();
        int callCount = in.readVarInt();
        List<CallRecord> calls = new ArrayList<>(callCount);
        for (int i = 0; i < callCount; i++) {
            calls.add(new CallRecord(CallId.readFrom(in), in.readVarLong(), in.readBytes(), in.readVarLong()));
        }
        int count = in.readVarInt();
        List<Mutation> mutations = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            mutations.add(Mutation.readFrom(in));
        }
        int positions = in.readVarInt();
        List<Position> barrier = new ArrayList<>(positions);
        for (int i = 0; i < positions; i++) {
            barrier.add(new Position(in.readString(), in.readVarLong(), in.readVarLong(), in.readVarLong()));
        }
        return new BackupMessage(partition, tableVersion, epoch, calls, mutations, barrier);
    }

    /** The positions a backup must hold to acknowledge: the last mutation of each map, or the barrier. */
    public List<Position> requiredPositions() {
        if (mutations.isEmpty()) {
            return barrier;
        }
        List<Position> required = new ArrayList<>(2);
        for (int i = mutations.size() - 1; i >= 0; i--) {
            Mutation m = mutations.get(i);
            boolean seen = false;
            for (Position p : required) {
                seen |= p.map().equals(m.mapName());
            }
            if (!seen) {
                required.add(new Position(m.mapName(), m.epoch(), m.epochBase(), m.sequence()));
            }
        }
        return required;
    }
}
