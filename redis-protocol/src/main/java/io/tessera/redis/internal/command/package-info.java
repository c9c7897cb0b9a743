/**
 * The commands of the Redis face: the {@link io.tessera.redis.internal.command.CommandTable} (one row per command,
 * with Redis's arity, flags and key positions), the {@link io.tessera.redis.internal.command.CommandDispatcher} that
 * checks a request and runs its handler, and one class per family of commands.
 *
 * <p>A command reaches its key's primary as a grid entry processor: a single-key command runs its
 * {@link io.tessera.redis.internal.command.KeyOperation} there ({@link
 * io.tessera.redis.internal.command.KeyCommandProcessor}), a multi-key command whose keys share a slot its
 * {@link io.tessera.redis.internal.command.SlotOperation} ({@link
 * io.tessera.redis.internal.command.SlotCommandProcessor}), and EXEC the queued commands of a transaction ({@link
 * io.tessera.redis.internal.command.TransactionProcessor}), each one atomic step on the partition's thread.
 * Handlers run on the connection's event loop and never block it.
 *
 * <p>Internal: nothing outside the {@code redis-protocol} module may import this package.
 */
package io.tessera.redis.internal.command;
