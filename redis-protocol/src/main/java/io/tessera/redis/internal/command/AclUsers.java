package io.tessera.redis.internal.command;

import io.tessera.grid.EntryEvent;
import io.tessera.grid.EntryListener;
import io.tessera.grid.Grid;
import io.tessera.grid.GridMap;
import io.tessera.grid.MapConfig;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * The ACL users of the cluster: kept in the grid map {@value #MAP} (user name to its {@link AclUser#rules()}), so a
 * user set on one member authenticates on every member at once, with the databases' backups.
 *
 * <p>Reading: {@code AUTH} and {@code HELLO AUTH} read the user from the grid ({@link #user}), never from a copy, so
 * what they see is the cluster's latest. A connection then holds its {@link AclUser}; this member's listener on the
 * map swaps in the new version when the user changes and kills its connections when it is deleted, wherever the
 * change was made. A change that the listener handles between {@code AUTH}'s read and the connection taking the
 * user is caught by {@link #authenticate}, which reads the user again then.
 *
 * <p>The {@code default} user is {@code requirepass}'s: without a stored entry it is {@code on nopass ~* &* +@all}, or
 * with {@code requirepass} that password instead of {@code nopass}. Once {@code ACL SETUSER default} stored it, the
 * stored user wins over {@code requirepass}, and {@code CONFIG SET requirepass} sets its password. Every member caches the stored default (new connections need it at once,
 * on their event loop), kept by the same listener.
 *
 * <p>Threads: {@link #setUser}, {@link #deleteUsers}, {@link #all} block on the grid; the ACL commands call them on
 * the server's admin executor. The listener runs on the grid's listener thread.
 */
public final class AclUsers implements AutoCloseable {
    /** The grid map of ACL users. */
    public static final String MAP = "redis-acl";
    static final String DEFAULT = "default";

    private final GridMap<String, String> users;
    private final CommandTable table;
    private final Supplier<String> requirePass;
    private final Supplier<Iterable<ClientSession>> clients;
    private final UUID listener;
    private volatile AclUser storedDefault;
    private volatile Synthesized synthesized;
    /** The users last built from their rules, so that an AUTH of an unchanged user builds nothing. */
    private final Map<String, AclUser> built = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * What {@link #authenticate} does with its read of the user before it looks at it: nothing, except in a test that
     * makes a change of the user land exactly between the read and the connection taking the user.
     */
    volatile UnaryOperator<CompletableFuture<AclUser>> readForAuth = UnaryOperator.identity();
    /** How many changes of any user the listener has handled; {@link #authenticate} reads again when it moved. */
    private final AtomicLong changes = new AtomicLong();

    private record Synthesized(String requirePass, AclUser user) {
    }

    /** Opens the users' map (blocks: call it from the thread that starts the server). */
    AclUsers(Grid grid, MapConfig databases, CommandTable table, Supplier<String> requirePass,
             Supplier<Iterable<ClientSession>> clients) {
        this.users = grid.map(MAP, MapConfig.builder().backups(databases.backups()).build());
        this.table = table;
        this.requirePass = requirePass;
        this.clients = clients;
        this.listener = users.addListener(new EntryListener<>() {
            @Override
            public void entryAdded(EntryEvent<String, String> event) {
                changed(event.key(), event.value());
            }

            @Override
            public void entryUpdated(EntryEvent<String, String> event) {
                changed(event.key(), event.value());
            }

            @Override
            public void entryRemoved(EntryEvent<String, String> event) {
                deleted(event.key());
            }
        }, true);
        String stored = users.get(DEFAULT);
        storedDefault = stored == null ? null : AclUser.parse(DEFAULT, stored, table);
    }

    /** The {@code default} user now; new and reset connections start as it. Any thread, no grid access. */
    public AclUser defaultUser() {
        AclUser stored = storedDefault;
        return stored != null ? stored : synthesizedDefault();
    }

    /** Whether {@code ACL SETUSER default} (or an ACL file) stored the default user, so requirepass no longer makes it. */
    public boolean defaultUserStored() {
        return storedDefault != null;
    }

    private AclUser synthesizedDefault() {
        String password = requirePass.get();
        Synthesized cached = synthesized;
        if (cached == null || !java.util.Objects.equals(cached.requirePass(), password)) {
            String rules = (password == null ? "on nopass" : "on #" + AclUser.hash(
                    password.getBytes(StandardCharsets.UTF_8))) + " ~* &* +@all";
            cached = new Synthesized(password, AclUser.parse(DEFAULT, rules, table));
            synthesized = cached;
        }
        return cached.user();
    }

    /**
     * Checks {@code name} and {@code password} against the user as the grid holds it now (AUTH, HELLO AUTH) and, if
     * they match, makes {@code client} run as that user, in its latest version; completes, on a grid thread, with
     * whether it accepted them.
     *
     * <p>The listener brings a change to the connections that run as the user when it handles the change; a
     * connection that takes the user after that but read it before the change would keep the old version. So the
     * connection takes the user first and then looks at {@code changes}: if a change was handled since its read, it
     * reads the user again (see {@code keepCurrent}). The password is checked once, against the version read first,
     * as Redis does: a connection that authenticated stays authenticated when the user's password changes or it is
     * switched off, and is killed when it is deleted.
     */
    public CompletableFuture<Boolean> authenticate(ClientSession client, String name, byte[] password) {
        long seen = changes.get();
        return readForAuth.apply(user(name)).thenCompose(user -> {
            if (user == null || !user.enabled() || !user.acceptsPassword(password)) {
                return CompletableFuture.completedFuture(false);
            }
            client.user(user);
            client.authenticated(true);
            return keepCurrent(client, name, seen).thenApply(current -> true);
        });
    }

    /**
     * Makes {@code client}, which took user {@code name} as read after {@code changes} was {@code seen}, run as the
     * user's latest version. If no change was handled since, the read was the latest: a later change reaches the
     * client through the listener, which counts the change before it walks the connections, so it sees the client as
     * the user (both are volatile writes followed by reads of the other's field). Otherwise the user is read again, and
     * the check repeated for that read.
     */
    private CompletableFuture<Void> keepCurrent(ClientSession client, String name, long seen) {
        long now = changes.get();
        if (now == seen) {
            return CompletableFuture.completedFuture(null);
        }
        return user(name).thenCompose(latest -> {
            if (latest == null) {
                client.kill(); // deleted meanwhile, as the listener kills the connections of a deleted user
                return CompletableFuture.completedFuture(null);
            }
            client.user(latest);
            return keepCurrent(client, name, now);
        });
    }

    /** User {@code name} as the grid holds it now, or null; completes on a grid thread. */
    public CompletableFuture<AclUser> user(String name) {
        return users.getAsync(name).thenApply(rules -> rules != null ? parse(name, rules)
                : name.equals(DEFAULT) ? synthesizedDefault() : null);
    }

    private AclUser parse(String name, String rules) {
        AclUser cached = built.get(name);
        if (cached != null && cached.rules().equals(rules)) {
            return cached;
        }
        AclUser user = AclUser.parse(name, rules, table);
        built.put(name, user);
        return user;
    }

    /**
     * Applies {@code rules} to user {@code name} (created if new) atomically against concurrent changes; blocks.
     *
     * @throws IllegalArgumentException with Redis's error text when a rule is refused; nothing changes then
     */
    public AclUser setUser(String name, List<String> rules) {
        while (true) {
            String old = users.get(name);
            AclUser base = old != null ? AclUser.parse(name, old, table)
                    : name.equals(DEFAULT) ? synthesizedDefault() : AclUser.created(name, table);
            AclUser changed = base.with(rules, table);
            boolean written = old == null ? users.putIfAbsent(name, changed.rules()) == null
                    : users.replace(name, old, changed.rules());
            if (written) {
                if (name.equals(DEFAULT)) {
                    storedDefault = changed; // at once here; the listener brings it to the other members
                }
                return changed;
            }
        }
    }

    /** Stores {@code user} as it is (ACL LOAD, the ACL file at start); blocks. */
    void store(AclUser user) {
        users.put(user.name(), user.rules());
        if (user.name().equals(DEFAULT)) {
            storedDefault = user;
        }
    }

    /** Deletes the named users; answers how many existed. {@code default} is refused by the caller. Blocks. */
    public int deleteUsers(List<String> names) {
        int deleted = 0;
        for (String name : names) {
            if (users.remove(name) != null) {
                deleted++;
            }
        }
        return deleted;
    }

    /** Every user by name, {@code default} included; blocks on a walk of the grid map. */
    public Map<String, AclUser> all() {
        Map<String, AclUser> all = new TreeMap<>();
        for (Map.Entry<String, String> entry : users.entrySet()) {
            all.put(entry.getKey(), AclUser.parse(entry.getKey(), entry.getValue(), table));
        }
        all.putIfAbsent(DEFAULT, synthesizedDefault());
        return all;
    }

    /** Replaces every stored user by {@code loaded} (ACL LOAD); blocks. */
    void replaceAll(List<AclUser> loaded) {
        List<String> names = new ArrayList<>();
        loaded.forEach(user -> names.add(user.name()));
        for (String name : new ArrayList<>(users.keySet())) {
            if (!names.contains(name)) {
                users.remove(name);
            }
        }
        loaded.forEach(this::store);
    }

    private void changed(String name, String rules) {
        if (rules == null) {
            return; // registered with values: not expected
        }
        AclUser user = parse(name, rules);
        changes.incrementAndGet(); // before the walk: see keepCurrent
        if (name.equals(DEFAULT)) {
            storedDefault = user;
        }
        for (ClientSession client : clients.get()) {
            if (client.user().name().equals(name)) {
                client.user(user);
            }
        }
    }

    private void deleted(String name) {
        built.remove(name);
        changes.incrementAndGet(); // before the walk: see keepCurrent
        if (name.equals(DEFAULT)) {
            storedDefault = null;
        }
        for (ClientSession client : clients.get()) {
            if (client.user().name().equals(name) && !name.equals(DEFAULT)) {
                client.kill();
            }
        }
    }

    @Override
    public void close() {
        try {
            users.removeListener(listener);
        } catch (RuntimeException e) {
            // the grid is gone or leaving: its listeners with it
        }
    }
}
