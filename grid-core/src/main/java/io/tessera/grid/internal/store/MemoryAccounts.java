package io.tessera.grid.internal.store;

import java.util.Collection;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/** The {@link MemoryAccount}s of this member, one per map name, made on first use; thread-safe. */
public final class MemoryAccounts {
    private final int threads;
    private final int partitions;
    private final ConcurrentHashMap<String, MemoryAccount> accounts = new ConcurrentHashMap<>();
    private volatile Consumer<MemoryAccount> onCreated = a -> { };

    /** Creates the accounts of a member with {@code threads} partition threads and {@code partitions} partitions. */
    public MemoryAccounts(int threads, int partitions) {
        this.threads = threads;
        this.partitions = partitions;
    }

    /**
     * Sets what runs with every account made from now on (the member's meters register the map's); it runs once per
     * account, on the thread that made it, and must not make accounts itself. Accounts made before are in {@link #all}.
     */
    public void onCreated(Consumer<MemoryAccount> listener) {
        this.onCreated = listener;
    }

    /** The account of {@code mapName}. */
    public MemoryAccount account(String mapName) {
        MemoryAccount account = accounts.get(mapName);
        if (account != null) {
            return account;
        }
        MemoryAccount made = new MemoryAccount(mapName, threads, partitions);
        MemoryAccount raced = accounts.putIfAbsent(mapName, made);
        if (raced != null) {
            return raced;
        }
        onCreated.accept(made);
        return made;
    }

    /** Every account. */
    public Collection<MemoryAccount> all() {
        return accounts.values();
    }
}
