package io.eventgate.edge.server;

import io.eventgate.edge.pipeline.ClientConnection;
import io.eventgate.edge.pipeline.ClientStream;
import io.helidon.common.buffers.BufferData;
import io.helidon.common.buffers.DataReader;
import io.helidon.http.Status;
import io.helidon.webserver.ConnectionContext;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The client side of a request that asked to switch protocols, over the raw connection Helidon hands an upgrade: an
 * answer other than 101 goes out as a plain HTTP/1.1 response that closes the connection (nothing was switched); after
 * a 101 the connection is a {@link ClientStream}. Tracks when bytes last moved, for the server's idle check.
 */
final class UpgradeConnection implements ClientConnection, ClientStream {
    private final ConnectionContext ctx;
    private final Thread owner;
    private final List<String[]> headers = new ArrayList<>();
    private int status = 200;
    private long contentLength = -1;
    private boolean committed;
    private boolean switched;
    private volatile long lastActivityNanos = System.nanoTime();

    UpgradeConnection(ConnectionContext ctx) {
        this.ctx = ctx;
        this.owner = Thread.currentThread();
    }

    long idleNanos() {
        return System.nanoTime() - lastActivityNanos;
    }

    @Override
    public boolean hasRequestBody() {
        return false; // an upgrade request with a body is routed as a plain request by the server, never upgraded
    }

    @Override
    public long requestContentLength() {
        return -1;
    }

    @Override
    public InputStream requestBody() {
        return InputStream.nullInputStream();
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
        return new ByteArrayOutputStream() {
            @Override
            public void close() {
                send(toByteArray());
            }
        };
    }

    @Override
    public void send(byte[] body) {
        committed = true;
        BufferData head = BufferData.growing(256 + body.length);
        head.writeAscii("HTTP/1.1 " + status + " " + Status.create(status).reasonPhrase() + "\r\n");
        for (String[] header : headers) {
            head.writeAscii(header[0] + ": ");
            head.write(header[1].getBytes(StandardCharsets.UTF_8));
            head.writeAscii("\r\n");
        }
        if (status == 101) {
            switched = true;
        } else {
            head.writeAscii("Content-Length: " + (contentLength >= 0 ? contentLength : body.length) + "\r\nConnection: close\r\n");
        }
        head.writeAscii("\r\n");
        head.write(body);
        ctx.dataWriter().writeNow(head);
        lastActivityNanos = System.nanoTime();
    }

    @Override
    public boolean committed() {
        return committed;
    }

    @Override
    public Optional<X509Certificate> clientCertificate() {
        return HelidonConnection.certificate(ctx.remotePeer());
    }

    @Override
    public ClientStream switched() {
        if (!switched) {
            throw new IllegalStateException("no 101 Switching Protocols was sent on this connection");
        }
        return this;
    }

    @Override
    public byte[] read() {
        DataReader reader = ctx.dataReader();
        try {
            if (reader.available() == 0) {
                reader.pullData();
            }
        } catch (DataReader.InsufficientDataAvailableException e) {
            return null;
        }
        lastActivityNanos = System.nanoTime();
        return reader.readBytes(reader.available());
    }

    @Override
    public void write(byte[] bytes, int offset, int length) {
        ctx.dataWriter().writeNow(BufferData.create(bytes, offset, length));
        lastActivityNanos = System.nanoTime();
    }

    /** Interrupting the connection's own thread, blocked in a socket read, closes the socket and ends the read. */
    @Override
    public void close() {
        if (Thread.currentThread() != owner) {
            owner.interrupt();
        }
    }
}
