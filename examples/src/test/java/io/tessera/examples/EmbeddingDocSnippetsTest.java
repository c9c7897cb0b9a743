package io.tessera.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Keeps the code of docs/embedding.md equal to the example sources it is taken from: every
 * {@code <!-- snippet: ClassName#region -->} marker must be followed by a {@code java} block holding exactly the lines
 * between {@code // tag::region[]} and {@code // end::region[]} in
 * {@code src/main/java/io/tessera/examples/ClassName.java}, less their common indentation. The examples themselves
 * are compiled by the build and run by {@link EmbeddingExamplesTest}, so the guide's code compiles and runs.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class EmbeddingDocSnippetsTest {
    private static final Path DOC = Path.of("../docs/embedding.md");
    private static final Path SOURCES = Path.of("src/main/java/io/tessera/examples");
    private static final Pattern MARKER = Pattern.compile("<!-- snippet: ([A-Za-z0-9_]+)#([A-Za-z0-9_-]+) -->");

    /** A marker of the doc and the code block that follows it. */
    private record Snippet(String className, String region, int line, String block) {
        String name() {
            return className + "#" + region;
        }
    }

    @Test
    void everySnippet_equalsItsRegionInTheExampleSources() throws IOException {
        List<Snippet> snippets = snippets(Files.readAllLines(DOC, StandardCharsets.UTF_8));

        assertThat(snippets).as("snippet markers in %s", DOC).hasSizeGreaterThanOrEqualTo(10);
        for (Snippet snippet : snippets) {
            String region = region(snippet);
            assertThat(snippet.block())
                    .as("snippet %s (docs/embedding.md line %d) differs from its region in %s.java: copy the region "
                            + "(without its indentation) into the doc's java block after the marker",
                            snippet.name(), snippet.line(), snippet.className())
                    .isEqualTo(region);
        }
    }

    @Test
    void everyCodeBlockOfTheDoc_isASnippet() throws IOException {
        List<String> lines = Files.readAllLines(DOC, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).equals("```java")) {
                int marker = i - 1;
                assertThat(marker >= 0 && MARKER.matcher(lines.get(marker)).matches())
                        .as("the java block at docs/embedding.md line %d has no snippet marker on the line before it: "
                                + "take the code from an example class (// tag::name[] ... // end::name[]) and add "
                                + "<!-- snippet: ClassName#name -->", i + 1)
                        .isTrue();
            }
        }
    }

    /** The markers of the doc, each with the fenced block right after it. */
    private static List<Snippet> snippets(List<String> lines) {
        List<Snippet> snippets = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            Matcher marker = MARKER.matcher(lines.get(i));
            if (!marker.matches()) {
                continue;
            }
            String name = marker.group(1) + "#" + marker.group(2);
            if (i + 1 >= lines.size() || !lines.get(i + 1).equals("```java")) {
                fail("snippet " + name + " (docs/embedding.md line " + (i + 1) + ") must be followed by a ```java "
                        + "line");
            }
            int end = i + 2;
            while (end < lines.size() && !lines.get(end).equals("```")) {
                end++;
            }
            if (end == lines.size()) {
                fail("snippet " + name + " (docs/embedding.md line " + (i + 1) + ") has no closing ```");
            }
            snippets.add(new Snippet(marker.group(1), marker.group(2), i + 1,
                    String.join("\n", lines.subList(i + 2, end))));
            i = end;
        }
        return snippets;
    }

    /** The lines of the snippet's region, without tag lines of other regions, less their common indentation. */
    private static String region(Snippet snippet) throws IOException {
        Path source = SOURCES.resolve(snippet.className() + ".java");
        if (!Files.exists(source)) {
            fail("snippet " + snippet.name() + ": " + source + " does not exist; name an example class of "
                    + SOURCES);
        }
        List<String> lines = Files.readAllLines(source, StandardCharsets.UTF_8);
        String start = "// tag::" + snippet.region() + "[]";
        String stop = "// end::" + snippet.region() + "[]";
        int from = -1;
        int to = -1;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.equals(start)) {
                if (from >= 0) {
                    fail("snippet " + snippet.name() + ": " + source + " opens the region twice");
                }
                from = i + 1;
            } else if (line.equals(stop) && from >= 0 && to < 0) {
                to = i;
            }
        }
        if (from < 0 || to < 0) {
            fail("snippet " + snippet.name() + ": " + source + " has no region between '" + start + "' and '" + stop
                    + "'");
        }
        List<String> region = new ArrayList<>();
        for (String line : lines.subList(from, to)) {
            String stripped = line.strip();
            if (!stripped.startsWith("// tag::") && !stripped.startsWith("// end::")) {
                region.add(line);
            }
        }
        int indent = region.stream().filter(l -> !l.isBlank()).mapToInt(EmbeddingDocSnippetsTest::indentation).min()
                .orElse(0);
        List<String> out = new ArrayList<>();
        for (String line : region) {
            out.add(line.isBlank() ? "" : line.substring(indent).stripTrailing());
        }
        return String.join("\n", out);
    }

    private static int indentation(String line) {
        int n = 0;
        while (n < line.length() && line.charAt(n) == ' ') {
            n++;
        }
        return n;
    }
}
