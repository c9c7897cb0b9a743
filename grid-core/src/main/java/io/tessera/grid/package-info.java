/**
 * Tessera's embedded API: a {@link io.tessera.grid.Grid} member joins a JGroups cluster and hands out
 * {@link io.tessera.grid.GridMap}s, {@link java.util.concurrent.ConcurrentMap}s whose entries are split into
 * partitions, each kept by a primary and synchronous backups on other members.
 *
 * <p>Everything else in {@code grid-core} lives under {@code io.tessera.grid.internal} and is not API.
 *
 * <pre>{@code
 * try (Grid grid = Grid.builder().clusterName("shop").start()) {
 *     GridMap<String, Integer> stock = grid.map("stock");
 *     stock.put("apple", 10);
 *     stock.merge("apple", 5, Integer::sum);
 * }
 * }</pre>
 */
package io.tessera.grid;
