package io.tessera.redis.internal.command;

import io.tessera.redis.internal.command.ClientSession.Watched;
import io.tessera.redis.internal.protocol.Reply;
import io.tessera.redis.internal.protocol.ReplyCodec;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * MULTI, EXEC, DISCARD, WATCH and UNWATCH, as Redis Cluster runs them: the commands of a transaction run atomically
 * on their keys' primary, so their keys (and the watched keys) must share a hash slot, as in Redis Cluster.
 *
 * <p>Between MULTI and EXEC the dispatcher queues each command after Redis's checks (an unknown command, a wrong
 * number of arguments, a command refused inside a transaction: the error is answered at once and EXEC then answers
 * EXECABORT). EXEC sends every queued command that names keys, with the versions of the watched keys, in one
 * {@link TransactionProcessor} to the slot's primary: if a watched key was written since WATCH read its version, it
 * runs nothing and EXEC answers a null array; otherwise it runs the commands in order, each answering as it would
 * alone (an error reply of one does not stop the others, as in Redis). Commands without keys (PING, ECHO, PUBLISH,
 * INFO, ...) run on the serving member afterwards, their replies in their places.
 *
 * <p>Differences from a single Redis: keys in two slots make EXEC answer CROSSSLOT (Redis Cluster does the same);
 * keyless commands are not isolated from other clients; a key watched in another database than the one EXEC runs in
 * is checked just before the transaction rather than with it; SELECT, HELLO, AUTH and the subscribe commands are
 * refused inside a transaction.
 */
final class TransactionCommands {
    static final String VERSION = "tessera.version";
    private static final Reply QUEUED = Reply.simple("QUEUED");

    private TransactionCommands() {
    }

    static void register(CommandTable.Builder table) {
        table.command("multi", 1, "noscript loading stale fast allow_busy", 0, 0, 0, "transactions",
                "Starts a transaction.", TransactionCommands::multi);
        table.command("exec", 1, "noscript loading stale skip_slowlog", 0, 0, 0, "transactions",
                "Executes all commands in a transaction.", TransactionCommands::exec);
        table.command("discard", 1, "noscript loading stale fast allow_busy", 0, 0, 0, "transactions",
                "Discards a transaction.", TransactionCommands::discard);
        table.command("watch", -2, "noscript loading stale fast allow_busy", 1, -1, 1, "transactions",
                "Monitors changes to keys to determine the execution of a transaction.", TransactionCommands::watch);
        table.command("unwatch", 1, "noscript loading stale fast allow_busy", 0, 0, 0, "transactions",
                "Forgets about watched keys of a transaction.", TransactionCommands::unwatch);
        table.add(new CommandSpec(VERSION, 2, Set.of("internal"), 1, 1, 1, "transactions",
                "Returns the version of a key's last write (WATCH).",
                call -> CommandCall.done(Reply.error(CommandDispatcher.unknownCommand(call.text(0), call.args()))),
                (entry, args) -> Reply.integer(entry.version())));
        for (String name : List.of("multi", "exec", "discard", "watch")) {
            table.rules(name, CommandRule.TRANSACTION_CONTROL);
        }
    }

    /** The reply to a command queued inside MULTI. */
    static Reply queued() {
        return QUEUED;
    }

    private static CompletableFuture<Reply> multi(CommandCall call) {
        ClientSession client = call.client();
        if (client.queued() != null) {
            return CommandCall.done(Reply.error("ERR MULTI calls can not be nested"));
        }
        client.beginTransaction();
        return CommandCall.done(Reply.OK);
    }

    private static CompletableFuture<Reply> discard(CommandCall call) {
        ClientSession client = call.client();
        if (client.queued() == null) {
            return CommandCall.done(Reply.error("ERR DISCARD without MULTI"));
        }
        client.endTransaction();
        return CommandCall.done(Reply.OK);
    }

    private static CompletableFuture<Reply> unwatch(CommandCall call) {
        call.client().watched().clear();
        return CommandCall.done(Reply.OK);
    }

    /** Reads each key's version now; the reply waits for them, so a write after it is seen by EXEC. */
    private static CompletableFuture<Reply> watch(CommandCall call) {
        ClientSession client = call.client();
        if (client.queued() != null) {
            return CommandCall.done(Reply.error("ERR WATCH inside MULTI is not allowed"));
        }
        List<CompletableFuture<Long>> versions = new ArrayList<>();
        for (int i = 1; i < call.argCount(); i++) {
            byte[] key = call.arg(i);
            CompletableFuture<Long> version = call.onKey(key, VERSION, new byte[][] {Arguments.utf8(VERSION), key})
                    .thenApply(reply -> {
                        if (reply instanceof Reply.Int v) {
                            return v.value();
                        }
                        throw reply instanceof Reply.Error e ? new RedisException(e)
                                : new RedisException("ERR WATCH could not read the version of a key");
                    });
            client.watched().add(new Watched(client.database(), key, version));
            versions.add(version);
        }
        return CompletableFuture.allOf(versions.toArray(CompletableFuture[]::new)).thenApply(ignored -> Reply.OK);
    }

    private static CompletableFuture<Reply> exec(CommandCall call) {
        ClientSession client = call.client();
        if (client.queued() == null) {
            return CommandCall.done(Reply.error("ERR EXEC without MULTI"));
        }
        boolean aborted = client.transactionAborted();
        List<Watched> watched = List.copyOf(client.watched());
        List<byte[][]> commands = client.endTransaction();
        if (aborted) {
            return CommandCall.done(Reply.error("EXECABORT Transaction discarded because of previous errors."));
        }
        CompletableFuture<?>[] versions = watched.stream().map(Watched::version).toArray(CompletableFuture[]::new);
        if (Arrays.stream(versions).allMatch(CompletableFuture::isDone)) {
            return execWatched(call, watched, commands); // at once, so the calls keep the connection's order
        }
        return CompletableFuture.allOf(versions).handle((ignored, failure) -> null)
                .thenCompose(ignored -> execWatched(call, watched, commands));
    }

    private static CompletableFuture<Reply> execWatched(CommandCall call, List<Watched> watched,
                                                        List<byte[][]> commands) {
        int database = call.client().database();
        List<Watched> here = new ArrayList<>();
        List<CompletableFuture<Boolean>> elsewhere = new ArrayList<>();
        for (Watched w : watched) {
            if (w.version().isCompletedExceptionally()) {
                return CommandCall.done(Reply.NULL_ARRAY); // its version could not be read: treat it as touched
            }
            if (w.database() == database) {
                here.add(w);
            } else {
                elsewhere.add(call.onKey(call.server().database(w.database()), w.key(), VERSION,
                        new byte[][] {Arguments.utf8(VERSION), w.key()})
                        .thenApply(reply -> reply instanceof Reply.Int v && v.value() == w.version().join()));
            }
        }
        if (elsewhere.isEmpty()) {
            return run(call, here, commands);
        }
        return CompletableFuture.allOf(elsewhere.toArray(CompletableFuture[]::new)).handle((ignored, failure) -> null)
                .thenCompose(ignored -> elsewhere.stream().allMatch(f -> !f.isCompletedExceptionally() && f.join())
                        ? run(call, here, commands) : CommandCall.done(Reply.NULL_ARRAY));
    }

    /** Runs the keyed commands in one step on their slot's primary, then the keyless ones here. */
    private static CompletableFuture<Reply> run(CommandCall call, List<Watched> watched, List<byte[][]> commands) {
        CommandTable table = call.dispatcher().table();
        List<byte[]> keys = new ArrayList<>();
        List<byte[][]> keyed = new ArrayList<>();
        boolean[] isKeyed = new boolean[commands.size()];
        AclUser user = call.client().user();
        for (int i = 0; i < commands.size(); i++) {
            byte[][] args = commands.get(i);
            CommandSpec spec = table.lookup(text(args[0]));
            List<byte[]> commandKeys = keysOf(table, spec, args);
            // Redis checks permissions again at EXEC: a command its user may no longer run (changed since it was
            // queued) goes the keyless way, through the dispatcher, which refuses it in its place of the reply.
            if (!commandKeys.isEmpty()
                    && (user.unrestricted() || AclCommands.check(user, spec, args, table, false) == null)) {
                isKeyed[i] = true;
                keyed.add(args);
                keys.addAll(commandKeys);
            }
        }
        for (Watched w : watched) {
            keys.add(w.key());
        }
        List<byte[]> distinct = CommandCall.distinct(keys);
        CompletableFuture<Reply> atomic;
        if (distinct.isEmpty()) {
            atomic = CommandCall.done(Reply.array(List.of()));
        } else if (!CommandCall.sameSlot(distinct)) {
            return CommandCall.done(Multi.CROSSSLOT);
        } else {
            byte[][] watchedKeys = new byte[watched.size()][];
            long[] watchedVersions = new long[watched.size()];
            for (int i = 0; i < watched.size(); i++) {
                watchedKeys[i] = watched.get(i).key();
                watchedVersions[i] = watched.get(i).version().join();
            }
            boolean events = KeyspaceEvents.enabled(call.server().keyspaceEventFlags());
            atomic = call.database().executeOnKeysAsync(distinct,
                    new TransactionProcessor(keyed, watchedKeys, watchedVersions, events))
                    .thenApply(encoded -> call.replyPublishingEvents(ReplyCodec.decode(encoded), events));
        }
        return atomic.thenCompose(reply -> {
            if (!(reply instanceof Reply.Array keyedReplies)) {
                return CommandCall.done(reply); // the null array of a touched watched key, or an error
            }
            return keyless(call, commands, isKeyed, keyedReplies.items());
        });
    }

    /** Runs the keyless commands one after another on this member and puts every reply in its place. */
    private static CompletableFuture<Reply> keyless(CommandCall call, List<byte[][]> commands, boolean[] isKeyed,
                                                    List<Reply> keyedReplies) {
        Reply[] replies = new Reply[commands.size()];
        CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
        int next = 0;
        for (int i = 0; i < commands.size(); i++) {
            int index = i;
            if (isKeyed[i]) {
                replies[i] = keyedReplies.get(next++);
            } else {
                chain = chain.thenCompose(ignored -> call.dispatcher().dispatch(call.client(), commands.get(index), false))
                        .thenAccept(reply -> replies[index] = reply);
            }
        }
        return chain.thenApply(ignored -> Reply.array(Arrays.asList(replies)));
    }

    /** The keys a command names, from its row's key positions or its movable keys (repeats included). */
    static List<byte[]> keysOf(CommandTable table, CommandSpec spec, byte[][] args) {
        if (spec == null) {
            return List.of();
        }
        Function<byte[][], List<byte[]>> movable = table.movableKeys(spec.name());
        if (movable != null) {
            return movable.apply(args);
        }
        if (spec.firstKey() <= 0) {
            return List.of();
        }
        int last = spec.lastKey() < 0 ? args.length + spec.lastKey() : spec.lastKey();
        List<byte[]> keys = new ArrayList<>();
        for (int i = spec.firstKey(); i <= last && i < args.length; i += Math.max(1, spec.step())) {
            keys.add(args[i]);
        }
        return keys;
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

}
