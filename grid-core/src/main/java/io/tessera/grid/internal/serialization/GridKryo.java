package io.tessera.grid.internal.serialization;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Registration;
import com.esotericsoftware.kryo.util.DefaultInstantiatorStrategy;
import io.tessera.grid.SerializationConfig;
import org.objenesis.strategy.StdInstantiatorStrategy;

/**
 * A Kryo configured as every Tessera member configures it: registration required, references off, the built-in table
 * and the application's registrations, and refusals reported as {@link TypeRefusedException}.
 *
 * <p>Like any Kryo it is used by one thread at a time; {@link GridSerializer} pools them.
 */
final class GridKryo extends Kryo {

    GridKryo(SerializationConfig config) {
        super(new GridClassResolver(), null);
        setRegistrationRequired(true);
        setReferences(false);
        // A registered class without a no-arg constructor must still be readable: without the fallback, writing it
        // would succeed and reading it on another member would fail. Only registered classes are ever instantiated.
        setInstantiatorStrategy(new DefaultInstantiatorStrategy(new StdInstantiatorStrategy()));
        BuiltInTypes.registerAll(this);
        for (SerializationConfig.Registration r : config.registrations()) {
            register(r.type(), r.id());
        }
    }

    /** Returns the registration of {@code type}, or refuses the type with guidance when it was not registered. */
    @Override
    @SuppressWarnings("rawtypes") // overrides Kryo's raw signature
    public Registration getRegistration(Class type) {
        try {
            return super.getRegistration(type);
        } catch (IllegalArgumentException e) {
            // Kryo's own message suggests kryo.register(...), which a Tessera user cannot call.
            if (type == null) {
                throw e;
            }
            throw TypeRefusedException.unregistered(type, isClosure(type), e);
        }
    }
}
