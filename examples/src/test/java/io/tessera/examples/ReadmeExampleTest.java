package io.tessera.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ReadmeExampleTest {

    @Test
    void readmeExample_runsAndComputesTheCart() {
        ReadmeExample.Cart cart = ReadmeExample.run("readme-" + UUID.randomUUID(), "local");

        assertThat(cart.items()).containsExactly("apple");
    }
}
