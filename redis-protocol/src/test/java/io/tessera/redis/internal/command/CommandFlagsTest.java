package io.tessera.redis.internal.command;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The flags {@code COMMAND INFO} shows are Redis 7's words, spelled as Redis spells them: clients and tools that read
 * them (redis-cli's hints, cluster clients that look for {@code readonly} or {@code no_auth}) find what they expect.
 */
class CommandFlagsTest {
    /** Redis 7.0's command flags, as {@code COMMAND INFO} prints them (src/server.c, {@code addReplyCommandFlags}). */
    private static final Set<String> REDIS_FLAGS = Set.of("write", "readonly", "denyoom", "module", "admin",
            "pubsub", "noscript", "blocking", "loading", "stale", "skip_monitor", "skip_slowlog", "fast", "no_auth",
            "may_replicate", "sentinel", "only_sentinel", "no_mandatory_keys", "protected", "no_async_loading",
            "no_multi", "movablekeys", "allow_busy");

    @Test
    void everyFlagOfAPublicCommand_isOneOfRedis7s() {
        Map<String, Set<String>> unknown = new TreeMap<>();
        for (CommandSpec spec : CommandTable.standard().all()) {
            if (spec.flags().contains("internal")) {
                continue; // Tessera's own operations between members, which COMMAND does not list
            }
            for (String flag : spec.flags()) {
                if (!REDIS_FLAGS.contains(flag)) {
                    unknown.computeIfAbsent(flag, f -> new TreeSet<>()).add(spec.name());
                }
            }
        }
        assertThat(unknown).as("flags Redis 7 does not have, with the commands that carry them").isEmpty();
    }
}
