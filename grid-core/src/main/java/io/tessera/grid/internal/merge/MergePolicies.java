package io.tessera.grid.internal.merge;

import io.tessera.grid.MergePolicy;

/**
 * The wire ids of merge policies: the built-in ones travel as one byte; an application's own travels serialized, next
 * to {@link #CUSTOM}.
 */
public final class MergePolicies {
    /** {@link MergePolicy#LATEST_UPDATE}. */
    public static final byte LATEST_UPDATE = 0;
    /** {@link MergePolicy#HIGHER_HITS}. */
    public static final byte HIGHER_HITS = 1;
    /** {@link MergePolicy#PUT_IF_ABSENT}. */
    public static final byte PUT_IF_ABSENT = 2;
    /** {@link MergePolicy#DISCARD}. */
    public static final byte DISCARD = 3;
    /** An application's own policy. */
    public static final byte CUSTOM = 15;

    private MergePolicies() {
    }

    /** The wire id of {@code policy}. */
    public static byte idOf(MergePolicy policy) {
        if (policy == MergePolicy.LATEST_UPDATE) {
            return LATEST_UPDATE;
        }
        if (policy == MergePolicy.HIGHER_HITS) {
            return HIGHER_HITS;
        }
        if (policy == MergePolicy.PUT_IF_ABSENT) {
            return PUT_IF_ABSENT;
        }
        if (policy == MergePolicy.DISCARD) {
            return DISCARD;
        }
        return CUSTOM;
    }

    /** The built-in policy with wire id {@code id}, or {@code null} for {@link #CUSTOM} and unknown ids. */
    public static MergePolicy builtIn(byte id) {
        return switch (id) {
            case LATEST_UPDATE -> MergePolicy.LATEST_UPDATE;
            case HIGHER_HITS -> MergePolicy.HIGHER_HITS;
            case PUT_IF_ABSENT -> MergePolicy.PUT_IF_ABSENT;
            case DISCARD -> MergePolicy.DISCARD;
            default -> null;
        };
    }
}
