package io.tessera.redis.internal.command;

import io.tessera.grid.MultiKeyProcessor;
import io.tessera.grid.MutableEntry;
import io.tessera.redis.internal.protocol.Reply;
import io.tessera.redis.internal.protocol.ReplyCodec;
import io.tessera.redis.internal.store.Bytes;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs the keyed commands of one EXEC on their slot's primary, in one step over all their keys (see
 * {@link TransactionCommands}): nothing at all if a watched key's version moved since WATCH, else each command in
 * order, through the same key or slot operation it runs alone. Answers an array of their replies, or a null array.
 */
public final class TransactionProcessor implements MultiKeyProcessor<byte[], byte[], byte[]> {
    // Packed byte arrays only (PackedArgs), so Kryo needs no registration beyond this class.
    private byte[] commands;
    private byte[] watchedKeys;
    private byte[] watchedVersions;
    private boolean events; // answer the keyspace events with the replies (KeyspaceEvents)

    @SuppressWarnings("unused") // Kryo
    private TransactionProcessor() {
    }

    TransactionProcessor(List<byte[][]> commands, byte[][] watchedKeys, long[] watchedVersions, boolean events) {
        this.events = events;
        byte[][] packed = new byte[commands.size()][];
        for (int i = 0; i < commands.size(); i++) {
            packed[i] = PackedArgs.pack(commands.get(i));
        }
        byte[][] versions = new byte[watchedVersions.length][];
        for (int i = 0; i < watchedVersions.length; i++) {
            versions[i] = Long.toString(watchedVersions[i]).getBytes(StandardCharsets.US_ASCII);
        }
        this.commands = PackedArgs.pack(packed);
        this.watchedKeys = PackedArgs.pack(watchedKeys);
        this.watchedVersions = PackedArgs.pack(versions);
    }

    @Override
    public byte[] process(List<MutableEntry<byte[], byte[]>> entries) {
        Map<Bytes, KeyEntry> byKey = new HashMap<>(entries.size() * 2);
        for (MutableEntry<byte[], byte[]> entry : entries) {
            byKey.put(Bytes.of(entry.getKey()), new KeyEntry(entry));
        }
        byte[][] keys = PackedArgs.unpack(watchedKeys);
        byte[][] versions = PackedArgs.unpack(watchedVersions);
        for (int i = 0; i < keys.length; i++) {
            long version = Long.parseLong(new String(versions[i], StandardCharsets.US_ASCII));
            if (byKey.get(Bytes.of(keys[i])).version() != version) {
                return ReplyCodec.encode(Reply.NULL_ARRAY);
            }
        }
        CommandTable table = CommandTable.standard();
        byte[][] packedCommands = PackedArgs.unpack(commands);
        List<Reply> replies = new ArrayList<>(packedCommands.length);
        List<KeyspaceEvents.Event> happened = new ArrayList<>();
        for (byte[] packed : packedCommands) {
            byte[][] args = PackedArgs.unpack(packed);
            byKey.values().forEach(KeyEntry::startCommand);
            Reply reply;
            try {
                reply = run(table, args, byKey);
            } catch (RedisException e) {
                reply = e.reply();
            }
            replies.add(reply);
            if (events) {
                CommandSpec spec = table.lookup(new String(args[0], StandardCharsets.UTF_8));
                String name = spec.name();
                List<KeyEntry> touched = new ArrayList<>();
                for (byte[] key : CommandCall.distinct(TransactionCommands.keysOf(table, spec, args))) {
                    touched.add(byKey.get(Bytes.of(key)));
                }
                for (KeyEntry entry : KeyspaceEvents.inRedisOrder(name, touched)) {
                    KeyspaceEvents.describe(name, entry, args, happened);
                }
            }
        }
        return events ? ReplyCodec.encode(Reply.array(List.of(Reply.array(replies), KeyspaceEvents.encode(happened))))
                : ReplyCodec.encode(Reply.array(replies));
    }

    /**
     * One command on the entries: a command of one key through its key operation; a command of several keys through
     * its slot operation, or, when they are all one key (SMOVE s s m, LMOVE l l ...), through the key operation that
     * serves that case alone.
     */
    private static Reply run(CommandTable table, byte[][] args, Map<Bytes, KeyEntry> byKey) {
        String name = new String(args[0], StandardCharsets.UTF_8);
        CommandSpec spec = table.lookup(name);
        if (spec == null) {
            return Reply.error("ERR this member has no command '" + name
                    + "': members of one cluster must run the same Tessera version");
        }
        List<byte[]> keys = TransactionCommands.keysOf(table, spec, args);
        List<byte[]> distinct = CommandCall.distinct(keys);
        SlotOperation slotOperation = table.slotOperation(spec.name());
        if (keys.size() == 1 || (distinct.size() == 1 && spec.lastKey() > 0 && spec.keyOperation() != null)) {
            if (spec.keyOperation() == null) {
                return Reply.error("ERR '" + spec.name() + "' cannot run inside MULTI on Tessera");
            }
            return spec.keyOperation().apply(byKey.get(Bytes.of(keys.get(0))), args);
        }
        if (slotOperation == null || (distinct.size() == 1 && spec.lastKey() > 0)) {
            return Reply.error("ERR '" + spec.name() + "' with these keys cannot run inside MULTI on Tessera");
        }
        List<KeyEntry> entries = new ArrayList<>(distinct.size());
        for (byte[] key : distinct) {
            entries.add(byKey.get(Bytes.of(key)));
        }
        return slotOperation.apply(entries, args);
    }
}
