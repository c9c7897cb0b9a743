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
 * <p>ACL users ({@link io.tessera.redis.internal.command.AclUsers}, {@link io.tessera.redis.internal.command.AclUser})
 * live in a grid map shared by the cluster; each connection holds its user, which the dispatcher checks before a
 * command runs. The ACL commands that wait for the grid run on the server's admin executor, and the map's listener
 * (on the grid's listener thread) swaps changed users into this member's connections and closes those of deleted
 * users.
 *
 * <p>Internal: nothing outside the {@code redis-protocol} module may import this package.
 */
package io.tessera.redis.internal.command;
