package io.tessera.redis.testing;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A bare TCP connection to a RESP server for tests that must see the exact bytes: it sends what it is given and
 * reads one reply at a time, returned as its raw RESP text (aggregates included, nested replies and all).
 */
public final class RawConnection implements AutoCloseable {
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    public RawConnection(int port) {
        try {
            socket = new Socket("127.0.0.1", port);
            socket.setSoTimeout(10_000);
            in = new BufferedInputStream(socket.getInputStream());
            out = socket.getOutputStream();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Sends {@code args} as one RESP multibulk request. */
    public RawConnection send(String... args) {
        StringBuilder request = new StringBuilder("*").append(args.length).append("\r\n");
        for (String arg : args) {
            byte[] bytes = arg.getBytes(StandardCharsets.UTF_8);
            request.append('$').append(bytes.length).append("\r\n").append(arg).append("\r\n");
        }
        return sendRaw(request.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** Sends raw bytes. */
    public RawConnection sendRaw(byte[] bytes) {
        try {
            out.write(bytes);
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    /** Sends {@code args} and reads one reply. */
    public String call(String... args) {
        return send(args).read();
    }

    /** Reads one complete reply; its raw text with CRLFs. */
    public String read() {
        ByteArrayOutputStream reply = new ByteArrayOutputStream();
        readReply(reply);
        return reply.toString(StandardCharsets.UTF_8);
    }

    /** Whether the server closed the connection (reads until end of stream or the timeout). */
    public boolean closedByServer() {
        try {
            return in.read() == -1;
        } catch (IOException e) {
            return true;
        }
    }

    private void readReply(ByteArrayOutputStream reply) {
        String line = readLine(reply);
        char type = line.charAt(0);
        switch (type) {
            case '$', '=', '!' -> {
                int length = Integer.parseInt(line.substring(1));
                if (length >= 0) {
                    readBytes(reply, length + 2);
                }
            }
            case '*', '~', '>' -> {
                int count = Integer.parseInt(line.substring(1));
                for (int i = 0; i < count; i++) {
                    readReply(reply);
                }
            }
            case '%', '|' -> {
                int count = Integer.parseInt(line.substring(1));
                for (int i = 0; i < 2 * count; i++) {
                    readReply(reply);
                }
            }
            default -> {
                // a one-line reply: + - : _ , # (
            }
        }
    }

    private String readLine(ByteArrayOutputStream reply) {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        try {
            int previous = -1;
            while (true) {
                int b = in.read();
                if (b == -1) {
                    throw new IllegalStateException("connection closed; read so far: "
                            + reply.toString(StandardCharsets.UTF_8) + line.toString(StandardCharsets.UTF_8));
                }
                reply.write(b);
                if (previous == '\r' && b == '\n') {
                    byte[] bytes = line.toByteArray();
                    return new String(bytes, 0, bytes.length - 1, StandardCharsets.UTF_8);
                }
                line.write(b);
                previous = b;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void readBytes(ByteArrayOutputStream reply, int n) {
        try {
            reply.write(in.readNBytes(n));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing a test connection
        }
    }
}
