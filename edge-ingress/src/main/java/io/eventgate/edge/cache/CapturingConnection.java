package io.eventgate.edge.cache;

import io.eventgate.edge.pipeline.ClientConnection;
import io.eventgate.edge.pipeline.HeldAnswer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import java.util.function.IntPredicate;

/**
 * The client's connection as the cache sees an upstream's answer: status and headers are held until the body starts,
 * so that an answer the cache replaces (a 304 to its own conditional request, an error while a stale answer may be
 * served) never reaches the client; any other answer goes to the client as it comes, and a copy of a body up to the
 * size limit is kept for storing. Request reading passes straight through.
 */
final class CapturingConnection extends HeldAnswer {
    private final int maxBody;
    private final IntPredicate replaced;
    private final String cacheStatus;
    private ByteArrayOutputStream copy;
    private boolean swallowed;
    private boolean tooLarge;

    /** {@code replaced} says which statuses the cache answers itself; {@code cacheStatus} is sent with the others. */
    CapturingConnection(ClientConnection client, int maxBody, IntPredicate replaced, String cacheStatus) {
        super(client);
        this.maxBody = maxBody;
        this.replaced = replaced;
        this.cacheStatus = cacheStatus;
    }

    @Override
    public OutputStream responseBody() {
        if (decide()) {
            return OutputStream.nullOutputStream();
        }
        OutputStream out = client.responseBody();
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] bytes, int offset, int length) throws IOException {
                out.write(bytes, offset, length);
                keep(bytes, offset, length);
            }

            @Override
            public void flush() throws IOException {
                out.flush();
            }

            @Override
            public void close() throws IOException {
                out.close();
            }
        };
    }

    @Override
    public void send(byte[] body) {
        if (decide()) {
            return;
        }
        client.send(body);
        keep(body, 0, body.length);
    }

    /** Passes status and headers on, unless the cache answers this status itself; true when it does. */
    private boolean decide() {
        if (replaced.test(status)) {
            released();
            swallowed = true;
            return true;
        }
        headers.add(new String[] {"Cache-Status", cacheStatus});
        release(contentLength);
        tooLarge = contentLength > maxBody;
        copy = tooLarge ? null : new ByteArrayOutputStream((int) Math.max(0, Math.min(contentLength, maxBody)));
        return false;
    }

    private void keep(byte[] bytes, int offset, int length) {
        if (copy == null) {
            return;
        }
        if (copy.size() + length > maxBody) {
            copy = null; // larger than the cache keeps: it streams through uncached
            tooLarge = true;
            return;
        }
        copy.write(bytes, offset, length);
    }

    int status() {
        return status;
    }

    /** Whether the answer was held back for the cache to answer in its place. */
    boolean swallowed() {
        return swallowed;
    }

    /** The headers the answer came with. */
    List<String[]> headers() {
        return headers;
    }

    /** The whole body when it was kept (not too large), else null. */
    byte[] body() {
        return copy == null || tooLarge ? null : copy.toByteArray();
    }
}
