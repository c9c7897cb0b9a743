package io.tessera.redis.internal.command;

import io.tessera.redis.internal.protocol.Reply;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Keyspace notifications, as Redis 7.0 sends them: with {@code notify-keyspace-events} set (CONFIG SET; per node, as
 * in Redis), a command that changes a key publishes the event name on {@code __keyspace@<db>__:<key>} (flag K) and
 * the key on {@code __keyevent@<db>__:<event>} (flag E), for the classes enabled: g (generic: del, expire, rename,
 * ...), $ (strings), l (lists), s (sets), h (hashes), z (sorted sets), x (expired), and A for all of them.
 *
 * <p>The events are found where the change happens: the key's primary describes what each command did to each key
 * ({@link #describe}) and returns the events with the reply; the serving node publishes them through the cluster-wide
 * pub/sub, so a subscriber on any node hears them once. Expired and evicted keys are reported by the node that is the
 * key's primary when the grid's expiry or eviction event reaches it.
 *
 * <p>A multi-key command whose keys are in several slots is served per key (see the README), and its events come in
 * the order its keys' primaries answered, not necessarily the keys' order. Not sent (yet): the cross-slot and
 * cross-database steps of RENAME, COPY and MOVE (their parts are internal operations), t, m, n and d events.
 */
public final class KeyspaceEvents {
    static final int GENERIC = 1;
    static final int STRING = 1 << 1;
    static final int LIST = 1 << 2;
    static final int SET = 1 << 3;
    static final int HASH = 1 << 4;
    static final int ZSET = 1 << 5;
    static final int EXPIRED = 1 << 6;
    static final int EVICTED = 1 << 7;
    static final int STREAM = 1 << 8;
    static final int MODULE = 1 << 9;
    static final int NEW = 1 << 10;
    static final int KEY_MISS = 1 << 11;
    static final int KEYSPACE = 1 << 12;
    static final int KEYEVENT = 1 << 13;
    static final int ALL = GENERIC | STRING | LIST | SET | HASH | ZSET | EXPIRED | EVICTED | STREAM | MODULE;

    /**
     * One event: its class flag, its name, and the key.
     *
     * @param type the class ({@link #GENERIC}, {@link #STRING}, ...)
     * @param event the event name ("set", "lpush", "del", ...)
     * @param key the key
     */
    public record Event(int type, String event, byte[] key) {
    }

    private KeyspaceEvents() {
    }

    /** Redis's parsing of {@code notify-keyspace-events}; -1 for a character it does not know. */
    static int parse(String classes) {
        int flags = 0;
        for (char c : classes.toCharArray()) {
            flags |= switch (c) {
                case 'A' -> ALL;
                case 'g' -> GENERIC;
                case '$' -> STRING;
                case 'l' -> LIST;
                case 's' -> SET;
                case 'h' -> HASH;
                case 'z' -> ZSET;
                case 'x' -> EXPIRED;
                case 'e' -> EVICTED;
                case 'K' -> KEYSPACE;
                case 'E' -> KEYEVENT;
                case 't' -> STREAM;
                case 'm' -> KEY_MISS;
                case 'd' -> MODULE;
                case 'n' -> NEW;
                default -> -1;
            };
            if (flags < 0) {
                return -1;
            }
        }
        return flags;
    }

    /** Redis's canonical text of the flags (what CONFIG GET answers). */
    static String format(int flags) {
        StringBuilder text = new StringBuilder();
        if ((flags & ALL) == ALL) {
            text.append('A');
        } else {
            String letters = "g$lshzxetd";
            int[] bits = {GENERIC, STRING, LIST, SET, HASH, ZSET, EXPIRED, EVICTED, STREAM, MODULE};
            for (int i = 0; i < bits.length; i++) {
                if ((flags & bits[i]) != 0) {
                    text.append(letters.charAt(i));
                }
            }
        }
        if ((flags & NEW) != 0) {
            text.append('n');
        }
        if ((flags & KEYSPACE) != 0) {
            text.append('K');
        }
        if ((flags & KEYEVENT) != 0) {
            text.append('E');
        }
        if ((flags & KEY_MISS) != 0) {
            text.append('m');
        }
        return text.toString();
    }

    /** Whether flags publish anything at all: a class and at least one of K and E. */
    static boolean enabled(int flags) {
        return (flags & (KEYSPACE | KEYEVENT)) != 0 && (flags & ~(KEYSPACE | KEYEVENT)) != 0;
    }

    /** The channels and messages of {@code event} under {@code flags}, as (channel, message) pairs. */
    static List<byte[][]> messages(int flags, int database, Event event) {
        if ((flags & event.type()) == 0) {
            return List.of();
        }
        List<byte[][]> messages = new ArrayList<>(2);
        if ((flags & KEYSPACE) != 0) {
            messages.add(new byte[][] {concat("__keyspace@" + database + "__:", event.key()), Arguments.utf8(event.event())});
        }
        if ((flags & KEYEVENT) != 0) {
            messages.add(new byte[][] {Arguments.utf8("__keyevent@" + database + "__:" + event.event()), event.key()});
        }
        return messages;
    }

    /** Events as a reply (flattened triples), to travel from the primary back to the serving node. */
    static Reply encode(List<Event> events) {
        List<Reply> items = new ArrayList<>(events.size() * 3);
        for (Event e : events) {
            items.add(Reply.integer(e.type()));
            items.add(Reply.bulk(e.event()));
            items.add(Reply.bulk(e.key()));
        }
        return Reply.array(items);
    }

    static List<Event> decode(Reply reply) {
        List<Reply> items = ((Reply.Array) reply).items();
        List<Event> events = new ArrayList<>(items.size() / 3);
        for (int i = 0; i + 2 < items.size(); i += 3) {
            events.add(new Event((int) ((Reply.Int) items.get(i)).value(),
                    new String(((Reply.Bulk) items.get(i + 1)).bytes(), StandardCharsets.UTF_8),
                    ((Reply.Bulk) items.get(i + 2)).bytes()));
        }
        return events;
    }

    /**
     * What {@code command} did to {@code entry}, as Redis names it: the command's event when it wrote the key, the
     * expiry it set, and {@code del} when it removed the key (an aggregate emptied, an expiry in the past).
     */
    static void describe(String command, KeyEntry entry, byte[][] args, List<Event> into) {
        if (!entry.written() && !entry.removedByCommand() && !entry.expiryChanged()) {
            return;
        }
        byte[] key = entry.key();
        boolean source = args.length > 1 && Arrays.equals(key, args[1]);
        switch (command) {
            case "del", "unlink", "getdel" -> {
                if (entry.removedByCommand()) {
                    into.add(new Event(GENERIC, "del", key));
                }
                return;
            }
            case "expire", "pexpire", "expireat", "pexpireat" -> {
                Instant expiry = entry.expirySet();
                boolean past = expiry != null && !expiry.isAfter(Instant.now());
                into.add(new Event(GENERIC, past || entry.removedByCommand() ? "del" : "expire", key));
                return;
            }
            case "persist" -> {
                into.add(new Event(GENERIC, "persist", key));
                return;
            }
            case "rename", "renamenx" -> {
                into.add(new Event(GENERIC, source ? "rename_from" : "rename_to", key));
                return;
            }
            case "copy" -> {
                if (!source) {
                    into.add(new Event(GENERIC, "copy_to", key));
                }
                return;
            }
            default -> {
            }
        }
        // A *STORE whose result is empty deletes the destination, which Redis reports as del alone.
        if (entry.written() || entry.removedByCommand() && !storesResult(command)) {
            Event event = commandEvent(command, key, source, args);
            if (event != null) {
                into.add(event);
            }
        }
        if (entry.expiryChanged() && !entry.removedByCommand()) {
            into.add(new Event(GENERIC, entry.expirySet() == null ? "persist" : "expire", key));
        }
        if (entry.removedByCommand()) {
            into.add(new Event(GENERIC, "del", key));
        }
    }

    private static boolean storesResult(String command) {
        return switch (command) {
            case "sinterstore", "sunionstore", "sdiffstore", "zunionstore", "zinterstore", "zdiffstore",
                    "zrangestore" -> true;
            default -> false;
        };
    }

    /** The keys in the order Redis notifies them: LMOVE and RPOPLPUSH push onto the destination first. */
    static List<KeyEntry> inRedisOrder(String command, List<KeyEntry> entries) {
        if ((command.equals("lmove") || command.equals("rpoplpush") || command.equals("blmove")
                || command.equals("brpoplpush")) && entries.size() == 2) {
            return List.of(entries.get(1), entries.get(0));
        }
        return entries;
    }

    private static Event commandEvent(String command, byte[] key, boolean source, byte[][] args) {
        String name;
        int type;
        switch (command) {
            case "set", "setnx", "setex", "psetex", "getset", "mset", "msetnx" -> {
                name = "set";
                type = STRING;
            }
            case "incr", "decr", "incrby", "decrby" -> {
                name = "incrby";
                type = STRING;
            }
            case "bitop" -> {
                name = "set";
                type = STRING;
            }
            case "bitfield" -> {
                name = "setbit";
                type = STRING;
            }
            case "pfadd", "pfmerge" -> {
                name = "pfadd";
                type = STRING;
            }
            case "incrbyfloat", "append", "setrange", "setbit", "getex" -> {
                name = command;
                type = STRING;
            }
            case "lpush", "lpushx" -> {
                name = "lpush";
                type = LIST;
            }
            case "rpush", "rpushx" -> {
                name = "rpush";
                type = LIST;
            }
            case "rpoplpush", "brpoplpush" -> {
                name = source ? "rpop" : "lpush";
                type = LIST;
            }
            case "blpop", "brpop" -> {
                name = command.substring(1);
                type = LIST;
            }
            case "lmpop", "blmpop" -> {
                int numkeysAt = command.equals("lmpop") ? 1 : 2;
                int numkeys = Integer.parseInt(new String(args[numkeysAt], StandardCharsets.US_ASCII));
                String end = new String(args[numkeysAt + 1 + numkeys], StandardCharsets.UTF_8);
                name = end.equalsIgnoreCase("LEFT") ? "lpop" : "rpop";
                type = LIST;
            }
            case "lmove", "blmove" -> {
                String end = new String(args[source ? 3 : 4], StandardCharsets.UTF_8);
                name = (end.equalsIgnoreCase("LEFT") ? "l" : "r") + (source ? "pop" : "push");
                type = LIST;
            }
            case "lpop", "rpop", "linsert", "lset", "ltrim", "lrem" -> {
                name = command;
                type = LIST;
            }
            case "smove" -> {
                name = source ? "srem" : "sadd";
                type = SET;
            }
            case "sadd", "srem", "spop", "sinterstore", "sunionstore", "sdiffstore" -> {
                name = command;
                type = SET;
            }
            case "hset", "hsetnx", "hmset" -> {
                name = "hset";
                type = HASH;
            }
            case "hdel", "hincrby", "hincrbyfloat" -> {
                name = command;
                type = HASH;
            }
            case "zadd" -> {
                name = zaddIncrements(args) ? "zincr" : "zadd";
                type = ZSET;
            }
            case "zincrby" -> {
                name = "zincr";
                type = ZSET;
            }
            case "bzpopmin", "bzpopmax" -> {
                name = command.substring(1);
                type = ZSET;
            }
            case "zmpop" -> {
                Long numkeys = Arguments.tryParseLong(args[1]);
                String where = numkeys == null || numkeys + 2 >= args.length ? ""
                        : new String(args[(int) (numkeys + 2)], StandardCharsets.UTF_8);
                name = where.equalsIgnoreCase("MAX") ? "zpopmax" : "zpopmin";
                type = ZSET;
            }
            case "zrem", "zremrangebyrank", "zremrangebyscore", "zremrangebylex", "zpopmin", "zpopmax",
                    "zunionstore", "zinterstore", "zdiffstore", "zrangestore" -> {
                name = command;
                type = ZSET;
            }
            default -> {
                return null;
            }
        }
        if (command.equals("getex")) {
            return null; // GETEX changes only the expiry, reported as expire/persist
        }
        return new Event(type, name, key);
    }

    /** Whether a ZADD has the INCR option (among the options before its first score). */
    private static boolean zaddIncrements(byte[][] args) {
        for (int i = 2; i < args.length; i++) {
            String option = new String(args[i], StandardCharsets.UTF_8);
            if (option.equalsIgnoreCase("INCR")) {
                return true;
            }
            if (!option.equalsIgnoreCase("NX") && !option.equalsIgnoreCase("XX") && !option.equalsIgnoreCase("GT")
                    && !option.equalsIgnoreCase("LT") && !option.equalsIgnoreCase("CH")) {
                return false;
            }
        }
        return false;
    }

    private static byte[] concat(String prefix, byte[] key) {
        byte[] p = Arguments.utf8(prefix);
        byte[] all = Arrays.copyOf(p, p.length + key.length);
        System.arraycopy(key, 0, all, p.length, key.length);
        return all;
    }

}
