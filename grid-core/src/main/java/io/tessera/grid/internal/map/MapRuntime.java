package io.tessera.grid.internal.map;

import io.tessera.grid.EntryListener;
import io.tessera.grid.GridClock;
import io.tessera.grid.LocalMapStats;
import io.tessera.grid.NearCacheConfig;
import io.tessera.grid.internal.nearcache.NearCache;
import io.tessera.grid.internal.operation.OperationRequest;
import io.tessera.grid.internal.operation.OperationResult;
import io.tessera.grid.internal.operation.PartitionQuery;
import io.tessera.grid.internal.partition.PartitionTable;
import io.tessera.grid.internal.serialization.GridSerializer;
import io.tessera.grid.internal.store.Capacity;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import org.jgroups.Address;

/**
 * What a {@link DefaultGridMap} needs of its member, and nothing more: the serializer, the invoker, queries on
 * partition primaries, the table, the lease, and event registration. The member ({@code GridNode}) provides it.
 */
public interface MapRuntime {
    /** The serializer of keys and values. */
    GridSerializer serializer();

    /** The number of partitions. */
    int partitionCount();

    /** The deadline of every operation, in milliseconds. */
    long operationTimeoutMillis();

    /** The member's clock. */
    GridClock clock();

    /** Where asynchronous results complete. */
    Executor asyncExecutor();

    /** Throws {@code GridClosedException} once the member was closed. */
    void checkOpen();

    /** Invokes an operation on its primary (retrying until the deadline). */
    CompletableFuture<OperationResult> invoke(OperationRequest request);

    /** Reads from the local replica (a map that reads from backups); a null result means "not served here". */
    void readLocal(OperationRequest request, Consumer<OperationResult> reply);

    /** The member's newest table. */
    PartitionTable table();

    /** This member's address. */
    Address self();

    /** The members of the current view. */
    List<Address> members();

    /** Whether {@code member} is in the current view. */
    boolean isMember(Address member);

    /** The number of members in the current view. */
    int viewSize();

    /** Runs a partition query on {@code member} (locally when it is this member). */
    CompletableFuture<byte[]> query(Address member, PartitionQuery query, long timeoutMillis);

    /** Whether this member holds its lease: a near cache serves hits only then. */
    boolean leaseHolds();

    /** The near cache of {@code map} on this member, created and registered on first use. */
    NearCache nearCache(String map, NearCacheConfig config);

    /** Registers a local listener on {@code map} cluster-wide. */
    UUID addListener(String map, EntryListener<?, ?> listener, boolean includeValues);

    /** Registers a local listener of one key (its encoded bytes) of {@code map} cluster-wide. */
    UUID addKeyListener(String map, byte[] key, EntryListener<?, ?> listener, boolean includeValues);

    /** Removes a local listener. */
    boolean removeListener(String map, UUID id);

    /** Sets this member's bound of {@code map} (from its own config of it). */
    void configureCapacity(String map, Capacity capacity);

    /** What this member holds of {@code map}. */
    LocalMapStats localStats(String map);
}
