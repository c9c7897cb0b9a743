package io.tessera.redis.internal.store;

/** Receives members of a sorted set with their scores, in the order the set hands them out. */
@FunctionalInterface
public interface ScoredConsumer {
    void accept(byte[] member, double score);
}
