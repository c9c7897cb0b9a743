package io.tessera.grid.internal.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.tessera.grid.internal.wire.WireReader;
import io.tessera.grid.internal.wire.WireWriter;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * A record keeps its expiry only when it has one: a record without a deadline is of the smaller class, and every copy
 * a record makes of itself (a new value, a live value, the wire) keeps or drops the deadline as its expiry says.
 */
class RecordTest {
    private static final BytesKey KEY = new BytesKey("k".getBytes(StandardCharsets.UTF_8));
    private static final byte[] VALUE = "v".getBytes(StandardCharsets.UTF_8);

    @Test
    void aRecordWithoutDeadline_isOfTheSmallerClass_andNeverExpires() {
        Record plain = Record.of(KEY, (byte) 0, VALUE, 1, 1, 0, 0, 100, 100);
        assertThat(plain.getClass()).isEqualTo(Record.class);
        assertThat(plain.expiring()).isFalse();
        assertThat(plain.expireAt()).isZero();
        assertThat(plain.maxIdleMillis()).isZero();
        assertThat(plain.deadline()).isEqualTo(Long.MAX_VALUE);
        assertThat(plain.isExpiredAt(Long.MAX_VALUE - 1)).isFalse();
        assertThat(plain.footprint()).isEqualTo(Record.footprint(1, 1, false));
    }

    @Test
    void aRecordWithATtlOrMaxIdle_keepsThem_andExpiresAtTheEarlierDeadline() {
        Record ttl = Record.of(KEY, (byte) 0, VALUE, 1, 1, 5_000, 0, 100, 100);
        assertThat(ttl.getClass()).isEqualTo(Record.Expiring.class);
        assertThat(ttl.expireAt()).isEqualTo(5_000);
        assertThat(ttl.deadline()).isEqualTo(5_000);
        assertThat(ttl.isExpiredAt(4_999)).isFalse();
        assertThat(ttl.isExpiredAt(5_000)).isTrue();
        assertThat(ttl.footprint()).isEqualTo(Record.footprint(1, 1, true));

        Record idle = Record.of(KEY, (byte) 0, VALUE, 1, 1, 0, 1_000, 100, 100);
        assertThat(idle.expiring()).isTrue();
        assertThat(idle.deadline()).isEqualTo(1_100);
        idle.touch(2_000);
        assertThat(idle.deadline()).isEqualTo(3_000);

        Record both = Record.of(KEY, (byte) 0, VALUE, 1, 1, 2_500, 1_000, 100, 2_000);
        assertThat(both.deadline()).isEqualTo(2_500);
    }

    @Test
    void copies_keepOrDropTheDeadline_asTheirExpirySays() {
        Record ttl = Record.of(KEY, (byte) 0, VALUE, 1, 1, 5_000, 0, 100, 100);
        assertThat(ttl.withValueBytes(VALUE).expireAt()).isEqualTo(5_000);
        assertThat(ttl.withValue(VALUE, 2, 2, 0, 200).expiring()).isFalse();
        assertThat(ttl.withValue(VALUE, 2, 2, 0, 200).getClass()).isEqualTo(Record.class);
        Record plain = Record.of(KEY, (byte) 0, VALUE, 1, 1, 0, 0, 100, 100);
        assertThat(plain.withValue(VALUE, 2, 2, 9_000, 200).expireAt()).isEqualTo(9_000);

        Record idle = Record.of(KEY, (byte) 0, VALUE, 1, 1, 0, 1_000, 100, 100).hits(7);
        WireWriter out = new WireWriter(64);
        idle.writeTo(out);
        Record read = Record.readFrom(new WireReader(out.toByteArray()));
        assertThat(read.maxIdleMillis()).isEqualTo(1_000);
        assertThat(read.expireAt()).isZero();
        assertThat(read.hits()).isEqualTo(7);
        assertThat(read.creationTime()).isEqualTo(100);
    }
}
