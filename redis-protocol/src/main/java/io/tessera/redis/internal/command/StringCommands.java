package io.tessera.redis.internal.command;

import io.tessera.redis.internal.protocol.Reply;
import java.time.Instant;

/** Commands on string values. Each runs on its key's primary as one atomic step. */
final class StringCommands {
    private StringCommands() {
    }

    static void register(CommandTable.Builder table) {
        table.keyCommand("get", 2, "readonly fast", "string", "Returns the string value of a key.",
                (entry, args) -> Reply.bulk(entry.string()));
        table.keyCommand("set", -3, "write denyoom", "string",
                "Sets the string value of a key, ignoring its type. The key is created if it doesn't exist.",
                StringCommands::set);
    }

    /** SET key value [NX | XX] [GET] [EX s | PX ms | EXAT s | PXAT ms | KEEPTTL]. */
    private static Reply set(KeyEntry entry, byte[][] args) {
        boolean nx = false;
        boolean xx = false;
        boolean get = false;
        boolean keepTtl = false;
        Instant expiresAt = null;
        boolean expirySet = false;
        for (int i = 3; i < args.length; i++) {
            String option = new String(args[i], java.nio.charset.StandardCharsets.US_ASCII)
                    .toUpperCase(java.util.Locale.ROOT);
            boolean hasNext = i + 1 < args.length;
            switch (option) {
                case "NX" -> {
                    if (xx) {
                        throw RedisException.syntax();
                    }
                    nx = true;
                }
                case "XX" -> {
                    if (nx) {
                        throw RedisException.syntax();
                    }
                    xx = true;
                }
                case "GET" -> get = true;
                case "KEEPTTL" -> {
                    if (expirySet) {
                        throw RedisException.syntax();
                    }
                    keepTtl = true;
                }
                case "EX", "PX", "EXAT", "PXAT" -> {
                    if (keepTtl || expirySet || !hasNext) {
                        throw RedisException.syntax();
                    }
                    expiresAt = Expiry.parse(option, args[++i], "set");
                    expirySet = true;
                }
                default -> throw RedisException.syntax();
            }
        }
        byte[] old = get ? entry.string() : null; // WRONGTYPE before anything changes
        boolean exists = entry.exists();
        if ((nx && exists) || (xx && !exists)) {
            return get ? Reply.bulk(old) : Reply.NULL;
        }
        if (keepTtl) {
            entry.setString(args[2]);
        } else {
            entry.setString(args[2], expiresAt);
        }
        return get ? Reply.bulk(old) : Reply.OK;
    }
}
