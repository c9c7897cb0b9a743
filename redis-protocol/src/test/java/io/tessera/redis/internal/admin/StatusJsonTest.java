package io.tessera.redis.internal.admin;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.json.Json;

/** The status document parses as JSON, holds every field, escapes what it must and says null for the unknown. */
class StatusJsonTest {
    private static Map<String, Object> parse(String json) {
        return new Json().toType(json, Json.MAP_TYPE);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object value) {
        return (Map<String, Object>) value;
    }

    @Test
    void everyField_parsesBack_withTheUnknownAsNull() {
        String text = StatusJson.write(SampleStatus.status(), Readiness.down("partition table not settled"),
                SampleStatus.server(), SampleStatus.NOW);
        Map<String, Object> doc = parse(text);

        assertThat(doc).containsEntry("cluster", "shop").containsEntry("member", "alpha")
                .containsEntry("tableVersion", 42L).containsEntry("ready", false)
                .containsEntry("takenAt", "2026-12-07T17:30:00Z")
                .containsEntry("readiness", Map.of("status", "DOWN", "reason", "partition table not settled"));
        assertThat(map(doc.get("server"))).containsEntry("connections", 37L)
                .containsEntry("opsPerSecond", 4120L).containsEntry("uptimeSeconds", 93_600L)
                .containsEntry("respAddress", "10.0.0.1:6379");

        List<?> members = (List<?>) doc.get("members");
        assertThat(members).hasSize(4);
        Map<?, ?> alpha = (Map<?, ?>) members.get(0);
        assertThat(alpha.get("local")).isEqualTo(true);
        assertThat(alpha.get("coordinator")).isEqualTo(true);
        assertThat(alpha.get("uptimeSeconds")).isEqualTo(26L * 3600);
        assertThat(alpha.get("opsPerSecond")).isEqualTo(1520.5);
        Map<?, ?> odd = (Map<?, ?>) members.get(3);
        assertThat(odd.get("name")).as("escaped and parsed back").isEqualTo(SampleStatus.ODD_NAME);
        for (String unknown : List.of("address", "startedAt", "uptimeSeconds", "heapUsedBytes", "heapMaxBytes",
                "entries", "opsPerSecond", "reportedAt")) {
            assertThat(odd.containsKey(unknown)).as(unknown).isTrue();
            assertThat(odd.get(unknown)).as(unknown).isNull();
        }

        List<?> partitions = (List<?>) doc.get("partitions");
        assertThat(partitions).hasSize(256);
        assertThat(map(partitions.get(0))).containsEntry("id", 0L).containsEntry("primary", "alpha")
                .containsEntry("backups", List.of("bravo")).containsEntry("state", "STABLE");
        Map<?, ?> lost = (Map<?, ?>) partitions.get(250);
        assertThat(lost.get("primary")).isNull();
        assertThat(lost.get("state")).isEqualTo("LOST");

        Map<?, ?> unknownSize = (Map<?, ?>) ((List<?>) doc.get("migrations")).get(1);
        assertThat(unknownSize.get("totalBytes")).isNull();
        assertThat(unknownSize.get("copiedBytes")).isEqualTo(700_000L);
        assertThat((List<?>) doc.get("maps")).hasSize(3);
        Map<?, ?> event = (Map<?, ?>) ((List<?>) doc.get("events")).get(1);
        assertThat(event.get("kind")).isEqualTo("JOINED");
        assertThat(event.get("members")).isEqualTo(List.of("charlie", SampleStatus.ODD_NAME));
    }

    @Test
    void strings_escapeQuotesBackslashesControlsAndLineSeparators() {
        String text = new JsonWriter().beginArray().value("a\"b\\c\n\t\u0001\u2028").value(Double.NaN)
                .value(2.5).value(3.0).nullValue().endArray().toString();

        assertThat(text).isEqualTo("[\"a\\\"b\\\\c\\n\\t\\u0001\\u2028\",null,2.5,3,null]");
        List<?> parsed = new Json().toType(text, List.class);
        assertThat(parsed).hasSize(5);
        assertThat(parsed.get(0)).isEqualTo("a\"b\\c\n\t\u0001\u2028");
    }

    @Test
    void readiness_isUpOrDownWithTheReason() {
        assertThat(Readiness.UP.toJson()).isEqualTo("{\"status\":\"UP\"}");
        assertThat(Readiness.down("say \"why\"").toJson())
                .isEqualTo("{\"status\":\"DOWN\",\"reason\":\"say \\\"why\\\"\"}");
    }
}
