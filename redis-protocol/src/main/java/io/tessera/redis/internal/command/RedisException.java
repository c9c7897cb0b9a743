package io.tessera.redis.internal.command;

import io.tessera.redis.internal.protocol.Reply;

/** Ends a command with an error reply (Redis's text), from wherever in the command it was found. */
public final class RedisException extends RuntimeException {
    private final Reply.Error reply;

    public RedisException(String text) {
        this(new Reply.Error(text));
    }

    public RedisException(Reply.Error reply) {
        super(reply.text(), null, false, false);
        this.reply = reply;
    }

    /** The error reply. */
    public Reply.Error reply() {
        return reply;
    }

    /** The {@code WRONGTYPE} error. */
    public static RedisException wrongType() {
        return new RedisException((Reply.Error) Reply.WRONGTYPE);
    }

    /** The {@code syntax error}. */
    public static RedisException syntax() {
        return new RedisException((Reply.Error) Reply.SYNTAX_ERROR);
    }

    /** The error for an argument that is not an integer. */
    public static RedisException notInteger() {
        return new RedisException((Reply.Error) Reply.NOT_INTEGER);
    }

    /** The error for an argument that is not a float. */
    public static RedisException notFloat() {
        return new RedisException((Reply.Error) Reply.NOT_FLOAT);
    }
}
