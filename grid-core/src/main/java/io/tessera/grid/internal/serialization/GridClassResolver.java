package io.tessera.grid.internal.serialization;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Registration;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.util.DefaultClassResolver;

/**
 * Kryo's class resolver, reading only registered class ids: a class id nobody registered, or a class written by name,
 * is refused before anything is loaded or instantiated.
 *
 * <p>Kryo's own resolver would, for a class written by name, load the class and only then find it unregistered. Tessera
 * members never write names (registration is required), so a name in the bytes is refused as it is met.
 */
final class GridClassResolver extends DefaultClassResolver {

    /** Kryo's marker, written as a class id, for "a class name follows". */
    private static final int NAME_MARKER = NAME + 2;

    /** Reads a class id and returns its registration, null for a null object, or refuses an unknown id or a name. */
    @Override
    public Registration readClass(Input input) {
        int classId = input.readVarInt(true);
        if (classId == Kryo.NULL) {
            return null;
        }
        if (classId == NAME_MARKER) {
            return readName(input);
        }
        Registration registration = idToRegistration.get(classId - 2);
        if (registration == null) {
            throw TypeRefusedException.unknownId(classId - 2);
        }
        return registration;
    }

    /** Refuses a class written by name, naming it in the message but never loading it. */
    @Override
    protected Registration readName(Input input) {
        String className;
        try {
            input.readVarInt(true); // the name's id within this object graph
            className = input.readString();
        } catch (RuntimeException e) {
            className = "(unreadable)";
        }
        throw TypeRefusedException.className(className);
    }
}
