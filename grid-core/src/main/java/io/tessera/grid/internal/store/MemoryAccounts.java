package io.tessera.grid.internal.store;

import java.util.Collection;
import java.util.concurrent.ConcurrentHashMap;

/** The {@link MemoryAccount}s of this member, one per map name, made on first use; thread-safe. */
public final class MemoryAccounts {
    private final int threads;
    private final ConcurrentHashMap<String, MemoryAccount> accounts = new ConcurrentHashMap<>();

    /** Creates the accounts of a member with {@code threads} partition threads. */
    public MemoryAccounts(int threads) {
        this.threads = threads;
    }

    /** The account of {@code mapName}. */
    public MemoryAccount account(String mapName) {
        MemoryAccount account = accounts.get(mapName);
        return account != null ? account : accounts.computeIfAbsent(mapName, n -> new MemoryAccount(n, threads));
    }

    /** Every account. */
    public Collection<MemoryAccount> all() {
        return accounts.values();
    }
}
