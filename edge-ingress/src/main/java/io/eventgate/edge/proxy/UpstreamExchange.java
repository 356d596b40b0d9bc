package io.eventgate.edge.proxy;

import io.eventgate.edge.pipeline.Exchange;
import io.eventgate.edge.transform.HeaderEditor;
import io.helidon.common.buffers.BufferData;
import io.helidon.common.buffers.DataReader;
import io.helidon.webclient.api.ClientConnection;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;

/**
 * One HTTP/1.1 request and its response over a kept upstream connection (RFC 9112).
 *
 * <p>The edge writes the request head itself instead of through Helidon's client request, because that request
 * rebuilds the request target from a parsed URI: it decodes percent-escapes (a routed {@code /a%3Fb} would reach the
 * upstream as path {@code /a} with query {@code b}, {@code %20} as a raw space) and turns a query's {@code +} into a
 * space. A proxy must send the target it routed, byte for byte. The response's status line and headers are read by
 * {@link ResponseHead}; its body framing, which Helidon keeps inside its client, is {@link Body} below.
 */
public final class UpstreamExchange implements AutoCloseable {
    /** Longest status line, and longest response head, taken from an upstream. */
    static final int MAX_STATUS_LINE = 8 * 1024;
    static final int MAX_RESPONSE_HEAD = 64 * 1024;
    private static final int MAX_CHUNK_LINE = 1024;
    private static final byte[] CRLF = {'\r', '\n'};
    private static final byte[] LAST_CHUNK = "0\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    private final ClientConnection connection;
    private ResponseHead head;
    /** The lower-cased tokens of the answer's Connection header: whether it closes, and which headers stay here. */
    private Set<String> connectionTokens;
    private Body body;
    private boolean reusable;
    private boolean released;

    private UpstreamExchange(ClientConnection connection) {
        this.connection = connection;
    }

    /** Writes the request's head, and {@code body} when given whole (null for none or a streamed one), in one write. */
    public static UpstreamExchange send(ClientConnection connection, UpstreamRequestHead head, byte[] body) {
        connection.writer().writeNow(head.end(body));
        return new UpstreamExchange(connection);
    }

    /** Writes a whole request, head and body, made earlier ({@link UpstreamRequestHead#endCopy}). */
    public static UpstreamExchange send(ClientConnection connection, byte[] request) {
        connection.writer().writeNow(BufferData.create(request));
        return new UpstreamExchange(connection);
    }

    /**
     * The stream to write a request body sent after the head: as is when the head declared its length, else in chunks
     * (the head then says {@code Transfer-Encoding: chunked}). Closing it ends the body.
     */
    public OutputStream requestBody(boolean chunked) {
        return new OutputStream() {
            @Override
            public void write(int b) {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] bytes, int offset, int length) {
                if (length == 0) {
                    return;
                }
                if (!chunked) {
                    connection.writer().writeNow(BufferData.create(bytes, offset, length));
                    return;
                }
                BufferData chunk = BufferData.growing(length + 16);
                chunk.writeAscii(Integer.toHexString(length));
                chunk.write(CRLF);
                chunk.write(bytes, offset, length);
                chunk.write(CRLF);
                connection.writer().writeNow(chunk);
            }

            @Override
            public void close() {
                if (chunked) {
                    connection.writer().writeNow(BufferData.create(LAST_CHUNK));
                }
            }
        };
    }

    /** Reads the response head, past interim (1xx) answers other than 101; blocks until it arrives. */
    public UpstreamExchange receive(boolean headRequest) {
        DataReader reader = connection.reader();
        while (true) {
            head = ResponseHead.read(reader, MAX_STATUS_LINE, MAX_RESPONSE_HEAD);
            int status = head.status();
            if (status >= 100 && status < 200 && status != 101) {
                continue;
            }
            boolean noBody = headRequest || status < 200 || status == 204 || status == 304;
            String transferEncoding = noBody ? null : head.last("transfer-encoding");
            boolean chunked = transferEncoding != null && transferEncoding.toLowerCase(Locale.ROOT).endsWith("chunked");
            long length = noBody ? 0 : chunked ? -1 : head.contentLength();
            boolean untilClose = !noBody && !chunked && length < 0;
            connectionTokens = HeaderHygiene.namedByConnection(head.all("connection"));
            reusable = !head.http10() && !untilClose && status != 101 && !connectionTokens.contains("close");
            body = new Body(reader, chunked, length, untilClose);
            if (status == 101) {
                released = true; // the connection now carries another protocol, and whoever asked for it owns it
            }
            return this;
        }
    }

    /**
     * Call once the answer is known to have come in time: an answer without a body gives its connection back now. Until
     * then it is held, so that a first-byte timer firing as the head arrived can still close it ({@link #close()})
     * rather than leave a connection it interrupted among the kept ones.
     */
    public void answered() {
        if (body.done) {
            finished();
        }
    }

    public int status() {
        return head.status();
    }

    /**
     * Gives the client the answer's headers that cross the proxy, with the route's edits, then the headers the gateway
     * sets itself (CORS), which replace the upstream's of the same name; and the request id when the upstream sent none.
     */
    public void relayHeaders(Exchange exchange) {
        HeaderEditor edits = exchange.route() == null ? HeaderEditor.NONE : exchange.route().responseHeaders();
        io.eventgate.edge.pipeline.ClientConnection client = exchange.client();
        java.util.function.BiConsumer<String, String> out = client::header;
        boolean requestIdSet = false;
        for (int i = 0; i < head.size(); i++) {
            String lower = head.lowerName(i);
            if (HeaderHygiene.forwardResponseHeader(lower, connectionTokens) && !exchange.setsResponseHeader(lower)) {
                edits.pass(head.name(i), lower, head.value(i), out);
                requestIdSet |= lower.equals("x-request-id");
            }
        }
        edits.finish(out);
        exchange.writeResponseHeaders();
        if (!requestIdSet) {
            client.header("X-Request-Id", exchange.requestId());
        }
    }

    /** The answer's status line and header fields. */
    public ResponseHead head() {
        return head;
    }

    /** The response body, decoded from its framing; reading it to the end gives the connection back for reuse. */
    public InputStream body() {
        return body;
    }

    /**
     * Closes the connection unless the body was read whole, which gave it back already: what is left of the body cannot
     * be told from the next response.
     */
    @Override
    public void close() {
        if (!released) {
            released = true;
            connection.closeResource();
        }
    }

    private void finished() {
        if (!released) {
            released = true;
            if (reusable) {
                connection.releaseResource();
            } else {
                connection.closeResource();
            }
        }
    }

    /** A response body: {@code Content-Length} bytes, chunks (RFC 9112 §7.1), or all bytes until the upstream closes. */
    private final class Body extends InputStream {
        private final DataReader reader;
        private final boolean chunked;
        private final boolean untilClose;
        private long remaining; // in the body, or in the current chunk; unbounded for a body that ends with the connection
        private boolean done;

        Body(DataReader reader, boolean chunked, long length, boolean untilClose) {
            this.reader = reader;
            this.chunked = chunked;
            this.untilClose = untilClose;
            this.remaining = chunked ? 0 : untilClose ? Long.MAX_VALUE : length;
            this.done = !chunked && !untilClose && length == 0;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] target, int offset, int length) throws IOException {
            if (done) {
                return -1;
            }
            if (length == 0) {
                return 0;
            }
            if (chunked && remaining == 0 && !nextChunk()) {
                return -1;
            }
            try {
                if (reader.available() == 0) {
                    reader.pullData();
                }
            } catch (DataReader.InsufficientDataAvailableException e) {
                if (untilClose) {
                    done = true;
                    finished();
                    return -1;
                }
                throw new IOException("the upstream closed the connection inside the response body");
            }
            int n = (int) Math.min(Math.min(length, reader.available()), remaining);
            reader.readBuffer(n).read(target, offset, n);
            remaining -= n;
            if (remaining == 0) {
                if (chunked) {
                    endOfChunk();
                } else {
                    done = true;
                    finished();
                }
            }
            return n;
        }

        /** Reads a chunk-size line; false after the last chunk and its trailer section, which the body then ends with. */
        private boolean nextChunk() throws IOException {
            String line = readLine();
            int extension = line.indexOf(';');
            String size = (extension < 0 ? line : line.substring(0, extension)).trim();
            try {
                remaining = Long.parseLong(size, 16);
            } catch (NumberFormatException e) {
                throw new IOException("the upstream sent a malformed chunk size");
            }
            if (remaining < 0) {
                throw new IOException("the upstream sent a malformed chunk size");
            }
            if (remaining > 0) {
                return true;
            }
            while (!readLine().isEmpty()) {
                // trailer fields are not relayed: the edge has sent the client's headers already
            }
            done = true;
            finished();
            return false;
        }

        private void endOfChunk() throws IOException {
            if (!readLine().isEmpty()) {
                throw new IOException("the upstream sent more bytes than its chunk size");
            }
        }

        private String readLine() throws IOException {
            try {
                int end = reader.findNewLine(MAX_CHUNK_LINE);
                if (end == MAX_CHUNK_LINE) {
                    throw new IOException("the upstream sent a chunk line longer than " + MAX_CHUNK_LINE + " bytes");
                }
                String line = reader.readAsciiString(end);
                reader.skip(2);
                return line;
            } catch (DataReader.InsufficientDataAvailableException e) {
                throw new IOException("the upstream closed the connection inside a chunked body");
            } catch (DataReader.IncorrectNewLineException e) {
                throw new IOException("the upstream sent a malformed chunk line");
            }
        }

        @Override
        public int available() {
            return done ? 0 : (int) Math.min(reader.available(), remaining);
        }

        @Override
        public void close() {
            // the exchange decides what happens to the connection
        }
    }
}
