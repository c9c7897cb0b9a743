/**
 * The Netty side of the Redis face: {@link io.tessera.redis.internal.server.RespConnectionHandler}, one per
 * connection on its event loop, which dispatches decoded commands and writes their replies in request order, however
 * the replies complete; and {@link io.tessera.redis.internal.server.RespMeters}, the server's meters in the grid's
 * registry, read from the counts the server keeps anyway.
 *
 * <p>Internal: nothing outside the {@code redis-protocol} module may import this package.
 */
package io.tessera.redis.internal.server;
