package io.tessera.redis.internal.command;

import io.tessera.redis.internal.protocol.Reply;
import io.tessera.redis.internal.store.Bytes;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * SUBSCRIBE, UNSUBSCRIBE, PSUBSCRIBE, PUNSUBSCRIBE, PUBLISH, PUBSUB. Messages cross the cluster through
 * {@link PubSubHub}. Confirmations are one reply per channel (pushes in RESP3), as Redis sends them.
 */
final class PubSubCommands {
    private PubSubCommands() {
    }

    static void register(CommandTable.Builder table) {
        table.immediate("subscribe", -2, "pubsub noscript loading stale", "pubsub",
                "Listens for messages published to channels.",
                call -> subscribe(call, false));
        table.immediate("psubscribe", -2, "pubsub noscript loading stale", "pubsub",
                "Listens for messages published to channels that match one or more patterns.",
                call -> subscribe(call, true));
        table.immediate("unsubscribe", -1, "pubsub noscript loading stale", "pubsub",
                "Stops listening to messages posted to channels.", call -> unsubscribe(call, false));
        table.immediate("punsubscribe", -1, "pubsub noscript loading stale", "pubsub",
                "Stops listening to messages published to channels that match one or more patterns.",
                call -> unsubscribe(call, true));
        table.command("publish", 3, "pubsub loading stale fast", 0, 0, 0, "pubsub",
                "Posts a message to a channel.",
                call -> call.server().pubSub().publish(call.arg(1), call.arg(2)).thenApply(Reply::integer));
        table.command("pubsub", -2, "pubsub loading stale", 0, 0, 0, "pubsub",
                "Inspects the state of the Pub/Sub subsystem.", PubSubCommands::pubsub);
        for (String name : List.of("subscribe", "psubscribe", "unsubscribe", "punsubscribe")) {
            table.rules(name, CommandRule.ALLOWED_IN_SUBSCRIBE_MODE, CommandRule.REFUSED_IN_MULTI);
        }
    }

    private static Reply subscribe(CommandCall call, boolean pattern) {
        ClientSession client = call.client();
        PubSubHub hub = call.server().pubSub();
        Set<Bytes> mine = pattern ? client.patterns() : client.channels();
        List<Reply> confirmations = new ArrayList<>(call.argCount() - 1);
        for (int i = 1; i < call.argCount(); i++) {
            Bytes name = Bytes.of(call.arg(i));
            if (mine.add(name)) {
                if (pattern) {
                    hub.psubscribe(client, name);
                } else {
                    hub.subscribe(client, name);
                }
            }
            client.subscriptionsChanged();
            confirmations.add(confirmation(pattern ? "psubscribe" : "subscribe", Reply.bulk(name.bytes()), client));
        }
        return new Reply.Sequence(List.copyOf(confirmations));
    }

    private static Reply unsubscribe(CommandCall call, boolean pattern) {
        ClientSession client = call.client();
        PubSubHub hub = call.server().pubSub();
        Set<Bytes> mine = pattern ? client.patterns() : client.channels();
        String kind = pattern ? "punsubscribe" : "unsubscribe";
        List<Bytes> names = new ArrayList<>();
        if (call.argCount() == 1) {
            names.addAll(mine);
        } else {
            for (int i = 1; i < call.argCount(); i++) {
                names.add(Bytes.of(call.arg(i)));
            }
        }
        if (names.isEmpty()) {
            return confirmation(kind, Reply.NULL, client);
        }
        List<Reply> confirmations = new ArrayList<>(names.size());
        for (Bytes name : names) {
            if (mine.remove(name)) {
                if (pattern) {
                    hub.punsubscribe(client, name);
                } else {
                    hub.unsubscribe(client, name);
                }
            }
            client.subscriptionsChanged();
            confirmations.add(confirmation(kind, Reply.bulk(name.bytes()), client));
        }
        return new Reply.Sequence(List.copyOf(confirmations));
    }

    private static Reply confirmation(String kind, Reply name, ClientSession client) {
        return new Reply.Push(List.of(Reply.bulk(kind), name, Reply.integer(client.subscriptionCount())));
    }

    private static CompletableFuture<Reply> pubsub(CommandCall call) {
        PubSubHub hub = call.server().pubSub();
        String sub = call.option(1);
        switch (sub) {
            case "CHANNELS" -> {
                if (call.argCount() > 3) {
                    return CommandCall.done(wrongArity("channels"));
                }
                byte[] pattern = call.argCount() == 3 ? call.arg(2) : null;
                return CommandCall.done(Reply.array(hub.localChannels(pattern).stream()
                        .map(c -> Reply.bulk(c.bytes())).toList()));
            }
            case "NUMSUB" -> {
                List<CompletableFuture<Long>> counts = new ArrayList<>();
                for (int i = 2; i < call.argCount(); i++) {
                    counts.add(hub.countSubscribers(call.arg(i)));
                }
                return CompletableFuture.allOf(counts.toArray(new CompletableFuture<?>[0])).thenApply(v -> {
                    List<Reply> flat = new ArrayList<>();
                    for (int i = 2; i < call.argCount(); i++) {
                        flat.add(Reply.bulk(call.arg(i)));
                        flat.add(Reply.integer(counts.get(i - 2).join()));
                    }
                    return Reply.array(flat);
                });
            }
            case "NUMPAT" -> {
                if (call.argCount() != 2) {
                    return CommandCall.done(wrongArity("numpat"));
                }
                return hub.countPatterns().thenApply(Reply::integer);
            }
            case "HELP" -> {
                return CommandCall.done(Reply.array(List.of(
                        Reply.simple("PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:"),
                        Reply.simple("CHANNELS [<pattern>]"),
                        Reply.simple("    Return the currently active channels matching a <pattern> (default: '*')."),
                        Reply.simple("NUMPAT"),
                        Reply.simple("    Return number of subscriptions to patterns."),
                        Reply.simple("NUMSUB [<channel> ...]"),
                        Reply.simple("    Return the number of subscribers for the specified channels, excluding"),
                        Reply.simple("    pattern subscriptions(default: no channels)."),
                        Reply.simple("HELP"),
                        Reply.simple("    Prints this help."))));
            }
            default -> {
                return CommandCall.done(Reply.error("ERR unknown subcommand '" + call.text(1)
                        + "'. Try PUBSUB HELP."));
            }
        }
    }

    private static Reply wrongArity(String sub) {
        return Reply.error("ERR wrong number of arguments for 'pubsub|" + sub + "' command");
    }
}
