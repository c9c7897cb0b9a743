/**
 * Entry events: the registry of which members listen to or near-cache which maps, the publishing of a primary's
 * changes to them, and the delivery of events to local listeners on listener threads striped by key.
 */
package io.tessera.grid.internal.event;
