package io.tessera.redis.internal.command;

import io.tessera.grid.EntryProcessor;
import io.tessera.grid.MutableEntry;
import io.tessera.redis.internal.protocol.Reply;
import io.tessera.redis.internal.protocol.ReplyCodec;

/**
 * Carries one command to its key's primary and runs the command's {@link KeyOperation} there, atomically with
 * every other operation on the key. Travels as the command name and the raw arguments; the reply comes back in
 * {@link ReplyCodec}'s form. An error reply leaves the entry unchanged only if the operation threw before changing
 * it, which every operation does (validate first, then write).
 */
public final class KeyCommandProcessor implements EntryProcessor<byte[], byte[], byte[]> {
    private String operation;
    private byte[] packedArgs; // length-prefixed arguments: Kryo then needs no registration for byte[][]

    @SuppressWarnings("unused") // Kryo
    private KeyCommandProcessor() {
    }

    /** Runs the key operation of command {@code operation} with {@code args} ({@code args[0]} is a command name). */
    public KeyCommandProcessor(String operation, byte[][] args) {
        this.operation = operation;
        this.packedArgs = pack(args);
    }

    private static byte[] pack(byte[][] args) {
        int size = 4;
        for (byte[] arg : args) {
            size += 4 + arg.length;
        }
        java.nio.ByteBuffer out = java.nio.ByteBuffer.allocate(size);
        out.putInt(args.length);
        for (byte[] arg : args) {
            out.putInt(arg.length).put(arg);
        }
        return out.array();
    }

    private static byte[][] unpack(byte[] packed) {
        java.nio.ByteBuffer in = java.nio.ByteBuffer.wrap(packed);
        byte[][] args = new byte[in.getInt()][];
        for (int i = 0; i < args.length; i++) {
            args[i] = new byte[in.getInt()];
            in.get(args[i]);
        }
        return args;
    }

    @Override
    public byte[] process(MutableEntry<byte[], byte[]> entry) {
        CommandSpec spec = CommandTable.standard().lookup(operation);
        if (spec == null || spec.keyOperation() == null) {
            return ReplyCodec.encode(Reply.error("ERR this member has no key operation '" + operation
                    + "': members of one cluster must run the same Tessera version"));
        }
        Reply reply;
        try {
            reply = spec.keyOperation().apply(new KeyEntry(entry), unpack(packedArgs));
        } catch (RedisException e) {
            reply = e.reply();
        }
        return ReplyCodec.encode(reply);
    }
}
