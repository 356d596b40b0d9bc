package io.eventgate.edge.capture;

import io.eventgate.edge.pipeline.ClientConnection;
import io.eventgate.edge.pipeline.WrappedConnection;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * The client's connection with a copy taken of the request body as the pipeline reads it, up to a size: the body still
 * streams to the upstream unchanged and unbuffered. The copy is whole only when the body was read to its end within
 * the limit; a request refused before its body was read has an incomplete one.
 */
final class BodyCopy extends WrappedConnection {
    private final int maxBytes;
    private final ByteArrayOutputStream copy = new ByteArrayOutputStream();
    private long read;
    private boolean ended;
    private boolean overLimit;

    BodyCopy(ClientConnection client, int maxBytes) {
        super(client);
        this.maxBytes = maxBytes;
        this.ended = !client.hasRequestBody() || client.requestContentLength() == 0;
    }

    @Override
    public InputStream requestBody() {
        return new FilterInputStream(client.requestBody()) {
            @Override
            public int read() throws IOException {
                int b = super.read();
                if (b < 0) {
                    ended = true;
                } else {
                    keep(new byte[] {(byte) b}, 0, 1);
                }
                return b;
            }

            @Override
            public int read(byte[] bytes, int offset, int length) throws IOException {
                int n = super.read(bytes, offset, length);
                if (n < 0) {
                    ended = true;
                } else {
                    keep(bytes, offset, n);
                }
                return n;
            }

            @Override
            public long skip(long n) throws IOException {
                overLimit = true; // skipped bytes are not in the copy
                return super.skip(n);
            }
        };
    }

    private void keep(byte[] bytes, int offset, int length) {
        read += length;
        int room = maxBytes - copy.size();
        if (length > room) {
            overLimit = true;
        }
        copy.write(bytes, offset, Math.max(0, Math.min(room, length)));
    }

    /** The body's bytes copied so far (at most the limit), or null when it had none. */
    byte[] body() {
        return read == 0 ? null : copy.toByteArray();
    }

    long bytesRead() {
        return read;
    }

    /** True when the copy is the whole body. */
    boolean complete() {
        return ended && !overLimit;
    }
}
