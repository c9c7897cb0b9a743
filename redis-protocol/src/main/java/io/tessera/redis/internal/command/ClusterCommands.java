package io.tessera.redis.internal.command;

import io.tessera.grid.Grid;
import io.tessera.grid.Member;
import io.tessera.grid.Partition;
import io.tessera.redis.internal.protocol.Reply;
import io.tessera.redis.internal.store.HashSlots;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * {@code CLUSTER} INFO, SLOTS, SHARDS, NODES, KEYSLOT, MYID, COUNTKEYSINSLOT: the grid's partition table told in
 * Redis Cluster's terms, so cluster-aware clients (Jedis, Lettuce) send each key straight to its primary.
 *
 * <p>The model: every member is a Redis "master" holding the slots of the partitions it leads; node ids are derived
 * from member ids ({@link ServerContext#nodeId}); addresses come from the {@code tessera.resp-endpoints} grid map,
 * where every RESP server publishes its {@code host:port} when it starts. {@code CLUSTER SLOTS} lists a range's
 * backups after its primary, as Redis lists replicas. {@code CLUSTER SHARDS} has one shard per primary with only
 * that primary in it, because a member backs up partitions of several primaries and Redis lets a node belong to
 * one shard only; {@code CLUSTER NODES} likewise shows every member as a master. Any member serves any key anyway,
 * so a client using slightly stale topology still gets right answers.
 */
final class ClusterCommands {
    /** One run of adjacent slots with the same owners. */
    private record Range(int first, int last, Member primary, List<Member> backups) {
    }

    private ClusterCommands() {
    }

    static void register(CommandTable.Builder table) {
        Subcommands cluster = new Subcommands("cluster")
                .add("info", 2, ClusterCommands::info)
                .add("slots", 2, ClusterCommands::slots)
                .add("shards", 2, ClusterCommands::shards)
                .add("nodes", 2, ClusterCommands::nodes)
                .addImmediate("keyslot", 3, call -> Reply.integer(HashSlots.slot(call.arg(2))))
                .addImmediate("myid", 2, call -> Reply.bulk(ServerContext.nodeId(call.server().grid().localMember())))
                .add("countkeysinslot", 3, ClusterCommands::countKeysInSlot)
                .help("COUNTKEYSINSLOT <slot>", "    Return the number of keys in <slot>.",
                        "INFO", "    Return information about the cluster.",
                        "KEYSLOT <key>", "    Return the hash slot for <key>.",
                        "MYID", "    Return the node id.",
                        "NODES", "    Return cluster configuration seen by node. Output format:",
                        "    <id> <ip:port@bus-port[,hostname]> <flags> <master> <pings> <pongs> <epoch> <link> "
                                + "<slot> ...",
                        "SHARDS", "    Return information about slot range mappings and the nodes associated with "
                                + "them.",
                        "SLOTS", "    Return information about slots range mappings. Each range is made of:",
                        "    start, end, master and replicas IP addresses, ports and ids");
        table.subcommands("cluster", cluster);
        table.command("cluster", -2, "", 0, 0, 0, "cluster", "A container for Redis Cluster commands.", cluster);
    }

    /** The members of the current view with their published {@code host:port} (absent if unknown). */
    private static CompletableFuture<Map<Member, String>> endpoints(ServerContext server) {
        List<Member> members = server.grid().members();
        List<CompletableFuture<String>> lookups = new ArrayList<>(members.size());
        for (Member member : members) {
            if (member.isLocal() && server.advertisedEndpoint() != null) {
                lookups.add(CompletableFuture.completedFuture(server.advertisedEndpoint()));
            } else {
                lookups.add(server.endpoints().getAsync(member.id()).exceptionally(e -> null));
            }
        }
        return CompletableFuture.allOf(lookups.toArray(CompletableFuture[]::new)).thenApply(ignored -> {
            Map<Member, String> result = new LinkedHashMap<>();
            for (int i = 0; i < members.size(); i++) {
                String endpoint = lookups.get(i).join();
                if (endpoint != null) {
                    result.put(members.get(i), endpoint);
                }
            }
            return result;
        });
    }

    /** Adjacent partitions with the same primary and backups merged; {@code null} while a partition has no primary. */
    private static List<Range> ranges(Grid grid) {
        List<Range> ranges = new ArrayList<>();
        Range current = null;
        for (Partition partition : grid.partitions()) {
            if (partition.primary() == null) {
                return null;
            }
            if (current != null && current.last() + 1 == partition.firstSlot()
                    && current.primary().equals(partition.primary()) && current.backups().equals(partition.backups())) {
                current = new Range(current.first(), partition.lastSlot(), current.primary(), current.backups());
                ranges.set(ranges.size() - 1, current);
            } else {
                current = new Range(partition.firstSlot(), partition.lastSlot(), partition.primary(),
                        List.copyOf(partition.backups()));
                ranges.add(current);
            }
        }
        return ranges;
    }

    /** Adjacent slot runs per primary (backups ignored), in view order of the primaries. */
    private static Map<Member, List<int[]>> slotsByPrimary(List<Range> ranges, List<Member> members) {
        Map<Member, List<int[]>> byPrimary = new LinkedHashMap<>();
        for (Member member : members) {
            byPrimary.put(member, new ArrayList<>());
        }
        for (Range range : ranges) {
            List<int[]> runs = byPrimary.computeIfAbsent(range.primary(), m -> new ArrayList<>());
            int[] last = runs.isEmpty() ? null : runs.get(runs.size() - 1);
            if (last != null && last[1] + 1 == range.first()) {
                last[1] = range.last();
            } else {
                runs.add(new int[] {range.first(), range.last()});
            }
        }
        return byPrimary;
    }

    private static final Reply CLUSTER_DOWN = Reply.error("CLUSTERDOWN Hash slot not served");

    private static String host(String endpoint) {
        return endpoint == null ? "" : endpoint.substring(0, endpoint.lastIndexOf(':'));
    }

    private static int port(String endpoint) {
        return endpoint == null ? 0 : Integer.parseInt(endpoint.substring(endpoint.lastIndexOf(':') + 1));
    }

    private static CompletableFuture<Reply> info(CommandCall call) {
        ServerContext server = call.server();
        return endpoints(server).thenApply(endpoints -> {
            List<Range> ranges = ranges(server.grid());
            int primaries = ranges == null ? 0 : (int) ranges.stream().map(Range::primary).distinct().count();
            int assigned = 0;
            if (ranges != null) {
                for (Range range : ranges) {
                    assigned += range.last() - range.first() + 1;
                }
            }
            String text = "cluster_state:" + (ranges != null && assigned == HashSlots.SLOT_COUNT ? "ok" : "fail")
                    + "\r\ncluster_slots_assigned:" + assigned
                    + "\r\ncluster_slots_ok:" + assigned
                    + "\r\ncluster_slots_pfail:0"
                    + "\r\ncluster_slots_fail:0"
                    + "\r\ncluster_known_nodes:" + server.grid().members().size()
                    + "\r\ncluster_size:" + primaries
                    + "\r\ncluster_current_epoch:1"
                    + "\r\ncluster_my_epoch:1"
                    + "\r\ncluster_stats_messages_sent:0"
                    + "\r\ncluster_stats_messages_received:0"
                    + "\r\ntotal_cluster_links_buffer_limit_exceeded:0\r\n";
            return new Reply.Verbatim(text);
        });
    }

    /** One node of CLUSTER SLOTS: ip, port, id and an (empty) map of further endpoints. */
    private static Reply slotNode(Member member, String endpoint) {
        return Reply.array(List.of(Reply.bulk(host(endpoint)), Reply.integer(port(endpoint)),
                Reply.bulk(ServerContext.nodeId(member)), new Reply.MapReply(List.of())));
    }

    private static CompletableFuture<Reply> slots(CommandCall call) {
        ServerContext server = call.server();
        return endpoints(server).thenApply(endpoints -> {
            List<Range> ranges = ranges(server.grid());
            if (ranges == null) {
                return CLUSTER_DOWN;
            }
            List<Reply> entries = new ArrayList<>(ranges.size());
            for (Range range : ranges) {
                List<Reply> entry = new ArrayList<>();
                entry.add(Reply.integer(range.first()));
                entry.add(Reply.integer(range.last()));
                entry.add(slotNode(range.primary(), endpoints.get(range.primary())));
                for (Member backup : range.backups()) {
                    String endpoint = endpoints.get(backup);
                    if (endpoint != null) { // a replica nobody can reach is left out, as Redis leaves out failed ones
                        entry.add(slotNode(backup, endpoint));
                    }
                }
                entries.add(Reply.array(entry));
            }
            return Reply.array(entries);
        });
    }

    private static CompletableFuture<Reply> shards(CommandCall call) {
        ServerContext server = call.server();
        return endpoints(server).thenApply(endpoints -> {
            List<Range> ranges = ranges(server.grid());
            if (ranges == null) {
                return CLUSTER_DOWN;
            }
            List<Reply> shards = new ArrayList<>();
            for (Map.Entry<Member, List<int[]>> primary : slotsByPrimary(ranges, server.grid().members()).entrySet()) {
                List<Reply> slots = new ArrayList<>();
                for (int[] run : primary.getValue()) {
                    slots.add(Reply.integer(run[0]));
                    slots.add(Reply.integer(run[1]));
                }
                String endpoint = endpoints.get(primary.getKey());
                Reply node = new Reply.MapReply(List.of(
                        Reply.bulk("id"), Reply.bulk(ServerContext.nodeId(primary.getKey())),
                        Reply.bulk("port"), Reply.integer(port(endpoint)),
                        Reply.bulk("ip"), Reply.bulk(host(endpoint)),
                        Reply.bulk("endpoint"), Reply.bulk(host(endpoint)),
                        Reply.bulk("role"), Reply.bulk("master"),
                        Reply.bulk("replication-offset"), Reply.integer(0),
                        Reply.bulk("health"), Reply.bulk(endpoint == null ? "fail" : "online")));
                shards.add(new Reply.MapReply(List.of(Reply.bulk("slots"), Reply.array(slots),
                        Reply.bulk("nodes"), Reply.array(List.of(node)))));
            }
            return Reply.array(shards);
        });
    }

    private static CompletableFuture<Reply> nodes(CommandCall call) {
        ServerContext server = call.server();
        return endpoints(server).thenApply(endpoints -> {
            List<Range> ranges = ranges(server.grid());
            if (ranges == null) {
                return CLUSTER_DOWN;
            }
            long now = System.currentTimeMillis();
            StringBuilder text = new StringBuilder();
            for (Map.Entry<Member, List<int[]>> primary : slotsByPrimary(ranges, server.grid().members()).entrySet()) {
                Member member = primary.getKey();
                String endpoint = endpoints.get(member);
                text.append(ServerContext.nodeId(member)).append(' ')
                        .append(host(endpoint)).append(':').append(port(endpoint)).append("@0 ")
                        .append(member.isLocal() ? "myself,master" : "master")
                        .append(endpoint == null ? ",noaddr" : "")
                        .append(" - 0 ").append(member.isLocal() ? 0 : now).append(" 1 connected");
                for (int[] run : primary.getValue()) {
                    text.append(' ').append(run[0]);
                    if (run[1] != run[0]) {
                        text.append('-').append(run[1]);
                    }
                }
                text.append('\n');
            }
            return new Reply.Verbatim(text.toString());
        });
    }

    /** COUNTKEYSINSLOT slot: counts the keys of the slot's partition that hash to it, read from its primary. */
    private static CompletableFuture<Reply> countKeysInSlot(CommandCall call) {
        Long slot = Arguments.tryParseLong(call.arg(2));
        if (slot == null) {
            return CommandCall.done(Reply.NOT_INTEGER);
        }
        if (slot < 0 || slot >= HashSlots.SLOT_COUNT) {
            return CommandCall.done(Reply.error("ERR Invalid slot"));
        }
        Partition partition = null;
        for (Partition p : call.server().grid().partitions()) {
            if (p.firstSlot() <= slot && slot <= p.lastSlot()) {
                partition = p;
                break;
            }
        }
        if (partition == null) {
            return CommandCall.done(Reply.ZERO);
        }
        int partitionId = partition.id();
        int wanted = slot.intValue();
        var database = call.database();
        return CompletableFuture.supplyAsync(() -> {
            long count = 0;
            for (byte[] key : database.partitionEntries(partitionId).keySet()) {
                if (HashSlots.slot(key) == wanted) {
                    count++;
                }
            }
            return (Reply) Reply.integer(count);
        }, call.server().adminExecutor());
    }
}
