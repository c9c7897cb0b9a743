package io.tessera.grid.internal.serialization;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import io.tessera.grid.GridSerializationException;
import io.tessera.grid.SerializationConfig;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Supplier;

/**
 * The codec that turns keys, values and entry processors into bytes and back, with Kryo and Tessera's type table.
 *
 * <p>Keys are canonical: a {@code String} key is exactly its UTF-8 bytes and a {@code byte[]} key is itself, so the Java
 * key {@code "user:1"} and the RESP key {@code user:1} are one key. Any other key goes through Kryo and must serialize
 * deterministically: equal keys must give equal bytes on every member, so a key class must not hold a
 * {@code HashMap}, {@code HashSet} or anything else whose iteration order depends on history. The key's format
 * ({@link #keyFormat(Object)}) is not part of its bytes; whoever stores a key keeps the format beside it. Values that
 * are compared by their bytes (as {@code replace(key, old, new)} does) have the same need.
 *
 * <p>Values start with a format byte: {@link #VALUE_BYTES}, {@link #VALUE_STRING} or {@link #VALUE_KRYO}. Raw bytes
 * and strings therefore never touch Kryo, and bytes a RESP client wrote read back in Java as a {@code byte[]}, and a
 * Java {@code String} reads back over RESP as its UTF-8 bytes.
 *
 * <p>Kryo requires registration (see {@link SerializationConfig}): a class that is not registered is refused when
 * written, and bytes that name a class id this member does not know, or a class by name, are refused before any object
 * is created. Every failure is a {@link GridSerializationException} whose message says what to do.
 *
 * <p>Concurrency: instances are thread-safe. A Kryo instance and its buffers may be used by one thread at a time, so
 * each call takes a context (a Kryo, an {@link Output} and an {@link Input}) from a pool, uses it and gives it back;
 * no two threads hold the same context, and none waits for one, since the pool creates a context when it finds none
 * (and keeps at most a bounded number of idle ones). A context whose call failed is dropped rather than
 * returned, so no Kryo left in an unknown state is reused, and an output buffer that grew past 64 KiB is replaced
 * before its context goes back, so one large value does not stay pinned in the pool.
 */
public final class GridSerializer {

    /** Key format of a {@code String} key: its bytes are its UTF-8 encoding. */
    public static final byte KEY_STRING = 1;

    /** Key format of a {@code byte[]} key: its bytes are the array itself. */
    public static final byte KEY_BYTES = 2;

    /** Key format of any other key: its bytes are Kryo's {@code writeClassAndObject}. */
    public static final byte KEY_OBJECT = 3;

    /** Value format byte: the rest of the value is a raw {@code byte[]}. */
    public static final byte VALUE_BYTES = 0;

    /** Value format byte: the rest of the value is a {@code String} in UTF-8. */
    public static final byte VALUE_STRING = 1;

    /** Value format byte: the rest of the value is Kryo's {@code writeClassAndObject}. */
    public static final byte VALUE_KRYO = 2;

    private static final int INITIAL_BUFFER = 256;
    private static final int MAX_RETAINED_BUFFER = 64 * 1024;
    private static final byte[] EMPTY = new byte[0];
    private static final int NO_PREFIX = -1;

    private final ContextPool pool;

    /**
     * Creates a serializer that knows the built-in types and the registrations of {@code config}.
     *
     * <p>One Kryo is built at once, so a registration Kryo cannot handle fails here rather than on first use.
     *
     * @param config the application's registrations; the same on every member
     */
    public GridSerializer(SerializationConfig config) {
        Objects.requireNonNull(config, "config");
        int capacity = Math.max(16, 4 * Runtime.getRuntime().availableProcessors());
        this.pool = new ContextPool(capacity, () -> new Context(new GridKryo(config)));
        pool.free(pool.obtain());
    }

    /**
     * Returns the format in which {@link #encodeKey(Object)} writes {@code key}.
     *
     * @param key a key, not null
     * @return {@link #KEY_STRING} for a {@code String}, {@link #KEY_BYTES} for a {@code byte[]},
     *     {@link #KEY_OBJECT} otherwise
     */
    public static byte keyFormat(Object key) {
        Objects.requireNonNull(key, "key");
        if (key instanceof String) {
            return KEY_STRING;
        }
        if (key instanceof byte[]) {
            return KEY_BYTES;
        }
        return KEY_OBJECT;
    }

    /**
     * Returns the canonical bytes of {@code key}, which are hashed, shipped and stored.
     *
     * <p>A {@code String} is exactly its UTF-8 bytes, a {@code byte[]} is a copy of itself, anything else is written
     * with Kryo and must serialize deterministically.
     *
     * @param key a key, not null
     * @return the key's bytes, a new array
     * @throws GridSerializationException if the key's class, or a class inside it, is not registered
     */
    public byte[] encodeKey(Object key) {
        Objects.requireNonNull(key, "key");
        if (key instanceof String s) {
            return s.getBytes(UTF_8);
        }
        if (key instanceof byte[] b) {
            return b.clone();
        }
        return write(key, NO_PREFIX, "key");
    }

    /**
     * Returns the key that {@link #encodeKey(Object)} wrote as {@code bytes} in the given format.
     *
     * @param bytes the key's bytes, not null; not modified and not retained
     * @param format the key's format, as {@link #keyFormat(Object)} gave it
     * @return the key: a {@code String}, a new {@code byte[]} or the decoded object
     * @throws GridSerializationException if the format is unknown or the bytes cannot be decoded
     */
    public Object decodeKey(byte[] bytes, byte format) {
        Objects.requireNonNull(bytes, "bytes");
        switch (format) {
            case KEY_STRING:
                return new String(bytes, UTF_8);
            case KEY_BYTES:
                return bytes.clone();
            case KEY_OBJECT:
                return read(bytes, 0, bytes.length, "key", bytes.length);
            default:
                throw new GridSerializationException("format: " + format + " (expected " + KEY_STRING + " (string), "
                        + KEY_BYTES + " (bytes) or " + KEY_OBJECT + " (object))");
        }
    }

    /**
     * Returns the bytes of {@code value}: one format byte, then the raw bytes, the UTF-8 string or Kryo's output.
     *
     * @param value a value, not null
     * @return the value's bytes, a new array
     * @throws GridSerializationException if the value's class, or a class inside it, is not registered
     */
    public byte[] encodeValue(Object value) {
        Objects.requireNonNull(value, "value");
        if (value instanceof byte[] b) {
            return prefixed(VALUE_BYTES, b);
        }
        if (value instanceof String s) {
            return prefixed(VALUE_STRING, s.getBytes(UTF_8));
        }
        return write(value, VALUE_KRYO, "value");
    }

    /**
     * Returns the value that {@link #encodeValue(Object)} wrote as {@code bytes}.
     *
     * @param bytes the value's bytes, not null; not modified and not retained
     * @return a new {@code byte[]}, a {@code String} or the decoded object
     * @throws GridSerializationException if the bytes cannot be decoded, for instance because they name a class this
     *     member did not register
     */
    public Object decodeValue(byte[] bytes) {
        Objects.requireNonNull(bytes, "bytes");
        return decodeValue(bytes, 0, bytes.length);
    }

    /**
     * Returns the value that {@link #encodeValue(Object)} wrote into {@code length} bytes of {@code bytes} starting at
     * {@code offset}.
     *
     * @param bytes the array holding the value, not null; not modified and not retained
     * @param offset the index of the value's format byte
     * @param length the number of bytes of the value, format byte included
     * @return a new {@code byte[]}, a {@code String} or the decoded object
     * @throws IndexOutOfBoundsException if the range lies outside {@code bytes}
     * @throws GridSerializationException if the bytes cannot be decoded
     */
    public Object decodeValue(byte[] bytes, int offset, int length) {
        Objects.requireNonNull(bytes, "bytes");
        Objects.checkFromIndexSize(offset, length, bytes.length);
        if (length == 0) {
            throw new GridSerializationException("cannot decode value of 0 bytes: the format byte is missing");
        }
        byte format = bytes[offset];
        switch (format) {
            case VALUE_BYTES:
                return Arrays.copyOfRange(bytes, offset + 1, offset + length);
            case VALUE_STRING:
                return new String(bytes, offset + 1, length - 1, UTF_8);
            case VALUE_KRYO:
                return read(bytes, offset + 1, length - 1, "value", length);
            default:
                throw new GridSerializationException("cannot decode value of " + length + " bytes: format byte "
                        + format + " (expected " + VALUE_BYTES + " (bytes), " + VALUE_STRING + " (string) or "
                        + VALUE_KRYO + " (kryo))");
        }
    }

    /**
     * Returns Kryo's {@code writeClassAndObject} of {@code o}, without a format byte; used for entry processors.
     *
     * @param o the object, not null
     * @return its bytes, a new array
     * @throws GridSerializationException if its class, or a class inside it, is not registered
     */
    public byte[] encodeObject(Object o) {
        Objects.requireNonNull(o, "o");
        return write(o, NO_PREFIX, "object");
    }

    /**
     * Returns the object that {@link #encodeObject(Object)} wrote as {@code bytes}.
     *
     * @param bytes the object's bytes, not null; not modified and not retained
     * @return the decoded object
     * @throws GridSerializationException if the bytes cannot be decoded
     */
    public Object decodeObject(byte[] bytes) {
        Objects.requireNonNull(bytes, "bytes");
        return read(bytes, 0, bytes.length, "object", bytes.length);
    }

    private static byte[] prefixed(byte format, byte[] payload) {
        byte[] out = new byte[payload.length + 1];
        out[0] = format;
        System.arraycopy(payload, 0, out, 1, payload.length);
        return out;
    }

    private byte[] write(Object o, int prefix, String what) {
        Context context = pool.obtain();
        boolean reusable = false;
        try {
            Output output = context.output;
            output.reset();
            if (prefix != NO_PREFIX) {
                output.writeByte(prefix);
            }
            context.kryo.writeClassAndObject(output, o);
            byte[] bytes = output.toBytes();
            reusable = true;
            return bytes;
        } catch (RuntimeException e) {
            TypeRefusedException refusal = refusalIn(e);
            if (refusal != null) {
                throw new GridSerializationException(refusal.guidance(), e);
            }
            throw new GridSerializationException("cannot encode " + what + " of type " + o.getClass().getName()
                    + ": " + describe(e), e);
        } catch (StackOverflowError e) {
            // References are off, so a cycle recurses until the stack ends; the caller's thread must survive it.
            throw new GridSerializationException("cannot encode " + what + " of type " + o.getClass().getName()
                    + ": its object graph is cyclic or too deep (Tessera serializes without references)", e);
        } finally {
            release(context, reusable);
        }
    }

    private Object read(byte[] bytes, int offset, int length, String what, int reportedLength) {
        Context context = pool.obtain();
        boolean reusable = false;
        try {
            Input input = context.input;
            input.setBuffer(bytes, offset, length);
            Object o = context.kryo.readClassAndObject(input);
            int left = input.limit() - input.position();
            reusable = true;
            if (o == null) {
                throw new GridSerializationException(
                        "cannot decode " + what + " of " + reportedLength + " bytes: they hold null");
            }
            if (left != 0) {
                throw new GridSerializationException("cannot decode " + what + " of " + reportedLength + " bytes: "
                        + left + " bytes are left after the object; do the members register the same classes"
                        + " with the same ids?");
            }
            return o;
        } catch (GridSerializationException e) {
            throw e;
        } catch (RuntimeException e) {
            TypeRefusedException refusal = refusalIn(e);
            String reason = refusal != null ? refusal.guidance() : describe(e);
            throw new GridSerializationException(
                    "cannot decode " + what + " of " + reportedLength + " bytes: " + reason, e);
        } catch (StackOverflowError e) {
            throw new GridSerializationException("cannot decode " + what + " of " + reportedLength
                    + " bytes: the object graph is nested too deeply", e);
        } finally {
            context.input.setBuffer(EMPTY);
            release(context, reusable);
        }
    }

    private void release(Context context, boolean reusable) {
        if (!reusable) {
            return;
        }
        if (context.output.getBuffer().length > MAX_RETAINED_BUFFER) {
            context.output.setBuffer(new byte[INITIAL_BUFFER], -1);
        }
        pool.free(context);
    }

    /** Finds the refusal Kryo's serializers may have wrapped, for instance a field's unregistered class. */
    private static TypeRefusedException refusalIn(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof TypeRefusedException refusal) {
                return refusal;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return null;
    }

    private static String describe(Throwable e) {
        String message = e.getMessage();
        return message != null ? message : e.getClass().getName();
    }

    /**
     * Idle contexts in a fixed array of slots, taken and returned with one atomic swap each. A thread starts looking
     * at the slot its id hashes to, so a long-lived thread (a partition thread, an event loop) finds the context it
     * returned last, warm in its cache. Kryo's own {@code Pool} locks a queue on every take and return, which showed
     * up at 3 to 4% of a node's time under redis-benchmark.
     */
    private static final class ContextPool {
        private static final int PROBES = 4;
        private final AtomicReferenceArray<Context> slots;
        private final Supplier<Context> factory;

        ContextPool(int capacity, Supplier<Context> factory) {
            this.slots = new AtomicReferenceArray<>(capacity);
            this.factory = factory;
        }

        private int home() {
            return (int) ((Thread.currentThread().getId() * 0x9E3779B97F4A7C15L) >>> 33) % slots.length();
        }

        Context obtain() {
            int home = home();
            for (int i = 0; i < PROBES; i++) {
                Context context = slots.getAndSet((home + i) % slots.length(), null);
                if (context != null) {
                    return context;
                }
            }
            return factory.get();
        }

        void free(Context context) {
            int home = home();
            for (int i = 0; i < PROBES; i++) {
                if (slots.compareAndSet((home + i) % slots.length(), null, context)) {
                    return;
                }
            }
            // Every nearby slot is taken: let this one go rather than search further.
        }
    }

    /** A Kryo and the buffers it writes to and reads from, used by one thread at a time. */
    private static final class Context {
        final GridKryo kryo;
        final Output output = new Output(INITIAL_BUFFER, -1);
        final Input input = new Input();

        Context(GridKryo kryo) {
            this.kryo = kryo;
        }
    }
}
