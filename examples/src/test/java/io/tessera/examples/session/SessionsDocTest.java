package io.tessera.examples.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * docs/sessions.md shows the load balancer configs and the web.xml exactly as the tests run them: each file is in the
 * doc, placeholders and all, as the fenced block right after a {@code <!-- verbatim: path -->} line. A change to one
 * side only fails here.
 */
class SessionsDocTest {
    /** The doc, relative to the examples module (the working directory of Maven's test JVMs). */
    static final Path DOC = Path.of("..", "docs", "sessions.md");

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"examples/haproxy/tessera-sessions.cfg", "examples/haproxy/tessera-sessions-sticky.cfg",
        "examples/nginx/tessera-sessions.conf", "examples/tomcat/web.xml"})
    void docShowsTheFileVerbatim(String path) throws IOException {
        Path file = Path.of("..").resolve(path);
        assertThat(file).as("the file the tests run").exists();
        String expected = Files.readString(file, StandardCharsets.UTF_8).stripTrailing();
        assertThat(block(Files.readAllLines(DOC, StandardCharsets.UTF_8), path))
                .as("the block after <!-- verbatim: %s --> in %s", path, DOC).isEqualTo(expected);
    }

    /** The fenced block after the marker line of {@code path}, without its fences. */
    private static String block(List<String> doc, String path) {
        int marker = doc.indexOf("<!-- verbatim: " + path + " -->");
        assertThat(marker).as("a line <!-- verbatim: %s --> in %s", path, DOC).isNotNegative();
        assertThat(doc.get(marker + 1)).as("the line after the marker opens a fenced block").startsWith("```");
        int end = marker + 2;
        while (end < doc.size() && !doc.get(end).equals("```")) {
            end++;
        }
        assertThat(end).as("the block after <!-- verbatim: %s --> is closed", path).isLessThan(doc.size());
        return String.join("\n", doc.subList(marker + 2, end)).stripTrailing();
    }
}
