package io.tessera.redis.internal.command;

import io.tessera.redis.internal.protocol.Reply;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** PING, ECHO, HELLO, AUTH, SELECT, QUIT, RESET. */
final class ConnectionCommands {
    /** The Redis version Tessera answers to HELLO and INFO: the command set it follows. */
    static final String REDIS_VERSION = "7.2.0";

    private ConnectionCommands() {
    }

    static void register(CommandTable.Builder table) {
        table.immediate("ping", -1, "fast sentinel", "connection", "Returns the server's liveliness response.",
                ConnectionCommands::ping);
        table.immediate("echo", 2, "fast", "connection", "Returns the given string.",
                call -> Reply.bulk(call.arg(1)));
        table.command("hello", -1, "noscript loading stale fast no_auth sentinel allow_busy", 0, 0, 0, "connection",
                "Handshakes with the Redis server.", ConnectionCommands::hello);
        table.command("auth", -2, "noscript loading stale fast no_auth sentinel allow_busy", 0, 0, 0, "connection",
                "Authenticates the connection.", ConnectionCommands::auth);
        table.immediate("select", 2, "loading stale fast", "connection",
                "Changes the selected database.", ConnectionCommands::select);
        table.immediate("quit", -1, "noscript loading stale fast no_auth allow_busy", "connection",
                "Closes the connection.", call -> Reply.OK);
        table.immediate("reset", 1, "noscript loading stale fast no_auth allow_busy", "connection",
                "Resets the connection.", ConnectionCommands::reset);
        table.rules("ping", CommandRule.ALLOWED_IN_SUBSCRIBE_MODE)
                .rules("quit", CommandRule.ALLOWED_IN_SUBSCRIBE_MODE, CommandRule.TRANSACTION_CONTROL)
                .rules("reset", CommandRule.ALLOWED_IN_SUBSCRIBE_MODE, CommandRule.TRANSACTION_CONTROL)
                .rules("select", CommandRule.REFUSED_IN_MULTI)
                .rules("hello", CommandRule.REFUSED_IN_MULTI)
                .rules("auth", CommandRule.REFUSED_IN_MULTI);
    }

    private static Reply ping(CommandCall call) {
        if (call.argCount() > 2) {
            return Reply.error("ERR wrong number of arguments for 'ping' command");
        }
        if (call.client().inSubscribeMode()) {
            return Reply.array(List.of(Reply.bulk("pong"),
                    call.argCount() == 2 ? Reply.bulk(call.arg(1)) : Reply.bulk(new byte[0])));
        }
        return call.argCount() == 2 ? Reply.bulk(call.arg(1)) : Reply.PONG;
    }

    private static CompletableFuture<Reply> hello(CommandCall call) {
        ClientSession client = call.client();
        int protocol = client.protocol();
        int next = 1;
        if (call.argCount() >= 2) {
            Long version = Arguments.tryParseLong(call.arg(1));
            if (version == null) {
                return CommandCall.done(Reply.error("ERR Protocol version is not an integer or out of range"));
            }
            if (version < 2 || version > 3) {
                return CommandCall.done(Reply.error("NOPROTO unsupported protocol version"));
            }
            protocol = version.intValue();
            next = 2;
        }
        String user = null;
        byte[] password = null;
        String name = null;
        for (int i = next; i < call.argCount(); i++) {
            String option = call.option(i);
            if (option.equals("AUTH") && call.argCount() - i - 1 >= 2) {
                user = call.text(i + 1);
                password = call.arg(i + 2);
                i += 2;
            } else if (option.equals("SETNAME") && call.argCount() - i - 1 >= 1) {
                name = call.text(i + 1);
                i += 1;
            } else {
                return CommandCall.done(Reply.error("ERR Syntax error in HELLO option '" + call.text(i) + "'"));
            }
        }
        int chosen = protocol;
        String newName = name;
        if (user == null) {
            return CommandCall.done(helloReply(call, chosen, newName));
        }
        // The connection writes a reply in the protocol of the moment its request ran, so switch now; the requests
        // behind this one wait for it, and a refused HELLO switches back before they run.
        int previous = client.protocol();
        client.protocol(chosen);
        return holding(call, authenticate(call, user, password).thenApply(refused -> {
            Reply reply = refused != null ? refused : helloReply(call, chosen, newName);
            if (reply instanceof Reply.Error) {
                client.protocol(previous);
            }
            return reply;
        }));
    }

    private static Reply helloReply(CommandCall call, int protocol, String name) {
        ClientSession client = call.client();
        if (!client.authenticated() && !call.server().acl().defaultUser().opensWithoutPassword()) {
            return Reply.error("NOAUTH HELLO must be called with the client already authenticated, otherwise the "
                    + "HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select "
                    + "the RESP protocol version at the same time");
        }
        if (name != null) {
            Reply invalid = ClientNames.validate(name);
            if (invalid != null) {
                return invalid;
            }
            client.name(name);
        }
        client.protocol(protocol);
        List<Reply> map = new ArrayList<>(14);
        map.add(Reply.bulk("server"));
        map.add(Reply.bulk("redis"));
        map.add(Reply.bulk("version"));
        map.add(Reply.bulk(REDIS_VERSION));
        map.add(Reply.bulk("proto"));
        map.add(Reply.integer(protocol));
        map.add(Reply.bulk("id"));
        map.add(Reply.integer(client.id()));
        map.add(Reply.bulk("mode"));
        map.add(Reply.bulk("standalone"));
        map.add(Reply.bulk("role"));
        map.add(Reply.bulk("master"));
        map.add(Reply.bulk("modules"));
        map.add(Reply.EMPTY_ARRAY);
        return new Reply.MapReply(List.copyOf(map));
    }

    private static CompletableFuture<Reply> auth(CommandCall call) {
        if (call.argCount() > 3) {
            return CommandCall.done(Reply.SYNTAX_ERROR);
        }
        if (call.argCount() == 2 && call.server().acl().defaultUser().nopass()) {
            return CommandCall.done(Reply.error("ERR AUTH <password> called without any password configured for "
                    + "the default user. Are you sure your configuration is correct?"));
        }
        String user = call.argCount() == 3 ? call.text(1) : AclUsers.DEFAULT;
        return holding(call, authenticate(call, user, call.arg(call.argCount() - 1))
                .thenApply(refused -> refused != null ? refused : Reply.OK));
    }

    /**
     * Checks a user and password against the user as the grid holds it now; completes with null if accepted (the
     * connection then runs as that user), else with WRONGPASS.
     */
    private static CompletableFuture<Reply> authenticate(CommandCall call, String name, byte[] password) {
        return call.server().acl().authenticate(call.client(), name, password)
                .thenApply(accepted -> accepted ? null : WRONGPASS);
    }

    /** The reply of an AUTH (or HELLO AUTH): the connection runs nothing else until it is ready. */
    private static CompletableFuture<Reply> holding(CommandCall call, CompletableFuture<Reply> reply) {
        call.client().holdRequestsUntil(reply);
        return reply;
    }

    private static final Reply WRONGPASS =
            Reply.error("WRONGPASS invalid username-password pair or user is disabled.");

    private static Reply select(CommandCall call) {
        Long index = Arguments.tryParseLong(call.arg(1));
        if (index == null) {
            return Reply.NOT_INTEGER;
        }
        if (index < 0 || index >= call.server().databaseCount()) {
            return Reply.error("ERR DB index is out of range");
        }
        call.client().database(index.intValue());
        return Reply.OK;
    }

    private static Reply reset(CommandCall call) {
        ClientSession client = call.client();
        client.resetSubscriptions();
        client.endTransaction();
        client.database(0);
        client.protocol(2);
        client.name("");
        AclUser user = call.server().acl().defaultUser();
        client.user(user);
        client.authenticated(user.opensWithoutPassword());
        return Reply.simple("RESET");
    }
}
