package io.tessera.redis.chaos;

import io.tessera.grid.internal.GridNode;
import io.tessera.grid.internal.partition.PartitionTable;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.jgroups.Address;
import org.jgroups.View;
import org.jgroups.util.UUID;

/**
 * What one member believes, in one {@code STATUS} line: its view, its newest partition table, and the partitions
 * it serves as primary right now. "Serves as primary" is the partition thread's own answer (the primary flag of a
 * digest query, which runs on each partition's thread), not a reading of the table: it is what decides whether
 * the member executes a write.
 *
 * <p>Members are named by their JGroups UUID ({@code toStringLong}), not their logical name, because a restarted
 * member keeps its name but gets a new UUID and a stale table may still list the dead one.
 *
 * @param name the member's logical name
 * @param self its UUID
 * @param viewId its view's id ({@code [creator|n]})
 * @param view the UUIDs of its view, coordinator first
 * @param version its table's version
 * @param owners per partition, the owner UUIDs (primary first)
 * @param syncingPartitions how many partitions have a syncing replica in its table
 * @param served the partitions it serves as primary, or {@code null} if its partition threads did not answer in time
 * @param names UUID to logical name, for every member it mentions
 * @param leaseHeld whether it holds its lease (may act as a primary)
 * @param pendingMerges how many captured replicas it still has to merge into the table
 */
record MemberStatus(String name, String self, String viewId, List<String> view, long version,
                    List<List<String>> owners, int syncingPartitions, BitSet served, Map<String, String> names,
                    boolean leaseHeld, int pendingMerges) {

    /** Takes the status of the member in this JVM (or of a {@link ChaosMember}'s grid). */
    static MemberStatus of(GridNode node, long servedTimeoutMillis) {
        View view = node.cluster().view();
        PartitionTable table = node.table();
        int count = table.partitionCount();
        Map<String, String> names = new LinkedHashMap<>();
        List<String> members = new ArrayList<>();
        for (Address a : view.getMembers()) {
            members.add(id(a, node, names));
        }
        List<List<String>> owners = new ArrayList<>(count);
        int syncing = 0;
        for (int p = 0; p < count; p++) {
            List<String> list = new ArrayList<>(2);
            for (Address a : table.owners(p)) {
                list.add(id(a, node, names));
            }
            owners.add(list);
            if (table.syncing(p).length > 0) {
                syncing++;
            }
        }
        BitSet served = null;
        try {
            BitSet bits = new BitSet(count);
            node.servedPrimaries().get(servedTimeoutMillis, TimeUnit.MILLISECONDS).forEach(bits::set);
            served = bits;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            // partition threads busy or shut down: served stays unknown
        }
        String self = id(node.address(), node, names);
        return new MemberStatus(node.cluster().nameOf(node.address()), self,
                view.getViewId().toString().replace(' ', '_'), members, table.version(), owners, syncing, served,
                names, node.lease().holds(), node.merges().pendingCaptures());
    }

    private static String id(Address address, GridNode node, Map<String, String> names) {
        String id = address instanceof UUID uuid ? uuid.toStringLong() : address.toString();
        names.computeIfAbsent(id, k -> node.cluster().nameOf(address));
        return id;
    }

    /** One line, no spaces inside values: {@code name=.. self=.. viewId=.. view=a,b version=.. ...}. */
    String format() {
        List<String> ids = new ArrayList<>(names.keySet());
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < ids.size(); i++) {
            index.put(ids.get(i), i);
        }
        String ownerText = owners.stream()
                .map(list -> list.stream().map(id -> Integer.toString(index.get(id))).collect(Collectors.joining(".")))
                .collect(Collectors.joining(";"));
        return "name=" + name + " self=" + self + " viewId=" + viewId + " view=" + String.join(",", view)
                + " version=" + version + " syncing=" + syncingPartitions + " lease=" + (leaseHeld ? "held" : "lost")
                + " merging=" + pendingMerges
                + " served=" + (served == null ? "?" : served.stream().mapToObj(Integer::toString)
                        .collect(Collectors.joining(",")))
                + " ids=" + ids.stream().map(id -> id + ":" + names.get(id)).collect(Collectors.joining(","))
                + " owners=" + ownerText;
    }

    /** Parses {@link #format()}. */
    static MemberStatus parse(String line) {
        Map<String, String> f = new HashMap<>();
        for (String word : line.trim().split(" ")) {
            int eq = word.indexOf('=');
            if (eq > 0) {
                f.put(word.substring(0, eq), word.substring(eq + 1));
            }
        }
        List<String> ids = new ArrayList<>();
        Map<String, String> names = new LinkedHashMap<>();
        for (String item : split(f.get("ids"), ",")) {
            int colon = item.indexOf(':');
            ids.add(item.substring(0, colon));
            names.put(item.substring(0, colon), item.substring(colon + 1));
        }
        List<List<String>> owners = new ArrayList<>();
        for (String partition : f.get("owners").split(";", -1)) {
            List<String> list = new ArrayList<>(2);
            for (String i : split(partition, "\\.")) {
                list.add(ids.get(Integer.parseInt(i)));
            }
            owners.add(list);
        }
        BitSet served = null;
        if (!"?".equals(f.get("served"))) {
            served = new BitSet();
            for (String p : split(f.get("served"), ",")) {
                served.set(Integer.parseInt(p));
            }
        }
        return new MemberStatus(f.get("name"), f.get("self"), f.get("viewId"), split(f.get("view"), ","),
                Long.parseLong(f.get("version")), owners, Integer.parseInt(f.get("syncing")), served, names,
                "held".equals(f.get("lease")), Integer.parseInt(f.get("merging")));
    }

    private static List<String> split(String text, String regex) {
        List<String> parts = new ArrayList<>();
        if (text == null || text.isEmpty()) {
            return parts;
        }
        for (String part : text.split(regex)) {
            if (!part.isEmpty()) {
                parts.add(part);
            }
        }
        return parts;
    }

    /** The logical name of {@code id} as this member knows it, or a short form of the UUID. */
    String nameOf(String id) {
        String n = names.get(id);
        return n != null ? n : id.substring(0, Math.min(8, id.length()));
    }

    /** The primary of {@code p} in this member's table, or null. */
    String primary(int p) {
        List<String> list = owners.get(p);
        return list.isEmpty() ? null : list.get(0);
    }

    /** Whether this member's view holds exactly {@code members}. */
    boolean viewIs(Set<String> members) {
        return view.size() == members.size() && members.containsAll(view);
    }
}
