package io.tessera.grid.internal;

import io.tessera.grid.GridConfig;
import io.tessera.grid.GridException;
import io.tessera.grid.internal.cluster.ClusterService;
import io.tessera.grid.internal.wire.MessageType;
import io.tessera.grid.internal.wire.WireReader;
import io.tessera.grid.internal.wire.WireWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jgroups.Address;

/**
 * The join check: a starting member asks every other member for the settings that must match cluster-wide
 * ({@link MessageType#COMPATIBILITY}) and refuses to join when they differ, naming both sides.
 */
final class ClusterCompatibility {
    private ClusterCompatibility() {
    }

    /**
     * The settings every member of a cluster must share: the partition count and backup owners shape the table
     * everyone decodes, and the class registrations decide what every member can read.
     */
    static byte[] of(GridConfig config) {
        WireWriter out = new WireWriter(256);
        out.writeVarInt(config.partitionCount());
        out.writeVarInt(config.maxBackups());
        var registrations = config.serialization().registrations();
        out.writeVarInt(registrations.size());
        for (var r : registrations) {
            out.writeVarInt(r.id()).writeString(r.type().getName());
        }
        return out.toByteArray();
    }

    /** Refuses to join a cluster whose members were started with settings this member cannot work with. */
    static void check(ClusterService cluster, GridConfig config, byte[] mine) {
        List<Address> others = new ArrayList<>(cluster.view().getMembers());
        others.remove(cluster.localAddress());
        if (others.isEmpty()) {
            return;
        }
        WireWriter out = WireWriter.forType(MessageType.COMPATIBILITY, 1);
        var replies = cluster.requestAll(others, out.array(), out.size(),
                config.operationTimeout().toMillis()).join();
        if (replies == null) {
            return; // a member that does not answer in time is being suspected; the others were checked
        }
        for (Address other : others) {
            var rsp = replies.get(other);
            if (rsp == null || !rsp.wasReceived() || rsp.hasException() || rsp.getValue() == null
                    || Arrays.equals(rsp.getValue(), mine)) {
                continue;
            }
            WireReader theirs = new WireReader(rsp.getValue());
            int partitions = theirs.readVarInt();
            int backups = theirs.readVarInt();
            StringBuilder registered = new StringBuilder();
            int count = theirs.readVarInt();
            for (int i = 0; i < count; i++) {
                registered.append(i == 0 ? "" : ", ").append(theirs.readVarInt()).append('=')
                        .append(theirs.readString());
            }
            cluster.close();
            throw new GridException("cannot join cluster '" + config.clusterName() + "': member "
                    + cluster.nameOf(other) + " runs with partitionCount " + partitions + ", maxBackups " + backups
                    + " and registered classes [" + registered + "], this member with partitionCount "
                    + config.partitionCount() + ", maxBackups " + config.maxBackups() + " and "
                    + config.serialization().registrations().stream().map(r -> r.id() + "=" + r.type().getName())
                    .toList() + "; start every member with the same settings and the same registrations");
        }
    }

}
