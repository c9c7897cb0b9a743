package io.tessera.redis.internal.command;

/**
 * How the dispatcher treats a command beyond what Redis's flags say: rules of Tessera's connection handling, kept on
 * the command's row ({@link CommandSpec#rules()}) rather than in lists of names beside the table.
 */
public enum CommandRule {
    /** Runs while the connection is in RESP2 subscribe mode (the subscribe family, PING, QUIT, RESET). */
    ALLOWED_IN_SUBSCRIBE_MODE,
    /** Runs at once even inside MULTI: it controls the transaction or the connection (MULTI, EXEC, WATCH, QUIT ...). */
    TRANSACTION_CONTROL,
    /** Refused inside MULTI: it changes the connection that the queued commands depend on (SELECT, AUTH, ...). */
    REFUSED_IN_MULTI
}
