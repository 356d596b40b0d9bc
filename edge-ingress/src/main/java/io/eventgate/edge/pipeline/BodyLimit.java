package io.eventgate.edge.pipeline;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/** Cuts a request body (chunked ones included) at the configured size, failing with {@link BodyTooLarge}. */
public final class BodyLimit extends FilterInputStream {
    private final long limit;
    private long read;

    public BodyLimit(InputStream in, long limit) {
        super(in);
        this.limit = limit;
    }

    @Override
    public int read() throws IOException {
        int b = super.read();
        if (b >= 0) {
            count(1);
        }
        return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        int n = super.read(buffer, offset, length);
        if (n > 0) {
            count(n);
        }
        return n;
    }

    private void count(int n) throws BodyTooLarge {
        read += n;
        if (read > limit) {
            throw new BodyTooLarge(limit);
        }
    }
}
