package io.eventgate.edge.cache;

import io.eventgate.edge.pipeline.ClientConnection;
import java.io.InputStream;
import java.io.OutputStream;

/** The client of a background revalidation: nothing to send upstream, and nobody to answer (the cache keeps what comes). */
final class NoClient implements ClientConnection {
    private boolean committed;

    @Override
    public boolean hasRequestBody() {
        return false;
    }

    @Override
    public long requestContentLength() {
        return 0;
    }

    @Override
    public InputStream requestBody() {
        return InputStream.nullInputStream();
    }

    @Override
    public void status(int status) {
    }

    @Override
    public void header(String name, String value) {
    }

    @Override
    public void contentLength(long length) {
    }

    @Override
    public OutputStream responseBody() {
        committed = true;
        return OutputStream.nullOutputStream();
    }

    @Override
    public void send(byte[] body) {
        committed = true;
    }

    @Override
    public boolean committed() {
        return committed;
    }
}
