package io.tessera.redis.internal.command;

import io.tessera.grid.MultiKeyProcessor;
import io.tessera.grid.MutableEntry;
import io.tessera.redis.internal.protocol.Reply;
import io.tessera.redis.internal.protocol.ReplyCodec;
import java.util.ArrayList;
import java.util.List;

/**
 * Carries a multi-key command whose keys share a hash slot to their primary and runs its {@link SlotOperation}
 * there, atomically over all the keys. Travels as the operation name and the packed arguments.
 */
public final class SlotCommandProcessor implements MultiKeyProcessor<byte[], byte[], byte[]> {
    private String operation;
    private byte[] packedArgs;
    private boolean events; // answer the keyspace events with the reply (KeyspaceEvents)

    @SuppressWarnings("unused") // Kryo
    private SlotCommandProcessor() {
    }

    SlotCommandProcessor(String operation, byte[][] args, boolean events) {
        this.operation = operation;
        this.packedArgs = PackedArgs.pack(args);
        this.events = events;
    }

    @Override
    public byte[] process(List<MutableEntry<byte[], byte[]>> entries) {
        SlotOperation slotOperation = CommandTable.standard().slotOperation(operation);
        if (slotOperation == null) {
            return ReplyCodec.encode(Reply.error("ERR this member has no slot operation '" + operation
                    + "': members of one cluster must run the same Tessera version"));
        }
        List<KeyEntry> keyEntries = new ArrayList<>(entries.size());
        for (MutableEntry<byte[], byte[]> entry : entries) {
            keyEntries.add(new KeyEntry(entry));
        }
        Reply reply;
        byte[][] args = PackedArgs.unpack(packedArgs);
        try {
            reply = slotOperation.apply(keyEntries, args);
        } catch (RedisException e) {
            reply = e.reply();
        }
        if (!events) {
            return ReplyCodec.encode(reply);
        }
        List<KeyspaceEvents.Event> happened = new ArrayList<>();
        for (KeyEntry keyEntry : KeyspaceEvents.inRedisOrder(operation, keyEntries)) {
            KeyspaceEvents.describe(operation, keyEntry, args, happened);
        }
        return ReplyCodec.encode(Reply.array(List.of(reply, KeyspaceEvents.encode(happened))));
    }
}
