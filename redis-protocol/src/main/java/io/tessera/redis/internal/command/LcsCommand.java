package io.tessera.redis.internal.command;

import io.tessera.redis.internal.protocol.Reply;
import io.tessera.redis.internal.store.Bytes;
import io.tessera.redis.internal.store.StoredValue;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * LCS key1 key2 [LEN] [IDX] [MINMATCHLEN len] [WITHMATCHLEN]: the longest common subsequence of two strings, by
 * Redis's dynamic programming table and its walk back from the end, so the string, the length and the match ranges
 * (last match first) are Redis's. One step on the keys' primary when they share a slot; across slots both strings
 * are read on their primaries and compared here.
 */
final class LcsCommand {
    /** The largest table (bytes) built: Redis bounds it by proto-max-bulk-len; a JVM heap is smaller. */
    private static final long MAX_TABLE_BYTES = 64L * 1024 * 1024;
    private static final Reply NOT_STRINGS = Reply.error("ERR The specified keys must contain string values");

    private LcsCommand() {
    }

    static void register(CommandTable.Builder table) {
        table.command("lcs", -3, "readonly", 1, 2, 1, "string", "Finds the longest common substring.",
                LcsCommand::lcs);
        table.slotOperation("lcs", (entries, args) -> {
            Map<Bytes, KeyEntry> byKey = Multi.byKey(entries);
            KeyEntry a = Multi.entry(byKey, args[1]);
            KeyEntry b = Multi.entry(byKey, args[2]);
            if (isOtherType(a) || isOtherType(b)) {
                return NOT_STRINGS;
            }
            return lcs(orEmpty(a.string()), orEmpty(b.string()), args);
        });
    }

    private static boolean isOtherType(KeyEntry entry) {
        return entry.exists() && entry.type() != StoredValue.STRING;
    }

    private static byte[] orEmpty(byte[] value) {
        return value == null ? new byte[0] : value;
    }

    private static CompletableFuture<Reply> lcs(CommandCall call) {
        List<byte[]> keys = CommandCall.distinct(List.of(call.arg(1), call.arg(2)));
        if (CommandCall.sameSlot(keys)) {
            return call.onSlot(keys, "lcs", call.args());
        }
        List<CompletableFuture<Reply>> reads = new ArrayList<>(2);
        for (int i = 1; i <= 2; i++) {
            reads.add(call.onKey(call.arg(i), KeyCommands.READ,
                    new byte[][] {KeyCommands.READ.getBytes(StandardCharsets.UTF_8), call.arg(i)}));
        }
        return Multi.all(reads).thenApply(values -> {
            byte[][] strings = new byte[2][];
            for (int i = 0; i < 2; i++) {
                Reply value = values.get(i);
                if (value instanceof Reply.Error) {
                    return value;
                }
                strings[i] = new byte[0];
                if (value instanceof Reply.Array read) {
                    byte[] stored = ((Reply.Bulk) read.items().get(0)).bytes();
                    if (StoredValue.type(stored) != StoredValue.STRING) {
                        return NOT_STRINGS;
                    }
                    strings[i] = StoredValue.decodeString(stored);
                }
            }
            return lcs(strings[0], strings[1], call.args());
        });
    }

    /** The options, then the table, then the walk back, as Redis's lcsCommand. */
    static Reply lcs(byte[] a, byte[] b, byte[][] args) {
        boolean getLen = false;
        boolean getIdx = false;
        boolean withMatchLen = false;
        long minMatchLen = 0;
        for (int j = 3; j < args.length; j++) {
            String option = new String(args[j], StandardCharsets.UTF_8).toUpperCase(Locale.ROOT);
            boolean more = j < args.length - 1;
            switch (option) {
                case "IDX" -> getIdx = true;
                case "LEN" -> getLen = true;
                case "WITHMATCHLEN" -> withMatchLen = true;
                default -> {
                    if (!option.equals("MINMATCHLEN") || !more) {
                        return Reply.SYNTAX_ERROR;
                    }
                    minMatchLen = Math.max(0, Arguments.parseLong(args[++j]));
                }
            }
        }
        if (getIdx && getLen) {
            return Reply.error("ERR If you want both the length and indexes, please just use IDX.");
        }
        int alen = a.length;
        int blen = b.length;
        long cells = (long) (alen + 1) * (blen + 1);
        if (cells * Integer.BYTES > MAX_TABLE_BYTES) {
            return Reply.error("ERR Insufficient memory, failed allocating transient memory for LCS");
        }
        int width = blen + 1;
        int[] table = new int[(int) cells];
        for (int i = 1; i <= alen; i++) {
            for (int j = 1; j <= blen; j++) {
                table[i * width + j] = a[i - 1] == b[j - 1] ? table[(i - 1) * width + j - 1] + 1
                        : Math.max(table[(i - 1) * width + j], table[i * width + j - 1]);
            }
        }
        int length = table[alen * width + blen];
        boolean compute = getIdx || !getLen;
        byte[] result = new byte[length];
        List<Reply> matches = new ArrayList<>();
        int idx = length;
        int aStart = alen; // alen: no range open
        int aEnd = 0;
        int bStart = 0;
        int bEnd = 0;
        int i = alen;
        int j = blen;
        while (compute && i > 0 && j > 0) {
            boolean emit = false;
            if (a[i - 1] == b[j - 1]) {
                result[idx - 1] = a[i - 1];
                if (aStart == alen) {
                    aStart = i - 1;
                    aEnd = i - 1;
                    bStart = j - 1;
                    bEnd = j - 1;
                } else if (aStart == i && bStart == j) {
                    aStart--;
                    bStart--;
                } else {
                    emit = true;
                }
                if (aStart == 0 || bStart == 0) {
                    emit = true;
                }
                idx--;
                i--;
                j--;
            } else {
                if (table[(i - 1) * width + j] > table[i * width + j - 1]) {
                    i--;
                } else {
                    j--;
                }
                if (aStart != alen) {
                    emit = true;
                }
            }
            int matchLen = aEnd - aStart + 1;
            if (emit) {
                if (getIdx && (minMatchLen == 0 || matchLen >= minMatchLen)) {
                    List<Reply> match = new ArrayList<>(3);
                    match.add(Reply.array(List.of(Reply.integer(aStart), Reply.integer(aEnd))));
                    match.add(Reply.array(List.of(Reply.integer(bStart), Reply.integer(bEnd))));
                    if (withMatchLen) {
                        match.add(Reply.integer(matchLen));
                    }
                    matches.add(Reply.array(match));
                }
                aStart = alen;
            }
        }
        if (getIdx) {
            return new Reply.MapReply(List.of(Reply.bulk("matches"), Reply.array(matches), Reply.bulk("len"),
                    Reply.integer(length)));
        }
        return getLen ? Reply.integer(length) : Reply.bulk(result);
    }
}
