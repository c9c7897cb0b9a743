package io.tessera.redis.internal.command;

import io.tessera.grid.EvictionPolicy;
import io.tessera.grid.MapConfig;
import java.util.Locale;

/**
 * Redis's {@code maxmemory} and {@code maxmemory-policy} in grid terms: a memory value with Redis's units, and each
 * policy as the {@link EvictionPolicy} (and whether only keys with a TTL are candidates) the database maps get.
 *
 * <p>The bound is per node, as in Redis: a node keeps what it holds of each database, its backup copies included,
 * within {@code maxmemory} by the grid's accounting ({@link MapConfig#maxMemory()}), and {@code CONFIG SET} changes
 * the node it runs on. Each database is bounded on its own; a cluster serves database 0 only.
 */
public final class Maxmemory {
    private Maxmemory() {
    }

    /** The eight policies, in the order Redis 7 lists them in its errors. */
    public enum Policy {
        VOLATILE_LRU("volatile-lru", EvictionPolicy.LRU, true),
        VOLATILE_LFU("volatile-lfu", EvictionPolicy.LFU, true),
        VOLATILE_RANDOM("volatile-random", EvictionPolicy.RANDOM, true),
        VOLATILE_TTL("volatile-ttl", EvictionPolicy.TTL, true),
        ALLKEYS_LRU("allkeys-lru", EvictionPolicy.LRU, false),
        ALLKEYS_LFU("allkeys-lfu", EvictionPolicy.LFU, false),
        ALLKEYS_RANDOM("allkeys-random", EvictionPolicy.RANDOM, false),
        NOEVICTION("noeviction", EvictionPolicy.NONE, false);

        private final String redisName;
        private final EvictionPolicy eviction;
        private final boolean onlyExpiring;

        Policy(String redisName, EvictionPolicy eviction, boolean onlyExpiring) {
            this.redisName = redisName;
            this.eviction = eviction;
            this.onlyExpiring = onlyExpiring;
        }

        /** The name Redis knows it by. */
        public String redisName() {
            return redisName;
        }

        /** The policy named {@code name} (any case), or null. */
        public static Policy of(String name) {
            for (Policy policy : values()) {
                if (policy.redisName.equalsIgnoreCase(name)) {
                    return policy;
                }
            }
            return null;
        }

        /** The names, as Redis lists them: {@code volatile-lru, volatile-lfu, ...}. */
        public static String names() {
            StringBuilder names = new StringBuilder();
            for (Policy policy : values()) {
                names.append(names.length() == 0 ? "" : ", ").append(policy.redisName);
            }
            return names.toString();
        }

        /** {@code config} bounded to {@code maxmemory} bytes (0: none) under this policy. */
        public MapConfig apply(MapConfig config, long maxmemory) {
            return config.toBuilder().maxMemory(maxmemory).evictionPolicy(eviction).evictOnlyExpiring(onlyExpiring)
                    .build();
        }
    }

    /** A Redis memory value: an integer with an optional unit (k, kb, m, mb, g, gb, any case), or null. */
    public static Long parse(String value) {
        String lower = value.toLowerCase(Locale.ROOT);
        long unit = 1;
        for (String[] suffix : new String[][] {{"kb", "1024"}, {"mb", "1048576"}, {"gb", "1073741824"},
                {"k", "1000"}, {"m", "1000000"}, {"g", "1000000000"}}) {
            if (lower.endsWith(suffix[0])) {
                unit = Long.parseLong(suffix[1]);
                lower = lower.substring(0, lower.length() - suffix[0].length());
                break;
            }
        }
        Long number = Arguments.tryParseLong(lower.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return number == null || Math.abs(number) > Long.MAX_VALUE / unit ? null : number * unit;
    }

    /** Redis's human form of a byte count: {@code 64.00M}, {@code 512B}. */
    public static String human(long bytes) {
        if (bytes < 1024) {
            return bytes + "B";
        }
        String[] units = {"K", "M", "G", "T", "P"};
        double value = bytes;
        int unit = -1;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return String.format(Locale.ROOT, "%.2f%s", value, units[unit]);
    }
}
