package io.tessera.redis.internal.command;

import io.tessera.redis.internal.protocol.Reply;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * {@code CLIENT} and its subcommands: SETNAME, GETNAME, ID, INFO, LIST, SETINFO, KILL, NO-EVICT, HELP. They see the
 * clients of this member's server only, as Redis's see the clients of one node.
 *
 * <p>Deviations from Redis: {@code fd=} reports the client id (Netty's NIO transport hides descriptors); buffer and
 * memory fields are 0; {@code NO-EVICT} is recorded and shown as flag {@code e}, but Tessera never evicts clients.
 */
final class ClientCommands {
    private ClientCommands() {
    }

    static void register(CommandTable.Builder table) {
        Subcommands client = new Subcommands("client")
                .addImmediate("id", 2, call -> Reply.integer(call.client().id()))
                .addImmediate("getname", 2, call -> call.client().name().isEmpty() ? Reply.NULL
                        : Reply.bulk(call.client().name()))
                .addImmediate("setname", 3, ClientCommands::setName)
                .addImmediate("info", 2, call -> new Reply.Verbatim(infoLine(call.client()) + "\n"))
                .addImmediate("list", -2, ClientCommands::list)
                .addImmediate("setinfo", 4, ClientCommands::setInfo)
                .addImmediate("kill", -3, ClientCommands::kill)
                .addImmediate("no-evict", 3, ClientCommands::noEvict)
                .addImmediate("unblock", -3, ClientCommands::unblock)
                .help("GETNAME", "    Return the name of the current connection.",
                        "ID", "    Return the ID of the current connection.",
                        "INFO", "    Return information about the current client connection.",
                        "KILL <ip:port>", "    Kill connection made from <ip:port>.",
                        "KILL <option> <value> [<option> <value> [...]]", "    Kill connections. Options are:",
                        "    * ADDR (<ip:port>|<unixsocket>:0)",
                        "      Kill connections made from the specified address",
                        "    * LADDR (<ip:port>|<unixsocket>:0)",
                        "      Kill connections made to specified local address",
                        "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)", "      Kill connections by type.",
                        "    * SKIPME (YES|NO)", "      Skip killing current connection (default: yes).",
                        "LIST [options ...]", "    Return information about client connections. Options:",
                        "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)", "      Return clients of specified type.",
                        "SETNAME <name>", "    Assign the name <name> to the current connection.",
                        "SETINFO <option> <value>", "    Set client meta attr. Options are:",
                        "    * LIB-NAME: the client lib name.", "    * LIB-VER: the client lib version.",
                        "NO-EVICT (ON|OFF)", "    Protect current client connection from eviction.",
                        "UNBLOCK <clientid> [TIMEOUT|ERROR]",
                        "    Unblock the specified blocked client.");
        table.subcommands("client", client);
        table.command("client", -2, "sentinel", 0, 0, 0, "connection",
                "A container for client connection commands.", client);
    }

    /** CLIENT UNBLOCK id [TIMEOUT|ERROR]: 1 if that client of this member was blocked (now answered), else 0. */
    private static Reply unblock(CommandCall call) {
        if (call.argCount() > 4) {
            return Reply.error("ERR syntax error");
        }
        Long id = Arguments.tryParseLong(call.arg(2));
        if (id == null) {
            return Reply.error("ERR value is not an integer or out of range");
        }
        boolean withError = false;
        if (call.argCount() == 4) {
            String reason = call.option(3);
            if (!reason.equals("TIMEOUT") && !reason.equals("ERROR")) {
                return Reply.error("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR");
            }
            withError = reason.equals("ERROR");
        }
        return call.server().blockedClients().unblock(id, withError) ? Reply.ONE : Reply.ZERO;
    }

    private static Reply setName(CommandCall call) {
        String name = call.text(2);
        Reply invalid = ClientNames.validate(name);
        if (invalid != null) {
            return invalid;
        }
        call.client().name(name);
        return Reply.OK;
    }

    /** SETINFO LIB-NAME|LIB-VER value. */
    private static Reply setInfo(CommandCall call) {
        String attribute = call.text(2);
        String value = call.text(3);
        boolean libName = attribute.equalsIgnoreCase("lib-name");
        if (!libName && !attribute.equalsIgnoreCase("lib-ver")) {
            return Reply.error(CommandDispatcher.sanitize("ERR Unrecognized option '" + attribute + "'"));
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < '!' || c > '~') {
                return Reply.error(CommandDispatcher.sanitize("ERR " + attribute
                        + " cannot contain spaces, newlines or special characters."));
            }
        }
        if (libName) {
            call.client().libName(value);
        } else {
            call.client().libVersion(value);
        }
        return Reply.OK;
    }

    /** LIST [TYPE type | ID id ...]. */
    private static Reply list(CommandCall call) {
        List<ClientSession> clients = new ArrayList<>(call.server().clients());
        clients.sort(Comparator.comparingLong(ClientSession::id));
        StringBuilder text = new StringBuilder();
        if (call.argCount() == 2) {
            for (ClientSession client : clients) {
                text.append(infoLine(client)).append('\n');
            }
        } else if (call.argCount() == 4 && call.option(2).equals("TYPE")) {
            String type = clientType(call.text(3));
            if (type == null) {
                return Reply.error(CommandDispatcher.sanitize("ERR Unknown client type '" + call.text(3) + "'"));
            }
            for (ClientSession client : clients) {
                if (typeOf(client).equals(type)) {
                    text.append(infoLine(client)).append('\n');
                }
            }
        } else if (call.argCount() > 3 && call.option(2).equals("ID")) {
            for (int i = 3; i < call.argCount(); i++) {
                Long id = Arguments.tryParseLong(call.arg(i));
                if (id == null) {
                    return Reply.error("ERR Invalid client ID");
                }
                ClientSession client = call.server().client(id);
                if (client != null) {
                    text.append(infoLine(client)).append('\n');
                }
            }
        } else {
            return Reply.SYNTAX_ERROR;
        }
        return new Reply.Verbatim(text.toString());
    }

    /** Redis's canonical type for a name a client gave, or {@code null}. */
    private static String clientType(String name) {
        switch (name.toLowerCase(Locale.ROOT)) {
            case "normal":
                return "normal";
            case "slave":
            case "replica":
                return "replica";
            case "master":
                return "master";
            case "pubsub":
                return "pubsub";
            default:
                return null;
        }
    }

    private static String typeOf(ClientSession client) {
        return client.subscriptionCount() > 0 ? "pubsub" : "normal";
    }

    /** One line of CLIENT LIST / CLIENT INFO, in Redis 7.2's field order. */
    static String infoLine(ClientSession client) {
        long now = System.currentTimeMillis();
        StringBuilder flags = new StringBuilder();
        if (client.subscriptionCount() > 0) {
            flags.append('P');
        }
        if (client.isBlocked()) {
            flags.append('b');
        }
        if (client.noEvict()) {
            flags.append('e');
        }
        if (flags.length() == 0) {
            flags.append('N');
        }
        return "id=" + client.id()
                + " addr=" + client.address()
                + " laddr=" + client.localAddress()
                + " fd=" + client.id()
                + " name=" + client.name()
                + " age=" + (now - client.createdMillis()) / 1000
                + " idle=" + Math.max(0, now - client.lastInteractionMillis()) / 1000
                + " flags=" + flags
                + " db=" + client.database()
                + " sub=" + client.channelCount()
                + " psub=" + client.patternCount()
                + " ssub=0 multi=" + (client.queued() == null ? -1 : client.queued().size())
                + " qbuf=0 qbuf-free=0 argv-mem=0 multi-mem=0 rbs=0 rbp=0 obl=0 oll=0 omem=0"
                + " tot-mem=0 events=r"
                + " cmd=" + client.lastCommand()
                + " user=" + client.user().name() + " redir=-1"
                + " resp=" + client.protocol()
                + " lib-name=" + client.libName()
                + " lib-ver=" + client.libVersion();
    }

    private static Reply noEvict(CommandCall call) {
        String mode = call.option(2);
        if (mode.equals("ON")) {
            call.client().noEvict(true);
        } else if (mode.equals("OFF")) {
            call.client().noEvict(false);
        } else {
            return Reply.SYNTAX_ERROR;
        }
        return Reply.OK;
    }

    /** KILL ip:port | KILL [ID id] [ADDR ip:port] [LADDR ip:port] [TYPE type] [USER name] [SKIPME yes|no] ... */
    private static Reply kill(CommandCall call) {
        String addr = null;
        String laddr = null;
        String type = null;
        long id = 0;
        boolean skipMe = true;
        boolean legacy = call.argCount() == 3;
        if (legacy) {
            addr = call.text(2);
            skipMe = false;
        } else {
            for (int i = 2; i < call.argCount(); i += 2) {
                boolean more = i + 1 < call.argCount();
                String option = call.option(i);
                if (option.equals("ID") && more) {
                    Long value = Arguments.tryParseLong(call.arg(i + 1));
                    if (value == null || value < 1) {
                        return Reply.error("ERR client-id should be greater than 0");
                    }
                    id = value;
                } else if (option.equals("TYPE") && more) {
                    type = clientType(call.text(i + 1));
                    if (type == null) {
                        return Reply.error(CommandDispatcher.sanitize("ERR Unknown client type '"
                                + call.text(i + 1) + "'"));
                    }
                } else if (option.equals("ADDR") && more) {
                    addr = call.text(i + 1);
                } else if (option.equals("LADDR") && more) {
                    laddr = call.text(i + 1);
                } else if (option.equals("USER") && more) {
                    if (!call.text(i + 1).equals("default")) {
                        return Reply.error(CommandDispatcher.sanitize("ERR No such user '" + call.text(i + 1)
                                + "'"));
                    }
                } else if (option.equals("SKIPME") && more) {
                    String value = call.option(i + 1);
                    if (value.equals("YES")) {
                        skipMe = true;
                    } else if (value.equals("NO")) {
                        skipMe = false;
                    } else {
                        return Reply.SYNTAX_ERROR;
                    }
                } else {
                    return Reply.SYNTAX_ERROR;
                }
            }
        }
        ClientSession self = call.client();
        int killed = 0;
        boolean closeSelf = false;
        for (ClientSession client : call.server().clients()) {
            if ((addr != null && !client.address().equals(addr))
                    || (laddr != null && !client.localAddress().equals(laddr))
                    || (type != null && !typeOf(client).equals(type))
                    || (id != 0 && client.id() != id)
                    || (client == self && skipMe)) {
                continue;
            }
            if (client == self) {
                closeSelf = true;
            } else {
                client.kill();
            }
            killed++;
        }
        if (closeSelf) {
            self.closeAfterReply();
        }
        if (legacy) {
            return killed == 0 ? Reply.error("ERR No such client") : Reply.OK;
        }
        return Reply.integer(killed);
    }
}
