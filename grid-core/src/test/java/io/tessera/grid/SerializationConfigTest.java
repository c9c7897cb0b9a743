package io.tessera.grid;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tessera.grid.SerializationConfig.Registration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = SECONDS)
class SerializationConfigTest {

    static final class Cart {
    }

    static final class Line {
    }

    record Point(int x, int y) {
    }

    enum Color { RED, GREEN }

    @Test
    void defaults_registerNothing() {
        assertThat(SerializationConfig.defaults().registrations()).isEmpty();
        assertThat(SerializationConfig.defaults()).isEqualTo(SerializationConfig.builder().build());
    }

    @Test
    void firstUserTypeId_is100() {
        assertThat(SerializationConfig.FIRST_USER_TYPE_ID).isEqualTo(100);
    }

    @Test
    void register_withoutId_assignsIdsFrom100InCallOrder() {
        SerializationConfig config = SerializationConfig.builder()
                .register(Cart.class).register(Line.class).register(Point.class).register(Color.class).build();

        assertThat(config.registrations()).containsExactly(
                new Registration(Cart.class, 100), new Registration(Line.class, 101),
                new Registration(Point.class, 102), new Registration(Color.class, 103));
    }

    @Test
    void register_withoutId_takesLowestIdNotTakenExplicitly() {
        SerializationConfig config = SerializationConfig.builder()
                .register(Cart.class, 100).register(Line.class, 102).register(Point.class).register(Color.class)
                .build();

        assertThat(config.registrations()).containsExactly(
                new Registration(Cart.class, 100), new Registration(Point.class, 101),
                new Registration(Line.class, 102), new Registration(Color.class, 103));
    }

    @Test
    void registrations_areInIdOrderAndUnmodifiable() {
        SerializationConfig config = SerializationConfig.builder()
                .register(Cart.class, 500).register(Line.class, 120).register(Point.class, 300).build();

        assertThat(config.registrations()).extracting(Registration::id).containsExactly(120, 300, 500);
        assertThatThrownBy(() -> config.registrations().add(new Registration(Color.class, 600)))
                .isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void register_arrayOfUserClass_isAccepted() {
        SerializationConfig config = SerializationConfig.builder().register(Cart[].class, 100).build();

        assertThat(config.registrations()).containsExactly(new Registration(Cart[].class, 100));
    }

    @Test
    void build_isASnapshot_laterRegistrationsDoNotLeakIn() {
        SerializationConfig.Builder builder = SerializationConfig.builder().register(Cart.class);
        SerializationConfig first = builder.build();
        builder.register(Line.class);

        assertThat(first.registrations()).containsExactly(new Registration(Cart.class, 100));
        assertThat(builder.build().registrations()).hasSize(2);
    }

    @Test
    void register_nullType_refusedNamingTheParameter() {
        assertThatThrownBy(() -> SerializationConfig.builder().register(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("type: null (expected a class to register)");
        assertThatThrownBy(() -> SerializationConfig.builder().register(null, 100))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("type: null (expected a class to register)");
    }

    @Test
    void register_idBelow100_refusedAsReserved() {
        assertThatThrownBy(() -> SerializationConfig.builder().register(Cart.class, 7))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("id: 7 (expected >= 100; ids below are reserved)");
        assertThatThrownBy(() -> SerializationConfig.builder().register(Cart.class, 99))
                .hasMessage("id: 99 (expected >= 100; ids below are reserved)");
        assertThatThrownBy(() -> SerializationConfig.builder().register(Cart.class, -1))
                .hasMessage("id: -1 (expected >= 100; ids below are reserved)");
    }

    @Test
    void register_idTooLargeForKryo_refused() {
        assertThatThrownBy(() -> SerializationConfig.builder().register(Cart.class, Integer.MAX_VALUE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("id: 2147483647 (expected <= 2147483645)");
    }

    @Test
    void register_idAlreadyUsed_refusedNamingItsHolder() {
        SerializationConfig.Builder builder = SerializationConfig.builder().register(Cart.class, 100);

        assertThatThrownBy(() -> builder.register(Line.class, 100))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("id: 100 (expected an unused id; it is already assigned to "
                        + Cart.class.getName() + ")");
    }

    @Test
    void register_sameClassTwice_refusedNamingItsId() {
        String expected = "type: " + Cart.class.getName() + " (expected a class not registered yet; it already has id 100)";

        assertThatThrownBy(() -> SerializationConfig.builder().register(Cart.class).register(Cart.class))
                .isInstanceOf(IllegalArgumentException.class).hasMessage(expected);
        assertThatThrownBy(() -> SerializationConfig.builder().register(Cart.class).register(Cart.class, 200))
                .isInstanceOf(IllegalArgumentException.class).hasMessage(expected);
    }

    @Test
    void register_primitive_refused() {
        assertThatThrownBy(() -> SerializationConfig.builder().register(int.class))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("type: int (expected a reference type; primitives and their boxed forms are built in)");
    }

    @Test
    void register_builtInType_refusedNamingItsBuiltInId() {
        assertThatThrownBy(() -> SerializationConfig.builder().register(String.class))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("type: java.lang.String (expected a class that is not built in; Tessera registers it"
                        + " with id 1)");
        assertThatThrownBy(() -> SerializationConfig.builder().register(ArrayList.class, 100))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("type: java.util.ArrayList (expected a class that is not built in; Tessera registers it"
                        + " with id 20)");
        for (Class<?> builtIn : List.of(Integer.class, Long.class, byte[].class, Object[].class,
                List.of().getClass(), Map.of("k", "v").getClass(), java.time.Instant.class, java.util.UUID.class)) {
            assertThatThrownBy(() -> SerializationConfig.builder().register(builtIn))
                    .as(builtIn.getTypeName())
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("expected a class that is not built in");
        }
    }

    @Test
    void register_interface_refused() {
        assertThatThrownBy(() -> SerializationConfig.builder().register(List.class))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("type: java.util.List (expected a class, enum or record; an interface is never the class"
                        + " of a stored object)");
    }

    @Test
    void refusedRegistration_leavesBuilderUnchanged() {
        SerializationConfig.Builder builder = SerializationConfig.builder().register(Cart.class);
        assertThatThrownBy(() -> builder.register(Line.class, 5)).isInstanceOf(IllegalArgumentException.class);

        assertThat(builder.register(Line.class).build().registrations())
                .containsExactly(new Registration(Cart.class, 100), new Registration(Line.class, 101));
    }

    @Test
    void equalConfigs_areEqualAndDescribeTheirRegistrations() {
        SerializationConfig a = SerializationConfig.builder().register(Cart.class).register(Line.class).build();
        SerializationConfig b = SerializationConfig.builder().register(Line.class, 101).register(Cart.class, 100)
                .build();

        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
        assertThat(a.toString()).isEqualTo("SerializationConfig{100=" + Cart.class.getName() + ", 101="
                + Line.class.getName() + "}");
    }

    @Test
    void registration_nullType_refused() {
        assertThatThrownBy(() -> new Registration(null, 100))
                .isInstanceOf(NullPointerException.class).hasMessage("type");
    }
}
