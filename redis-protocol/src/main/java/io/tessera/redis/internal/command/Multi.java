package io.tessera.redis.internal.command;

import io.tessera.redis.internal.protocol.Reply;
import io.tessera.redis.internal.store.HashSlots;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** Helpers for commands split into one key operation per key: joining the replies and checking slots. */
final class Multi {
    static final Reply CROSSSLOT = Reply.error("CROSSSLOT Keys in request don't hash to the same slot");

    private Multi() {
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

    /**
     * {@code CROSSSLOT} unless the keys at {@code first}, {@code first + step}, ... share a hash slot; {@code null}
     * if they do.
     */
    static Reply requireSameSlot(CommandCall call, int first, int step) {
        int slot = HashSlots.slot(call.arg(first));
        for (int i = first + step; i < call.argCount(); i += step) {
            if (HashSlots.slot(call.arg(i)) != slot) {
                return CROSSSLOT;
            }
        }
        return null;
    }
}
