package io.tessera.grid;

/** What happened to an entry. */
public enum EntryEventType {
    /** A key that did not exist was written. */
    ADDED,
    /** An existing key got a new value. */
    UPDATED,
    /** A key was removed by an operation. */
    REMOVED,
    /** A key was removed because its time to live or max-idle passed. */
    EXPIRED,
    /** A key was removed to keep a bounded map within its member's bound ({@link MapConfig#evictionPolicy()}). */
    EVICTED
}
