package io.tessera.redis.internal.protocol;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class RespRequestDecoderTest {

    private static final long SEED = 0x7E55E7AL;

    // ---------------------------------------------------------------- helpers

    private static byte[] bytes(String s) {
        return s.getBytes(ISO_8859_1);
    }

    private static RespCommand cmd(String... args) {
        byte[][] a = new byte[args.length][];
        for (int i = 0; i < args.length; i++) {
            a[i] = bytes(args[i]);
        }
        return new RespCommand(a);
    }

    private static RespProtocolError err(String message) {
        return new RespProtocolError(message);
    }

    /** Feeds the chunks one write at a time through a fresh channel and returns what came out. */
    private static List<Object> decode(RespRequestDecoder decoder, List<byte[]> chunks) {
        EmbeddedChannel channel = new EmbeddedChannel(decoder);
        for (byte[] chunk : chunks) {
            channel.writeInbound(Unpooled.wrappedBuffer(chunk));
        }
        List<Object> out = new ArrayList<>();
        for (Object o; (o = channel.readInbound()) != null; ) {
            out.add(o);
        }
        channel.finishAndReleaseAll();
        return out;
    }

    private static List<Object> whole(byte[] input) {
        return decode(new RespRequestDecoder(), List.of(input));
    }

    private static List<Object> byteByByte(byte[] input) {
        List<byte[]> chunks = new ArrayList<>();
        for (byte b : input) {
            chunks.add(new byte[] {b});
        }
        return decode(new RespRequestDecoder(), chunks);
    }

    private static List<Object> randomFragments(byte[] input, Random random) {
        List<byte[]> chunks = new ArrayList<>();
        int i = 0;
        while (i < input.length) {
            int n = 1 + random.nextInt(Math.min(input.length - i, 7));
            chunks.add(Arrays.copyOfRange(input, i, i + n));
            i += n;
        }
        return decode(new RespRequestDecoder(), chunks);
    }

    /** Asserts the same result whole, byte by byte, and in 20 seeded random fragmentations. */
    private static void assertDecodes(byte[] input, Object... expected) {
        assertThat(whole(input)).as("whole").containsExactly(expected);
        assertThat(byteByByte(input)).as("byte by byte").containsExactly(expected);
        Random random = new Random(SEED);
        for (int round = 0; round < 20; round++) {
            assertThat(randomFragments(input, random)).as("random fragments, round %d", round)
                    .containsExactly(expected);
        }
    }

    private static void assertDecodes(String input, Object... expected) {
        assertDecodes(bytes(input), expected);
    }

    // ---------------------------------------------------------------- valid multibulk

    static List<Arguments> validRequests() {
        return List.of(
                Arguments.of("*1\r\n$4\r\nPING\r\n", new Object[] {cmd("PING")}),
                Arguments.of("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nvalue\r\n",
                        new Object[] {cmd("SET", "k", "value")}),
                Arguments.of("*2\r\n$3\r\nGET\r\n$0\r\n\r\n", new Object[] {cmd("GET", "")}),
                Arguments.of("*0\r\n*1\r\n$4\r\nPING\r\n", new Object[] {cmd("PING")}),
                Arguments.of("*-1\r\n*1\r\n$4\r\nPING\r\n", new Object[] {cmd("PING")}),
                Arguments.of("PING\r\n", new Object[] {cmd("PING")}),
                Arguments.of("PING\n", new Object[] {cmd("PING")}),
                Arguments.of("  SET   k\tv  \r\n", new Object[] {cmd("SET", "k", "v")}),
                Arguments.of("\r\n\n  \r\nPING\r\n", new Object[] {cmd("PING")}),
                Arguments.of("SET k \"hello world\"\r\n", new Object[] {cmd("SET", "k", "hello world")}),
                Arguments.of("SET k 'it\\'s'\r\n", new Object[] {cmd("SET", "k", "it's")}),
                Arguments.of("SET k 'a\\nb'\r\n", new Object[] {cmd("SET", "k", "a\\nb")}),
                Arguments.of("SET k \"a\\r\\n\\t\\x41\\x7a\\\"\\\\\"\r\n",
                        new Object[] {cmd("SET", "k", "a\r\n\tAz\"\\")}),
                Arguments.of("SET k \"\"\r\n", new Object[] {cmd("SET", "k", "")}),
                Arguments.of("SET k\"v w\"\r\n", new Object[] {cmd("SET", "kv w")}),
                // Pipelined: multibulk and inline mixed in one buffer, order kept.
                Arguments.of("*1\r\n$4\r\nPING\r\nECHO hi\r\n*2\r\n$4\r\nECHO\r\n$2\r\nyo\r\n",
                        new Object[] {cmd("PING"), cmd("ECHO", "hi"), cmd("ECHO", "yo")}));
    }

    @ParameterizedTest
    @MethodSource("validRequests")
    void decodesValidRequestsHowEverTheyAreSplit(String input, Object[] expected) {
        assertDecodes(input, expected);
    }

    @Test
    void bulkArgumentsAreBinarySafe() {
        byte[] value = {'a', '\r', '\n', 0, (byte) 0xFF, '*', '$', '\r', '\n'};
        byte[] prefix = bytes("*3\r\n$3\r\nSET\r\n$3\r\nk\r\n\r\n$9\r\n");
        byte[] input = new byte[prefix.length + value.length + 2];
        System.arraycopy(prefix, 0, input, 0, prefix.length);
        System.arraycopy(value, 0, input, prefix.length, value.length);
        input[input.length - 2] = '\r';
        input[input.length - 1] = '\n';
        assertDecodes(input, new RespCommand(new byte[][] {bytes("SET"), bytes("k\r\n"), value}));
    }

    @Test
    void manyPipelinedCommandsInOneBuffer() {
        StringBuilder sb = new StringBuilder();
        List<Object> expected = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            String key = "key:" + i;
            sb.append("*2\r\n$3\r\nGET\r\n$").append(key.length()).append("\r\n").append(key).append("\r\n");
            expected.add(cmd("GET", key));
        }
        assertDecodes(sb.toString(), expected.toArray());
    }

    @Test
    void argumentArrayGrowsPastItsInitialSize() {
        StringBuilder sb = new StringBuilder("*100\r\n$5\r\nMSETX\r\n");
        String[] args = new String[100];
        args[0] = "MSETX";
        for (int i = 1; i < 100; i++) {
            args[i] = Integer.toString(i);
            sb.append('$').append(args[i].length()).append("\r\n").append(args[i]).append("\r\n");
        }
        assertDecodes(sb.toString(), cmd(args));
    }

    @Test
    void largeBulkArgument() {
        byte[] value = new byte[200_000];
        new Random(SEED).nextBytes(value);
        byte[] prefix = bytes("*2\r\n$4\r\nECHO\r\n$200000\r\n");
        byte[] input = new byte[prefix.length + value.length + 2];
        System.arraycopy(prefix, 0, input, 0, prefix.length);
        System.arraycopy(value, 0, input, prefix.length, value.length);
        input[input.length - 2] = '\r';
        input[input.length - 1] = '\n';
        RespCommand expected = new RespCommand(new byte[][] {bytes("ECHO"), value});
        assertThat(whole(input)).containsExactly(expected);
        assertThat(randomFragments(input, new Random(SEED))).containsExactly(expected);
    }

    @Test
    void incompleteRequestProducesNothing() {
        assertThat(whole(bytes("*2\r\n$3\r\nGET\r\n$1\r\nk"))).isEmpty();
        assertThat(whole(bytes("*2\r\n$3\r\nGET\r\n$1\r"))).isEmpty();
        assertThat(whole(bytes("PING"))).isEmpty();
    }

    // ---------------------------------------------------------------- protocol errors

    static List<Arguments> malformedRequests() {
        String invalidMultibulk = RespRequestDecoder.ERR_INVALID_MULTIBULK_LENGTH;
        String invalidBulk = RespRequestDecoder.ERR_INVALID_BULK_LENGTH;
        String unbalanced = RespRequestDecoder.ERR_UNBALANCED_QUOTES;
        return List.of(
                Arguments.of("*x\r\n", invalidMultibulk),
                Arguments.of("*\r\n", invalidMultibulk),
                Arguments.of("*+1\r\n", invalidMultibulk),
                Arguments.of("*01\r\n", invalidMultibulk),
                Arguments.of("*1 \r\n", invalidMultibulk),
                Arguments.of("*1048577\r\n", invalidMultibulk),
                Arguments.of("*99999999999999999999\r\n", invalidMultibulk),
                Arguments.of("*1\r\n$x\r\n", invalidBulk),
                Arguments.of("*1\r\n$-1\r\n", invalidBulk),
                Arguments.of("*1\r\n$-0\r\n", invalidBulk),
                Arguments.of("*1\r\n$04\r\nPING\r\n", invalidBulk),
                Arguments.of("*1\r\n$+4\r\nPING\r\n", invalidBulk),
                Arguments.of("*1\r\n$\r\n", invalidBulk),
                Arguments.of("*1\r\n$536870913\r\n", invalidBulk),
                Arguments.of("*1\r\n$9223372036854775808\r\n", invalidBulk),
                Arguments.of("*1\r\nxyz\r\n", "ERR Protocol error: expected '$', got 'x'"),
                Arguments.of("*1\r\n\r\n", "ERR Protocol error: expected '$', got ' '"),
                Arguments.of("*2\r\n$4\r\nECHO\r\n:1\r\n", "ERR Protocol error: expected '$', got ':'"),
                Arguments.of("SET k \"unterminated\r\n", unbalanced),
                Arguments.of("SET k 'unterminated\r\n", unbalanced),
                Arguments.of("SET k \"a\"b\r\n", unbalanced),
                Arguments.of("SET k 'a'b\r\n", unbalanced));
    }

    @ParameterizedTest
    @MethodSource("malformedRequests")
    void malformedRequestGivesRedisErrorText(String input, String message) {
        assertDecodes(input, err(message));
    }

    @Test
    void commandsBeforeTheErrorAreKeptAndEverythingAfterIsDropped() {
        assertDecodes("*1\r\n$4\r\nPING\r\n*1\r\n$x\r\n*1\r\n$4\r\nPING\r\nPING\r\n",
                cmd("PING"), err(RespRequestDecoder.ERR_INVALID_BULK_LENGTH));
    }

    @Test
    void inputAfterAnErrorIsDiscardedAcrossWrites() {
        EmbeddedChannel channel = new EmbeddedChannel(new RespRequestDecoder());
        channel.writeInbound(Unpooled.wrappedBuffer(bytes("*x\r\n")));
        ByteBuf later = Unpooled.wrappedBuffer(bytes("PING\r\n"));
        channel.writeInbound(later);
        assertThat((Object) channel.readInbound())
                .isEqualTo(err(RespRequestDecoder.ERR_INVALID_MULTIBULK_LENGTH));
        assertThat((Object) channel.readInbound()).isNull();
        assertThat(later.refCnt()).isZero();
        channel.finishAndReleaseAll();
    }

    @Test
    void bulkLengthAboveTheConfiguredLimitIsRefusedBeforeItsBytesArrive() {
        RespRequestDecoder decoder = new RespRequestDecoder(1024);
        assertThat(decode(decoder, List.of(bytes("*2\r\n$4\r\nECHO\r\n$1025\r\n"))))
                .containsExactly(err(RespRequestDecoder.ERR_INVALID_BULK_LENGTH));
        byte[] ok = bytes("*2\r\n$4\r\nECHO\r\n$1024\r\n" + "x".repeat(1024) + "\r\n");
        assertThat(decode(new RespRequestDecoder(1024), List.of(ok)))
                .containsExactly(cmd("ECHO", "x".repeat(1024)));
    }

    @Test
    void hugeDeclaredBulkLengthIsRefusedWithoutAllocatingIt() {
        // 2^31 and Long.MAX_VALUE would not even fit a Java array; refused at the header line.
        assertDecodes("*1\r\n$2147483648\r\n", err(RespRequestDecoder.ERR_INVALID_BULK_LENGTH));
        assertDecodes("*1\r\n$9223372036854775807\r\n", err(RespRequestDecoder.ERR_INVALID_BULK_LENGTH));
    }

    @Test
    void hugeDeclaredMultibulkCountWithinTheLimitDoesNotPreallocate() {
        // 1024*1024 arguments are allowed; nothing is reserved for them before they arrive.
        assertThat(whole(bytes("*1048576\r\n$4\r\nPING\r\n"))).isEmpty();
    }

    @Test
    void inlineLongerThanTheLimitIsRefused() {
        byte[] longLine = bytes("SET k " + "v".repeat(RespRequestDecoder.PROTO_INLINE_MAX_SIZE) + "\r\n");
        assertThat(whole(longLine)).containsExactly(err(RespRequestDecoder.ERR_TOO_BIG_INLINE));
        assertThat(randomFragments(longLine, new Random(SEED)))
                .containsExactly(err(RespRequestDecoder.ERR_TOO_BIG_INLINE));
        byte[] noNewline = bytes("x".repeat(RespRequestDecoder.PROTO_INLINE_MAX_SIZE + 1));
        assertThat(whole(noNewline)).containsExactly(err(RespRequestDecoder.ERR_TOO_BIG_INLINE));
    }

    @Test
    void inlineAtTheLimitIsAccepted() {
        String value = "v".repeat(RespRequestDecoder.PROTO_INLINE_MAX_SIZE - 6);
        byte[] line = bytes("SET k " + value + "\n");
        assertThat(whole(line)).containsExactly(cmd("SET", "k", value));
    }

    @Test
    void countLinesLongerThanTheLimitAreRefused() {
        String digits = "1".repeat(RespRequestDecoder.PROTO_INLINE_MAX_SIZE + 1);
        assertThat(whole(bytes("*" + digits)))
                .containsExactly(err(RespRequestDecoder.ERR_TOO_BIG_MBULK_COUNT));
        assertThat(whole(bytes("*1\r\n$" + digits)))
                .containsExactly(err(RespRequestDecoder.ERR_TOO_BIG_BULK_COUNT));
    }

    @Test
    void rejectsAnUnusableBulkLimit() {
        org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
                .isThrownBy(() -> new RespRequestDecoder(0))
                .withMessageContaining("maxBulkLength");
    }

    @Test
    void unfinishedRequestBeyondTheQueryBufferLimit_closesTheConnectionWithoutReply() {
        EmbeddedChannel channel = new EmbeddedChannel(new RespRequestDecoder(1024, 100));
        channel.writeInbound(io.netty.buffer.Unpooled.wrappedBuffer(bytes("*3\r\n$3\r\nSET\r\n$60\r\n"
                + "k".repeat(60) + "\r\n")));
        assertThat(channel.isOpen()).isTrue();
        channel.writeInbound(io.netty.buffer.Unpooled.wrappedBuffer(bytes("$60\r\n" + "v".repeat(45))));
        assertThat(channel.isOpen()).isFalse();
        assertThat((Object) channel.readInbound()).isNull();
    }

    @Test
    void requestsUnderTheQueryBufferLimit_oneAfterAnother_areAccepted() {
        EmbeddedChannel channel = new EmbeddedChannel(new RespRequestDecoder(1024, 100));
        for (int i = 0; i < 10; i++) {
            channel.writeInbound(io.netty.buffer.Unpooled.wrappedBuffer(bytes("*2\r\n$3\r\nGET\r\n$60\r\n"
                    + "k".repeat(60) + "\r\n")));
        }
        assertThat(channel.isOpen()).isTrue();
        assertThat(channel.inboundMessages()).hasSize(10);
    }
}
