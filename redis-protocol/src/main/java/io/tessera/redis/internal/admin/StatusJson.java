package io.tessera.redis.internal.admin;

import io.tessera.grid.GridStatus;
import io.tessera.grid.Member;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The document {@code GET /status.json} answers and the status page renders: the grid's {@link GridStatus}, this
 * node's readiness and the figures of its RESP server. Members are named by {@link Member#name()} everywhere (the
 * partition table's owners too). Figures the grid does not know (yet) are {@code null}, never -1, so a reader need
 * not know each field's sentinel. Times are ISO-8601 instants; durations are whole seconds.
 */
public final class StatusJson {
    /**
     * This node's own figures, next to the grid's.
     *
     * @param version the server's version
     * @param respAddress the RESP {@code host:port} clients connect to
     * @param connections the RESP clients connected now
     * @param opsPerSecond the RESP commands per second lately
     * @param startedAt when the node started
     * @param heapUsedBytes the JVM's used heap
     * @param heapMaxBytes the JVM's maximum heap, or -1 when unbounded
     */
    public record ServerFigures(String version, String respAddress, int connections, long opsPerSecond,
                                Instant startedAt, long heapUsedBytes, long heapMaxBytes) {
    }

    private StatusJson() {
    }

    /** The document for {@code status}, {@code readiness} and {@code server}, as of {@code now}. */
    public static String write(GridStatus status, Readiness readiness, ServerFigures server, Instant now) {
        JsonWriter json = new JsonWriter().beginObject()
                .name("cluster").value(status.clusterName())
                .name("member").value(status.localMember().name())
                .name("takenAt").value(now.toString())
                .name("tableVersion").value(status.tableVersion())
                .name("ready").value(readiness.ready())
                .name("readiness").beginObject()
                .name("status").value(readiness.ready() ? "UP" : "DOWN")
                .name("reason").value(readiness.reason())
                .endObject();
        json.name("server").beginObject()
                .name("version").value(server.version())
                .name("respAddress").value(server.respAddress())
                .name("connections").value(server.connections())
                .name("opsPerSecond").value(server.opsPerSecond())
                .name("uptimeSeconds").value(seconds(server.startedAt(), now))
                .name("heapUsedBytes").known(server.heapUsedBytes())
                .name("heapMaxBytes").known(server.heapMaxBytes())
                .endObject();

        json.name("members").beginArray();
        List<GridStatus.MemberStatus> members = status.members();
        for (int i = 0; i < members.size(); i++) {
            GridStatus.MemberStatus m = members.get(i);
            json.beginObject()
                    .name("name").value(m.member().name())
                    .name("id").value(m.member().id())
                    .name("local").value(m.member().equals(status.localMember()))
                    .name("coordinator").value(i == 0)
                    .name("address").value(m.address())
                    .name("startedAt").value(instant(m.startedAt()))
                    .name("uptimeSeconds");
            if (m.startedAt() == null) {
                json.nullValue();
            } else {
                json.value(seconds(m.startedAt(), now));
            }
            json.name("heapUsedBytes").known(m.heapUsedBytes())
                    .name("heapMaxBytes").known(m.heapMaxBytes())
                    .name("entries").known(m.entries())
                    .name("opsPerSecond").known(m.opsPerSecond())
                    .name("reportedAt").value(instant(m.reportedAt()))
                    .endObject();
        }
        json.endArray();

        json.name("partitions").beginArray();
        for (GridStatus.PartitionStatus p : status.partitions()) {
            json.beginObject()
                    .name("id").value(p.id())
                    .name("primary").value(name(p.primary()))
                    .name("backups").beginArray();
            for (Member backup : p.backups()) {
                json.value(backup.name());
            }
            json.endArray()
                    .name("state").value(p.state().name())
                    .endObject();
        }
        json.endArray();

        json.name("migrations").beginArray();
        for (GridStatus.MigrationStatus m : status.migrations()) {
            json.beginObject()
                    .name("partition").value(m.partition())
                    .name("source").value(name(m.source()))
                    .name("target").value(name(m.target()))
                    .name("copiedBytes").known(m.copiedBytes())
                    .name("totalBytes").known(m.totalBytes())
                    .name("startedAt").value(instant(m.startedAt()))
                    .endObject();
        }
        json.endArray();

        json.name("maps").beginArray();
        for (GridStatus.MapStatus m : status.maps()) {
            json.beginObject()
                    .name("name").value(m.name())
                    .name("entries").known(m.entries())
                    .name("memoryBytes").known(m.memoryBytes())
                    .name("opsPerSecond").known(m.opsPerSecond())
                    .endObject();
        }
        json.endArray();

        json.name("events").beginArray();
        for (GridStatus.MembershipEvent e : status.events()) {
            json.beginObject()
                    .name("at").value(instant(e.at()))
                    .name("kind").value(e.kind().name())
                    .name("members").beginArray();
            for (Member member : e.members()) {
                json.value(member.name());
            }
            json.endArray()
                    .name("viewSize").value(e.viewSize())
                    .endObject();
        }
        json.endArray();
        return json.endObject().toString();
    }

    private static String name(Member member) {
        return member == null ? null : member.name();
    }

    private static String instant(Instant instant) {
        return instant == null ? null : instant.toString();
    }

    private static long seconds(Instant from, Instant to) {
        return Math.max(0, Duration.between(from, to).toSeconds());
    }
}
