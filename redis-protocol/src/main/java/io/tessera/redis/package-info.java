/**
 * The Redis face of Tessera: {@link io.tessera.redis.TesseraServer} (the {@code tessera-server} command line),
 * {@link io.tessera.redis.RespServer} to serve RESP from a grid an application already runs, its immutable
 * {@link io.tessera.redis.RespServerConfig}, and {@link io.tessera.redis.RespEventLoops}, the Netty event loops the
 * RESP connections and the grid's partitions can share.
 *
 * <p>Everything else of the module is under {@code internal} and may change without notice.
 */
package io.tessera.redis;
