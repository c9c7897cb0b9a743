package io.tessera.redis.internal.command;

import io.tessera.redis.internal.protocol.Reply;
import java.util.concurrent.CompletableFuture;

/** A command as the serving member runs it: on the connection's event loop, answering (perhaps later) one reply. */
@FunctionalInterface
public interface CommandHandler {
    CompletableFuture<Reply> execute(CommandCall call);
}
