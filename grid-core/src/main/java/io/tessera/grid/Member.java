package io.tessera.grid;

import java.util.Objects;

/**
 * A member of the cluster as users see it: a stable id for the member's lifetime and a human-readable name.
 */
public final class Member {
    private final String id;
    private final String name;
    private final boolean local;

    /**
     * Creates a member; Tessera makes these, applications only read them.
     *
     * @param id the member's unique id
     * @param name the member's name
     * @param local whether it is the member that returns it
     */
    public Member(String id, String name, boolean local) {
        this.id = Objects.requireNonNull(id, "id");
        this.name = Objects.requireNonNull(name, "name");
        this.local = local;
    }

    /**
     * Returns the member's unique id: a UUID, new for every start, that {@link #equals} compares.
     *
     * @return the id, never {@code null}
     */
    public String id() {
        return id;
    }

    /**
     * Returns the member's name: the configured {@link GridBuilder#memberName(String)} or the JGroups logical name.
     *
     * @return the name, never {@code null}
     */
    public String name() {
        return name;
    }

    /**
     * Tells whether this is the member that returned it.
     *
     * @return {@code true} for the member of the {@link Grid} this was obtained from
     */
    public boolean isLocal() {
        return local;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Member m && m.id.equals(id);
    }

    @Override
    public int hashCode() {
        return id.hashCode();
    }

    @Override
    public String toString() {
        return name + (local ? " (this member)" : "");
    }
}
