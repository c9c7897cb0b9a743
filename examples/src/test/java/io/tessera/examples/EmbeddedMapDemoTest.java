package io.tessera.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class EmbeddedMapDemoTest {

    @Test
    void once_writesReadsBackAndPrintsTheMembership() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        boolean ended = EmbeddedMapDemo.run(new String[] {"--stack", "local", "--cluster-name",
            "demo-" + UUID.randomUUID(), "--keys", "200", "--once"}, new PrintStream(bytes, true, StandardCharsets.UTF_8));

        String output = bytes.toString(StandardCharsets.UTF_8);
        assertThat(ended).isTrue();
        assertThat(output).contains("wrote 200 entries", "read back 200", "map size across the cluster: 200")
                .contains("primary of 256 partitions").contains("done");
    }

    @Test
    void help_printsUsageAndEnds() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        assertThat(EmbeddedMapDemo.run(new String[] {"--help"}, new PrintStream(bytes, true, StandardCharsets.UTF_8)))
                .isTrue();
        assertThat(bytes.toString(StandardCharsets.UTF_8)).contains("usage: EmbeddedMapDemo");
    }
}
