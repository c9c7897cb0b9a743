package io.tessera.redis.internal.command;

import io.tessera.grid.GridClosedException;
import io.tessera.grid.GridException;
import io.tessera.grid.IndeterminateOutcomeException;
import io.tessera.grid.MapFullException;
import io.tessera.grid.QuorumException;
import io.tessera.grid.OperationTimeoutException;
import io.tessera.redis.internal.protocol.Reply;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Looks a request up in the {@link CommandTable} and runs it after Redis's checks, in Redis's order: unknown
 * command, arity, authentication, ACL permissions, maxmemory (a {@code denyoom} command while the node is beyond it under
 * {@code noeviction}), subscribe mode. Grid failures become error replies that say what happened; a
 * bug in a command becomes an error reply and a log line, never a dropped connection.
 */
public final class CommandDispatcher {
    private static final Logger log = LoggerFactory.getLogger(CommandDispatcher.class);

    /** Redis's answer to a command that may grow the data while the node is beyond maxmemory under noeviction. */
    private static final Reply.Error OOM = new Reply.Error("OOM command not allowed when used memory > 'maxmemory'.");

    private final ServerContext server;
    private final CommandTable table;

    public CommandDispatcher(ServerContext server, CommandTable table) {
        this.server = server;
        this.table = table;
    }

    /** The table this dispatcher runs commands from. */
    public CommandTable table() {
        return table;
    }

    /** Runs one request; the future completes with its reply (on whatever thread finished the work). */
    public CompletableFuture<Reply> dispatch(ClientSession client, byte[][] args) {
        return dispatch(client, args, true);
    }

    /**
     * As {@link #dispatch(ClientSession, byte[][])}; without {@code mayBlock} a blocking command answers at once
     * what its non-blocking form answers (EXEC runs its commands so, as Redis does).
     */
    public CompletableFuture<Reply> dispatch(ClientSession client, byte[][] args, boolean mayBlock) {
        String name = new String(args[0], StandardCharsets.UTF_8);
        CommandSpec spec = table.lookup(name);
        CommandStats stats = server.commandStats();
        long start = System.nanoTime();
        stats.received(start);
        boolean inTransaction = client.queued() != null;
        if (spec == null) {
            return refuse(client, inTransaction, null, new Reply.Error(unknownCommand(name, args)));
        }
        client.touched(spec.name());
        if (!spec.arityAccepts(args.length)) {
            return refuse(client, inTransaction, spec, new Reply.Error("ERR wrong number of arguments for '"
                    + spec.name() + "' command"));
        }
        if (!client.authenticated() && !spec.flags().contains("no_auth")
                && !server.acl().defaultUser().opensWithoutPassword()) {
            return refuse(client, inTransaction, spec, new Reply.Error("NOAUTH Authentication required."));
        }
        AclUser user = client.user();
        if (!user.unrestricted()) { // the default user of a server without ACL users skips this at one read
            Reply.Error denied = AclCommands.check(user, spec, args, table, false);
            if (denied != null) {
                return refuse(client, inTransaction, spec, denied);
            }
        }
        if (server.checksMaxmemory() && spec.flags().contains("denyoom") && server.refusesGrowth()) {
            return refuse(client, inTransaction, spec, OOM);
        }
        if (client.inSubscribeMode() && !spec.has(CommandRule.ALLOWED_IN_SUBSCRIBE_MODE)) {
            Reply.Error error = new Reply.Error("ERR Can't execute '" + spec.name()
                    + "': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context");
            stats.rejected(spec, error.text());
            return CommandCall.done(error);
        }
        if (inTransaction && !spec.has(CommandRule.TRANSACTION_CONTROL)) {
            if (spec.has(CommandRule.REFUSED_IN_MULTI)) {
                return refuse(client, true, spec, new Reply.Error("ERR Command not allowed inside a transaction"));
            }
            client.queued().add(args);
            return CommandCall.done(TransactionCommands.queued());
        }
        CompletableFuture<Reply> reply;
        try {
            reply = spec.handler().execute(new CommandCall(server, client, spec, args, this, mayBlock));
        } catch (RuntimeException e) {
            Reply error = errorReply(spec, e);
            finished(spec, client, args, start, error);
            return CommandCall.done(error);
        }
        if (reply.isDone() && !reply.isCompletedExceptionally()) {
            finished(spec, client, args, start, reply.getNow(null)); // the common case on the serving member
            return reply;
        }
        CompletableFuture<Reply> answered = reply.exceptionally(e -> errorReply(spec, e));
        answered.thenAccept(r -> finished(spec, client, args, start, r));
        return answered;
    }

    /** Counts a command that ran, and logs it if it was slow; a blocking command's wait is not its time. */
    private void finished(CommandSpec spec, ClientSession client, byte[][] args, long startNanos, Reply reply) {
        CommandStats.Measure measure = server.commandStats().measure(spec);
        long micros = measure.timed() ? (System.nanoTime() - startNanos) / 1000 : -1;
        server.commandStats().ran(spec.name(), micros, reply instanceof Reply.Error error ? error.text() : null);
        if (measure.slowLogged()) {
            server.slowLog().offer(args, micros, client);
        }
    }

    /** Answers {@code error}; inside MULTI the transaction is then refused at EXEC, as Redis flags it. */
    private CompletableFuture<Reply> refuse(ClientSession client, boolean inTransaction, CommandSpec spec,
                                            Reply.Error error) {
        server.commandStats().rejected(spec, error.text());
        if (inTransaction) {
            client.abortTransaction();
        }
        return CommandCall.done(error);
    }

    /** Redis's text for an unknown command: the name and the first arguments, each quoted, at most 128 bytes. */
    static String unknownCommand(String name, byte[][] args) {
        StringBuilder quoted = new StringBuilder();
        for (int i = 1; i < args.length && quoted.length() < 128; i++) {
            String arg = new String(args[i], StandardCharsets.UTF_8);
            int room = 128 - quoted.length();
            quoted.append('\'').append(arg.length() > room ? arg.substring(0, room) : arg).append("' ");
        }
        return sanitize("ERR unknown command '" + truncate(name) + "', with args beginning with: " + quoted);
    }

    private static String truncate(String text) {
        return text.length() > 128 ? text.substring(0, 128) : text;
    }

    /** Error replies are one line: CR and LF become spaces, as Redis's addReplyErrorLength does. */
    static String sanitize(String text) {
        return text.replace('\r', ' ').replace('\n', ' ');
    }

    private static Reply errorReply(CommandSpec spec, Throwable failure) {
        Throwable e = failure;
        while (e instanceof CompletionException && e.getCause() != null) {
            e = e.getCause();
        }
        if (e instanceof RedisException redis) {
            return redis.reply();
        }
        return gridErrorReply(spec, e);
    }

    /**
     * The one table from grid exceptions to RESP error prefixes. TRYAGAIN (which cluster clients retry) only for what
     * certainly did not happen; a write whose outcome is unknown says so under ERR, which no client retries on its
     * own: the grid already retried it, exactly once, until its deadline.
     */
    private static Reply gridErrorReply(CommandSpec spec, Throwable e) {
        if (e instanceof MapFullException) {
            return OOM;
        }
        if (e instanceof QuorumException) {
            return Reply.error(sanitize("CLUSTERDOWN " + e.getMessage()));
        }
        if (e instanceof IndeterminateOutcomeException) {
            return Reply.error(sanitize("ERR outcome unknown: " + e.getMessage()));
        }
        if (e instanceof OperationTimeoutException) {
            // Redis Cluster's TRYAGAIN tells clients to retry later; the text says why.
            return Reply.error(sanitize("TRYAGAIN " + e.getMessage()));
        }
        if (e instanceof GridClosedException) {
            return Reply.error("ERR this member is shutting down; connect to another member");
        }
        if (e instanceof GridException) {
            return Reply.error(sanitize("ERR " + e.getMessage()));
        }
        log.error("command {} failed", spec.name(), e);
        return Reply.error(sanitize("ERR internal error in '" + spec.name() + "': " + e));
    }
}
