package io.tessera.redis.chaos;

import io.tessera.grid.EntryProcessor;
import io.tessera.grid.MutableEntry;
import io.tessera.grid.SerializationConfig;
import io.tessera.redis.RespServer;

/**
 * What every member of a chaos cluster registers, identically (the grid refuses a joiner whose registrations
 * differ): the RESP server's processors and the harness's counter processor, each under a fixed class id.
 */
final class ChaosTypes {
    /** Class id of {@link Increment}; far from the ids applications and the RESP server use. */
    static final int INCREMENT_TYPE_ID = 0x7E55_C001;

    private ChaosTypes() {
    }

    /** The serialization config of every chaos member, the harness's own included. */
    static SerializationConfig serialization() {
        return RespServer.registerTypes(SerializationConfig.builder())
                .register(Increment.class, INCREMENT_TYPE_ID)
                .build();
    }

    /** Adds one to a {@code Long} value (absent counts as 0) and returns the new value. */
    static final class Increment implements EntryProcessor<String, Object, Long> {
        @Override
        public Long process(MutableEntry<String, Object> entry) {
            Object current = entry.getValue();
            long next = (current == null ? 0L : (Long) current) + 1;
            entry.setValue(next);
            return next;
        }
    }
}
