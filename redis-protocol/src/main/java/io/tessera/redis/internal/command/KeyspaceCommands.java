package io.tessera.redis.internal.command;

import io.tessera.grid.GridMap;
import io.tessera.redis.internal.protocol.Reply;
import io.tessera.redis.internal.store.StoredValue;
import java.nio.charset.StandardCharsets;
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
 * The commands that walk or clear a whole database: KEYS, SCAN, RANDOMKEY, DBSIZE, FLUSHDB and FLUSHALL.
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
final class KeyspaceCommands {
    private static final int MAX_SCAN_PARTITIONS_PER_CALL = 64;

    private static final AtomicInteger KEYSPACE_THREADS = new AtomicInteger();
    /** Process-wide: daemon threads that block on whole-partition reads, shared by every server in the JVM. */
    private static final ExecutorService KEYSPACE = Executors.newFixedThreadPool(4, task -> {
        Thread thread = new Thread(task, "tessera-resp-keyspace-" + KEYSPACE_THREADS.incrementAndGet());
        thread.setDaemon(true);
        return thread;
    });

    private KeyspaceCommands() {
    }

    static void register(CommandTable.Builder table) {
        table.command("keys", 2, "readonly", 0, 0, 0, "generic", "Returns all key names that match a pattern.",
                KeyspaceCommands::keys);
        table.command("scan", -2, "readonly", 0, 0, 0, "generic", "Iterates over the key names in the database.",
                KeyspaceCommands::scan);
        table.command("randomkey", 1, "readonly", 0, 0, 0, "generic", "Returns a random key name from the database.",
                KeyspaceCommands::randomKey);
        table.command("dbsize", 1, "readonly fast", 0, 0, 0, "server", "Returns the number of keys in the database.",
                call -> {
                    GridMap<byte[], byte[]> map = call.database();
                    return offLoop(() -> Reply.integer(map.size()));
                });
        table.command("flushdb", -1, "write", 0, 0, 0, "server", "Remove all keys from the current database.",
                KeyspaceCommands::flushdb);
        table.command("flushall", -1, "write", 0, 0, 0, "server", "Removes all keys from all databases.",
                KeyspaceCommands::flushall);
    }

    /** Runs blocking keyspace work off the event loop. */
    private static CompletableFuture<Reply> offLoop(Supplier<Reply> work) {
        return CompletableFuture.supplyAsync(work, KEYSPACE);
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
}
