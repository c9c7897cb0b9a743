package io.tessera.redis.internal.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tessera.redis.testing.RespCluster;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Protocol;

/**
 * {@code docs/redis.md} lists the commands of the {@link CommandTable} as {@link CommandListDoc} renders them, and
 * as many as a running server's {@code COMMAND COUNT} answers. With {@code -Ddocs.regenerate=true} the test rewrites
 * the page's list first.
 */
@Timeout(60)
class CommandListDocTest {
    /** Surefire runs in the module's directory; the page is the repository's. */
    private static final Path PAGE = Path.of("..", "docs", "redis.md");
    private static final String REGENERATE = "mvn -o -q -pl redis-protocol -am test -Dtest=CommandListDocTest"
            + " -Ddocs.regenerate=true -Dsurefire.failIfNoSpecifiedTests=false";

    private static String page() throws IOException {
        return Files.readString(PAGE, StandardCharsets.UTF_8);
    }

    @Test
    void docsRedisMd_listsTheCommandTable() throws IOException {
        String rendered = CommandListDoc.render(CommandTable.standard());
        if (Boolean.getBoolean("docs.regenerate")) {
            Files.writeString(PAGE, CommandListDoc.withSection(page(), rendered), StandardCharsets.UTF_8);
        }
        assertThat(CommandListDoc.section(page()))
                .as("the list of commands in docs/redis.md (between %s and %s) is not what the command table"
                        + " says; regenerate it with:%n  %s%nand commit docs/redis.md", CommandListDoc.BEGIN,
                        CommandListDoc.END, REGENERATE)
                .isEqualTo(rendered);
    }

    @Test
    void docsRedisMd_listsAsManyCommandsAsCommandCountAnswers() throws IOException {
        int listed = CommandListDoc.countRows(CommandListDoc.section(page()));
        try (RespCluster cluster = RespCluster.start(1);
             Jedis jedis = new Jedis("127.0.0.1", cluster.port(0))) {
            Object count = jedis.sendCommand(Protocol.Command.COMMAND, "COUNT");
            assertThat(count).as("COMMAND COUNT").isInstanceOf(Long.class);
            assertThat(listed).as("commands listed in docs/redis.md; if the table changed, regenerate:%n  %s",
                    REGENERATE).isEqualTo(((Long) count).intValue());
        }
    }

    @Test
    void containers_listTheirSubcommandsInTheirRow_notAsRowsOfTheirOwn() {
        String rendered = CommandListDoc.render(CommandTable.standard());
        assertThat(rendered).contains("| `CLIENT` |").contains("`CLIENT LIST`").contains("`CONFIG GET`")
                .doesNotContain("| `CLIENT LIST` |");
        assertThat(rendered).doesNotContain("tessera.").doesNotContain("TESSERA.");
        assertThat(CommandListDoc.countRows(rendered)).isEqualTo((int) CommandTable.standard().all().stream()
                .filter(spec -> !spec.flags().contains("internal")).count());
    }

    @Test
    void withSection_replacesOnlyWhatLiesBetweenTheMarkers() {
        String page = "# Title\n\n" + CommandListDoc.BEGIN + "\nold list\n" + CommandListDoc.END + "\n\nAfter.\n";
        String updated = CommandListDoc.withSection(page, "| `GET` | 2 |\n");
        assertThat(updated).isEqualTo("# Title\n\n" + CommandListDoc.BEGIN + "\n| `GET` | 2 |\n"
                + CommandListDoc.END + "\n\nAfter.\n");
        assertThat(CommandListDoc.section(updated)).isEqualTo("| `GET` | 2 |\n");
        assertThatThrownBy(() -> CommandListDoc.section("# No markers\n"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(CommandListDoc.BEGIN);
    }
}
