/**
 * The machinery behind {@code io.tessera.session.TesseraSessionFilter}: the session record and its entry processors
 * (which run on partition threads of the session's primary), the attribute codec, the per-web-application
 * {@code SessionManager} (whose expiry thread handles the grid's timer events), and the per-request wrappers (owned
 * by the request's thread). Nothing here is API.
 */
package io.tessera.session.internal;
