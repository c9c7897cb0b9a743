package io.tessera.session.internal;

import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;

/**
 * A response that runs a hook just before it can be committed, so the session is in the grid before the client
 * sees the response (and can send its next request to another node).
 *
 * <p>Commit points, as in Spring Session's {@code OnCommittedResponseWrapper}: {@code flushBuffer},
 * {@code sendError}, {@code sendRedirect}, {@code flush}/{@code close} of the writer or stream, and a write that
 * reaches the content length or fills the buffer. The hook runs once; what changes after it is committed again at
 * the end of the request.
 */
public final class CommittingResponseWrapper extends HttpServletResponseWrapper {
    private final Runnable beforeCommit;
    private boolean hookRan;
    private long contentLength = -1;
    private long written;
    private ServletOutputStream stream;
    private PrintWriter writer;

    public CommittingResponseWrapper(HttpServletResponse response, Runnable beforeCommit) {
        super(response);
        this.beforeCommit = beforeCommit;
    }

    private void commitPoint() {
        if (!hookRan) {
            hookRan = true;
            beforeCommit.run();
        }
    }

    private void writing(long count) {
        written += count;
        if (!hookRan && ((contentLength >= 0 && written >= contentLength) || written >= getBufferSize())) {
            commitPoint();
        }
    }

    @Override
    public void flushBuffer() throws IOException {
        commitPoint();
        super.flushBuffer();
    }

    @Override
    public void sendError(int sc) throws IOException {
        commitPoint();
        super.sendError(sc);
    }

    @Override
    public void sendError(int sc, String msg) throws IOException {
        commitPoint();
        super.sendError(sc, msg);
    }

    @Override
    public void sendRedirect(String location) throws IOException {
        commitPoint();
        super.sendRedirect(location);
    }

    @Override
    public void sendRedirect(String location, boolean clearBuffer) throws IOException {
        commitPoint();
        super.sendRedirect(location, clearBuffer);
    }

    @Override
    public void sendRedirect(String location, int sc) throws IOException {
        commitPoint();
        super.sendRedirect(location, sc);
    }

    @Override
    public void sendRedirect(String location, int sc, boolean clearBuffer) throws IOException {
        commitPoint();
        super.sendRedirect(location, sc, clearBuffer);
    }

    @Override
    public void setContentLength(int len) {
        contentLength = len;
        super.setContentLength(len);
        writing(0);
    }

    @Override
    public void setContentLengthLong(long len) {
        contentLength = len;
        super.setContentLengthLong(len);
        writing(0);
    }

    @Override
    public void setHeader(String name, String value) {
        if ("Content-Length".equalsIgnoreCase(name) && value != null) {
            try {
                contentLength = Long.parseLong(value.trim());
            } catch (NumberFormatException ignored) {
                // the container will complain about it
            }
        }
        super.setHeader(name, value);
    }

    @Override
    public ServletOutputStream getOutputStream() throws IOException {
        if (stream == null) {
            stream = new Stream(super.getOutputStream());
        }
        return stream;
    }

    @Override
    public PrintWriter getWriter() throws IOException {
        if (writer == null) {
            PrintWriter delegate = super.getWriter();
            writer = new PrintWriter(new Writer() {
                @Override
                public void write(char[] cbuf, int off, int len) {
                    writing(len); // chars, not bytes: an early estimate is safe, a late one is not
                    delegate.write(cbuf, off, len);
                }

                @Override
                public void write(String str, int off, int len) {
                    writing(len);
                    delegate.write(str, off, len);
                }

                @Override
                public void flush() {
                    commitPoint();
                    delegate.flush();
                }

                @Override
                public void close() {
                    commitPoint();
                    delegate.close();
                }
            }, false);
        }
        return writer;
    }

    private final class Stream extends ServletOutputStream {
        private final ServletOutputStream delegate;

        Stream(ServletOutputStream delegate) {
            this.delegate = delegate;
        }

        @Override
        public void write(int b) throws IOException {
            writing(1);
            delegate.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            writing(len);
            delegate.write(b, off, len);
        }

        @Override
        public void flush() throws IOException {
            commitPoint();
            delegate.flush();
        }

        @Override
        public void close() throws IOException {
            commitPoint();
            delegate.close();
        }

        @Override
        public boolean isReady() {
            return delegate.isReady();
        }

        @Override
        public void setWriteListener(WriteListener listener) {
            delegate.setWriteListener(listener);
        }
    }
}
