/**
 * The RESP wire protocol of the Redis face: decoding client requests into {@link
 * io.tessera.redis.internal.protocol.RespCommand}s and reporting malformed input as {@link
 * io.tessera.redis.internal.protocol.RespProtocolError}s carrying Redis's own error texts.
 *
 * <p>Internal: nothing outside the {@code redis-protocol} module may import this package. Every
 * decoder instance belongs to one channel and is owned by that channel's Netty event loop.
 */
package io.tessera.redis.internal.protocol;
