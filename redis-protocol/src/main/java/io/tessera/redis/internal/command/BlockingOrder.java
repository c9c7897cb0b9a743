package io.tessera.redis.internal.command;

import io.tessera.redis.internal.protocol.Reply;
import io.tessera.redis.internal.store.Bytes;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The order in which clients blocked on a key are served, kept on the key's primary so that it holds across members:
 * each blocked command has a ticket, queued per key in the arrival order of its first try; a try may take from a key
 * only while fewer tickets are ahead of its own than the key holds elements (to the others the key looks empty). A
 * ticket leaves its queues when its
 * command is served or ends (timeout, CLIENT UNBLOCK, a closed connection); one whose member stopped refreshing it
 * for {@value #LEASE_MILLIS} ms (the member died) is dropped.
 *
 * <p>The queues live in the primary's scratch state of the partition ({@link KeyEntry#partitionScratch}), which no
 * backup holds: after a fail-over the new primary queues the tickets again in the order their members try, so the
 * order holds from then on, not across the moment of the fail-over.
 */
final class BlockingOrder {
    /** How long a ticket stays queued without its member's refresh (which comes every second). */
    static final long LEASE_MILLIS = 3_000;

    private BlockingOrder() {
    }

    /** A blocked command's ticket: its id and the keys it waits on. */
    record Ticket(String id, List<byte[]> keys) {
        /** Whether the ticket's command waits on {@code key}. */
        boolean waitsOn(byte[] key) {
            return keys.stream().anyMatch(waited -> Arrays.equals(waited, key));
        }
    }

    private record QueueKey(Bytes key) {
    }

    /** Scratch entries of the partition beside the queues. */
    private enum Scratch {
        /** Tickets that left in the last {@link #LEASE_MILLIS} ms, to when: a late refresh or try does not requeue. */
        LEFT,
        /** When the queues were last swept of tickets whose lease ran out. */
        SWEPT_AT
    }

    /** What {@link #turnOtherThan} answers to a ticket that left: it takes nothing, and names no ticket. */
    private static final String NOBODY = "";

    /** The reply of a try whose turn has not come on any key that has something: it names whose turn it is. */
    private static final String TURN = "TESSERATURN ";

    /**
     * Queues {@code ticket} on the entry's key if it is not (keeping its place if it is), drops tickets whose lease ran
     * out, and answers whether the ticket's command may take from the key now: {@code null} if it may, else the first
     * ticket's id. It may when fewer tickets are ahead of it than the key holds elements: when n elements arrive, the
     * n clients that have waited longest are served, one element each, as in Redis (which of the n elements each one
     * gets may differ), and a client that comes while there is more than the waiting clients' share takes at once.
     */
    static String turnOtherThan(KeyEntry entry, String ticket, long now) {
        if (left(entry, ticket, now)) {
            return NOBODY; // its command ended (a try still on its way): it must take nothing now
        }
        int available = entry.elementCount();
        Map<String, Long> queue = queue(entry, true);
        queue.put(ticket, now); // a ticket already queued keeps its place
        String first = null;
        int ahead = 0;
        Iterator<Map.Entry<String, Long>> it = queue.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<String, Long> queued = it.next();
            if (queued.getKey().equals(ticket)) {
                return ahead < available ? null : first;
            }
            if (now - queued.getValue() > LEASE_MILLIS) {
                it.remove();
                continue;
            }
            if (first == null) {
                first = queued.getKey();
            }
            ahead++;
        }
        return null;
    }

    /**
     * The reply of a try that found nothing it may take while another ticket's turn has come on one of its keys: the
     * serving member lets that ticket's command try next if it is its own. Never reaches a client.
     */
    static Reply notYourTurn(String first) {
        return new Reply.Error(TURN + first);
    }

    /** The ticket whose turn a try's reply says it is, or {@code null} if the reply is not {@link #notYourTurn}. */
    static String turnOf(Reply reply) {
        return reply instanceof Reply.Error error && error.text().startsWith(TURN)
                ? error.text().substring(TURN.length()) : null;
    }

    /**
     * Keeps {@code ticket} queued on the entry's key (queuing it if it is not, as on a new primary after a fail-over):
     * the member still waits. A ticket that left stays out: its refresh was sent before its command ended.
     */
    static void refresh(KeyEntry entry, String ticket, long now) {
        if (!left(entry, ticket, now)) {
            queue(entry, true).put(ticket, now);
        }
        sweep(entry.partitionScratch(), now);
    }

    /** Takes {@code ticket} out of the entry's key's queue, for good. */
    static void leave(KeyEntry entry, String ticket, long now) {
        Map<Object, Object> scratch = entry.partitionScratch();
        if (scratch == null) {
            return;
        }
        Map<String, Long> queue = queue(entry, false);
        if (queue != null) {
            queue.remove(ticket);
            if (queue.isEmpty()) {
                scratch.remove(new QueueKey(Bytes.of(entry.key())));
            }
        }
        leftTickets(scratch).put(ticket, now);
    }

    private static boolean left(KeyEntry entry, String ticket, long now) {
        Map<Object, Object> scratch = entry.partitionScratch();
        if (scratch == null || !scratch.containsKey(Scratch.LEFT)) {
            return false;
        }
        Map<String, Long> left = leftTickets(scratch);
        // Oldest first: drop what is past the lease, after which no refresh or try of it can still be on its way.
        Iterator<Long> at = left.values().iterator();
        while (at.hasNext() && now - at.next() > LEASE_MILLIS) {
            at.remove();
        }
        return left.containsKey(ticket);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Long> leftTickets(Map<Object, Object> scratch) {
        return (Map<String, Long>) scratch.computeIfAbsent(Scratch.LEFT, k -> new LinkedHashMap<String, Long>());
    }

    /**
     * Drops, once per lease, every ticket whose member stopped refreshing it (the member died) from every queue of the
     * partition, and the queues left empty: a key nobody touches again must not keep them.
     */
    private static void sweep(Map<Object, Object> scratch, long now) {
        if (scratch == null) {
            return;
        }
        Long sweptAt = (Long) scratch.get(Scratch.SWEPT_AT);
        if (sweptAt != null && now - sweptAt <= LEASE_MILLIS) {
            return;
        }
        scratch.put(Scratch.SWEPT_AT, now);
        scratch.entrySet().removeIf(e -> {
            if (!(e.getKey() instanceof QueueKey)) {
                return false;
            }
            @SuppressWarnings("unchecked")
            Map<String, Long> queue = (Map<String, Long>) e.getValue();
            queue.values().removeIf(refreshedAt -> now - refreshedAt > LEASE_MILLIS);
            return queue.isEmpty();
        });
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Long> queue(KeyEntry entry, boolean create) {
        Map<Object, Object> scratch = entry.partitionScratch();
        if (scratch == null) {
            return create ? new LinkedHashMap<>() : null; // not on a primary's processor entry: no order to keep
        }
        QueueKey key = new QueueKey(Bytes.of(entry.key()));
        return (Map<String, Long>) (create ? scratch.computeIfAbsent(key, k -> new LinkedHashMap<String, Long>())
                : scratch.get(key));
    }
}
