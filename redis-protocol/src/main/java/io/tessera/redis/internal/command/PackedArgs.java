package io.tessera.redis.internal.command;

import java.nio.ByteBuffer;

/** A command's arguments as one length-prefixed byte array, the way processors carry them (no Kryo registration). */
final class PackedArgs {
    private PackedArgs() {
    }

    static byte[] pack(byte[][] args) {
        int size = 4;
        for (byte[] arg : args) {
            size += 4 + arg.length;
        }
        ByteBuffer out = ByteBuffer.allocate(size);
        out.putInt(args.length);
        for (byte[] arg : args) {
            out.putInt(arg.length).put(arg);
        }
        return out.array();
    }

    static byte[][] unpack(byte[] packed) {
        ByteBuffer in = ByteBuffer.wrap(packed);
        byte[][] args = new byte[in.getInt()][];
        for (int i = 0; i < args.length; i++) {
            args[i] = new byte[in.getInt()];
            in.get(args[i]);
        }
        return args;
    }
}
