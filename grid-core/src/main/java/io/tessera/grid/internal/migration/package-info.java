/**
 * Moving partition content between members: snapshots (for new replicas and for backups that resync), their
 * installation, and the freeze of an old primary before a hand-off
 * ({@link io.tessera.grid.internal.migration.MigrationService}).
 *
 * <p>Threads: copies are taken on partition threads and encoded and sent on one snapshot thread per member.
 */
package io.tessera.grid.internal.migration;
