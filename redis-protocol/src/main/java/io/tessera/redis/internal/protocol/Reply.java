package io.tessera.redis.internal.protocol;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A reply before it is written: the same value is written as RESP2 or RESP3 depending on what the connection
 * negotiated ({@link RespReplyWriter}), and it travels from a key's primary to the serving member in
 * {@link ReplyCodec}'s binary form. Immutable; the byte arrays inside are never modified after construction.
 */
public sealed interface Reply {
    Reply OK = new Simple("OK");
    Reply PONG = new Simple("PONG");
    Reply QUEUED = new Simple("QUEUED");
    Reply NULL = new Null();
    Reply NULL_ARRAY = new NullArray();
    Reply ZERO = new Int(0);
    Reply ONE = new Int(1);
    Reply EMPTY_ARRAY = new Array(List.of());

    /** {@code +text}: a status line; must not contain CR or LF. */
    record Simple(String text) implements Reply {
    }

    /** {@code -CODE message}: the whole text, code included (for example {@code ERR syntax error}). */
    record Error(String text) implements Reply {
    }

    /** {@code :n}. */
    record Int(long value) implements Reply {
    }

    /** {@code $len bytes}. */
    record Bulk(byte[] bytes) implements Reply {
    }

    /**
     * A double as Redis 7.0's {@code addReplyDouble} writes it (scores): RESP3 {@code ,}; RESP2 a bulk string; the
     * text is C's {@code %.17g}, or {@code inf} and {@code -inf}.
     */
    record Double(double value) implements Reply {
    }

    /** A missing value: RESP2 {@code $-1}; RESP3 {@code _}. */
    record Null() implements Reply {
    }

    /** A missing array: RESP2 {@code *-1}; RESP3 {@code _}. */
    record NullArray() implements Reply {
    }

    /** A boolean: RESP3 {@code #t}/{@code #f}; RESP2 {@code :1}/{@code :0}. */
    record Bool(boolean value) implements Reply {
    }

    /** {@code *n}. */
    record Array(List<Reply> items) implements Reply {
    }

    /** A map of alternating keys and values: RESP3 {@code %n}; RESP2 a flat array of 2n items. */
    record MapReply(List<Reply> keysAndValues) implements Reply {
    }

    /**
     * Pairs in order, as Redis answers members WITHSCORES: RESP2 one flat array of the 2n items; RESP3 an array of n
     * two-item arrays (Redis does not use a map, whose clients would lose the order).
     */
    record Pairs(List<Reply> flat) implements Reply {
    }

    /** An unordered set: RESP3 {@code ~n}; RESP2 {@code *n}. */
    record SetReply(List<Reply> items) implements Reply {
    }

    /** An out-of-band push (pub/sub messages): RESP3 {@code >n}; RESP2 {@code *n}. */
    record Push(List<Reply> items) implements Reply {
    }

    /** Text with a format hint (INFO, CLIENT INFO): RESP3 {@code =len txt:...}; RESP2 a bulk string. */
    record Verbatim(String text) implements Reply {
    }

    /**
     * Several replies to one request, written back to back: SUBSCRIBE and its kin confirm each channel with a reply
     * of its own. Never nested, and never sent between members.
     */
    record Sequence(List<Reply> replies) implements Reply {
    }

    static Reply simple(String text) {
        return new Simple(text);
    }

    static Reply error(String text) {
        return new Error(text);
    }

    static Reply integer(long value) {
        return new Int(value);
    }

    static Reply bulk(byte[] bytes) {
        return bytes == null ? NULL : new Bulk(bytes);
    }

    static Reply bulk(String text) {
        return text == null ? NULL : new Bulk(text.getBytes(StandardCharsets.UTF_8));
    }

    static Reply array(List<Reply> items) {
        return new Array(List.copyOf(items));
    }

    static Reply bulks(List<byte[]> items) {
        return new Array(items.stream().map(Reply::bulk).toList());
    }

    /** The standard {@code WRONGTYPE} error. */
    Reply WRONGTYPE = new Error("WRONGTYPE Operation against a key holding the wrong kind of value");
    /** The standard syntax error. */
    Reply SYNTAX_ERROR = new Error("ERR syntax error");
    /** The standard error for an argument that is not an integer. */
    Reply NOT_INTEGER = new Error("ERR value is not an integer or out of range");
    /** The standard error for an argument that is not a float. */
    Reply NOT_FLOAT = new Error("ERR value is not a valid float");
}
