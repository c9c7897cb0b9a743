package io.tessera.session.internal;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import com.esotericsoftware.kryo.util.DefaultInstantiatorStrategy;
import com.esotericsoftware.kryo.util.Pool;
import org.objenesis.strategy.StdInstantiatorStrategy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InvalidClassException;
import java.io.NotSerializableException;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.ObjectStreamClass;
import java.io.Serializable;
import java.util.Map;

/**
 * Turns attribute values into the bytes the grid keeps, and back.
 *
 * <p>A value whose class is registered with Kryo (the user's registrations, plus Kryo's built-in {@code String} and
 * boxed primitives) is written with Kryo, tagged {@code 'K'}; any other {@link Serializable} value with Java
 * serialization, tagged {@code 'J'}, read back through an {@link ObjectInputFilter} and the web application's class
 * loader. The filter is also applied when writing: a value containing a class the filter would refuse is refused
 * by {@code setAttribute} with an {@link IllegalArgumentException} instead of becoming unreadable on the other
 * members. Thread-safe: Kryo instances come from a pool.
 */
public final class AttributeCodec {
    private static final byte KRYO = 'K';
    private static final byte JAVA = 'J';

    private final ClassLoader loader;
    private final ObjectInputFilter filter;
    private final String filterPattern;
    private final Pool<Kryo> kryos;

    public AttributeCodec(Map<Class<?>, Integer> kryoTypes, String filterPattern, ClassLoader loader) {
        this.loader = loader;
        this.filterPattern = filterPattern;
        this.filter = ObjectInputFilter.Config.createFilter(filterPattern);
        this.kryos = new Pool<>(true, false, 32) {
            @Override
            protected Kryo create() {
                Kryo kryo = new Kryo();
                kryo.setRegistrationRequired(true);
                kryo.setReferences(true);
                kryo.setClassLoader(loader);
                kryo.setInstantiatorStrategy(new DefaultInstantiatorStrategy(new StdInstantiatorStrategy()));
                kryoTypes.forEach(kryo::register);
                return kryo;
            }
        };
    }

    /** Encodes {@code value} of attribute {@code name}, or refuses it with an {@link IllegalArgumentException}. */
    public byte[] encode(String name, Object value) {
        Kryo kryo = kryos.obtain();
        try {
            if (kryo.getClassResolver().getRegistration(value.getClass()) != null) {
                Output out = new Output(64, -1);
                out.writeByte(KRYO);
                kryo.writeClassAndObject(out, value);
                return out.toBytes();
            }
        } catch (KryoException e) {
            throw new IllegalArgumentException("attribute '" + name + "': a " + value.getClass().getName()
                    + " cannot be replicated with Kryo: " + e.getMessage(), e);
        } finally {
            kryos.free(kryo);
        }
        if (!(value instanceof Serializable)) {
            throw new IllegalArgumentException("attribute '" + name + "': a " + value.getClass().getName()
                    + " cannot be replicated (expected a Serializable value or a class registered with Kryo)");
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        bytes.write(JAVA);
        try (ObjectOutputStream out = new FilteredOutput(bytes, name)) {
            out.writeObject(value);
        } catch (NotSerializableException e) {
            throw new IllegalArgumentException("attribute '" + name + "': a " + value.getClass().getName()
                    + " cannot be replicated: it holds a " + e.getMessage() + ", which is not Serializable", e);
        } catch (IOException e) {
            throw new IllegalArgumentException("attribute '" + name + "': a " + value.getClass().getName()
                    + " cannot be replicated: " + e, e);
        }
        return bytes.toByteArray();
    }

    /** Decodes the bytes of attribute {@code name}; fails with an {@link IllegalStateException} naming it. */
    public Object decode(String name, byte[] bytes) {
        if (bytes.length == 0) {
            throw new IllegalStateException("attribute '" + name + "': empty value");
        }
        if (bytes[0] == KRYO) {
            Kryo kryo = kryos.obtain();
            try {
                return kryo.readClassAndObject(new Input(bytes, 1, bytes.length - 1));
            } catch (KryoException e) {
                throw new IllegalStateException("attribute '" + name + "': cannot read its Kryo form: "
                        + e.getMessage(), e);
            } finally {
                kryos.free(kryo);
            }
        }
        try (ObjectInputStream in = new LoaderInput(new ByteArrayInputStream(bytes, 1, bytes.length - 1))) {
            in.setObjectInputFilter(filter);
            return in.readObject();
        } catch (InvalidClassException e) {
            throw new IllegalStateException("attribute '" + name + "': refused by the session's deserialization "
                    + "filter \"" + filterPattern + "\": " + e.getMessage(), e);
        } catch (IOException | ClassNotFoundException e) {
            throw new IllegalStateException("attribute '" + name + "': cannot deserialize it: " + e, e);
        }
    }

    private void check(String name, Class<?> type) {
        Class<?> component = type;
        while (component.isArray()) {
            component = component.getComponentType();
        }
        if (component.isPrimitive()) {
            return;
        }
        Class<?> checked = component;
        ObjectInputFilter.Status status = filter.checkInput(new ObjectInputFilter.FilterInfo() {
            @Override
            public Class<?> serialClass() {
                return checked;
            }

            @Override
            public long arrayLength() {
                return -1;
            }

            @Override
            public long depth() {
                return 1;
            }

            @Override
            public long references() {
                return 1;
            }

            @Override
            public long streamBytes() {
                return 0;
            }
        });
        if (status == ObjectInputFilter.Status.REJECTED) {
            throw new IllegalArgumentException("attribute '" + name + "': class " + checked.getName()
                    + " is not allowed by the session's deserialization filter \"" + filterPattern
                    + "\" (allow it with SessionConfig.Builder.allowClasses or the init-param allow-classes)");
        }
    }

    private final class FilteredOutput extends ObjectOutputStream {
        private final String name;

        FilteredOutput(ByteArrayOutputStream out, String name) throws IOException {
            super(out);
            this.name = name;
        }

        @Override
        protected void annotateClass(Class<?> cl) {
            check(name, cl);
        }

        @Override
        protected void annotateProxyClass(Class<?> cl) {
            throw new IllegalArgumentException("attribute '" + name + "': proxy class " + cl.getName()
                    + " cannot be replicated");
        }
    }

    private final class LoaderInput extends ObjectInputStream {
        LoaderInput(ByteArrayInputStream in) throws IOException {
            super(in);
        }

        @Override
        protected Class<?> resolveClass(ObjectStreamClass desc) throws IOException, ClassNotFoundException {
            try {
                return Class.forName(desc.getName(), false, loader);
            } catch (ClassNotFoundException e) {
                return super.resolveClass(desc);
            }
        }
    }
}
