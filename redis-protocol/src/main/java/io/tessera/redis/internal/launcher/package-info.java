/**
 * The standalone node behind {@link io.tessera.redis.TesseraServer}: its settings (one table, {@link
 * io.tessera.redis.internal.launcher.Setting}, read from a config file, the environment and the command line, in that
 * order of precedence), and the running node that joins the grid, serves RESP and leaves gracefully.
 *
 * <p>Internal: nothing outside the {@code redis-protocol} module may import this package. Settings are parsed on the
 * main thread; a running {@link io.tessera.redis.internal.launcher.StandaloneNode} is stopped by whichever thread
 * comes first (the JVM's shutdown hook on SIGTERM, or the thread the {@code SHUTDOWN} command starts) and the others
 * wait for that stop to finish.
 */
package io.tessera.redis.internal.launcher;
