package io.tessera.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.tessera.redis.internal.command.GlobPattern;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Redis's glob rules, case by case. */
class GlobPatternTest {
    @ParameterizedTest(name = "{0} ~ {1} = {2}")
    @CsvSource(delimiter = '|', value = {
            "*|anything|true", "*|''|false", "''|''|true", "h?llo|hello|true", "h?llo|hllo|false", "h*llo|heeeello|true",
            "h[ae]llo|hello|true", "h[ae]llo|hillo|false", "h[^e]llo|hallo|true", "h[^e]llo|hello|false",
            "h[a-b]llo|hbllo|true", "h[b-a]llo|hallo|true", "h[a-b]llo|hcllo|false", "news.*|news.sport|true",
            "news.*|new.sport|false", "a\\*b|a*b|true", "a\\*b|axb|false", "a*b*c|aXXbYYc|true", "a*b*c|aXXbYY|false",
            "[abc|b|true", "*a|ba|true", "**|x|true", "a|a|true", "a|ab|false", "ab|a|false", "\\|\\|true"})
    void matchesLikeRedis(String pattern, String text, boolean expected) {
        String subject = text.equals("''") ? "" : text;
        pattern = pattern.equals("''") ? "" : pattern;
        assertThat(GlobPattern.matches(pattern.getBytes(StandardCharsets.UTF_8),
                subject.getBytes(StandardCharsets.UTF_8))).isEqualTo(expected);
    }

    @Test
    @Timeout(10) // an exponential matcher would not finish this in any reasonable time
    void pathologicalPattern_finishes() {
        byte[] pattern = "a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b".getBytes(StandardCharsets.US_ASCII);
        byte[] text = "a".repeat(5_000).getBytes(StandardCharsets.US_ASCII);
        assertThat(GlobPattern.matches(pattern, text)).isFalse();
    }
}
