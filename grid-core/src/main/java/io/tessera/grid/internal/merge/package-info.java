/**
 * Merging replicas that are not part of the coordinator's table into it, entry by entry, by each map's merge policy:
 * after a split brain, and whenever a table leaves a complete replica behind
 * ({@link io.tessera.grid.internal.merge.MergeService}).
 *
 * <p>Threads: captures are taken on partition threads and pushed from one merge thread per member; merged batches are
 * applied on the target partition's thread.
 */
package io.tessera.grid.internal.merge;
