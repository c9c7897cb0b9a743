/**
 * {@code HttpSession} kept in a Tessera grid, for any Servlet 6 container: {@code TesseraSessionFilter} wraps each
 * request so that {@code getSession()} returns a session whose attributes live in a grid map, replicated to backups,
 * and survive the loss of the node that served them.
 */
package io.tessera.session;
