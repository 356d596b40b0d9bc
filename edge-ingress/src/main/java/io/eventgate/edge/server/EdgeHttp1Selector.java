package io.eventgate.edge.server;

import io.helidon.common.buffers.BufferData;
import io.helidon.common.buffers.DataReader;
import io.helidon.common.concurrency.limits.Limit;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.spi.ServerConnection;
import io.helidon.webserver.spi.ServerConnectionSelector;
import java.time.Duration;
import java.util.Set;

/**
 * Claims HTTP/1.x connections on the client port for the edge's own connection ({@link EdgeHttp1Connection}), and
 * hands to Helidon's HTTP/1 connection those whose first request asks to switch protocols (a WebSocket upgrade or
 * h2c), which Helidon's upgraders serve. Both lead into the same pipeline. The choice is made on the first request's
 * head, read without consuming it; a connection negotiated by ALPN goes to Helidon's selector for its protocol.
 */
final class EdgeHttp1Selector implements ServerConnectionSelector {
    private final ServerConnectionSelector helidon;
    private final EdgeHttp1Connection.Entry entry;
    private final EdgeHttp1Connection.Limits limits;
    private final HeadDeadline deadline;

    EdgeHttp1Selector(ServerConnectionSelector helidon, EdgeHttp1Connection.Entry entry, EdgeHttp1Connection.Limits limits, HeadDeadline deadline) {
        this.helidon = helidon;
        this.entry = entry;
        this.limits = limits;
        this.deadline = deadline;
    }

    @Override
    public int bytesToIdentifyConnection() {
        return 0;
    }

    /** An HTTP/1.0 or 1.1 request line; until its end is in, whatever fits the request-line limit may still be one. */
    @Override
    public Support supports(BufferData request) {
        int lf = request.indexOf((byte) '\n');
        if (lf < 0) {
            return request.available() <= limits.maxHead() ? Support.SUPPORTED : Support.UNSUPPORTED;
        }
        String line = request.readString(lf);
        return line.endsWith(" HTTP/1.1\r") || line.endsWith(" HTTP/1.0\r") ? Support.SUPPORTED : Support.UNSUPPORTED;
    }

    @Override
    public Set<String> supportedApplicationProtocols() {
        return helidon.supportedApplicationProtocols();
    }

    @Override
    public ServerConnection connection(ConnectionContext ctx) {
        return new ServerConnection() {
            private volatile ServerConnection chosen;

            @Override
            public void handle(Limit limit) throws InterruptedException {
                deadline.started(ctx); // the first head's clock runs while it is read to choose the connection
                ServerConnection connection = firstAsksUpgrade(ctx.dataReader())
                        ? helidon.connection(ctx)
                        : new EdgeHttp1Connection(ctx, entry, limits, deadline);
                chosen = connection;
                connection.handle(limit);
            }

            @Override
            public Duration idleTime() {
                ServerConnection connection = chosen;
                return connection == null ? Duration.ZERO : connection.idleTime();
            }

            @Override
            public void close(boolean interrupt) {
                ServerConnection connection = chosen;
                if (connection != null) {
                    connection.close(interrupt);
                }
            }
        };
    }

    /**
     * Whether the connection's first request carries an Upgrade field, read from its head without consuming it. A head
     * not complete within the limit is the edge's to refuse.
     */
    private boolean firstAsksUpgrade(DataReader reader) {
        try {
            while (true) {
                int available = reader.available();
                BufferData head = reader.getBuffer(available);
                byte[] bytes = new byte[available];
                head.read(bytes, 0, available);
                int end = Math.min(Http1Head.headEnd(bytes, 0, available), limits.maxHead());
                if (end >= 0 || available >= limits.maxHead()) {
                    return hasUpgrade(bytes, end < 0 ? available : end);
                }
                reader.pullData();
            }
        } catch (DataReader.InsufficientDataAvailableException e) {
            return false; // the client left mid-head: the edge's connection ends it
        }
    }

    /** Whether a line of the head starts with the field name Upgrade (case-insensitive). */
    static boolean hasUpgrade(byte[] bytes, int end) {
        String name = "upgrade:";
        for (int i = 0; i + 1 + name.length() < end; i++) {
            if (bytes[i] != '\n') {
                continue;
            }
            boolean match = true;
            for (int k = 0; k < name.length() && match; k++) {
                match = Character.toLowerCase((char) bytes[i + 1 + k]) == name.charAt(k);
            }
            if (match) {
                return true;
            }
        }
        return false;
    }
}
