package io.tessera.grid.internal.wire;

/**
 * The one registry of message types exchanged between members; the id is the first byte of every message and is
 * never reused.
 */
public enum MessageType {
    /** A map operation routed to a partition's primary. */
    OPERATION(1),
    /** A mutation streamed from a primary to a backup or syncing replica. */
    BACKUP(2),
    /** A chunk of a partition's content sent to a replica that syncs or resyncs. */
    SNAPSHOT(3),
    /** A backup that found a gap asks its primary for a fresh snapshot. */
    RESYNC_REQUEST(4),
    /** The coordinator asks a member which replicas it holds. */
    STATE_REQUEST(5),
    /** The coordinator publishes a partition table. */
    TABLE(6),
    /** The coordinator asks a primary to copy a partition to a syncing replica. */
    SYNC_REPLICA(7),
    /** The coordinator asks a primary to stop accepting operations on partitions it hands off. */
    FREEZE(8),
    /** A member that shuts down gracefully asks the coordinator to move its partitions away first. */
    LEAVE_REQUEST(9),
    /** An entry event or near-cache invalidation sent by a primary to a registered member. */
    EVENT(10),
    /** A member announces or withdraws interest in a map's events. */
    LISTENER_REGISTRATION(11),
    /** A per-partition query or bulk operation: size, clear, entries, digest. */
    PARTITION_QUERY(12),
    /** The coordinator tells leaving members that nobody stays to take their partitions: they may go. */
    LEAVE_RELEASE(13),
    /** A member that starts asks every other member which maps it listens to or near-caches. */
    INTEREST_QUERY(14),
    // 15 was MERGE_PUSH (one operation per merged entry), retired: never reuse it.
    /** A starting member asks every other member for the settings that must match cluster-wide. */
    COMPATIBILITY(16),
    /** A message published to a topic, for the topic's listeners on the receiving member. */
    TOPIC(17),
    /** A member renews its lease: the receiver answers whether the sender is in its view, and which view it has. */
    LEASE_PING(18),
    /** After a merge, the coordinator asks a member of the side that merges in to freeze and capture replicas. */
    MERGE_PREPARE(19),
    /** A batch of captured entries and deletions sent to the primary that merges them by the map's policy. */
    MERGE_ENTRIES(20),
    /**
     * Several {@link #BACKUP} messages of one primary thread to the same replicas, sent as one: the receiver answers
     * one acknowledgement byte per message, in order.
     */
    BACKUP_BATCH(21),
    /** A member's figures for the others' status (heap, entries, operations, copies running); one-way, every second. */
    MEMBER_REPORT(22);

    private static final MessageType[] BY_ID = new MessageType[32];

    static {
        for (MessageType type : values()) {
            BY_ID[type.id] = type;
        }
    }

    private final int id;

    MessageType(int id) {
        this.id = id;
    }

    /** The stable wire id. */
    public int id() {
        return id;
    }

    /** The type with this wire id. */
    public static MessageType of(int id) {
        MessageType type = id >= 0 && id < BY_ID.length ? BY_ID[id] : null;
        if (type == null) {
            throw new MalformedMessageException("unknown message type " + id);
        }
        return type;
    }
}
