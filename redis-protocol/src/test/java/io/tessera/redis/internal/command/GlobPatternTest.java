package io.tessera.redis.internal.command;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class GlobPatternTest {

    private static boolean matches(String pattern, String string) {
        return GlobPattern.compile(pattern).matches(string.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void star_matchesAnyRun_butNotTheEmptyString() {
        assertThat(matches("*", "")).isFalse(); // stringmatchlen's loop never runs for ""; KEYS uses matchesAll()
        assertThat(matches("*", "anything")).isTrue();
        assertThat(matches("h*llo", "hllo")).isTrue();
        assertThat(matches("h*llo", "heeeello")).isTrue();
        assertThat(matches("h*llo", "hello!")).isFalse();
        assertThat(matches("user:*:name", "user:42:name")).isTrue();
        assertThat(matches("user:*:name", "user:42:mail")).isFalse();
        assertThat(matches("a**b", "ab")).isTrue();
        assertThat(matches("ab*", "ab")).isTrue();
        assertThat(matches("ab**", "ab")).isTrue();
        assertThat(GlobPattern.compile("***").matchesAll()).isTrue();
        assertThat(GlobPattern.compile("*a").matchesAll()).isFalse();
    }

    @Test
    void questionMark_matchesExactlyOneByte() {
        assertThat(matches("h?llo", "hello")).isTrue();
        assertThat(matches("h?llo", "hallo")).isTrue();
        assertThat(matches("h?llo", "hllo")).isFalse();
        assertThat(matches("?", "")).isFalse();
        assertThat(matches("??", "ab")).isTrue();
    }

    @Test
    void brackets_matchSets_negatedSets_andRanges() {
        assertThat(matches("h[ae]llo", "hello")).isTrue();
        assertThat(matches("h[ae]llo", "hallo")).isTrue();
        assertThat(matches("h[ae]llo", "hillo")).isFalse();
        assertThat(matches("h[^e]llo", "hallo")).isTrue();
        assertThat(matches("h[^e]llo", "hello")).isFalse();
        assertThat(matches("h[a-b]llo", "hbllo")).isTrue();
        assertThat(matches("h[a-b]llo", "hcllo")).isFalse();
        assertThat(matches("[z-a]", "m")).isTrue(); // Redis swaps reversed ranges
        assertThat(matches("[0-9][0-9]", "42")).isTrue();
        assertThat(matches("[^0-9]", "4")).isFalse();
        // as in Redis, the closing ']' becomes the end of the range a-] (swapped to ]-a), which leaves '-' out
        assertThat(matches("[a-]", "-")).isFalse();
        assertThat(matches("[a-]", "^")).isTrue();
        assertThat(matches("[-a]", "-")).isTrue();
        assertThat(matches("[]", "x")).isFalse();
    }

    @Test
    void unclosedBracket_takesTheRestOfThePatternAsItsSet() {
        assertThat(matches("[abc", "b")).isTrue();
        assertThat(matches("[abc", "d")).isFalse();
        assertThat(matches("x[", "x")).isFalse();
    }

    @Test
    void backslash_makesTheNextByteLiteral_insideAndOutsideBrackets() {
        assertThat(matches("a\\*b", "a*b")).isTrue();
        assertThat(matches("a\\*b", "axb")).isFalse();
        assertThat(matches("a\\?", "a?")).isTrue();
        assertThat(matches("\\[x]", "[x]")).isTrue();
        assertThat(matches("[\\]]", "]")).isTrue();
        assertThat(matches("[\\-a]", "-")).isTrue();
        assertThat(matches("a\\", "a\\")).isTrue(); // a trailing backslash matches itself
    }

    @Test
    void matchIsCaseSensitive_unlessCompiledIgnoringCase() {
        assertThat(matches("Hello", "hello")).isFalse();
        GlobPattern nocase = GlobPattern.compileIgnoringCase("H[A-C]llo*".getBytes(StandardCharsets.UTF_8));
        assertThat(nocase.matches("hbLLo-there".getBytes(StandardCharsets.UTF_8))).isTrue();
    }

    @Test
    void bytesAbove0x7F_compareAsSignedChars_likeRedis() {
        byte[] high = {(byte) 0xC3};
        assertThat(GlobPattern.compile(new byte[] {'[', 'a', '-', 'z', ']'}).matches(high)).isFalse();
        assertThat(GlobPattern.compile(new byte[] {'[', (byte) 0x80, '-', 'a', ']'}).matches(high)).isTrue();
        assertThat(GlobPattern.compile(new byte[] {'?'}).matches(high)).isTrue();
    }

    @Test
    void pathologicalPattern_endsQuickly() {
        String pattern = "a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b";
        String string = "a".repeat(5000);
        assertThat(matches(pattern, string)).isFalse();
    }
}
