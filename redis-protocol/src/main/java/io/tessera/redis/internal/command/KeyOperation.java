package io.tessera.redis.internal.command;

import io.tessera.redis.internal.protocol.Reply;

/**
 * The part of a command that runs on its key's primary, atomically, inside an entry processor. It gets the command's
 * full argument vector ({@code args[0]} is the command name) and must be deterministic apart from the clock: it may
 * run again on another member if the caller retries after an indeterminate outcome.
 */
@FunctionalInterface
public interface KeyOperation {
    Reply apply(KeyEntry entry, byte[][] args);
}
