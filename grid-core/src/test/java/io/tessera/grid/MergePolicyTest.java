package io.tessera.grid;

import static org.assertj.core.api.Assertions.assertThat;

import io.tessera.grid.MergePolicy.MergingEntry;
import org.junit.jupiter.api.Test;

/** The built-in merge policies as the public API describes them, on plain entries. */
class MergePolicyTest {

    private record Entry(Object value, long lastUpdateTime, long hits) implements MergingEntry {
        @Override
        public Object key() {
            return "k";
        }

        @Override
        public boolean isDeleted() {
            return value == null;
        }

        @Override
        public long creationTime() {
            return 0;
        }

        @Override
        public long expirationTime() {
            return 0;
        }
    }

    private static final Entry OLD = new Entry("old", 100, 9);
    private static final Entry NEW = new Entry("new", 200, 1);
    private static final Entry DELETED_LATER = new Entry(null, 300, 0);
    private static final Entry DELETED_EARLIER = new Entry(null, 50, 0);

    @Test
    void latestUpdate_takesTheNewerWriteOrDeletion() {
        assertThat(MergePolicy.LATEST_UPDATE.merge(NEW, OLD)).isEqualTo("new");
        assertThat(MergePolicy.LATEST_UPDATE.merge(OLD, NEW)).isEqualTo("new");
        assertThat(MergePolicy.LATEST_UPDATE.merge(OLD, DELETED_LATER)).as("no resurrection").isNull();
        assertThat(MergePolicy.LATEST_UPDATE.merge(DELETED_LATER, OLD)).isNull();
        assertThat(MergePolicy.LATEST_UPDATE.merge(OLD, null)).isEqualTo("old");
    }

    @Test
    void higherHits_takesTheMorePopularEntry_andFallsBackToLatestUpdate() {
        assertThat(MergePolicy.HIGHER_HITS.merge(NEW, OLD)).isEqualTo("old");
        assertThat(MergePolicy.HIGHER_HITS.merge(new Entry("a", 200, 9), OLD)).isEqualTo("a");
        assertThat(MergePolicy.HIGHER_HITS.merge(OLD, DELETED_LATER)).isNull();
    }

    @Test
    void putIfAbsent_takesTheMergingEntryOnlyWhereNothingIsOrItWasDeletedBefore() {
        assertThat(MergePolicy.PUT_IF_ABSENT.merge(NEW, null)).isEqualTo("new");
        assertThat(MergePolicy.PUT_IF_ABSENT.merge(NEW, OLD)).isEqualTo("old");
        assertThat(MergePolicy.PUT_IF_ABSENT.merge(NEW, DELETED_EARLIER)).isEqualTo("new");
        assertThat(MergePolicy.PUT_IF_ABSENT.merge(NEW, DELETED_LATER)).isNull();
    }

    @Test
    void discard_keepsTheKeptSide() {
        assertThat(MergePolicy.DISCARD.merge(NEW, OLD)).isEqualTo("old");
        assertThat(MergePolicy.DISCARD.merge(NEW, null)).isNull();
    }

    @Test
    void builtInPolicies_sayWhatTheyAre() {
        assertThat(MergePolicy.LATEST_UPDATE).hasToString("MergePolicy.LATEST_UPDATE");
        assertThat(MapConfig.defaults().mergePolicy()).isSameAs(MergePolicy.LATEST_UPDATE);
    }
}
