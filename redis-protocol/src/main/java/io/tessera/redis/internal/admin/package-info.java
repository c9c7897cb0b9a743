/**
 * The standalone node's admin HTTP port ({@code --admin-port}): Prometheus metrics and JMX
 * ({@link io.tessera.redis.internal.admin.NodeMetrics}), health checks and the live status page
 * ({@link io.tessera.redis.internal.admin.AdminServer}, whose document is
 * {@link io.tessera.redis.internal.admin.StatusJson}; the page itself is the HTML, CSS and script next to these
 * classes in the jar).
 *
 * <p>Internal: nothing outside the {@code redis-protocol} module may import this package. Threads: requests run on
 * the admin server's own two threads ({@code tessera-admin-http-N}), never on a Netty event loop or a grid thread;
 * they read the node through {@link io.tessera.redis.internal.admin.AdminServer.Source}.
 */
package io.tessera.redis.internal.admin;
