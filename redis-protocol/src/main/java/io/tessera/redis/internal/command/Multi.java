package io.tessera.redis.internal.command;

import io.tessera.redis.internal.protocol.Reply;
import io.tessera.redis.internal.store.Bytes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Helpers for multi-key commands: finding a slot operation's entries by key, and, for keys in several slots, joining
 * the replies of one key operation per key.
 */
final class Multi {
    static final Reply CROSSSLOT = Reply.error("CROSSSLOT Keys in request don't hash to the same slot");

    private Multi() {
    }

    /** A slot operation's entries by key, to find the entry of each key argument (repeats included). */
    static Map<Bytes, KeyEntry> byKey(List<KeyEntry> entries) {
        Map<Bytes, KeyEntry> byKey = new HashMap<>(entries.size() * 2);
        for (KeyEntry entry : entries) {
            byKey.put(Bytes.of(entry.key()), entry);
        }
        return byKey;
    }

    /** The entry of {@code key} among a slot operation's entries. */
    static KeyEntry entry(Map<Bytes, KeyEntry> entries, byte[] key) {
        return entries.get(Bytes.of(key));
    }

    /** Every reply, in order, once all have arrived; never blocks. */
    static CompletableFuture<List<Reply>> all(List<CompletableFuture<Reply>> replies) {
        return CompletableFuture.allOf(replies.toArray(CompletableFuture[]::new)).thenApply(ignored -> {
            List<Reply> values = new ArrayList<>(replies.size());
            for (CompletableFuture<Reply> reply : replies) {
                values.add(reply.join()); // already complete
            }
            return values;
        });
    }

    /** The first error among {@code replies}, or {@code otherwise}. */
    static Reply firstError(List<Reply> replies, Reply otherwise) {
        for (Reply reply : replies) {
            if (reply instanceof Reply.Error) {
                return reply;
            }
        }
        return otherwise;
    }

    /** The sum of integer replies (other replies count 0). */
    static long sum(List<Reply> replies) {
        long total = 0;
        for (Reply reply : replies) {
            if (reply instanceof Reply.Int n) {
                total += n.value();
            }
        }
        return total;
    }

    /** Integer replies summed, or the first error. */
    static CompletableFuture<Reply> sumOrError(List<CompletableFuture<Reply>> replies) {
        return all(replies).thenApply(values -> {
            Reply error = firstError(values, null);
            return error != null ? error : Reply.integer(sum(values));
        });
    }
}
