package io.tessera.redis.internal.command;

import io.tessera.redis.internal.protocol.Reply;
import java.util.List;

/**
 * The part of a multi-key command that runs on the keys' common primary when they share a hash slot: one atomic
 * step over every key, as Redis Cluster runs a same-slot command. It gets one entry per distinct key, in the order
 * {@link CommandCall#onSlot} was given them, and the command's full argument vector. Like a {@link KeyOperation}, it
 * validates everything before it changes an entry.
 */
@FunctionalInterface
public interface SlotOperation {
    Reply apply(List<KeyEntry> entries, byte[][] args);
}
