package io.tessera.redis.internal.command;

import io.tessera.redis.internal.protocol.Reply;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The subcommands of one container command ({@code CLIENT}, {@code CONFIG}, {@code CLUSTER}, {@code COMMAND}),
 * with Redis's checks for them: an unknown subcommand gets {@code ERR unknown subcommand 'x'. Try CLIENT HELP.}
 * and a wrong argument count {@code ERR wrong number of arguments for 'client|kill' command}, before the handler
 * runs. {@code HELP} is answered from the lines each subcommand registers, in Redis's layout.
 */
final class Subcommands implements CommandHandler {
    private record Sub(int arity, CommandHandler handler) {
    }

    private final String container;
    private final Map<String, Sub> subs = new LinkedHashMap<>();
    private final List<String> help = new ArrayList<>();

    Subcommands(String container) {
        this.container = container;
        add("help", 2, call -> CommandCall.done(help()));
    }

    /** Adds subcommand {@code name} (lower case) with its Redis arity (counting the container and the name). */
    Subcommands add(String name, int arity, CommandHandler handler) {
        subs.put(name, new Sub(arity, handler));
        return this;
    }

    /** As {@link #add}, for a subcommand whose reply is ready at once. */
    Subcommands addImmediate(String name, int arity, java.util.function.Function<CommandCall, Reply> handler) {
        return add(name, arity, call -> CommandCall.done(handler.apply(call)));
    }

    /** The subcommands' names (lower case, HELP included), in registration order. */
    List<String> names() {
        return List.copyOf(subs.keySet());
    }

    /** Adds lines to the HELP reply (usage line, then indented explanation lines). */
    Subcommands help(String... lines) {
        help.addAll(List.of(lines));
        return this;
    }

    @Override
    public CompletableFuture<Reply> execute(CommandCall call) {
        String name = call.text(1).toLowerCase(Locale.ROOT);
        Sub sub = subs.get(name);
        if (sub == null) {
            return CommandCall.done(Reply.error(CommandDispatcher.sanitize("ERR unknown subcommand '"
                    + truncate(call.text(1)) + "'. Try " + container.toUpperCase(Locale.ROOT) + " HELP.")));
        }
        boolean arityOk = sub.arity() >= 0 ? call.argCount() == sub.arity() : call.argCount() >= -sub.arity();
        if (!arityOk) {
            return CommandCall.done(Reply.error("ERR wrong number of arguments for '" + container + "|" + name
                    + "' command"));
        }
        call.client().touched(container + "|" + name);
        return sub.handler().execute(call);
    }

    private static String truncate(String text) {
        return text.length() > 128 ? text.substring(0, 128) : text;
    }

    private Reply help() {
        List<Reply> lines = new ArrayList<>(help.size() + 3);
        lines.add(Reply.simple(container.toUpperCase(Locale.ROOT)
                + " <subcommand> [<arg> [value] [opt] ...]. Subcommands are:"));
        for (String line : help) {
            lines.add(Reply.simple(line));
        }
        lines.add(Reply.simple("HELP"));
        lines.add(Reply.simple("    Prints this help."));
        return Reply.array(lines);
    }
}
