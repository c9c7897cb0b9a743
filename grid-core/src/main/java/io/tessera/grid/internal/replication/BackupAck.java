package io.tessera.grid.internal.replication;

/** A backup's one-byte answer to a {@link BackupMessage}. */
public final class BackupAck {
    /** Applied (or already held): the backup holds every mutation of the message. */
    public static final byte APPLIED = 0;
    /** Refused: the sender is not the primary of the backup's table and epoch, or not in its view. */
    public static final byte FENCED = 1;
    /** Kept for a snapshot still to come; only a syncing (not yet owning) replica answers this. */
    public static final byte BUFFERED = 2;
    /** The receiver holds no replica of the partition under its table. */
    public static final byte NOT_REPLICA = 3;

    private BackupAck() {
    }

    /** A name for logs. */
    public static String name(byte ack) {
        return switch (ack) {
            case APPLIED -> "applied";
            case FENCED -> "refused (fenced)";
            case BUFFERED -> "buffered";
            case NOT_REPLICA -> "not a replica";
            default -> "unknown answer " + ack;
        };
    }
}
