package io.tessera.redis.internal.command;

import io.tessera.grid.MultiKeyProcessor;
import io.tessera.grid.MutableEntry;
import io.tessera.redis.internal.protocol.Reply;
import io.tessera.redis.internal.protocol.ReplyCodec;
import io.tessera.redis.internal.store.Bytes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Carries a multi-key command whose keys share a hash slot to their primary and runs its {@link SlotOperation}
 * there, atomically over all the keys. Travels as the operation name and the packed arguments.
 */
public final class SlotCommandProcessor implements MultiKeyProcessor<byte[], byte[], byte[]> {
    private String operation;
    private byte[] packedArgs;
    private boolean events; // answer the keyspace events with the reply (KeyspaceEvents)
    private String ticket; // a blocked command's try (BlockingOrder), else null
    private byte[] packedWaitedKeys; // the keys its ticket waits on

    @SuppressWarnings("unused") // Kryo
    private SlotCommandProcessor() {
    }

    SlotCommandProcessor(String operation, byte[][] args, boolean events) {
        this(operation, args, events, null);
    }

    /** As above, for a try of a blocked command holding {@code ticket} (null: none). */
    SlotCommandProcessor(String operation, byte[][] args, boolean events, BlockingOrder.Ticket ticket) {
        this.operation = operation;
        this.packedArgs = PackedArgs.pack(args);
        this.events = events;
        if (ticket != null) {
            this.ticket = ticket.id();
            this.packedWaitedKeys = PackedArgs.pack(ticket.keys().toArray(byte[][]::new));
        }
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
        List<KeyEntry> waited = new ArrayList<>();
        String turn = null; // whose turn it is on the first waited key that has something and is not this ticket's
        if (ticket != null) {
            Map<Bytes, KeyEntry> byKey = Multi.byKey(keyEntries);
            long now = System.currentTimeMillis();
            for (byte[] key : PackedArgs.unpack(packedWaitedKeys)) {
                KeyEntry entry = Multi.entry(byKey, key);
                if (entry != null && !waited.contains(entry)) {
                    waited.add(entry);
                    String first = BlockingOrder.turnOtherThan(entry, ticket, now);
                    if (first != null) {
                        entry.hide();
                        if (turn == null && entry.existsUnhidden()) {
                            turn = first;
                        }
                    }
                }
            }
        }
        try {
            reply = slotOperation.apply(keyEntries, args);
        } catch (RedisException e) {
            reply = e.reply();
        }
        if (ticket != null && BlockedClients.served(reply)) {
            long now = System.currentTimeMillis();
            waited.forEach(entry -> BlockingOrder.leave(entry, ticket, now));
        } else if (turn != null && BlockedClients.isNothing(reply)) {
            reply = BlockingOrder.notYourTurn(turn);
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
