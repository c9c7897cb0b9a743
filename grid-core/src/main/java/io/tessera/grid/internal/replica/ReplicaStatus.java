package io.tessera.grid.internal.replica;

import io.tessera.grid.internal.wire.MalformedMessageException;

/** What this member holds of one partition, with stable wire ids (the coordinator's state reports carry them). */
public enum ReplicaStatus {
    /** Holds nothing. */
    NONE(0),
    /** A complete, in-sequence replica (primary or backup). */
    OWNER(1),
    /** Waiting for a snapshot (a new replica, or a backup that found a gap); buffering mutations. */
    SYNCING(2),
    /** A new replica that installed its snapshot and follows the stream; an owner once the table says so. */
    SYNCED(3);

    private final int id;

    ReplicaStatus(int id) {
        this.id = id;
    }

    /** The wire id. */
    public int id() {
        return id;
    }

    /** The status with wire id {@code id}. */
    public static ReplicaStatus of(int id) {
        for (ReplicaStatus s : values()) {
            if (s.id == id) {
                return s;
            }
        }
        throw new MalformedMessageException("unknown replica status " + id);
    }
}
