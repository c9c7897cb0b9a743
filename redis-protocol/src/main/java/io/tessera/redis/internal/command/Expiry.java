package io.tessera.redis.internal.command;

import java.time.Instant;

/** Expiry arguments (EX, PX, EXAT, PXAT) with Redis's checks and error text. */
public final class Expiry {
    private Expiry() {
    }

    /**
     * The absolute expiry that {@code unit} ({@code EX}, {@code PX}, {@code EXAT} or {@code PXAT}) with
     * {@code value} means now; {@code ERR invalid expire time in '<command>' command} when it is not positive or
     * overflows, as Redis answers.
     */
    public static Instant parse(String unit, byte[] value, String command) {
        long amount = Arguments.parseLong(value);
        if (amount <= 0) {
            throw invalid(command);
        }
        long millis;
        try {
            millis = switch (unit) {
                case "EX" -> Math.addExact(System.currentTimeMillis(), Math.multiplyExact(amount, 1000L));
                case "PX" -> Math.addExact(System.currentTimeMillis(), amount);
                case "EXAT" -> Math.multiplyExact(amount, 1000L);
                case "PXAT" -> amount;
                default -> throw new IllegalArgumentException(unit);
            };
        } catch (ArithmeticException e) {
            throw invalid(command);
        }
        return Instant.ofEpochMilli(millis);
    }

    private static RedisException invalid(String command) {
        return new RedisException("ERR invalid expire time in '" + command + "' command");
    }
}
