package io.tessera.redis.internal.command;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The list of commands in {@code docs/redis.md}, rendered from the {@link CommandTable} so that the page cannot
 * drift from the server: one Markdown table per command group, the commands of a group sorted by name, with the
 * rows {@code COMMAND} shows (commands flagged {@code internal} left out, so the rows are what {@code COMMAND COUNT}
 * counts) and their flags in alphabetical order. A container's subcommands share its row. {@code CommandListDocTest}
 * compares the page with this and rewrites it on request.
 *
 * <p>{@code java -cp tessera-server.jar io.tessera.redis.internal.command.CommandListDoc} prints the section;
 * with a path it rewrites the section of that Markdown file instead.
 */
public final class CommandListDoc {
    /** The comment that opens the generated section of the page. */
    public static final String BEGIN = "<!-- commands:begin -->";
    /** The comment that closes it. */
    public static final String END = "<!-- commands:end -->";
    /** How a command's row starts, which nothing else in the section does: rows are counted by it. */
    static final String ROW_START = "| `";

    private CommandListDoc() {
    }

    /** Prints the section for the standard table, or with a path argument rewrites that file's section. */
    public static void main(String[] args) throws IOException {
        if (args.length == 0) {
            System.out.print(render(CommandTable.standard()));
            return;
        }
        Path page = Path.of(args[0]);
        String text = Files.readString(page, StandardCharsets.UTF_8);
        Files.writeString(page, withSection(text, render(CommandTable.standard())), StandardCharsets.UTF_8);
    }

    /** The Markdown between the markers (each line ending in a newline) for {@code table}'s visible commands. */
    public static String render(CommandTable table) {
        Map<String, List<CommandSpec>> byGroup = new TreeMap<>();
        int count = 0;
        for (CommandSpec spec : table.all()) {
            if (!spec.flags().contains("internal")) {
                byGroup.computeIfAbsent(spec.group(), g -> new ArrayList<>()).add(spec);
                count++;
            }
        }
        StringBuilder out = new StringBuilder();
        out.append("<!-- Generated from CommandTable by CommandListDocTest: do not edit by hand. -->\n\n");
        out.append(count).append(" commands in ").append(byGroup.size())
                .append(" groups, as `COMMAND COUNT` counts them.\n");
        for (Map.Entry<String, List<CommandSpec>> group : byGroup.entrySet()) {
            List<CommandSpec> specs = group.getValue();
            specs.sort(Comparator.comparing(CommandSpec::name));
            out.append("\n### ").append(group.getKey()).append("\n\n");
            out.append("| Command | Arity | Flags | Since | Summary |\n");
            out.append("|---|---|---|---|---|\n");
            for (CommandSpec spec : specs) {
                out.append(row(spec, table.subcommands(spec.name())));
            }
        }
        return out.toString();
    }

    private static String row(CommandSpec spec, List<String> subcommands) {
        String name = spec.name().toUpperCase(Locale.ROOT);
        StringBuilder flags = new StringBuilder();
        // sorted: some rows hold their flags in a Set.of, whose order changes from one JVM to the next
        for (String flag : new TreeSet<>(spec.flags())) {
            flags.append(flags.isEmpty() ? "" : " ").append('`').append(flag).append('`');
        }
        StringBuilder summary = new StringBuilder(cell(spec.summary()));
        if (!subcommands.isEmpty()) {
            summary.append(" Subcommands:");
            for (int i = 0; i < subcommands.size(); i++) {
                summary.append(i == 0 ? " " : ", ").append('`').append(name).append(' ')
                        .append(subcommands.get(i).toUpperCase(Locale.ROOT)).append('`');
            }
            summary.append('.');
        }
        return ROW_START + name + "` | " + spec.arity() + " | " + flags + " | "
                + (spec.since() == null ? "Tessera" : spec.since()) + " | " + summary + " |\n";
    }

    /** A table cell's text: a pipe would end the cell. */
    private static String cell(String text) {
        return text.replace("|", "\\|");
    }

    /**
     * What lies between the markers of {@code page}, excluding the newline right after the begin marker.
     *
     * @throws IllegalArgumentException if the page lacks either marker
     */
    public static String section(String page) {
        int begin = page.indexOf(BEGIN);
        int end = page.indexOf(END);
        if (begin < 0 || end < begin) {
            throw new IllegalArgumentException("the page has no " + BEGIN + " ... " + END
                    + " section: add the two markers, each on a line of its own, where the list of commands goes");
        }
        return page.substring(begin + BEGIN.length() + 1, end);
    }

    /** {@code page} with the text between its markers replaced by {@code section}. */
    public static String withSection(String page, String section) {
        String old = section(page);
        int from = page.indexOf(BEGIN) + BEGIN.length() + 1;
        return page.substring(0, from) + section + page.substring(from + old.length());
    }

    /** How many commands {@code section} lists (its table rows). */
    public static int countRows(String section) {
        int rows = 0;
        for (String line : section.split("\n")) {
            if (line.startsWith(ROW_START)) {
                rows++;
            }
        }
        return rows;
    }
}
