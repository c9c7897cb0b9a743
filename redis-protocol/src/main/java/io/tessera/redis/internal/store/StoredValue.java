package io.tessera.redis.internal.store;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * How a Redis value is stored as one grid entry's bytes: a type byte, then the payload. A string's payload is its
 * bytes; a list, set or hash is a count followed by length-prefixed elements (hash: field, value, field, value); a
 * sorted set is a count followed by its members in order, each its score (8 bytes, IEEE 754, big-endian) and then the
 * length-prefixed member. The whole value is one entry, so every command on a key is one atomic entry-processor run
 * on its partition, and the entry's time to live is the key's.
 */
public final class StoredValue {
    public static final byte STRING = 1;
    public static final byte LIST = 2;
    public static final byte SET = 3;
    public static final byte HASH = 4;
    public static final byte ZSET = 5;

    private StoredValue() {
    }

    /** The type byte of a stored value. */
    public static byte type(byte[] stored) {
        if (stored.length == 0 || stored[0] < STRING || stored[0] > ZSET) {
            throw new IllegalStateException("not a Redis value (type byte "
                    + (stored.length == 0 ? "missing" : Byte.toString(stored[0])) + ")");
        }
        return stored[0];
    }

    /** What {@code TYPE} answers for a stored value. */
    public static String typeName(byte[] stored) {
        return typeName(type(stored));
    }

    /** What {@code TYPE} answers for a type byte. */
    public static String typeName(byte type) {
        return switch (type) {
            case STRING -> "string";
            case LIST -> "list";
            case SET -> "set";
            case HASH -> "hash";
            default -> "zset";
        };
    }

    /** What {@code TYPE} answers for a type byte, or {@code null} for an unknown name. */
    public static byte typeOf(String name) {
        return switch (name.toLowerCase(java.util.Locale.ROOT)) {
            case "string" -> STRING;
            case "list" -> LIST;
            case "set" -> SET;
            case "hash" -> HASH;
            case "zset" -> ZSET;
            default -> 0;
        };
    }

    /** Stores a string. */
    public static byte[] encodeString(byte[] value) {
        byte[] stored = new byte[value.length + 1];
        stored[0] = STRING;
        System.arraycopy(value, 0, stored, 1, value.length);
        return stored;
    }

    /** The string of a stored string. */
    public static byte[] decodeString(byte[] stored) {
        return java.util.Arrays.copyOfRange(stored, 1, stored.length);
    }

    /** Stores a list. */
    public static byte[] encodeList(List<byte[]> items) {
        return encodeElements(LIST, items);
    }

    /** The elements of a stored list, in order, as a mutable list. */
    public static ArrayList<byte[]> decodeList(byte[] stored) {
        ByteBuffer in = ByteBuffer.wrap(stored, 1, stored.length - 1);
        int n = readCount(in);
        ArrayList<byte[]> items = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            items.add(readElement(in));
        }
        return items;
    }

    /** Stores a set. */
    public static byte[] encodeSet(Collection<Bytes> members) {
        return encodeElements(SET, members.stream().map(Bytes::bytes).toList());
    }

    /** The members of a stored set, as a mutable set in stored order. */
    public static LinkedHashSet<Bytes> decodeSet(byte[] stored) {
        ByteBuffer in = ByteBuffer.wrap(stored, 1, stored.length - 1);
        int n = readCount(in);
        LinkedHashSet<Bytes> members = new LinkedHashSet<>(Math.max(16, n * 2));
        for (int i = 0; i < n; i++) {
            members.add(Bytes.of(readElement(in)));
        }
        return members;
    }

    /** Stores a hash. */
    public static byte[] encodeHash(Map<Bytes, byte[]> fields) {
        List<byte[]> flat = new ArrayList<>(fields.size() * 2);
        for (Map.Entry<Bytes, byte[]> e : fields.entrySet()) {
            flat.add(e.getKey().bytes());
            flat.add(e.getValue());
        }
        return encodeElements(HASH, flat);
    }

    /** The fields of a stored hash, as a mutable map in stored order. */
    public static LinkedHashMap<Bytes, byte[]> decodeHash(byte[] stored) {
        ByteBuffer in = ByteBuffer.wrap(stored, 1, stored.length - 1);
        int n = readCount(in) / 2;
        LinkedHashMap<Bytes, byte[]> fields = new LinkedHashMap<>(Math.max(16, n * 2));
        for (int i = 0; i < n; i++) {
            fields.put(Bytes.of(readElement(in)), readElement(in));
        }
        return fields;
    }

    /** Stores a sorted set, its members in order. */
    public static byte[] encodeSortedSet(SortedSetView set) {
        int n = set.size();
        long[] size = {1 + 5};
        set.forEach(0, n, false, (member, score) -> size[0] += 8 + 5 + member.length);
        if (size[0] > Integer.MAX_VALUE - 16) {
            throw new IllegalStateException("sorted set too large to store: " + size[0] + " bytes");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream((int) size[0]);
        out.write(ZSET);
        writeCount(out, n);
        set.forEach(0, n, false, (member, score) -> {
            long bits = Double.doubleToLongBits(score);
            for (int shift = 56; shift >= 0; shift -= 8) {
                out.write((int) (bits >>> shift));
            }
            writeCount(out, member.length);
            out.write(member, 0, member.length);
        });
        return out.toByteArray();
    }

    /** The number of members of a stored sorted set. */
    public static int sortedSetSize(byte[] stored) {
        return readCount(ByteBuffer.wrap(stored, 1, stored.length - 1));
    }

    /** Hands the members of a stored sorted set, in order, to {@code members}. */
    public static void decodeSortedSet(byte[] stored, ScoredConsumer members) {
        ByteBuffer in = ByteBuffer.wrap(stored, 1, stored.length - 1);
        int n = readCount(in);
        for (int i = 0; i < n; i++) {
            double score = in.getDouble();
            members.accept(readElement(in), score);
        }
    }

    private static byte[] encodeElements(byte type, List<byte[]> elements) {
        int size = 1 + 5;
        for (byte[] e : elements) {
            size += 5 + e.length;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(size);
        out.write(type);
        writeCount(out, elements.size());
        for (byte[] e : elements) {
            writeCount(out, e.length);
            out.write(e, 0, e.length);
        }
        return out.toByteArray();
    }

    private static void writeCount(ByteArrayOutputStream out, int value) {
        while ((value & ~0x7F) != 0) {
            out.write((value & 0x7F) | 0x80);
            value >>>= 7;
        }
        out.write(value);
    }

    private static int readCount(ByteBuffer in) {
        int value = 0;
        int shift = 0;
        while (true) {
            byte b = in.get();
            value |= (b & 0x7F) << shift;
            if (b >= 0) {
                return value;
            }
            shift += 7;
        }
    }

    private static byte[] readElement(ByteBuffer in) {
        byte[] element = new byte[readCount(in)];
        in.get(element);
        return element;
    }
}
