package io.tessera.redis.internal.command;

import io.tessera.grid.GridMap;
import io.tessera.grid.IndeterminateOutcomeException;
import io.tessera.redis.internal.protocol.Reply;
import io.tessera.redis.internal.protocol.ReplyCodec;
import io.tessera.redis.internal.store.Bytes;
import io.tessera.redis.internal.store.HashSlots;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;

/**
 * One command being run: the server, the client, the command's row and its arguments ({@code args[0]} is the name
 * as the client sent it), with the parsing helpers every command needs and the way to run work on a key's primary.
 */
public final class CommandCall {
    /** How often a read-only key operation is run again after its primary died before answering. */
    private static final int READ_RETRIES = 3;

    private final ServerContext server;
    private final ClientSession client;
    private final CommandSpec spec;
    private final byte[][] args;
    private final CommandDispatcher dispatcher;
    private final boolean mayBlock;

    public CommandCall(ServerContext server, ClientSession client, CommandSpec spec, byte[][] args,
                       CommandDispatcher dispatcher, boolean mayBlock) {
        this.server = server;
        this.client = client;
        this.spec = spec;
        this.args = args;
        this.dispatcher = dispatcher;
        this.mayBlock = mayBlock;
    }

    /** Whether a blocking command may wait (not inside EXEC). */
    public boolean mayBlock() {
        return mayBlock;
    }

    /** The dispatcher that runs this call (EXEC runs the keyless commands of a transaction through it). */
    public CommandDispatcher dispatcher() {
        return dispatcher;
    }

    public ServerContext server() {
        return server;
    }

    public ClientSession client() {
        return client;
    }

    public CommandSpec spec() {
        return spec;
    }

    /** All arguments, the command name first; must not be modified. */
    public byte[][] args() {
        return args;
    }

    /** The number of arguments, the command name included. */
    public int argCount() {
        return args.length;
    }

    public byte[] arg(int index) {
        return args[index];
    }

    /** Argument {@code index} as UTF-8 text. */
    public String text(int index) {
        return new String(args[index], StandardCharsets.UTF_8);
    }

    /** Argument {@code index} in upper case, for matching options. */
    public String option(int index) {
        return text(index).toUpperCase(Locale.ROOT);
    }

    /** Argument {@code index} as a 64-bit integer, or Redis's "not an integer" error. */
    public long integer(int index) {
        return Arguments.parseLong(args[index]);
    }

    /** The current database's map. */
    public GridMap<byte[], byte[]> database() {
        return server.database(client.database());
    }

    /** Runs this command's own key operation on the key at {@code keyIndex}, on that key's primary. */
    public CompletableFuture<Reply> onKey(int keyIndex) {
        return onKey(args[keyIndex], spec.name(), args);
    }

    /** Runs command {@code operation}'s key operation on {@code key}'s primary with {@code operationArgs}. */
    public CompletableFuture<Reply> onKey(byte[] key, String operation, byte[][] operationArgs) {
        return onKey(database(), key, operation, operationArgs);
    }

    /** As {@link #onKey(byte[], String, byte[][])}, in another database (MOVE, COPY ... DB). */
    public CompletableFuture<Reply> onKey(GridMap<byte[], byte[]> map, byte[] key, String operation,
                                          byte[][] operationArgs) {
        return onKey(map, key, operation, operationArgs, null);
    }

    /**
     * As {@link #onKey(byte[], String, byte[][])}, for a try of a blocked command: with its {@code ticket}
     * (null: none), the try takes from the key only when the ticket's turn on it has come ({@link BlockingOrder}).
     */
    public CompletableFuture<Reply> onKey(byte[] key, String operation, byte[][] operationArgs,
                                          BlockingOrder.Ticket ticket) {
        return onKey(database(), key, operation, operationArgs, ticket);
    }

    private CompletableFuture<Reply> onKey(GridMap<byte[], byte[]> map, byte[] key, String operation,
                                           byte[][] operationArgs, BlockingOrder.Ticket ticket) {
        CommandSpec operationSpec = dispatcher.table().lookup(operation);
        int retries = operationSpec != null && !operationSpec.isWrite() ? READ_RETRIES : 0;
        boolean events = map == database() && reportsEvents(operationSpec);
        String id = ticket != null && ticket.waitsOn(key) ? ticket.id() : null;
        return retryingReads(() -> map.executeOnKeyAsync(key, new KeyCommandProcessor(operation, operationArgs, events,
                id)).thenApply(encoded -> replyPublishingEvents(ReplyCodec.decode(encoded), events)), retries);
    }

    /**
     * Runs slot operation {@code operation} on {@code keys}, which must be distinct and share a hash slot (check
     * with {@link #sameSlot}), atomically on their primary. A command without the {@code write} flag (MGET, SINTER
     * ...) is run again when the primary dies before answering, as {@link #onKey} does.
     */
    public CompletableFuture<Reply> onSlot(List<byte[]> keys, String operation, byte[][] operationArgs) {
        return onSlot(keys, operation, operationArgs, null);
    }

    /** As {@link #onSlot(List, String, byte[][])}, for a try of a blocked command holding {@code ticket}. */
    public CompletableFuture<Reply> onSlot(List<byte[]> keys, String operation, byte[][] operationArgs,
                                           BlockingOrder.Ticket ticket) {
        GridMap<byte[], byte[]> map = database();
        boolean events = reportsEvents(dispatcher.table().lookup(operation));
        return retryingReads(() -> map.executeOnKeysAsync(keys,
                new SlotCommandProcessor(operation, operationArgs, events, ticket))
                .thenApply(encoded -> replyPublishingEvents(ReplyCodec.decode(encoded), events)),
                spec.isWrite() ? 0 : READ_RETRIES);
    }

    /** Whether the operation's keyspace events are wanted: notifications are on and it is a client's write. */
    boolean reportsEvents(CommandSpec operationSpec) {
        return KeyspaceEvents.enabled(server.keyspaceEventFlags()) && operationSpec != null
                && operationSpec.isWrite() && !operationSpec.flags().contains("internal");
    }

    /** The reply of a processor asked for events ({@code [reply, events]}), its events published; else as is. */
    Reply replyPublishingEvents(Reply decoded, boolean events) {
        if (!events || !(decoded instanceof Reply.Array pair) || pair.items().size() != 2) {
            return decoded; // without events, or an error answered before the operation ran
        }
        server.publishKeyspaceEvents(client.database(), KeyspaceEvents.decode(pair.items().get(1)));
        return pair.items().get(0);
    }

    private static CompletableFuture<Reply> retryingReads(Supplier<CompletableFuture<Reply>> run, int retriesLeft) {
        CompletableFuture<Reply> attempt = run.get();
        if (retriesLeft == 0) {
            return attempt;
        }
        return attempt.exceptionallyCompose(failure -> {
            Throwable cause = failure;
            while (cause instanceof CompletionException && cause.getCause() != null) {
                cause = cause.getCause();
            }
            return cause instanceof IndeterminateOutcomeException
                    ? retryingReads(run, retriesLeft - 1)
                    : CompletableFuture.failedFuture(failure);
        });
    }

    /** Whether every key hashes to one slot (then {@link #onSlot} runs them as one atomic step). */
    public static boolean sameSlot(List<byte[]> keys) {
        int slot = HashSlots.slot(keys.get(0));
        for (byte[] key : keys) {
            if (HashSlots.slot(key) != slot) {
                return false;
            }
        }
        return true;
    }

    /** The keys without repeats, first occurrence first. */
    public static List<byte[]> distinct(List<byte[]> keys) {
        Set<Bytes> seen = new HashSet<>();
        List<byte[]> result = new ArrayList<>(keys.size());
        for (byte[] key : keys) {
            if (seen.add(Bytes.of(key))) {
                result.add(key);
            }
        }
        return result;
    }

    /** The keys at {@code first}, {@code first + step}, ... up to the last argument, repeats included. */
    public List<byte[]> keys(int first, int step) {
        List<byte[]> keys = new ArrayList<>();
        for (int i = first; i < args.length; i += step) {
            keys.add(args[i]);
        }
        return keys;
    }

    /** A completed reply. */
    public static CompletableFuture<Reply> done(Reply reply) {
        return CompletableFuture.completedFuture(reply);
    }
}
