package io.tessera.session.internal;

import io.tessera.session.SessionConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Timeout(10)
class AttributeCodecTest {
    static final class Point {
        int x;
        int y;
    }

    static final class Allowed implements Serializable {
        private static final long serialVersionUID = 1L;
        String name = "ok";
    }

    private static AttributeCodec codec(String... allowed) {
        SessionConfig config = SessionConfig.builder().allowClasses(allowed.length == 0 ? new String[] {"none.Such"}
                : allowed).kryoType(Point.class, 1000).build();
        return new AttributeCodec(config.kryoTypes(), config.serialFilter(), AttributeCodecTest.class.getClassLoader());
    }

    @Test
    void registeredType_travelsWithKryo_evenThoughItIsNotSerializable() {
        AttributeCodec codec = codec();
        Point p = new Point();
        p.x = 3;
        p.y = 4;
        byte[] bytes = codec.encode("p", p);
        assertThat(bytes[0]).isEqualTo((byte) 'K');
        Point back = (Point) codec.decode("p", bytes);
        assertThat(back.x).isEqualTo(3);
        assertThat(back.y).isEqualTo(4);
    }

    @Test
    void serializableValue_outsideTheAllowList_isRefusedWhenSet() {
        assertThatThrownBy(() -> codec().encode("a", new Allowed())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'a'").hasMessageContaining(Allowed.class.getName())
                .hasMessageContaining("allowClasses");
        assertThat(((Allowed) codec("io.tessera.session.internal.*").decode("a",
                codec("io.tessera.session.internal.*").encode("a", new Allowed()))).name).isEqualTo("ok");
    }

    @Test
    void jdkCollectionsOfAllowedValues_roundTripWithJavaSerialization() {
        List<Object> list = new ArrayList<>(List.of("a", 1, Map.of("k", 2L)));
        byte[] bytes = codec().encode("l", list);
        assertThat(bytes[0]).isEqualTo((byte) 'J');
        assertThat(codec().decode("l", bytes)).isEqualTo(list);
    }

    @Test
    void valueHoldingSomethingNotSerializable_isRefused() {
        List<Object> list = new ArrayList<>(List.of(new Object()));
        assertThatThrownBy(() -> codec().encode("l", list)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'l'").hasMessageContaining("java.lang.Object");
    }

    @Test
    void gadgetPackages_areRefusedEvenIfAUserPatternWouldAllowThem() {
        String filter = SessionConfig.builder().allowClasses("**").build().serialFilter();
        assertThat(filter).startsWith(SessionConfig.BASE_SERIAL_FILTER).endsWith(";**;!*");
        AttributeCodec codec = new AttributeCodec(Map.of(), filter, getClass().getClassLoader());
        assertThatThrownBy(() -> codec.encode("h", new javax.management.BadAttributeValueExpException("x")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("javax.management");
    }
}
