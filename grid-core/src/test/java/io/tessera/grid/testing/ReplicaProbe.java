package io.tessera.grid.testing;

import io.tessera.grid.Grid;
import io.tessera.grid.internal.GridNode;
import io.tessera.grid.internal.operation.PartitionQuery;
import io.tessera.grid.internal.operation.QueryKind;
import io.tessera.grid.internal.partition.PartitionTable;
import io.tessera.grid.internal.partition.SlotHashing;
import io.tessera.grid.internal.replica.MapSettings;
import io.tessera.grid.internal.store.BytesKey;
import io.tessera.grid.internal.store.Record;
import io.tessera.grid.internal.store.RecordStore;
import io.tessera.grid.internal.wire.WireReader;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jgroups.Address;

/**
 * Test-only views of where keys live and what each replica holds, read straight from a member's partition engine
 * (no network, no effect on the data: a digest query neither touches nor expires anything).
 */
public final class ReplicaProbe {
    private ReplicaProbe() {
    }

    /**
     * What one member holds of a map in one partition.
     *
     * @param primary whether the member serves as the partition's primary
     * @param sequence the last applied map-partition sequence
     * @param count the number of records held, expired-but-not-yet-removed ones included
     * @param digest the order-independent digest of (key, version)
     */
    public record Digest(boolean primary, long sequence, int count, long digest) {
        /** Whether two replicas hold the same thing (the primary flag aside). */
        public boolean sameContent(Digest other) {
            return other != null && sequence == other.sequence && count == other.count && digest == other.digest;
        }
    }

    /** The member as a {@link GridNode}. */
    public static GridNode node(Grid grid) {
        return (GridNode) grid;
    }

    /** The partition of {@code key}. */
    public static int partitionOf(Grid grid, Object key) {
        GridNode node = node(grid);
        return SlotHashing.partition(node.serializer().encodeKey(key), node.config().partitionCount());
    }

    /** The member at owner position {@code index} (0 = primary) of {@code key} under the first member's table. */
    public static Grid ownerOf(List<Grid> members, Object key, int index) {
        PartitionTable table = node(members.get(0)).table();
        Address[] owners = table.owners(partitionOf(members.get(0), key));
        if (index >= owners.length) {
            return null;
        }
        return memberAt(members, owners[index]);
    }

    /** The primary of {@code key} under the first member's table. */
    public static Grid primaryOf(List<Grid> members, Object key) {
        return ownerOf(members, key, 0);
    }

    /** The member with {@code address}, or null. */
    public static Grid memberAt(List<Grid> members, Address address) {
        for (Grid g : members) {
            if (node(g).address().equals(address)) {
                return g;
            }
        }
        return null;
    }

    /**
     * {@code count} keys {@code prefix + i} whose owner at {@code index} (0 = primary) is {@code owner}, under the
     * first member's table.
     */
    public static List<String> keysOwnedBy(List<Grid> members, Grid owner, int index, String prefix, int count) {
        List<String> keys = new ArrayList<>(count);
        for (int i = 0; keys.size() < count; i++) {
            if (i > 1_000_000) {
                throw new IllegalStateException("no keys owned by " + owner + " at " + index);
            }
            String key = prefix + i;
            if (ownerOf(members, key, index) == owner) {
                keys.add(key);
            }
        }
        return keys;
    }

    /** {@code count} keys whose primary is {@code primary}. */
    public static List<String> keysWithPrimary(List<Grid> members, Grid primary, String prefix, int count) {
        return keysOwnedBy(members, primary, 0, prefix, count);
    }

    /**
     * What {@code member} holds of {@code map}, per partition it has a complete replica of (primary, backup or a
     * synced new replica); partitions it does not hold are absent.
     */
    public static Map<Integer, Digest> localDigests(Grid member, String map) {
        GridNode node = node(member);
        int partitions = node.config().partitionCount();
        int[] all = new int[partitions];
        for (int p = 0; p < partitions; p++) {
            all[p] = p;
        }
        byte[] reply;
        try {
            reply = node.queries().run(new PartitionQuery(QueryKind.DIGEST, new MapSettings(map, 0, false, 0, 0,
                    (byte) 0), all)).get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("digest query on " + member + " failed", e);
        }
        Map<Integer, Digest> digests = new TreeMap<>();
        PartitionQuery.decodeReply(reply).forEach((p, payload) -> {
            if (payload != null) {
                WireReader in = new WireReader(payload);
                digests.put(p, new Digest(in.readBoolean(), in.readVarLong(), in.readVarInt(), in.readLong()));
            }
        });
        return digests;
    }

    /** The record of {@code key} in {@code member}'s replica, or null; read on the partition's thread. */
    public static Record recordOn(Grid member, String map, Object key) {
        GridNode node = node(member);
        int p = partitionOf(member, key);
        CompletableFuture<Record> record = new CompletableFuture<>();
        node.replicas().execute(p, replica -> {
            RecordStore store = replica.existingStore(map);
            record.complete(store == null ? null : store.get(new BytesKey(node.serializer().encodeKey(key))));
        });
        try {
            return record.get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("cannot read the record store of partition " + p, e);
        }
    }

    /** The number of records of {@code map} in {@code member}'s memory, over every partition it holds. */
    public static long recordCount(Grid member, String map) {
        return localDigests(member, map).values().stream().mapToLong(Digest::count).sum();
    }

    /** The number of records of {@code map} that {@code member} holds in partition {@code p}, or -1 for no replica. */
    public static int recordCount(Grid member, String map, int p) {
        Digest d = localDigests(member, map).get(p);
        return d == null ? -1 : d.count();
    }

    /**
     * For every partition, whether the primary and the first {@code backups} backups (under each member's own
     * table, which must agree) report the same sequence, count and digest, and only the primary reports itself as
     * primary; returns a description of the first disagreement, or null when every partition agrees.
     */
    public static String replicaDisagreement(List<Grid> members, String map, int backups) {
        PartitionTable table = node(members.get(0)).table();
        for (Grid g : members) {
            if (node(g).table().version() != table.version()) {
                return "tables differ: " + node(g).table().version() + " vs " + table.version();
            }
        }
        Map<Grid, Map<Integer, Digest>> all = new java.util.LinkedHashMap<>();
        for (Grid g : members) {
            all.put(g, localDigests(g, map));
        }
        for (int p = 0; p < table.partitionCount(); p++) {
            Address[] owners = table.owners(p);
            Grid primary = memberAt(members, owners[0]);
            Digest reference = all.get(primary).get(p);
            if (reference == null || !reference.primary()) {
                return "partition " + p + ": primary " + primary.localMember().name() + " reports " + reference;
            }
            for (int i = 1; i <= Math.min(backups, owners.length - 1); i++) {
                Grid backup = memberAt(members, owners[i]);
                Digest d = all.get(backup).get(p);
                if (d == null || d.primary() || !d.sameContent(reference)) {
                    return "partition " + p + ": primary " + primary.localMember().name() + " " + reference
                            + " but backup " + backup.localMember().name() + " " + d;
                }
            }
            for (Grid g : members) {
                Digest d = all.get(g).get(p);
                if (d != null && d.primary() && g != primary) {
                    return "partition " + p + ": " + g.localMember().name() + " also claims to be primary";
                }
            }
        }
        return null;
    }
}
