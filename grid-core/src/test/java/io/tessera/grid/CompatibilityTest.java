package io.tessera.grid;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A member started with settings the cluster cannot work with (another partition count, other backup owners,
 * other class registrations) is refused with an error that names both sides, and the running members go on.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CompatibilityTest {

    /** A value class only some members register. */
    record Cart(String owner) {
    }

    private static GridBuilder member(String cluster) {
        return Grid.builder().clusterName(cluster).stack("local");
    }

    @Test
    void memberWithAnotherPartitionCount_isRefused_andTheClusterGoesOn() {
        String cluster = "compat-" + UUID.randomUUID();
        try (Grid first = member(cluster).partitionCount(256).start()) {
            first.<String, String>map("m").put("k", "v");

            assertThatThrownBy(() -> member(cluster).partitionCount(128).start())
                    .isInstanceOf(GridException.class)
                    .hasMessageContaining("partitionCount 256")
                    .hasMessageContaining("partitionCount 128")
                    .hasMessageContaining("start every member with the same settings");

            await().atMost(Duration.ofSeconds(10)).until(() -> first.members().size() == 1);
            assertThat(first.<String, String>map("m").get("k")).isEqualTo("v");
        }
    }

    @Test
    void memberWithOtherRegistrations_isRefused_namingTheClasses() {
        String cluster = "compat-" + UUID.randomUUID();
        SerializationConfig withCart = SerializationConfig.builder().register(Cart.class).build();
        try (Grid first = member(cluster).serialization(withCart).start()) {
            assertThatThrownBy(() -> member(cluster).start())
                    .isInstanceOf(GridException.class)
                    .hasMessageContaining(Cart.class.getName())
                    .hasMessageContaining("same registrations");
            try (Grid second = member(cluster).serialization(withCart).start()) {
                assertThat(second.members()).hasSize(2);
            }
        }
    }
}
