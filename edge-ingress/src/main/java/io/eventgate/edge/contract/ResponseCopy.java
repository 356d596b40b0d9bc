package io.eventgate.edge.contract;

import io.eventgate.edge.pipeline.ClientConnection;
import io.eventgate.edge.pipeline.WrappedConnection;
import java.io.ByteArrayOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Locale;

/**
 * The client's connection with a copy taken of the answer as it goes out, to check it against the contract afterwards:
 * its status, its content type and its body up to a size. Nothing is held back or changed.
 */
final class ResponseCopy extends WrappedConnection {
    private final int maxBytes;
    private final ByteArrayOutputStream body = new ByteArrayOutputStream();
    private int status;
    private String contentType;
    private String contentEncoding;
    private boolean overLimit;

    ResponseCopy(ClientConnection client, int maxBytes) {
        super(client);
        this.maxBytes = maxBytes;
    }

    @Override
    public void status(int status) {
        this.status = status;
        client.status(status);
    }

    @Override
    public void header(String name, String value) {
        String lower = name.toLowerCase(Locale.ROOT);
        if (lower.equals("content-type")) {
            contentType = value;
        } else if (lower.equals("content-encoding")) {
            contentEncoding = value;
        }
        client.header(name, value);
    }

    @Override
    public OutputStream responseBody() {
        return new FilterOutputStream(client.responseBody()) {
            @Override
            public void write(int b) throws IOException {
                out.write(b);
                keep(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] bytes, int offset, int length) throws IOException {
                out.write(bytes, offset, length);
                keep(bytes, offset, length);
            }
        };
    }

    @Override
    public void send(byte[] bytes) {
        client.send(bytes);
        keep(bytes, 0, bytes.length);
    }

    private void keep(byte[] bytes, int offset, int length) {
        if (body.size() + length > maxBytes) {
            overLimit = true;
            return;
        }
        body.write(bytes, offset, length);
    }

    int status() {
        return status;
    }

    String contentType() {
        return contentType;
    }

    /** The whole body as sent, or null when it was longer than the limit or encoded (compressed for the client). */
    byte[] body() {
        return overLimit || contentEncoding != null && !contentEncoding.equalsIgnoreCase("identity") ? null : body.toByteArray();
    }
}
