package io.tessera.grid.internal.partition;

import io.tessera.grid.internal.wire.WireReader;
import io.tessera.grid.internal.wire.WireWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jgroups.Address;
import org.jgroups.util.UUID;

/**
 * An immutable, versioned assignment of every partition to its owners ({@code [primary, backup1, ...]}), to the
 * replicas that are being filled ({@code syncing}) while a migration runs, and to the <em>epoch</em> of its primary.
 *
 * <p>The coordinator makes tables; every member applies them in version order and routes by the newest. A table
 * with version 0 is the empty table a member holds before it learned the real one.
 *
 * <p>The epoch of partition p is the version of the table that made its current primary the primary: it stays while the
 * primary stays and changes with every promotion or hand-off. Primaries stamp their replication stream with it, and a
 * backup refuses a stream whose epoch is not the one its own table gives (docs/architecture.md, "Fencing, epochs and
 * exactly-once").
 */
public final class PartitionTable {
    private static final Address[] NONE = new Address[0];

    private final long version;
    private final Address[][] owners;
    private final Address[][] syncing;
    private final long[] epochs;

    /** Creates a table; the arrays are taken as they are and must not be changed afterwards. */
    public PartitionTable(long version, Address[][] owners, Address[][] syncing, long[] epochs) {
        this.version = version;
        this.owners = owners;
        this.syncing = syncing;
        this.epochs = epochs;
    }

    /** The table a member holds before it knows the cluster's: no partition has an owner. */
    public static PartitionTable empty(int partitionCount) {
        Address[][] owners = new Address[partitionCount][];
        Address[][] syncing = new Address[partitionCount][];
        Arrays.fill(owners, NONE);
        Arrays.fill(syncing, NONE);
        return new PartitionTable(0, owners, syncing, new long[partitionCount]);
    }

    /**
     * Builds the successor of {@code previous} from owner lists, with no syncing replicas: a partition keeps its
     * epoch while its primary stays, and takes {@code version} as its new epoch when the primary changes.
     */
    public static PartitionTable next(PartitionTable previous, long version, List<List<Address>> owners) {
        return next(previous, version, owners, null);
    }

    /** As {@link #next(PartitionTable, long, List)}, with syncing lists ({@code syncing} may be null). */
    public static PartitionTable next(PartitionTable previous, long version, List<List<Address>> owners,
                                      List<List<Address>> syncing) {
        int count = owners.size();
        Address[][] ownerArrays = new Address[count][];
        Address[][] syncingArrays = new Address[count][];
        long[] epochs = new long[count];
        for (int p = 0; p < count; p++) {
            ownerArrays[p] = owners.get(p).toArray(NONE);
            List<Address> s = syncing == null ? null : syncing.get(p);
            syncingArrays[p] = s == null || s.isEmpty() ? NONE : s.toArray(NONE);
            Address primary = ownerArrays[p].length == 0 ? null : ownerArrays[p][0];
            boolean samePrimary = primary != null && primary.equals(previous.primary(p)) && previous.epochs[p] > 0;
            epochs[p] = samePrimary ? previous.epochs[p] : primary == null ? 0 : version;
        }
        return new PartitionTable(version, ownerArrays, syncingArrays, epochs);
    }

    /** Builds a first table from owner lists: every partition with a primary starts epoch {@code version}. */
    public static PartitionTable of(long version, List<List<Address>> owners) {
        return next(empty(owners.size()), version, owners, null);
    }

    /** As {@link #of(long, List)}, with syncing lists ({@code syncing} may be null). */
    public static PartitionTable of(long version, List<List<Address>> owners, List<List<Address>> syncing) {
        return next(empty(owners.size()), version, owners, syncing);
    }

    /** The epoch of partition {@code p}'s primary term (0 when it has no primary). */
    public long epoch(int p) {
        return epochs[p];
    }

    /** The version; tables are applied in increasing version order. */
    public long version() {
        return version;
    }

    /** The number of partitions. */
    public int partitionCount() {
        return owners.length;
    }

    /** The primary of partition {@code p}, or {@code null} when it has no owner yet. */
    public Address primary(int p) {
        Address[] list = owners[p];
        return list.length == 0 ? null : list[0];
    }

    /** The owners of partition {@code p}, primary first; the caller must not change the array. */
    public Address[] owners(int p) {
        return owners[p];
    }

    /** The owners of partition {@code p} as a list, primary first. */
    public List<Address> ownerList(int p) {
        return List.of(owners[p]);
    }

    /** The replicas of partition {@code p} that are being filled; the caller must not change the array. */
    public Address[] syncing(int p) {
        return syncing[p];
    }

    /** The position of {@code member} in the owner list of {@code p} (0 = primary), or -1. */
    public int ownerIndex(int p, Address member) {
        Address[] list = owners[p];
        for (int i = 0; i < list.length; i++) {
            if (list[i].equals(member)) {
                return i;
            }
        }
        return -1;
    }

    /** Whether {@code member} is a syncing replica of {@code p}. */
    public boolean isSyncing(int p, Address member) {
        for (Address a : syncing[p]) {
            if (a.equals(member)) {
                return true;
            }
        }
        return false;
    }

    /** Whether any partition has a syncing replica. */
    public boolean hasSyncing() {
        for (Address[] s : syncing) {
            if (s.length > 0) {
                return true;
            }
        }
        return false;
    }

    /** Whether both tables assign the same owners, syncing replicas and epochs, regardless of version. */
    public boolean sameAssignment(PartitionTable other) {
        return Arrays.deepEquals(owners, other.owners) && Arrays.deepEquals(syncing, other.syncing)
                && Arrays.equals(epochs, other.epochs);
    }

    /** The owner lists as mutable lists, for the assigner. */
    public List<List<Address>> ownerLists() {
        List<List<Address>> lists = new ArrayList<>(owners.length);
        for (Address[] list : owners) {
            lists.add(new ArrayList<>(Arrays.asList(list)));
        }
        return lists;
    }

    /** How many partitions each member leads, in first-seen order; for logs and tests. */
    public Map<Address, Integer> primaryCounts() {
        Map<Address, Integer> counts = new LinkedHashMap<>();
        for (Address[] list : owners) {
            if (list.length > 0) {
                counts.merge(list[0], 1, Integer::sum);
            }
        }
        return counts;
    }

    /** Writes the table. Addresses travel as their UUID bits: every stack Tessera ships uses UUID addresses. */
    public void writeTo(WireWriter out) {
        out.writeVarLong(version);
        out.writeVarInt(owners.length);
        for (int p = 0; p < owners.length; p++) {
            writeAddresses(out, owners[p]);
            writeAddresses(out, syncing[p]);
            out.writeVarLong(epochs[p]);
        }
    }

    /** Reads a table written by {@link #writeTo}. */
    public static PartitionTable readFrom(WireReader in) {
        long version = in.readVarLong();
        int count = in.readVarInt();
        Address[][] owners = new Address[count][];
        Address[][] syncing = new Address[count][];
        long[] epochs = new long[count];
        for (int p = 0; p < count; p++) {
            owners[p] = readAddresses(in);
            syncing[p] = readAddresses(in);
            epochs[p] = in.readVarLong();
        }
        return new PartitionTable(version, owners, syncing, epochs);
    }

    /** Writes one address as its UUID bits. */
    public static void writeAddress(WireWriter out, Address address) {
        UUID uuid = (UUID) address;
        out.writeLong(uuid.getMostSignificantBits());
        out.writeLong(uuid.getLeastSignificantBits());
    }

    /** Reads one address written by {@link #writeAddress}. */
    public static Address readAddress(WireReader in) {
        return new UUID(in.readLong(), in.readLong());
    }

    private static void writeAddresses(WireWriter out, Address[] list) {
        out.writeVarInt(list.length);
        for (Address a : list) {
            writeAddress(out, a);
        }
    }

    private static Address[] readAddresses(WireReader in) {
        int n = in.readVarInt();
        if (n == 0) {
            return NONE;
        }
        Address[] list = new Address[n];
        for (int i = 0; i < n; i++) {
            list[i] = readAddress(in);
        }
        return list;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PartitionTable t && t.version == version && sameAssignment(t);
    }

    @Override
    public int hashCode() {
        return Objects.hash(version, Arrays.deepHashCode(owners));
    }

    @Override
    public String toString() {
        return "PartitionTable{version=" + version + ", partitions=" + owners.length + ", primaries=" + primaryCounts()
                + (hasSyncing() ? ", syncing" : "") + "}";
    }
}
