package io.tessera.redis.internal.command;

import io.tessera.redis.internal.protocol.Reply;

/** Redis's rule for client names: no spaces, newlines or other special characters. */
final class ClientNames {
    private ClientNames() {
    }

    /** An error reply if {@code name} is not a valid client name, else {@code null}. */
    static Reply validate(String name) {
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c < '!' || c > '~') {
                return Reply.error("ERR Client names cannot contain spaces, newlines or special characters.");
            }
        }
        return null;
    }
}
