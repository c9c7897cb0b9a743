/**
 * Tessera's session store for Jetty 12: {@link io.tessera.jetty.TesseraSessionDataStoreFactory}, a {@code Server}
 * bean, gives each session handler (core, ee10, ee11) a {@link io.tessera.jetty.TesseraSessionDataStore} that keeps
 * Jetty's {@code SessionData} in a grid map, so Jetty's own session cache, listeners, id manager and scavenger work
 * across a cluster. The module depends on Jetty's {@code jetty-session} only (no servlet API).
 *
 * <p>Threads: the store runs on Jetty's request and scavenger threads inside {@code SessionContext.run} (the web
 * app's class loader); it blocks them on grid operations, which is what Jetty's stores do. Grid partition threads
 * only run the small processors of {@code io.tessera.jetty.internal}.
 *
 * <p>A Jetty distribution enables the store with {@code --add-modules=session-store-tessera}; the module file and
 * its XML sit in this jar under {@code jetty-base/}.
 */
package io.tessera.jetty;
