package io.tessera.redis.internal.command;

import io.tessera.grid.GridMap;
import io.tessera.redis.internal.protocol.Reply;
import io.tessera.redis.internal.store.Bytes;
import io.tessera.redis.internal.store.StoredValue;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Commands on keys of any type ({@code generic} group): deletion, existence, expiry, renaming, copying and walks
 * over the keyspace.
 *
 * <p>Single-key commands (TYPE, EXPIRE and its kin, TTL, PERSIST) run on the key's primary as one atomic step.
 *
 * <p>Commands on several keys run as one atomic step on their primary when the keys share a hash slot, as in Redis
 * Cluster: DEL, UNLINK, EXISTS and TOUCH, RENAME and RENAMENX, and COPY within one database. Keys in different
 * slots, which Redis Cluster refuses with {@code CROSSSLOT}, are served split per key:
 * <ul>
 *   <li>DEL, UNLINK, EXISTS and TOUCH run one key operation per key and add up the replies: a concurrent writer may
 *   create or delete one key between the steps on two others.</li>
 *   <li>RENAME and RENAMENX read the source's stored value and expiry on its primary, write the target on its
 *   primary, and then delete the source only if it still holds the value read. A client may see both keys for a
 *   moment, and a write to the source between the read and the delete survives in the source (the target then
 *   holds the older value).</li>
 *   <li>COPY reads the source on its primary and then writes the target on its own (the same for COPY ... DB into
 *   another database, whatever the slots): a write to the source in between is not copied.</li>
 * </ul>
 *
 * <p>KEYS, SCAN, RANDOMKEY, DBSIZE, FLUSHDB and FLUSHALL read or clear whole partitions with the grid's blocking
 * calls, so they run on a small pool of daemon threads ({@code tessera-resp-keyspace-*}), never on an event loop.
 *
 * <p>A SCAN cursor is {@code (partition << 32) | position}, where position is a 32-bit hash of a key: a call reads
 * the partition from its primary, sorts its keys by hash and returns those whose hash is at least the position,
 * keeping keys of equal hash in one reply. The cursor therefore means the same on every member and survives
 * migrations, and a key present for the whole scan is returned exactly once (a key that was renamed, or that
 * shares its hash with another, still moves with its group).
 */
final class KeyCommands {
    /** Internal: deletes a key only if it still holds the given stored value (the last step of a cross-slot RENAME). */
    static final String DELETE_IF_SAME = "tessera.delifsame";
    /** Internal: the stored value and expiry of a key. */
    static final String READ = "tessera.read";
    /** Internal: writes a stored value with an expiry, replacing or only if absent. */
    static final String WRITE = "tessera.write";

    private static final Reply NO_SUCH_KEY = Reply.error("ERR no such key");
    private static final int MAX_SCAN_PARTITIONS_PER_CALL = 64;

    private static final AtomicInteger KEYSPACE_THREADS = new AtomicInteger();
    /** Process-wide: daemon threads that block on whole-partition reads, shared by every server in the JVM. */
    private static final ExecutorService KEYSPACE = Executors.newFixedThreadPool(4, task -> {
        Thread thread = new Thread(task, "tessera-resp-keyspace-" + KEYSPACE_THREADS.incrementAndGet());
        thread.setDaemon(true);
        return thread;
    });

    private KeyCommands() {
    }

    static void register(CommandTable.Builder table) {
        perKey(table, "del", "write", "Deletes one or more keys.", KeyCommands::delete);
        perKey(table, "unlink", "write fast",
                "Asynchronously deletes one or more keys. Deletes them at once in Tessera.", KeyCommands::delete);
        perKey(table, "exists", "readonly fast", "Determines whether one or more keys exist.",
                (entry, args) -> entry.exists() ? Reply.ONE : Reply.ZERO);
        perKey(table, "touch", "readonly fast",
                "Returns the number of existing keys out of those specified after updating the time they were last "
                        + "accessed.",
                (entry, args) -> entry.exists() ? Reply.ONE : Reply.ZERO);
        table.keyCommand("type", 2, "readonly fast", "generic", "Determines the type of value stored at a key.",
                (entry, args) -> Reply.simple(entry.exists() ? StoredValue.typeName(entry.type()) : "none"));
        table.keyCommand("expire", -3, "write fast", "generic",
                "Sets the expiration time of a key in seconds.",
                (entry, args) -> expire(entry, args, true, true, "expire"));
        table.keyCommand("pexpire", -3, "write fast", "generic",
                "Sets the expiration time of a key in milliseconds.",
                (entry, args) -> expire(entry, args, true, false, "pexpire"));
        table.keyCommand("expireat", -3, "write fast", "generic",
                "Sets the expiration time of a key to a Unix timestamp.",
                (entry, args) -> expire(entry, args, false, true, "expireat"));
        table.keyCommand("pexpireat", -3, "write fast", "generic",
                "Sets the expiration time of a key to a Unix milliseconds timestamp.",
                (entry, args) -> expire(entry, args, false, false, "pexpireat"));
        table.keyCommand("ttl", 2, "readonly fast", "generic", "Returns the expiration time in seconds of a key.",
                (entry, args) -> ttl(entry, false, false));
        table.keyCommand("pttl", 2, "readonly fast", "generic",
                "Returns the expiration time in milliseconds of a key.", (entry, args) -> ttl(entry, true, false));
        table.keyCommand("expiretime", 2, "readonly fast", "generic",
                "Returns the expiration time of a key as a Unix timestamp.", (entry, args) -> ttl(entry, false, true));
        table.keyCommand("pexpiretime", 2, "readonly fast", "generic",
                "Returns the expiration time of a key as a Unix milliseconds timestamp.",
                (entry, args) -> ttl(entry, true, true));
        table.keyCommand("persist", 2, "write fast", "generic", "Removes the expiration time of a key.",
                KeyCommands::persist);
        table.command("keys", 2, "readonly", 0, 0, 0, "generic", "Returns all key names that match a pattern.",
                KeyCommands::keys);
        table.command("scan", -2, "readonly", 0, 0, 0, "generic", "Iterates over the key names in the database.",
                KeyCommands::scan);
        table.command("rename", 3, "write", 1, 2, 1, "generic", "Renames a key and overwrites the destination.",
                call -> rename(call, false));
        table.command("renamenx", 3, "write fast", 1, 2, 1, "generic",
                "Renames a key only when the target key name doesn't exist.", call -> rename(call, true));
        table.command("randomkey", 1, "readonly", 0, 0, 0, "generic", "Returns a random key name from the database.",
                KeyCommands::randomKey);
        table.command("copy", -3, "write denyoom", 1, 2, 1, "generic", "Copies the value of a key to a new key.",
                KeyCommands::copy);
        table.slotOperation("rename", (entries, args) -> renameInSlot(entries, false));
        table.slotOperation("renamenx", (entries, args) -> renameInSlot(entries, true));
        table.slotOperation("copy", KeyCommands::copyInSlot);
        table.command("dbsize", 1, "readonly fast", 0, 0, 0, "server", "Returns the number of keys in the database.",
                call -> {
                    GridMap<byte[], byte[]> map = call.database();
                    return offLoop(() -> Reply.integer(map.size()));
                });
        table.command("flushdb", -1, "write", 0, 0, 0, "server", "Remove all keys from the current database.",
                KeyCommands::flushdb);
        table.command("flushall", -1, "write", 0, 0, 0, "server", "Removes all keys from all databases.",
                KeyCommands::flushall);

        table.add(internal(DELETE_IF_SAME, 3,
                "Deletes a key only if it still holds the given stored value (the last step of a cross-slot RENAME).",
                KeyCommands::deleteIfSame));
        table.add(internal(READ, 2, "Returns a key's stored value and expiry (RENAME, COPY).", KeyCommands::read));
        table.add(internal(WRITE, 5, "Writes a stored value and expiry (RENAME, COPY).", KeyCommands::write));
    }

    /**
     * A command on keys 1..n that runs {@code operation} once per key and answers the sum of the replies: as one
     * slot operation when the keys share a slot, else one key operation per key.
     */
    private static void perKey(CommandTable.Builder table, String name, String flags, String summary,
                               KeyOperation operation) {
        table.add(new CommandSpec(name, -2, Set.of(flags.split(" ")), 1, -1, 1, "generic", summary, call -> {
            List<byte[]> keys = CommandCall.distinct(call.keys(1, 1));
            if (call.argCount() > 2 && CommandCall.sameSlot(keys)) {
                return call.onSlot(keys, name, call.args());
            }
            List<CompletableFuture<Reply>> replies = new ArrayList<>(call.argCount() - 1);
            for (int i = 1; i < call.argCount(); i++) {
                replies.add(call.onKey(call.arg(i), name, new byte[][] {call.arg(0), call.arg(i)}));
            }
            return Multi.sumOrError(replies);
        }, operation));
        table.slotOperation(name, (entries, args) -> {
            Map<Bytes, KeyEntry> byKey = Multi.byKey(entries);
            long total = 0;
            for (int i = 1; i < args.length; i++) { // a repeated key counts each time, as in Redis
                total += ((Reply.Int) operation.apply(Multi.entry(byKey, args[i]), new byte[][] {args[0], args[i]}))
                        .value();
            }
            return Reply.integer(total);
        });
    }

    /**
     * A key operation that only other commands run (through {@link CommandCall#onKey}); a client that names it
     * gets the unknown-command error, since it could otherwise store bytes that are not a Redis value.
     */
    private static CommandSpec internal(String name, int arity, String summary, KeyOperation operation) {
        return new CommandSpec(name, arity, Set.of("internal"), 1, 1, 1, "generic", summary,
                call -> CommandCall.done(Reply.error(CommandDispatcher.unknownCommand(call.text(0), call.args()))),
                operation);
    }

    /** Runs blocking keyspace work off the event loop. */
    private static CompletableFuture<Reply> offLoop(Supplier<Reply> work) {
        return CompletableFuture.supplyAsync(work, KEYSPACE);
    }

    private static Reply delete(KeyEntry entry, byte[][] args) {
        if (!entry.exists()) {
            return Reply.ZERO;
        }
        entry.remove();
        return Reply.ONE;
    }

    /** EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT key time [NX | XX | GT | LT], with Redis 7's checks in its order. */
    private static Reply expire(KeyEntry entry, byte[][] args, boolean relative, boolean seconds, String command) {
        boolean nx = false;
        boolean xx = false;
        boolean gt = false;
        boolean lt = false;
        for (int i = 3; i < args.length; i++) {
            String option = new String(args[i], StandardCharsets.UTF_8);
            switch (option.toUpperCase(java.util.Locale.ROOT)) {
                case "NX" -> nx = true;
                case "XX" -> xx = true;
                case "GT" -> gt = true;
                case "LT" -> lt = true;
                default -> throw new RedisException("ERR Unsupported option " + option);
            }
        }
        if (nx && (xx || gt || lt)) {
            throw new RedisException("ERR NX and XX, GT or LT options at the same time are not compatible");
        }
        if (gt && lt) {
            throw new RedisException("ERR GT and LT options at the same time are not compatible");
        }
        long when = Arguments.parseLong(args[2]);
        RedisException invalid = new RedisException("ERR invalid expire time in '" + command + "' command");
        if (seconds) {
            if (when > Long.MAX_VALUE / 1000 || when < Long.MIN_VALUE / 1000) {
                throw invalid;
            }
            when *= 1000;
        }
        long now = System.currentTimeMillis();
        if (relative) {
            if (when > Long.MAX_VALUE - now) {
                throw invalid;
            }
            when += now;
        }
        if (!entry.exists()) {
            return Reply.ZERO;
        }
        Instant current = entry.expiresAt();
        if (nx && current != null || xx && current == null) {
            return Reply.ZERO;
        }
        if (gt && (current == null || when <= current.toEpochMilli())) {
            return Reply.ZERO; // no expiry counts as infinite
        }
        if (lt && current != null && when >= current.toEpochMilli()) {
            return Reply.ZERO;
        }
        if (when <= now) {
            entry.remove();
        } else {
            entry.setExpiresAt(Instant.ofEpochMilli(when));
        }
        return Reply.ONE;
    }

    /** TTL, PTTL, EXPIRETIME, PEXPIRETIME: -2 without the key, -1 without an expiry. */
    private static Reply ttl(KeyEntry entry, boolean millis, boolean absolute) {
        if (!entry.exists()) {
            return Reply.integer(-2);
        }
        Instant expiresAt = entry.expiresAt();
        if (expiresAt == null) {
            return Reply.integer(-1);
        }
        long at = expiresAt.toEpochMilli();
        long value = Math.max(0, absolute ? at : at - System.currentTimeMillis());
        return Reply.integer(millis ? value : (value + 500) / 1000);
    }

    private static Reply persist(KeyEntry entry, byte[][] args) {
        if (!entry.exists() || entry.expiresAt() == null) {
            return Reply.ZERO;
        }
        entry.setExpiresAt(null);
        return Reply.ONE;
    }

    private static CompletableFuture<Reply> keys(CommandCall call) {
        GridMap<byte[], byte[]> map = call.database();
        GlobPattern pattern = GlobPattern.compile(call.arg(1));
        int partitions = call.server().grid().partitions().size();
        return offLoop(() -> {
            List<Reply> found = new ArrayList<>();
            for (int p = 0; p < partitions; p++) {
                for (byte[] key : map.partitionEntries(p).keySet()) {
                    if (pattern.matches(key)) {
                        found.add(Reply.bulk(key));
                    }
                }
            }
            return Reply.array(found);
        });
    }

    /** SCAN cursor [MATCH pattern] [COUNT count] [TYPE type]; see the class comment for the cursor. */
    private static CompletableFuture<Reply> scan(CommandCall call) {
        Long cursor = parseCursor(call.arg(1));
        if (cursor == null) {
            return CommandCall.done(Reply.error("ERR invalid cursor"));
        }
        GlobPattern pattern = null;
        long count = 10;
        String type = null;
        for (int i = 2; i < call.argCount(); i++) {
            boolean hasValue = i + 1 < call.argCount();
            String option = call.option(i);
            if (option.equals("COUNT") && hasValue) {
                count = call.integer(i + 1);
                if (count < 1) {
                    return CommandCall.done(Reply.SYNTAX_ERROR);
                }
            } else if (option.equals("MATCH") && hasValue) {
                GlobPattern compiled = GlobPattern.compile(call.arg(i + 1));
                pattern = compiled.matchesAll() ? null : compiled;
            } else if (option.equals("TYPE") && hasValue) {
                type = call.text(i + 1); // an unknown type matches nothing, as in Redis 7.2
            } else {
                return CommandCall.done(Reply.SYNTAX_ERROR);
            }
            i++;
        }
        GridMap<byte[], byte[]> map = call.database();
        int partitions = call.server().grid().partitions().size();
        GlobPattern match = pattern;
        String typeName = type;
        long wanted = count;
        return offLoop(() -> scan(map, partitions, cursor, match, typeName, wanted));
    }

    /** An unsigned 64-bit decimal, as Redis's {@code string2ull} reads cursors; {@code null} if it is not one. */
    static Long parseCursor(byte[] text) {
        if (text.length == 0 || text.length > 20) {
            return null;
        }
        for (byte b : text) {
            if (b < '0' || b > '9') {
                return null;
            }
        }
        try {
            return Long.parseUnsignedLong(new String(text, StandardCharsets.US_ASCII));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    static Reply scan(GridMap<byte[], byte[]> map, int partitions, long cursor, GlobPattern pattern, String type,
                      long count) {
        long partitionLong = cursor >>> 32;
        long position = cursor & 0xFFFF_FFFFL;
        List<Reply> found = new ArrayList<>();
        if (partitionLong >= partitions) {
            return scanReply(0, found);
        }
        int partition = (int) partitionLong;
        long examined = 0;
        int visited = 0;
        while (partition < partitions) {
            Map<byte[], byte[]> entries = map.partitionEntries(partition);
            visited++;
            long[] ordered = new long[entries.size()];
            byte[][] keys = new byte[entries.size()][];
            byte[][] values = new byte[entries.size()][];
            Integer[] order = new Integer[entries.size()];
            int n = 0;
            for (Map.Entry<byte[], byte[]> e : entries.entrySet()) {
                ordered[n] = scanHash(e.getKey());
                keys[n] = e.getKey();
                values[n] = e.getValue();
                order[n] = n;
                n++;
            }
            Arrays.sort(order, (a, b) -> Long.compare(ordered[a], ordered[b]));
            int i = 0;
            while (i < n && ordered[order[i]] < position) {
                i++;
            }
            while (i < n) {
                long hash = ordered[order[i]];
                for (; i < n && ordered[order[i]] == hash; i++) {
                    int k = order[i];
                    examined++;
                    if ((pattern == null || pattern.matches(keys[k]))
                            && (type == null || StoredValue.typeName(values[k]).equalsIgnoreCase(type))) {
                        found.add(Reply.bulk(keys[k]));
                    }
                }
                if (examined >= count && i < n) {
                    return scanReply(((long) partition << 32) | ordered[order[i]], found);
                }
            }
            partition++;
            position = 0;
            if (examined >= count || visited >= MAX_SCAN_PARTITIONS_PER_CALL) {
                break;
            }
        }
        return scanReply(partition >= partitions ? 0 : (long) partition << 32, found);
    }

    private static Reply scanReply(long cursor, List<Reply> keys) {
        return Reply.array(List.of(Reply.bulk(Long.toUnsignedString(cursor)), Reply.array(keys)));
    }

    /** A 32-bit hash of a key (MurmurHash3, seed 0) as an unsigned value: the same on every member and JVM. */
    static long scanHash(byte[] key) {
        int h = 0;
        int i = 0;
        for (; i + 4 <= key.length; i += 4) {
            int k = (key[i] & 0xFF) | (key[i + 1] & 0xFF) << 8 | (key[i + 2] & 0xFF) << 16 | (key[i + 3] & 0xFF) << 24;
            h ^= mixK(k);
            h = Integer.rotateLeft(h, 13) * 5 + 0xe6546b64;
        }
        int k = 0;
        switch (key.length & 3) {
            case 3:
                k ^= (key[i + 2] & 0xFF) << 16;
                // fall through
            case 2:
                k ^= (key[i + 1] & 0xFF) << 8;
                // fall through
            case 1:
                k ^= key[i] & 0xFF;
                h ^= mixK(k);
                break;
            default:
                break;
        }
        h ^= key.length;
        h ^= h >>> 16;
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        h *= 0xc2b2ae35;
        h ^= h >>> 16;
        return h & 0xFFFF_FFFFL;
    }

    private static int mixK(int k) {
        k *= 0xcc9e2d51;
        k = Integer.rotateLeft(k, 15);
        return k * 0x1b873593;
    }

    private static CompletableFuture<Reply> randomKey(CommandCall call) {
        GridMap<byte[], byte[]> map = call.database();
        int partitions = call.server().grid().partitions().size();
        return offLoop(() -> {
            ThreadLocalRandom random = ThreadLocalRandom.current();
            int start = random.nextInt(partitions);
            for (int i = 0; i < partitions; i++) {
                Set<byte[]> keys = map.partitionEntries((start + i) % partitions).keySet();
                if (!keys.isEmpty()) {
                    int pick = random.nextInt(keys.size());
                    for (byte[] key : keys) {
                        if (pick-- == 0) {
                            return Reply.bulk(key);
                        }
                    }
                }
            }
            return Reply.NULL;
        });
    }

    /** RENAME / RENAMENX: one step within a slot, else read, write, delete-if-unchanged; see the class comment. */
    private static CompletableFuture<Reply> rename(CommandCall call, boolean nx) {
        byte[] source = call.arg(1);
        byte[] target = call.arg(2);
        if (Arrays.equals(source, target)) {
            return call.onKey(source, "exists", new byte[][] {Arguments.utf8("exists"), source}).thenApply(reply -> {
                if (reply instanceof Reply.Error) {
                    return reply;
                }
                return reply.equals(Reply.ZERO) ? NO_SUCH_KEY : nx ? Reply.ZERO : Reply.OK;
            });
        }
        List<byte[]> keys = List.of(source, target);
        if (CommandCall.sameSlot(keys)) {
            return call.onSlot(keys, nx ? "renamenx" : "rename", call.args());
        }
        return call.onKey(source, READ, new byte[][] {Arguments.utf8(READ), source}).thenCompose(read -> {
            if (read instanceof Reply.Error) {
                return CommandCall.done(read);
            }
            if (!(read instanceof Reply.Array value)) {
                return CommandCall.done(NO_SUCH_KEY);
            }
            byte[] stored = ((Reply.Bulk) value.items().get(0)).bytes();
            byte[] expiry = Arguments.utf8(Long.toString(((Reply.Int) value.items().get(1)).value()));
            return call.onKey(target, WRITE, new byte[][] {Arguments.utf8(WRITE), target, stored, expiry,
                    Arguments.utf8(nx ? "NX" : "REPLACE")}).thenCompose(written -> {
                        if (written instanceof Reply.Error) {
                            return CommandCall.done(written);
                        }
                        if (written.equals(Reply.ZERO)) {
                            return CommandCall.done(Reply.ZERO); // RENAMENX onto an existing key
                        }
                        return call.onKey(source, DELETE_IF_SAME, new byte[][] {Arguments.utf8(DELETE_IF_SAME), source,
                                stored}).thenApply(deleted -> deleted instanceof Reply.Error ? deleted
                                : nx ? Reply.ONE : Reply.OK);
                    });
        });
    }

    /** RENAME / RENAMENX source target (distinct keys) on one slot: the target takes the value and the expiry. */
    private static Reply renameInSlot(List<KeyEntry> entries, boolean nx) {
        KeyEntry source = entries.get(0);
        KeyEntry target = entries.get(1);
        if (!source.exists()) {
            return NO_SUCH_KEY;
        }
        if (!writeStored(target, source.stored(), source.expiresAt(), nx)) {
            return Reply.ZERO;
        }
        source.remove();
        return nx ? Reply.ONE : Reply.OK;
    }

    /** COPY source destination [DB destination-db] [REPLACE]: one step within a slot of one database. */
    private static CompletableFuture<Reply> copy(CommandCall call) {
        boolean replace = false;
        int sourceDb = call.client().database();
        int targetDb = sourceDb;
        for (int i = 3; i < call.argCount(); i++) {
            String option = call.option(i);
            if (option.equals("REPLACE")) {
                replace = true;
            } else if (option.equals("DB") && i + 1 < call.argCount()) {
                long db = call.integer(i + 1);
                if (db < Integer.MIN_VALUE || db > Integer.MAX_VALUE) {
                    return CommandCall.done(Reply.NOT_INTEGER);
                }
                if (db < 0 || db >= call.server().databaseCount()) {
                    return CommandCall.done(Reply.error("ERR DB index is out of range"));
                }
                targetDb = (int) db;
                i++;
            } else {
                return CommandCall.done(Reply.SYNTAX_ERROR);
            }
        }
        byte[] source = call.arg(1);
        byte[] target = call.arg(2);
        if (sourceDb == targetDb && Arrays.equals(source, target)) {
            return CommandCall.done(Reply.error("ERR source and destination objects are the same"));
        }
        List<byte[]> keys = List.of(source, target);
        if (sourceDb == targetDb && CommandCall.sameSlot(keys)) {
            return call.onSlot(keys, "copy", call.args());
        }
        GridMap<byte[], byte[]> targetMap = call.server().database(targetDb);
        String mode = replace ? "REPLACE" : "NX";
        return call.onKey(source, READ, new byte[][] {Arguments.utf8(READ), source}).thenCompose(read -> {
            if (read instanceof Reply.Error) {
                return CommandCall.done(read);
            }
            if (!(read instanceof Reply.Array value)) {
                return CommandCall.done(Reply.ZERO);
            }
            byte[] stored = ((Reply.Bulk) value.items().get(0)).bytes();
            byte[] expiry = Arguments.utf8(Long.toString(((Reply.Int) value.items().get(1)).value()));
            return call.onKey(targetMap, target, WRITE, new byte[][] {Arguments.utf8(WRITE), target, stored, expiry,
                    Arguments.utf8(mode)});
        });
    }

    /** COPY source destination (distinct keys of one slot and database): 1 if copied, with the expiry. */
    private static Reply copyInSlot(List<KeyEntry> entries, byte[][] args) {
        boolean replace = false;
        for (int i = 3; i < args.length; i++) { // checked by the serving member
            String option = new String(args[i], StandardCharsets.UTF_8).toUpperCase(java.util.Locale.ROOT);
            if (option.equals("REPLACE")) {
                replace = true;
            } else {
                i++; // DB n
            }
        }
        KeyEntry source = entries.get(0);
        if (!source.exists()) {
            return Reply.ZERO;
        }
        return writeStored(entries.get(1), source.stored(), source.expiresAt(), !replace) ? Reply.ONE : Reply.ZERO;
    }

    private static CompletableFuture<Reply> flushdb(CommandCall call) {
        Reply refused = flushOptions(call);
        if (refused != null) {
            return CommandCall.done(refused);
        }
        GridMap<byte[], byte[]> map = call.database();
        return offLoop(() -> {
            map.clear();
            return Reply.OK;
        });
    }

    private static CompletableFuture<Reply> flushall(CommandCall call) {
        Reply refused = flushOptions(call);
        if (refused != null) {
            return CommandCall.done(refused);
        }
        ServerContext server = call.server();
        return offLoop(() -> {
            for (int db = 0; db < server.databaseCount(); db++) {
                server.database(db).clear();
            }
            return Reply.OK;
        });
    }

    /** [ASYNC | SYNC]: both accepted; the flush is done when the reply comes either way. */
    private static Reply flushOptions(CommandCall call) {
        if (call.argCount() > 2) {
            return Reply.SYNTAX_ERROR;
        }
        if (call.argCount() == 2 && !call.option(1).equals("ASYNC") && !call.option(1).equals("SYNC")) {
            return Reply.SYNTAX_ERROR;
        }
        return null;
    }

    private static Reply deleteIfSame(KeyEntry entry, byte[][] args) {
        byte[] stored = entry.stored();
        if (stored != null && Arrays.equals(stored, args[2])) {
            entry.remove();
            return Reply.ONE;
        }
        return Reply.ZERO;
    }

    /** tessera.read key: [stored value, expiry in epoch milliseconds or -1], or a null array. */
    private static Reply read(KeyEntry entry, byte[][] args) {
        byte[] stored = entry.stored();
        if (stored == null) {
            return Reply.NULL_ARRAY;
        }
        Instant expiresAt = entry.expiresAt();
        return Reply.array(List.of(Reply.bulk(stored),
                Reply.integer(expiresAt == null ? -1 : expiresAt.toEpochMilli())));
    }

    /** tessera.write key stored expiry-ms|-1 REPLACE|NX: 1 if written. */
    private static Reply write(KeyEntry entry, byte[][] args) {
        long expiry = Arguments.parseLong(args[3]);
        boolean onlyIfAbsent = new String(args[4], StandardCharsets.US_ASCII).equals("NX");
        return writeStored(entry, args[2], expiry < 0 ? null : Instant.ofEpochMilli(expiry), onlyIfAbsent)
                ? Reply.ONE : Reply.ZERO;
    }

    /** The write step of RENAME and COPY: replaces the key (any type), or only if absent; whether it wrote. */
    private static boolean writeStored(KeyEntry entry, byte[] stored, Instant expiresAt, boolean onlyIfAbsent) {
        if (onlyIfAbsent && entry.exists()) {
            return false;
        }
        entry.setStored(stored, expiresAt);
        return true;
    }

}
