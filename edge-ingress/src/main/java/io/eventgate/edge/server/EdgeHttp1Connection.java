package io.eventgate.edge.server;

import io.eventgate.edge.pipeline.BodyLimit;
import io.eventgate.edge.pipeline.ClientConnection;
import io.eventgate.edge.pipeline.Protocol;
import io.eventgate.edge.pipeline.RequestHeaders;
import io.helidon.common.buffers.BufferData;
import io.helidon.common.buffers.DataReader;
import io.helidon.common.concurrency.limits.Limit;
import io.helidon.http.Status;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.spi.ServerConnection;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.BiConsumer;

/**
 * The edge's own HTTP/1.1 connection, on the socket Helidon accepted (plain or TLS): it reads each request head into a
 * buffer that lives as long as the connection, parses it straight into the pipeline's {@link RequestHeaders}
 * ({@link Http1Head}), runs the request through the pipeline's one door, and writes the answer's head with a small body
 * in one write once the pipeline has returned. It replaces Helidon's HTTP/1 request and response objects on the hot
 * path, which cost as much per request as all of the edge's own steps (docs/benchmarks.md). One request at a time;
 * pipelined requests wait in the buffer.
 */
final class EdgeHttp1Connection implements ServerConnection, ClientConnection, RequestHeaders {
    /** Runs one parsed request through the pipeline: {@link EdgeServer#enter}. */
    interface Entry {
        void enter(Protocol protocol, String method, String rawPath, String rawQuery, String authority, String peerAddress, String scheme,
                   RequestHeaders headers, ClientConnection client);
    }

    /** What the listener allows: head sizes (beyond them Helidon's own limits answered before), the body limit. */
    record Limits(int maxRequestLine, int maxHead, long maxBodyBytes) {
    }

    /**
     * An unread request body up to this size is read and dropped to keep the connection (and so the client, still
     * sending, reads the answer rather than a reset); a larger one closes it.
     */
    private static final int DRAIN_LIMIT = 4 * 1024 * 1024;
    private static final byte[] CONTINUE = "HTTP/1.1 100 Continue\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private final ConnectionContext ctx;
    private final DataReader reader;
    private final Entry entry;
    private final Limits limits;
    private final HeadDeadline deadline;
    private final String peer;
    private final String scheme;
    private final Http1Head head = new Http1Head();
    private byte[] buffer = new byte[4096];
    private int position;
    private int limit;
    private volatile long idleSince = System.nanoTime();
    private volatile boolean inRequest;
    private volatile Thread handler;
    private volatile boolean running = true;

    // the request in progress
    private boolean closeAfter;
    private InputStream body;
    private long bodyLeft;
    private boolean continueSent;

    // its answer
    private int status;
    private long declaredLength;
    private final List<String> answerNames = new ArrayList<>(16);
    private final List<String> answerValues = new ArrayList<>(16);
    private boolean committed;
    /** A whole answer in {@link #wire}, waiting for the pipeline to return. */
    private boolean held;
    private BodyOut streamed;
    private final Wire wire = new Wire();

    EdgeHttp1Connection(ConnectionContext ctx, Entry entry, Limits limits, HeadDeadline deadline) {
        this.ctx = ctx;
        this.reader = ctx.dataReader();
        this.entry = entry;
        this.limits = limits;
        this.deadline = deadline;
        this.peer = ctx.remotePeer().address() instanceof InetSocketAddress inet && inet.getAddress() != null
                ? inet.getAddress().getHostAddress() : String.valueOf(ctx.remotePeer().address());
        this.scheme = ctx.isSecure() ? "https" : "http";
    }

    @Override
    public void handle(Limit requestLimit) {
        handler = Thread.currentThread();
        try {
            while (running && readHead()) {
                serve();
                if (closeAfter) {
                    return;
                }
            }
        } catch (DataReader.InsufficientDataAvailableException e) {
            // the client closed the connection
        } finally {
            Thread.interrupted(); // a close that raced the last request must not outlive the connection
        }
    }

    @Override
    public Duration idleTime() {
        return inRequest ? Duration.ZERO : Duration.ofNanos(System.nanoTime() - idleSince);
    }

    @Override
    public void close(boolean interrupt) {
        // as Helidon's own connection does: no further request; a connection waiting for one (or told to hurry) is
        // interrupted, which closes its socket
        running = false;
        Thread current = handler;
        if (current != null && (interrupt || !inRequest)) {
            current.interrupt();
        }
    }

    // ---- reading a head

    /** Reads until a whole head is buffered and parses it; false when the connection ends (or was refused). */
    private boolean readHead() {
        if (position > 0) {
            System.arraycopy(buffer, position, buffer, 0, limit - position);
            limit -= position;
            position = 0;
        }
        boolean clockStarted = false;
        int scanned = 0;
        while (true) {
            if (limit > 0 && !clockStarted) {
                deadline.started(ctx);
                clockStarted = true;
            }
            int end = Http1Head.headEnd(buffer, scanned, limit);
            if (end >= 0) {
                deadline.completed(ctx);
                inRequest = true;
                if (!head.parse(buffer, end, limits.maxRequestLine())) {
                    refuse(head.refusal, head.reason);
                    return false;
                }
                position = end;
                return true;
            }
            scanned = Math.max(0, limit - 3);
            if (limit >= limits.maxHead()) {
                boolean lineDone = lineDone();
                refuse(lineDone ? 431 : 414, lineDone ? "request head over " + limits.maxHead() + " bytes" : "request line over " + limits.maxHead() + " bytes");
                return false;
            }
            if (!pull()) {
                return false;
            }
        }
    }

    private boolean lineDone() {
        for (int i = 0; i + 1 < limit; i++) {
            if (buffer[i] == '\r' && buffer[i + 1] == '\n') {
                return true;
            }
        }
        return false;
    }

    /** Appends what the socket has (waiting for at least a byte) to the buffer; false at the end of the connection. */
    private boolean pull() {
        try {
            reader.ensureAvailable();
        } catch (DataReader.InsufficientDataAvailableException e) {
            return false;
        }
        BufferData data = reader.readBuffer();
        int count = data.available();
        if (limit + count > buffer.length) {
            buffer = Arrays.copyOf(buffer, Math.max(limit + count, Math.min(2 * buffer.length, limits.maxHead() + count)));
        }
        data.read(buffer, limit, count);
        limit += count;
        return true;
    }

    // ---- one request

    private void serve() {
        status = 200;
        declaredLength = -1;
        answerNames.clear();
        answerValues.clear();
        committed = false;
        held = false;
        streamed = null;
        body = null;
        continueSent = false;
        bodyLeft = Math.max(0, head.contentLength); // a chunked body counts its chunks instead
        closeAfter = head.close || head.http10 && !head.keepAlive;
        String authority = head.absoluteAuthority != null ? head.absoluteAuthority : head.host;
        try {
            entry.enter(Protocol.HTTP, head.method, head.rawPath, head.rawQuery, authority, peer, scheme, this, this);
            // A whole answer goes out once the pipeline has returned, and a streamed one ends then: the request's
            // last steps (its event, metrics, access log, cache entry) are done before the client sees it complete.
            if (held) {
                held = false;
                write(wire.bytes, 0, wire.length);
            } else if (streamed != null) {
                streamed.close();
                streamed.finish();
            } else if (!committed) {
                refuse(500, "the request got no answer");
            }
            skipUnreadBody();
        } catch (IOException | UncheckedIOException e) {
            closeAfter = true; // the client is gone, or its body broke off: nothing more can be read in order
        } finally {
            inRequest = false;
            idleSince = System.nanoTime();
        }
    }

    /** Skips what the pipeline left of the request body so the next head starts where it should, or gives up on the connection. */
    private void skipUnreadBody() throws IOException {
        if (!hasRequestBody() || closeAfter) {
            return;
        }
        if (head.expectContinue && !continueSent) {
            closeAfter = true; // the client may never send the body it asked leave for
            return;
        }
        if (!head.chunked && bodyLeft > DRAIN_LIMIT) {
            closeAfter = true;
            return;
        }
        InputStream rest = requestStream();
        long skipped = 0;
        byte[] scratch = new byte[16 * 1024];
        for (int n = rest.read(scratch); n >= 0; n = rest.read(scratch)) {
            skipped += n;
            if (skipped > DRAIN_LIMIT) {
                closeAfter = true;
                return;
            }
        }
    }

    private void refuse(int code, String reason) {
        closeAfter = true;
        status = code;
        answerNames.clear();
        answerValues.clear();
        header("Content-Type", "text/plain");
        header("Connection", "close");
        committed = true;
        compose((reason + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
        try {
            write(wire.bytes, 0, wire.length);
        } catch (IOException e) {
            // the client is gone
        }
    }

    // ---- RequestHeaders

    @Override
    public String first(String name) {
        return head.first(name);
    }

    @Override
    public List<String> all(String name) {
        List<String> all = null;
        for (int i = 0; i < head.fields; i++) {
            if (head.names[i].equalsIgnoreCase(name)) {
                if (all == null) {
                    all = new ArrayList<>(2);
                }
                all.add(head.values[i]);
            }
        }
        return all == null ? List.of() : all;
    }

    @Override
    public void forEach(BiConsumer<String, List<String>> visitor) {
        for (int i = 0; i < head.fields; i++) {
            visitor.accept(head.names[i], List.of(head.values[i]));
        }
    }

    // ---- ClientConnection: the request

    @Override
    public boolean hasRequestBody() {
        return head.chunked || head.contentLength > 0;
    }

    @Override
    public long requestContentLength() {
        return head.chunked ? -1 : head.contentLength;
    }

    @Override
    public InputStream requestBody() {
        return new BodyLimit(requestStream(), limits.maxBodyBytes());
    }

    @Override
    public InputStream requestStream() {
        if (body == null) {
            body = head.chunked ? new ChunkedBody() : new FixedBody();
        }
        return body;
    }

    @Override
    public Optional<X509Certificate> clientCertificate() {
        return HelidonConnection.certificate(ctx.remotePeer());
    }

    /** Sends 100 Continue before the first read of a body the client holds back until asked. */
    private void continueIfExpected() throws IOException {
        if (head.expectContinue && !continueSent && !committed) {
            continueSent = true;
            write(CONTINUE, 0, CONTINUE.length);
        }
    }

    /** Reads body bytes: what the buffer holds past the head first, then the socket (large reads straight into {@code into}). */
    private int readRaw(byte[] into, int offset, int length) {
        if (position == limit) {
            if (length < 4096) {
                position = 0;
                limit = 0;
                if (!pull()) {
                    return -1;
                }
            } else {
                try {
                    reader.ensureAvailable();
                } catch (DataReader.InsufficientDataAvailableException e) {
                    return -1;
                }
                int count = Math.min(length, reader.available());
                reader.readBuffer(count).read(into, offset, count);
                return count;
            }
        }
        int count = Math.min(length, limit - position);
        System.arraycopy(buffer, position, into, offset, count);
        position += count;
        return count;
    }

    private int readRawByte() {
        if (position == limit) {
            position = 0;
            limit = 0;
            if (!pull()) {
                return -1;
            }
        }
        return buffer[position++] & 0xff;
    }

    /** A request body: single bytes are read as blocks of one. */
    private abstract static class BodyIn extends InputStream {
        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }
    }

    /** A body of declared length. */
    private final class FixedBody extends BodyIn {
        @Override
        public int read(byte[] into, int offset, int length) throws IOException {
            if (bodyLeft == 0) {
                return -1;
            }
            if (length == 0) {
                return 0;
            }
            continueIfExpected();
            int read = readRaw(into, offset, (int) Math.min(length, bodyLeft));
            if (read < 0) {
                throw new IOException("the request body broke off with " + bodyLeft + " bytes to come");
            }
            bodyLeft -= read;
            return read;
        }
    }

    /** A chunked body (RFC 9112 §7.1): chunk sizes in hex, extensions ignored, trailer fields read and dropped. */
    private final class ChunkedBody extends BodyIn {
        private long chunkLeft;
        private boolean done;

        @Override
        public int read(byte[] into, int offset, int length) throws IOException {
            if (done) {
                return -1;
            }
            if (length == 0) {
                return 0;
            }
            continueIfExpected();
            if (chunkLeft == 0) {
                chunkLeft = chunkSize();
                if (chunkLeft == 0) {
                    skipTrailers();
                    done = true;
                    return -1;
                }
            }
            int read = readRaw(into, offset, (int) Math.min(length, chunkLeft));
            if (read < 0) {
                throw new IOException("the chunked request body broke off");
            }
            chunkLeft -= read;
            if (chunkLeft == 0) {
                expect('\r');
                expect('\n');
            }
            return read;
        }

        private long chunkSize() throws IOException {
            long size = 0;
            int digits = 0;
            int c = readRawByte();
            while (hex(c) >= 0) {
                if (++digits > 15) {
                    throw new IOException("chunk size too large");
                }
                size = size * 16 + hex(c);
                c = readRawByte();
            }
            if (digits == 0) {
                throw new IOException("malformed chunk size");
            }
            while (c != '\r') { // chunk extensions
                if (c < 0 || c == '\n') {
                    throw new IOException("malformed chunk size line");
                }
                c = readRawByte();
            }
            expect('\n');
            return size;
        }

        private void skipTrailers() throws IOException {
            int lineLength = 0;
            int total = 0;
            while (true) {
                int c = readRawByte();
                if (c < 0) {
                    throw new IOException("the chunked request body broke off in its trailers");
                }
                if (++total > limits.maxHead()) {
                    throw new IOException("trailer fields too large");
                }
                if (c == '\r') {
                    expect('\n');
                    if (lineLength == 0) {
                        return;
                    }
                    lineLength = 0;
                } else {
                    lineLength++;
                }
            }
        }

        private void expect(char wanted) throws IOException {
            if (readRawByte() != wanted) {
                throw new IOException("malformed chunked request body");
            }
        }

        private static int hex(int c) {
            return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        }
    }

    // ---- ClientConnection: the answer

    @Override
    public void status(int status) {
        this.status = status;
    }

    @Override
    public void header(String name, String value) {
        answerNames.add(name);
        answerValues.add(value);
    }

    @Override
    public String responseHeader(String name) {
        for (int i = 0; i < answerNames.size(); i++) {
            if (answerNames.get(i).equalsIgnoreCase(name)) {
                return answerValues.get(i);
            }
        }
        return null;
    }

    @Override
    public void contentLength(long length) {
        declaredLength = length;
    }

    @Override
    public boolean committed() {
        return committed;
    }

    @Override
    public void send(byte[] bytes) {
        committed = true;
        compose(bytes);
        held = true; // written once the pipeline returns (see serve)
    }

    /** A whole answer into {@link #wire}: its head, and {@code bytes} unless the request was a HEAD. */
    private void compose(byte[] bytes) {
        boolean headOnly = head.method.equals("HEAD");
        wire.clear();
        writeHead(headOnly && declaredLength >= 0 ? declaredLength : bytes.length,
                bytes.length == 0 && declaredLength < 0 && (status == 204 || status == 304 || status < 200));
        if (!headOnly) {
            wire.append(bytes, 0, bytes.length);
        }
    }

    @Override
    public OutputStream responseBody() {
        committed = true;
        streamed = new BodyOut();
        return streamed;
    }

    /** The status line and fields into {@link #wire}: Content-Length when known (none for 204), else chunked. */
    private void writeHead(long length, boolean noLength) {
        wire.ascii("HTTP/1.1 ").number(status).ascii(" ").ascii(Status.create(status).reasonPhrase()).crlf();
        boolean date = false;
        for (int i = 0; i < answerNames.size(); i++) {
            String name = answerNames.get(i);
            if (name.equalsIgnoreCase("content-length") || name.equalsIgnoreCase("transfer-encoding")) {
                continue; // the framing is this connection's to state
            }
            date |= name.equalsIgnoreCase("date");
            wire.ascii(name).ascii(": ").value(answerValues.get(i)).crlf();
        }
        if (!noLength) {
            if (length >= 0) {
                wire.ascii("Content-Length: ").number(length).crlf();
            } else {
                wire.ascii("Transfer-Encoding: chunked").crlf();
            }
        }
        if (!date) {
            wire.ascii("Date: ").ascii(HttpDate.now()).crlf();
        }
        if (closeAfter && responseHeader("Connection") == null) {
            wire.ascii("Connection: close").crlf();
        } else if (head.http10 && !closeAfter) {
            wire.ascii("Connection: keep-alive").crlf();
        }
        wire.crlf();
    }

    private void write(byte[] bytes, int offset, int length) throws IOException {
        try {
            ctx.dataWriter().writeNow(BufferData.create(bytes, offset, length));
        } catch (UncheckedIOException e) {
            throw e.getCause();
        } catch (RuntimeException e) {
            throw new IOException("the client connection failed", e);
        }
    }

    /** A streamed answer: its head goes with the first bytes; chunked when no length was declared. */
    private final class BodyOut extends OutputStream {
        private final boolean headOnly = head.method.equals("HEAD");
        private final boolean chunked = declaredLength < 0 && !headOnly && status != 204 && status != 304;
        private boolean headSent;
        private boolean closed;
        private boolean finished;

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws IOException {
            if (closed) {
                throw new IOException("the answer is complete");
            }
            wire.clear();
            if (!headSent) {
                writeHead(chunked ? -1 : declaredLength, !chunked && declaredLength < 0);
                headSent = true;
            }
            if (!headOnly && length > 0) {
                if (chunked) {
                    wire.hex(length).crlf();
                }
                wire.append(bytes, offset, length);
                if (chunked) {
                    wire.crlf();
                }
            }
            if (wire.length > 0) {
                EdgeHttp1Connection.this.write(wire.bytes, 0, wire.length);
            }
        }

        @Override
        public void close() throws IOException {
            if (closed) {
                return;
            }
            if (!headSent) {
                write(new byte[0], 0, 0);
            }
            closed = true;
        }

        /**
         * Ends a chunked answer, once the pipeline has returned: its last step (the request's event, metrics and access
         * log) is done before the client sees the answer complete, as with a body of declared length sent whole.
         */
        void finish() throws IOException {
            if (chunked && !finished) {
                finished = true;
                wire.clear();
                wire.ascii("0").crlf().crlf();
                EdgeHttp1Connection.this.write(wire.bytes, 0, wire.length);
            }
        }
    }

    /** The bytes of what goes out next, built in one array the connection keeps. */
    private static final class Wire {
        private byte[] bytes = new byte[1024];
        private int length;

        void clear() {
            length = 0;
        }

        Wire ascii(String text) {
            ensure(text.length());
            for (int i = 0; i < text.length(); i++) {
                bytes[length++] = (byte) text.charAt(i);
            }
            return this;
        }

        /** A field value: CR, LF and NUL (which would split or end the field) go out as spaces. */
        Wire value(String text) {
            ensure(text.length());
            for (int i = 0; i < text.length(); i++) {
                char c = text.charAt(i);
                bytes[length++] = c == '\r' || c == '\n' || c == 0 ? (byte) ' ' : (byte) c;
            }
            return this;
        }

        Wire crlf() {
            ensure(2);
            bytes[length++] = '\r';
            bytes[length++] = '\n';
            return this;
        }

        Wire number(long value) {
            return ascii(Long.toString(value));
        }

        Wire hex(int value) {
            return ascii(Integer.toHexString(value));
        }

        Wire append(byte[] more, int offset, int count) {
            ensure(count);
            System.arraycopy(more, offset, bytes, length, count);
            length += count;
            return this;
        }

        private void ensure(int more) {
            if (length + more > bytes.length) {
                bytes = Arrays.copyOf(bytes, Math.max(2 * bytes.length, length + more));
            }
        }
    }

    /** The Date field's value, formatted once a second. */
    static final class HttpDate {
        private record Formatted(long second, String value) {
        }

        private static volatile Formatted last = new Formatted(-1, "");

        static String now() {
            long now = System.currentTimeMillis() / 1000;
            Formatted known = last;
            if (known.second() != now) {
                known = new Formatted(now, DateTimeFormatter.RFC_1123_DATE_TIME.format(
                        ZonedDateTime.ofInstant(java.time.Instant.ofEpochSecond(now), ZoneOffset.UTC)));
                last = known;
            }
            return known.value();
        }
    }
}
