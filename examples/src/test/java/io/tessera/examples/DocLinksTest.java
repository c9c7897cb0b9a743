package io.tessera.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every relative link of the project's Markdown (README.md, CONTRIBUTING.md, docs/*.md) leads somewhere: the file
 * exists, relative to the page that links it, and a {@code #anchor} names a heading of the target page by GitHub's
 * rules. Links to the web and {@code mailto:} are not followed (no network in tests).
 */
@Timeout(30)
class DocLinksTest {
    /** Surefire runs in the module's directory; the pages are the repository's. */
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    /** {@code [text](target)} and {@code ![alt](target)}, with an optional title after the target. */
    private static final Pattern LINK =
            Pattern.compile("!?\\[[^\\]]*\\]\\(\\s*<?([^)\\s>]+)>?(?:\\s+\"[^\"]*\")?\\s*\\)");
    private static final Pattern HEADING = Pattern.compile("^ {0,3}#{1,6}\\s+(.*?)\\s*#*\\s*$");
    private static final Pattern HTML_ANCHOR = Pattern.compile("<a\\s+(?:name|id)=\"([^\"]+)\"");
    private static final Pattern INLINE_CODE = Pattern.compile("(`+)(.+?)\\1");
    private static final Pattern SCHEME = Pattern.compile("^[a-zA-Z][a-zA-Z0-9+.-]*:");

    /** One link as written, where it was written. */
    record Link(Path page, int line, String target) {
        @Override
        public String toString() {
            return ROOT.relativize(page) + ":" + line + ": (" + target + ")";
        }
    }

    @Test
    void everyRelativeLinkOfTheDocs_leadsToAFileAndHeadingThatExist() throws IOException {
        List<Path> pages = pages();
        assertThat(pages).as("the pages checked").contains(ROOT.resolve("README.md"), ROOT.resolve("CONTRIBUTING.md"),
                ROOT.resolve("docs/architecture.md"));
        List<String> broken = new ArrayList<>();
        int checked = 0;
        for (Path page : pages) {
            for (Link link : links(page)) {
                checked++;
                String problem = problem(link);
                if (problem != null) {
                    broken.add(link + " " + problem);
                }
            }
        }
        assertThat(checked).as("relative links found in %s", pages).isGreaterThan(10);
        assertThat(broken).as("broken links (a path is relative to the page that links it; an anchor is the"
                + " heading lowercased, punctuation but '-' and '_' dropped, spaces as '-')").isEmpty();
    }

    @Test
    void slug_followsGitHub() {
        assertThat(slug("Run it")).isEqualTo("run-it");
        assertThat(slug("Meters (JMH)")).isEqualTo("meters-jmh");
        assertThat(slug("Three nodes, one synchronous backup, `redis-benchmark --cluster`"))
                .isEqualTo("three-nodes-one-synchronous-backup-redis-benchmark---cluster");
        assertThat(slug("`Grid.status()`")).isEqualTo("gridstatus");
        assertThat(slug("Health checks: what ready means")).isEqualTo("health-checks-what-ready-means");
        assertThat(slug("snake_case and [a link](other.md)")).isEqualTo("snake_case-and-a-link");
    }

    @Test
    void checker_findsAMissingFileAndAMissingHeading_andSkipsCodeAndTheWeb(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("other.md"), "# Other\n\n## A section\n\n## A section\n");
        Path page = dir.resolve("page.md");
        Files.writeString(page, String.join("\n",
                "# Page",
                "[ok](other.md#a-section) [second of two](other.md#a-section-1) [here](#page) ![img](other.md)",
                "[gone](missing.md) [no heading](other.md#nowhere) [web](https://example.com/x.md) [m](mailto:a@b.c)",
                "`[in code](nothing.md)`",
                "```",
                "[in a block](nothing-either.md)",
                "```"));
        List<Link> links = links(page);
        assertThat(links).extracting(Link::target).containsExactly("other.md#a-section", "other.md#a-section-1",
                "#page", "other.md", "missing.md", "other.md#nowhere", "https://example.com/x.md", "mailto:a@b.c");
        List<String> problems = new ArrayList<>();
        for (Link link : links) {
            String problem = problem(link);
            if (problem != null) {
                problems.add(link.target() + " " + problem);
            }
        }
        assertThat(problems).hasSize(2);
        assertThat(problems.get(0)).startsWith("missing.md ").contains("no such file");
        assertThat(problems.get(1)).startsWith("other.md#nowhere ").contains("no heading");
    }

    /** README.md, CONTRIBUTING.md and every docs/*.md that exists. */
    private static List<Path> pages() throws IOException {
        List<Path> pages = new ArrayList<>();
        for (String name : List.of("README.md", "CONTRIBUTING.md")) {
            if (Files.isRegularFile(ROOT.resolve(name))) {
                pages.add(ROOT.resolve(name));
            }
        }
        try (Stream<Path> docs = Files.list(ROOT.resolve("docs"))) {
            docs.filter(p -> p.getFileName().toString().endsWith(".md")).sorted().forEach(pages::add);
        }
        return pages;
    }

    /** The page's links outside code blocks and code spans, in order. */
    static List<Link> links(Path page) {
        List<Link> links = new ArrayList<>();
        List<String> lines = readLines(page);
        boolean inFence = false;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (isFence(line)) {
                inFence = !inFence;
                continue;
            }
            if (inFence) {
                continue;
            }
            Matcher m = LINK.matcher(INLINE_CODE.matcher(line).replaceAll(""));
            while (m.find()) {
                links.add(new Link(page, i + 1, m.group(1)));
            }
        }
        return links;
    }

    /** What is wrong with {@code link}, or {@code null} when it leads somewhere (or is not ours to check). */
    static String problem(Link link) {
        String target = link.target();
        if (SCHEME.matcher(target).find()) {
            return null; // http(s), mailto: no network here
        }
        int hash = target.indexOf('#');
        String file = URLDecoder.decode(hash < 0 ? target : target.substring(0, hash), StandardCharsets.UTF_8);
        String anchor = hash < 0 ? null : target.substring(hash + 1);
        Path resolved = file.isEmpty() ? link.page() : link.page().getParent().resolve(file).normalize();
        if (!Files.exists(resolved)) {
            return "-> no such file: " + ROOT.relativize(resolved);
        }
        if (anchor == null || anchor.isEmpty() || !resolved.getFileName().toString().endsWith(".md")) {
            return null; // GitHub's #L10 anchors of source files are line numbers, not headings
        }
        Set<String> anchors = anchors(resolved);
        if (!anchors.contains(URLDecoder.decode(anchor, StandardCharsets.UTF_8))) {
            return "-> no heading '#" + anchor + "' in " + ROOT.relativize(resolved) + " (its anchors: "
                    + new TreeSet<>(anchors) + ")";
        }
        return null;
    }

    /** The anchors GitHub gives the page's headings (a repeated one gets -1, -2, ...) and its HTML anchors. */
    static Set<String> anchors(Path page) {
        Set<String> anchors = new HashSet<>();
        Map<String, Integer> seen = new HashMap<>();
        boolean inFence = false;
        for (String line : readLines(page)) {
            if (isFence(line)) {
                inFence = !inFence;
                continue;
            }
            if (inFence) {
                continue;
            }
            Matcher heading = HEADING.matcher(line);
            if (heading.matches()) {
                String slug = slug(heading.group(1));
                int count = seen.merge(slug, 1, Integer::sum);
                anchors.add(count == 1 ? slug : slug + "-" + (count - 1));
            }
            Matcher html = HTML_ANCHOR.matcher(line);
            while (html.find()) {
                anchors.add(html.group(1));
            }
        }
        return anchors;
    }

    /**
     * GitHub's anchor for a heading: the text as shown (a link counts by its text), lower case, every character but
     * letters, digits, spaces, '-' and '_' dropped, then each space a '-'.
     */
    static String slug(String heading) {
        String shown = heading.replaceAll("!?\\[([^\\]]*)\\]\\([^)]*\\)", "$1");
        StringBuilder slug = new StringBuilder();
        shown.toLowerCase(Locale.ROOT).codePoints().forEach(c -> {
            if (Character.isLetterOrDigit(c) || c == '-' || c == '_') {
                slug.appendCodePoint(c);
            } else if (c == ' ') {
                slug.append('-');
            }
        });
        return slug.toString();
    }

    private static boolean isFence(String line) {
        String trimmed = line.stripLeading();
        return trimmed.startsWith("```") || trimmed.startsWith("~~~");
    }

    private static List<String> readLines(Path page) {
        try {
            return Files.readAllLines(page, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + page, e);
        }
    }
}
