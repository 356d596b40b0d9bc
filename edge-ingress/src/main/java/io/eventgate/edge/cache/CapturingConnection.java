package io.eventgate.edge.cache;

import io.eventgate.edge.pipeline.ClientConnection;
import io.eventgate.edge.pipeline.ClientStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.IntPredicate;

/**
 * The client's connection as the cache sees an upstream's answer: status and headers are held until the body starts,
 * so that an answer the cache replaces (a 304 to its own conditional request, an error while a stale answer may be
 * served) never reaches the client; any other answer goes to the client as it comes, and a copy of a body up to the
 * size limit is kept for storing. Request reading passes straight through.
 */
final class CapturingConnection implements ClientConnection {
    private final ClientConnection client;
    private final int maxBody;
    private final IntPredicate replaced;
    private final String cacheStatus;
    private int status;
    private final List<String[]> headers = new ArrayList<>();
    private long contentLength = -1;
    private ByteArrayOutputStream copy;
    private boolean decided;
    private boolean swallowed;
    private boolean tooLarge;

    /** {@code replaced} says which statuses the cache answers itself; {@code cacheStatus} is sent with the others. */
    CapturingConnection(ClientConnection client, int maxBody, IntPredicate replaced, String cacheStatus) {
        this.client = client;
        this.maxBody = maxBody;
        this.replaced = replaced;
        this.cacheStatus = cacheStatus;
    }

    @Override
    public boolean hasRequestBody() {
        return client.hasRequestBody();
    }

    @Override
    public long requestContentLength() {
        return client.requestContentLength();
    }

    @Override
    public InputStream requestBody() {
        return client.requestBody();
    }

    @Override
    public ClientStream switched() {
        return client.switched();
    }

    @Override
    public Optional<java.security.cert.X509Certificate> clientCertificate() {
        return client.clientCertificate();
    }

    @Override
    public void status(int status) {
        this.status = status;
    }

    @Override
    public void header(String name, String value) {
        headers.add(new String[] {name, value});
    }

    @Override
    public void contentLength(long length) {
        this.contentLength = length;
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

    @Override
    public boolean committed() {
        return decided || client.committed();
    }

    /** Passes status and headers on, unless the cache answers this status itself; true when it does. */
    private boolean decide() {
        decided = true;
        if (replaced.test(status)) {
            swallowed = true;
            return true;
        }
        client.status(status);
        for (String[] header : headers) {
            client.header(header[0], header[1]);
        }
        client.header("Cache-Status", cacheStatus);
        if (contentLength >= 0) {
            client.contentLength(contentLength);
        }
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

    String header(String name) {
        for (String[] header : headers) {
            if (header[0].equalsIgnoreCase(name)) {
                return header[1];
            }
        }
        return null;
    }

    List<String> all(String name) {
        List<String> values = new ArrayList<>();
        for (String[] header : headers) {
            if (header[0].equalsIgnoreCase(name)) {
                values.add(header[1]);
            }
        }
        return values;
    }

    /** The whole body when it was kept (not too large), else null. */
    byte[] body() {
        return copy == null || tooLarge ? null : copy.toByteArray();
    }

    static String lower(String name) {
        return name.toLowerCase(Locale.ROOT);
    }
}
