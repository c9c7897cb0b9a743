/**
 * A Jetty 12 {@code SessionDataStore} backed by a Tessera grid: Jetty keeps its own session handling, listeners and
 * scavenging, and the grid keeps the data, replicated to backups, on every node.
 */
package io.tessera.jetty;
