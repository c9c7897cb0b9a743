/**
 * The session demo: a counter, a small shopping cart and a ten-attribute page whose HTTP sessions live in the grid,
 * so that any node can serve any request of a session and a node may die without losing one.
 *
 * <p>Each node is one process: an embedded Jetty 12 (ee10) with an embedded grid member ({@link SessionDemo}).
 * Jetty keeps its own session handling (cookies, listeners, scavenging); only the storage is the grid, through
 * {@code io.tessera.jetty.TesseraSessionDataStoreFactory}. Because a load balancer in front of the nodes need not be
 * sticky, every request reads the session from the grid (Jetty's {@code NullSessionCache}) and writes it back before
 * the response is committed ({@code flushOnResponseCommit}), so the next request, wherever it lands, sees it.
 * {@code --sessions filter} keeps them through the container-neutral {@code io.tessera.session.TesseraSessionFilter}
 * instead, and {@code --container tomcat} runs the same pages on an embedded Tomcat 11 with that filter.
 * {@code --sessions memory} runs them on the container's default in-memory sessions, the baseline of
 * {@code benchmarks/scripts/session-compare.sh}.
 *
 * <p>The servlets are plain Servlet API and keep no state of their own; Jetty's request threads run them, and all
 * they share is the session, whose attributes they only ever replace (never mutate in place), because only
 * {@code setAttribute} marks a session as changed.
 */
package io.tessera.examples.session;
