package io.tessera.grid.internal.serialization;

import com.esotericsoftware.kryo.KryoException;
import java.lang.reflect.Modifier;

/**
 * Kryo's signal that a type was refused for lack of registration; {@link GridSerializer} turns it into a
 * {@code GridSerializationException} carrying {@link #guidance()}.
 *
 * <p>It extends {@link KryoException} so that Kryo's serializers, which add their trace to a {@code KryoException} and
 * wrap anything else, let it through unchanged.
 */
final class TypeRefusedException extends KryoException {

    private final String guidance;

    private TypeRefusedException(String guidance, Throwable cause) {
        super(guidance, cause);
        this.guidance = guidance;
    }

    /** The refusal of a class that is not registered, with the cure that fits it. */
    static TypeRefusedException unregistered(Class<?> refused, boolean lambda, Throwable cause) {
        Class<?> type = refused;
        while (!type.isEnum() && type.getSuperclass() != null && type.getSuperclass() != Enum.class
                && Enum.class.isAssignableFrom(type)) {
            type = type.getSuperclass(); // an enum constant with a body: the enum is what gets registered
        }
        String name = nameOf(type);
        String guidance;
        if (!type.isEnum() && (lambda || type.isAnonymousClass() || type.isSynthetic())) {
            guidance = "Class " + name + " is a lambda or anonymous class and cannot be serialized. Use a named class"
                    + " and register it on every member: Grid.builder().serialization(SerializationConfig.builder()"
                    + ".register(YourClass.class).build())";
        } else if (isJdkInternal(type)) {
            guidance = "Class " + name + " is not registered for serialization and cannot be: it is internal to the JDK."
                    + " Copy the value into a supported type such as ArrayList, HashMap or HashSet before storing it";
        } else {
            guidance = "Class " + name + " is not registered for serialization. Register it on every member:"
                    + " Grid.builder().serialization(SerializationConfig.builder().register(" + name
                    + ".class).build())";
        }
        return new TypeRefusedException(guidance, cause);
    }

    /** The refusal of bytes that name a class id this member has no registration for. */
    static TypeRefusedException unknownId(int id) {
        return new TypeRefusedException("class id " + id + " is not registered on this member. Another member"
                + " registered a class this one did not: register the same classes with the same ids on every member"
                + " (SerializationConfig.builder().register(type, " + id + "))", null);
    }

    /** The refusal of bytes that name a class by its name, which no Tessera member writes. */
    static TypeRefusedException className(String className) {
        return new TypeRefusedException("the bytes name class " + className + " by its name instead of a registered"
                + " class id; Tessera never loads a class by name. The bytes were not written by a Tessera member", null);
    }

    /** The message a user sees, without Kryo's serialization trace. */
    String guidance() {
        return guidance;
    }

    /** The name a user writes in source code: {@code com.acme.Cart.Line} rather than {@code com.acme.Cart$Line}. */
    private static String nameOf(Class<?> type) {
        String canonical = type.getCanonicalName();
        return canonical != null ? canonical : type.getName();
    }

    /** Whether {@code type} is a JDK class an application cannot name, such as {@code Collections.unmodifiableList}'s. */
    private static boolean isJdkInternal(Class<?> type) {
        Class<?> element = type;
        while (element.isArray()) {
            element = element.getComponentType();
        }
        Module module = element.getModule();
        if (!module.isNamed() || !(module.getName().startsWith("java.") || module.getName().startsWith("jdk."))) {
            return false;
        }
        if (!module.isExported(element.getPackageName())) {
            return true;
        }
        for (Class<?> c = element; c != null; c = c.getEnclosingClass()) {
            if (!Modifier.isPublic(c.getModifiers())) {
                return true;
            }
        }
        return false;
    }
}
