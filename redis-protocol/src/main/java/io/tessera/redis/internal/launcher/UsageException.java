package io.tessera.redis.internal.launcher;

/**
 * A setting or argument the node cannot start with; its message names the setting, the value, where the value came
 * from and what was expected. The launcher prints it and exits with {@link Launcher#EXIT_USAGE}.
 */
public final class UsageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Creates one with the message the user will read. */
    public UsageException(String message) {
        super(message);
    }

    /** Creates one with the message the user will read and the failure behind it. */
    public UsageException(String message, Throwable cause) {
        super(message, cause);
    }
}
