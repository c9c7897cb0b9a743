package io.tessera.redis.internal.command;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class ScanSupportTest {
    private static boolean matches(String pattern, String string) {
        return GlobPattern.matches(pattern.getBytes(StandardCharsets.UTF_8), string.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void globMatch_followsRedisStringmatch() {
        assertThat(matches("*", "anything")).isTrue();
        assertThat(matches("h?llo", "hello")).isTrue();
        assertThat(matches("h?llo", "hllo")).isFalse();
        assertThat(matches("h*llo", "heeeello")).isTrue();
        assertThat(matches("h*llo", "hllo")).isTrue();
        assertThat(matches("h[ae]llo", "hallo")).isTrue();
        assertThat(matches("h[ae]llo", "hillo")).isFalse();
        assertThat(matches("h[^e]llo", "hallo")).isTrue();
        assertThat(matches("h[^e]llo", "hello")).isFalse();
        assertThat(matches("h[a-b]llo", "hbllo")).isTrue();
        assertThat(matches("h[b-a]llo", "hallo")).isTrue(); // a reversed range is swapped
        assertThat(matches("h[a-b]llo", "hcllo")).isFalse();
        assertThat(matches("h\\*llo", "h*llo")).isTrue();
        assertThat(matches("h\\*llo", "hello")).isFalse();
        assertThat(matches("[\\]]", "]")).isTrue();
        assertThat(matches("a[bc", "ab")).isTrue(); // an unterminated class runs to the end
        assertThat(matches("*a*b*c", "xxaxxbxxc")).isTrue();
        assertThat(matches("*a*b*c", "xxaxxbxxcx")).isFalse();
        assertThat(matches("a*", "a")).isTrue();
        assertThat(matches("", "")).isTrue();
        assertThat(matches("*", "")).isFalse(); // Redis's stringmatch never matches an empty string to "*"
        assertThat(matches("abc", "ABC")).isFalse();
    }

    @Test
    void globMatch_staysLinearOnPathologicalPatterns() {
        String pattern = "a*".repeat(30) + "b";
        String string = "a".repeat(5000);
        assertThat(matches(pattern, string)).isFalse();
    }
}
