/**
 * {@code HttpSession} kept in a Tessera grid, for any Servlet 6 container: {@link io.tessera.session.TesseraSessionFilter}
 * wraps each request so that {@code getSession()} returns a session whose attributes live in a grid map, replicated
 * to backups, and survive the loss of the node that served them. Configure it with
 * {@link io.tessera.session.SessionConfig} (or init-params), give it a grid directly or through
 * {@link io.tessera.session.TesseraGrids}, and register session listeners with
 * {@link io.tessera.session.SessionListeners}. Request threads own the per-request session views; the filter's
 * expiry thread runs the listeners of timed-out sessions.
 */
package io.tessera.session;
