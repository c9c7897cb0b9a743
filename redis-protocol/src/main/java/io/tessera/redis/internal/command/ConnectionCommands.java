package io.tessera.redis.internal.command;

import io.tessera.redis.internal.protocol.Reply;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;

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
        table.immediate("hello", -1, "noscript loading stale fast no-auth sentinel allow-busy", "connection",
                "Handshakes with the Redis server.", ConnectionCommands::hello);
        table.immediate("auth", -2, "noscript loading stale fast no-auth sentinel allow-busy", "connection",
                "Authenticates the connection.", ConnectionCommands::auth);
        table.immediate("select", 2, "loading stale fast", "connection",
                "Changes the selected database.", ConnectionCommands::select);
        table.immediate("quit", -1, "noscript loading stale fast no-auth allow-busy", "connection",
                "Closes the connection.", call -> Reply.OK);
        table.immediate("reset", 1, "noscript loading stale fast no-auth allow-busy", "connection",
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

    private static Reply hello(CommandCall call) {
        ClientSession client = call.client();
        int protocol = client.protocol();
        int next = 1;
        if (call.argCount() >= 2) {
            Long version = Arguments.tryParseLong(call.arg(1));
            if (version == null) {
                return Reply.error("ERR Protocol version is not an integer or out of range");
            }
            if (version < 2 || version > 3) {
                return Reply.error("NOPROTO unsupported protocol version");
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
                return Reply.error("ERR Syntax error in HELLO option '" + call.text(i) + "'");
            }
        }
        if (user != null) {
            Reply refused = authenticate(call, user, password);
            if (refused != null) {
                return refused;
            }
        }
        if (!client.authenticated() && call.server().requirePass() != null) {
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

    private static Reply auth(CommandCall call) {
        if (call.argCount() > 3) {
            return Reply.SYNTAX_ERROR;
        }
        if (call.argCount() == 2 && call.server().requirePass() == null) {
            return Reply.error("ERR AUTH <password> called without any password configured for the default user. "
                    + "Are you sure your configuration is correct?");
        }
        String user = call.argCount() == 3 ? call.text(1) : "default";
        Reply refused = authenticate(call, user, call.arg(call.argCount() - 1));
        return refused != null ? refused : Reply.OK;
    }

    /** Checks a user and password against {@code requirepass}; null if accepted (and marks the client). */
    private static Reply authenticate(CommandCall call, String user, byte[] password) {
        String required = call.server().requirePass();
        boolean accepted = user.equals("default") && (required == null
                || MessageDigest.isEqual(required.getBytes(StandardCharsets.UTF_8), password));
        if (!accepted) {
            return Reply.error("WRONGPASS invalid username-password pair or user is disabled.");
        }
        call.client().authenticated(true);
        return null;
    }

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
        client.authenticated(call.server().requirePass() == null);
        return Reply.simple("RESET");
    }
}
