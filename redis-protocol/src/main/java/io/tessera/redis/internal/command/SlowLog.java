package io.tessera.redis.internal.command;

import io.tessera.redis.internal.protocol.Reply;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * The commands that took longer than {@code slowlog-log-slower-than} microseconds (0: every command; negative: none),
 * newest first, at most {@code slowlog-max-len}: what {@code SLOWLOG GET} shows, in Redis's form. Arguments are kept
 * as Redis keeps them: at most 32 (the last says how many more there were), each at most 128 bytes (with how many
 * more there were); passwords (AUTH, HELLO ... AUTH, CONFIG SET requirepass) are kept as {@code (redacted)}.
 *
 * <p>Threads: every event loop adds, SLOWLOG reads and resets; the entries are guarded by this object's lock, taken
 * only by commands slower than the threshold.
 */
public final class SlowLog {
    /** Redis's defaults. */
    public static final long DEFAULT_SLOWER_THAN_MICROS = 10_000;
    public static final int DEFAULT_MAX_LEN = 128;
    private static final int MAX_ARGS = 32;
    private static final int MAX_ARG_BYTES = 128;
    private static final byte[] REDACTED = "(redacted)".getBytes(StandardCharsets.US_ASCII);

    /** One slow command. */
    private record Entry(long id, long unixSeconds, long micros, List<byte[]> args, String client, String name) {
        Reply reply() {
            List<Reply> argReplies = new ArrayList<>(args.size());
            args.forEach(arg -> argReplies.add(Reply.bulk(arg)));
            return Reply.array(List.of(Reply.integer(id), Reply.integer(unixSeconds), Reply.integer(micros),
                    Reply.array(argReplies), Reply.bulk(client), Reply.bulk(name)));
        }
    }

    private final ArrayDeque<Entry> entries = new ArrayDeque<>();
    private volatile long slowerThanMicros = DEFAULT_SLOWER_THAN_MICROS;
    private volatile int maxLen = DEFAULT_MAX_LEN;
    private long nextId;

    /** Logs the command if it took at least the threshold. */
    public void offer(byte[][] args, long micros, ClientSession client) {
        long threshold = slowerThanMicros;
        if (threshold < 0 || micros < threshold) {
            return;
        }
        long unixSeconds = System.currentTimeMillis() / 1000;
        List<byte[]> kept = kept(args);
        synchronized (this) {
            entries.addFirst(new Entry(nextId++, unixSeconds, micros, kept, client.address(), client.name()));
            trim();
        }
    }

    private static List<byte[]> kept(byte[][] args) {
        int count = Math.min(args.length, MAX_ARGS);
        List<byte[]> kept = new ArrayList<>(count);
        String command = new String(args[0], StandardCharsets.UTF_8);
        for (int i = 0; i < count; i++) {
            if (i == MAX_ARGS - 1 && args.length > MAX_ARGS) {
                kept.add(("... (" + (args.length - MAX_ARGS + 1) + " more arguments)")
                        .getBytes(StandardCharsets.US_ASCII));
                break;
            }
            if (redacted(command, args, i)) {
                kept.add(REDACTED);
                continue;
            }
            byte[] arg = args[i];
            if (arg.length > MAX_ARG_BYTES) {
                byte[] cut = java.util.Arrays.copyOf(arg, MAX_ARG_BYTES);
                byte[] more = ("... (" + (arg.length - MAX_ARG_BYTES) + " more bytes)")
                        .getBytes(StandardCharsets.US_ASCII);
                byte[] joined = java.util.Arrays.copyOf(cut, cut.length + more.length);
                System.arraycopy(more, 0, joined, cut.length, more.length);
                kept.add(joined);
            } else {
                kept.add(arg);
            }
        }
        return kept;
    }

    /** Whether argument {@code i} is a password. */
    private static boolean redacted(String command, byte[][] args, int i) {
        if (i == 0) {
            return false;
        }
        if (command.equalsIgnoreCase("auth")) {
            return true;
        }
        if (command.equalsIgnoreCase("hello")) {
            // HELLO [protover [AUTH username password] [SETNAME clientname]]
            for (int a = 2; a + 2 < args.length; a++) {
                if (new String(args[a], StandardCharsets.UTF_8).equalsIgnoreCase("auth")) {
                    return i == a + 1 || i == a + 2;
                }
            }
            return false;
        }
        if (command.equalsIgnoreCase("config") && args.length > 1
                && new String(args[1], StandardCharsets.UTF_8).equalsIgnoreCase("set") && i >= 3 && i % 2 == 1) {
            String name = new String(args[i - 1], StandardCharsets.UTF_8);
            return name.equalsIgnoreCase("requirepass") || name.equalsIgnoreCase("masterauth");
        }
        return false;
    }

    private void trim() {
        while (entries.size() > Math.max(maxLen, 0)) {
            entries.removeLast();
        }
    }

    /** SLOWLOG GET [count]: the newest {@code count} entries (negative: all). */
    public synchronized Reply newest(long count) {
        List<Reply> out = new ArrayList<>();
        Iterator<Entry> it = entries.iterator();
        while (it.hasNext() && (count < 0 || out.size() < count)) {
            out.add(it.next().reply());
        }
        return Reply.array(out);
    }

    /** SLOWLOG LEN. */
    public synchronized int size() {
        return entries.size();
    }

    /** SLOWLOG RESET. */
    public synchronized void reset() {
        entries.clear();
    }

    public long slowerThanMicros() {
        return slowerThanMicros;
    }

    public void slowerThanMicros(long micros) {
        slowerThanMicros = micros;
    }

    public int maxLen() {
        return maxLen;
    }

    public synchronized void maxLen(int length) {
        maxLen = length;
        trim();
    }
}
