package io.tessera.redis.internal.command;

import io.tessera.grid.EntryProcessor;
import io.tessera.grid.MutableEntry;
import io.tessera.redis.internal.protocol.Reply;
import io.tessera.redis.internal.protocol.ReplyCodec;
import java.util.ArrayList;
import java.util.List;

/**
 * Carries one command to its key's primary and runs the command's {@link KeyOperation} there, atomically with
 * every other operation on the key. Travels as the command name and the raw arguments; the reply comes back in
 * {@link ReplyCodec}'s form. An error reply leaves the entry unchanged only if the operation threw before changing
 * it, which every operation does (validate first, then write).
 */
public final class KeyCommandProcessor implements EntryProcessor<byte[], byte[], byte[]> {
    private String operation;
    private byte[] packedArgs; // length-prefixed arguments: Kryo then needs no registration for byte[][]
    private boolean events; // answer the keyspace events with the reply (KeyspaceEvents)
    private String ticket; // a blocked command's try: its place in the key's order (BlockingOrder), else null

    @SuppressWarnings("unused") // Kryo
    private KeyCommandProcessor() {
    }

    /** Runs the key operation of command {@code operation} with {@code args} ({@code args[0]} is a command name). */
    public KeyCommandProcessor(String operation, byte[][] args) {
        this(operation, args, false);
    }

    /** As {@link #KeyCommandProcessor(String, byte[][])}; with {@code events}, the reply comes with its events. */
    public KeyCommandProcessor(String operation, byte[][] args, boolean events) {
        this(operation, args, events, null);
    }

    /** As above, for a try of a blocked command holding {@code ticket} (the key must be one it waits on). */
    KeyCommandProcessor(String operation, byte[][] args, boolean events, String ticket) {
        this.operation = operation;
        this.packedArgs = PackedArgs.pack(args);
        this.events = events;
        this.ticket = ticket;
    }

    @Override
    public byte[] process(MutableEntry<byte[], byte[]> entry) {
        CommandSpec spec = CommandTable.standard().lookup(operation);
        if (spec == null || spec.keyOperation() == null) {
            return ReplyCodec.encode(Reply.error("ERR this member has no key operation '" + operation
                    + "': members of one cluster must run the same Tessera version"));
        }
        Reply reply;
        KeyEntry keyEntry = new KeyEntry(entry);
        byte[][] args = PackedArgs.unpack(packedArgs);
        String turn = ticket == null ? null : BlockingOrder.turnOtherThan(keyEntry, ticket, System.currentTimeMillis());
        if (turn != null) {
            keyEntry.hide();
        }
        try {
            reply = spec.keyOperation().apply(keyEntry, args);
        } catch (RedisException e) {
            reply = e.reply();
        }
        if (ticket != null && BlockedClients.served(reply)) {
            BlockingOrder.leave(keyEntry, ticket, System.currentTimeMillis());
        } else if (turn != null && BlockedClients.isNothing(reply) && keyEntry.existsUnhidden()) {
            reply = BlockingOrder.notYourTurn(turn);
        }
        if (!events) {
            return ReplyCodec.encode(reply);
        }
        List<KeyspaceEvents.Event> happened = new ArrayList<>(2);
        KeyspaceEvents.describe(operation, keyEntry, args, happened);
        return ReplyCodec.encode(Reply.array(List.of(reply, KeyspaceEvents.encode(happened))));
    }
}
