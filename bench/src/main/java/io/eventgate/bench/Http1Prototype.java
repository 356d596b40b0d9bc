package io.eventgate.bench;

import io.eventgate.edge.config.EdgeSettings;
import io.eventgate.edge.pipeline.BodyLimit;
import io.eventgate.edge.pipeline.ClientConnection;
import io.eventgate.edge.pipeline.Protocol;
import io.eventgate.edge.pipeline.RequestHeaders;
import io.eventgate.edge.server.EdgeServer;
import io.eventgate.settings.SettingsLoader;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * A prototype of the design change proposed for the edge's cost per request (docs/benchmarks.md): an HTTP/1.1
 * listener of the edge's own beside Helidon's, on the same virtual-thread sockets, entering the same pipeline through
 * {@link EdgeServer#enter}. It parses a request head straight into the pipeline's {@link RequestHeaders} and writes each
 * answer's head and small body in one write, with buffers that live as long as the connection.
 *
 * <p>One process runs both listeners over one edge, so the benchmark compares them with everything else equal: the
 * configuration's port is Helidon's, {@code PORT} the prototype's. A prototype, not a product listener: it has no TLS,
 * no upgrades, no chunked request bodies (answered 501), no head or idle deadlines and no pipelining.
 *
 * <p>Usage: {@code Http1Prototype EDGE_YAML PORT}.
 */
public final class Http1Prototype {
    private Http1Prototype() {
    }

    public static void main(String[] args) throws IOException {
        EdgeSettings settings = SettingsLoader.load(Path.of(args[0]), EdgeSettings.class, "EDGE", Map.of());
        EdgeServer edge = EdgeServer.start(settings);
        ServerSocket listener = new ServerSocket(Integer.parseInt(args[1]), 1024, InetAddress.getLoopbackAddress());
        Thread.ofPlatform().name("prototype-accept").start(() -> {
            while (true) {
                try {
                    Socket socket = listener.accept();
                    socket.setTcpNoDelay(true);
                    Thread.ofVirtual().start(new Connection(socket, edge, settings.server().maxBodyBytes())::serve);
                } catch (IOException e) {
                    return;
                }
            }
        });
    }

    /** One client connection: its requests one after another, each answered before the next head is read. */
    static final class Connection implements ClientConnection, RequestHeaders {
        private static final int MAX_HEAD = 16 * 1024;
        private static final int MAX_FIELDS = 100;
        private final Socket socket;
        private final InputStream in;
        private final OutputStream out;
        private final EdgeServer edge;
        private final long maxBodyBytes;
        private final String peer;
        private final byte[] buffer = new byte[MAX_HEAD];
        private int position;
        private int limit;
        private final String[] names = new String[MAX_FIELDS];
        private final String[] values = new String[MAX_FIELDS];
        private int fields;
        private long requestLength;
        private boolean closeAfter;
        private final Answer answer = new Answer();
        /** What goes on the wire next: a head with its body, or a chunk; reused by each write. */
        private final Answer wire = new Answer();
        private int status;
        private long responseLength;
        private boolean committed;
        private BodyOut body;

        Connection(Socket socket, EdgeServer edge, long maxBodyBytes) throws IOException {
            this.socket = socket;
            this.in = socket.getInputStream();
            this.out = socket.getOutputStream();
            this.edge = edge;
            this.maxBodyBytes = maxBodyBytes;
            this.peer = socket.getInetAddress().getHostAddress();
        }

        void serve() {
            try (socket) {
                while (!closeAfter && readHead()) {
                    handle();
                }
            } catch (IOException | UncheckedIOException e) {
                // the client went away; nothing to answer
            }
        }

        /** Reads until a whole request head is in the buffer; false at a clean end of the connection. */
        private boolean readHead() throws IOException {
            if (position > 0) {
                System.arraycopy(buffer, position, buffer, 0, limit - position);
                limit -= position;
                position = 0;
            }
            int scanned = 0;
            while (true) {
                int end = headEnd(scanned);
                if (end >= 0) {
                    return parse(end);
                }
                scanned = Math.max(0, limit - 3);
                if (limit == buffer.length) {
                    refuse(431, "request head over " + MAX_HEAD + " bytes");
                    return false;
                }
                int read = in.read(buffer, limit, buffer.length - limit);
                if (read < 0) {
                    return false;
                }
                limit += read;
            }
        }

        private int headEnd(int from) {
            for (int i = from; i + 3 < limit; i++) {
                if (buffer[i] == '\r' && buffer[i + 1] == '\n' && buffer[i + 2] == '\r' && buffer[i + 3] == '\n') {
                    return i + 4;
                }
            }
            return -1;
        }

        private String method;
        private String rawPath;
        private String rawQuery;
        private String authority;

        /** Parses the request line and header fields of the head ending at {@code end}; false after refusing it. */
        private boolean parse(int end) throws IOException {
            int lineEnd = lineEnd(0);
            int firstSpace = indexOf(' ', 0, lineEnd);
            int secondSpace = firstSpace < 0 ? -1 : indexOf(' ', firstSpace + 1, lineEnd);
            if (secondSpace < 0) {
                refuse(400, "malformed request line");
                return false;
            }
            method = ascii(0, firstSpace);
            int question = indexOf('?', firstSpace + 1, secondSpace);
            rawPath = ascii(firstSpace + 1, question < 0 ? secondSpace : question);
            rawQuery = question < 0 || question + 1 == secondSpace ? null : ascii(question + 1, secondSpace);
            boolean http10 = lineEnd - secondSpace - 1 == 8 && buffer[lineEnd - 1] == '0';
            closeAfter = http10;
            fields = 0;
            requestLength = -1;
            authority = null;
            boolean chunked = false;
            for (int at = lineEnd + 2; at < end - 2; ) {
                int next = lineEnd(at);
                int colon = indexOf(':', at, next);
                if (colon <= at || fields == MAX_FIELDS) {
                    refuse(400, colon <= at ? "malformed header field" : "too many header fields");
                    return false;
                }
                int valueStart = colon + 1;
                int valueEnd = next;
                while (valueStart < valueEnd && (buffer[valueStart] == ' ' || buffer[valueStart] == '\t')) {
                    valueStart++;
                }
                while (valueEnd > valueStart && (buffer[valueEnd - 1] == ' ' || buffer[valueEnd - 1] == '\t')) {
                    valueEnd--;
                }
                String name = ascii(at, colon);
                String value = ascii(valueStart, valueEnd);
                names[fields] = name;
                values[fields++] = value;
                if (name.equalsIgnoreCase("host")) {
                    authority = value;
                } else if (name.equalsIgnoreCase("content-length")) {
                    try {
                        requestLength = Long.parseLong(value);
                    } catch (NumberFormatException e) {
                        refuse(400, "malformed Content-Length");
                        return false;
                    }
                } else if (name.equalsIgnoreCase("transfer-encoding")) {
                    chunked = true;
                } else if (name.equalsIgnoreCase("connection")) {
                    closeAfter = value.equalsIgnoreCase("close") || http10 && !value.equalsIgnoreCase("keep-alive");
                }
                at = next + 2;
            }
            if (chunked) {
                refuse(501, "the prototype reads no chunked request bodies");
                return false;
            }
            position = end;
            return true;
        }

        private int lineEnd(int from) {
            for (int i = from; i + 1 < limit; i++) {
                if (buffer[i] == '\r' && buffer[i + 1] == '\n') {
                    return i;
                }
            }
            return limit;
        }

        private int indexOf(char c, int from, int to) {
            for (int i = from; i < to; i++) {
                if (buffer[i] == c) {
                    return i;
                }
            }
            return -1;
        }

        private String ascii(int from, int to) {
            return new String(buffer, from, to - from, StandardCharsets.ISO_8859_1);
        }

        private void handle() throws IOException {
            status = 200;
            responseLength = -1;
            committed = false;
            body = null;
            answer.reset();
            edge.enter(Protocol.HTTP, method, rawPath, rawQuery, authority, peer, "http", this, this);
            if (body != null) {
                body.close();
            } else if (!committed) {
                refuse(502, "the pipeline gave no answer");
            }
            skipBody();
        }

        /** Drops what the pipeline left unread of the request body, so the next head starts where it should. */
        private void skipBody() throws IOException {
            if (requestLength <= 0) {
                return;
            }
            InputStream rest = requestBody();
            while (rest.skip(Long.MAX_VALUE) > 0) {
                // skipped
            }
            requestLength = 0;
        }

        private void refuse(int code, String reason) throws IOException {
            closeAfter = true;
            answer.reset();
            answer.statusLine(code).field("Content-Type", "text/plain").field("Content-Length", Integer.toString(reason.length() + 1))
                    .field("Connection", "close").end();
            answer.append(reason).append("\n");
            out.write(answer.bytes, 0, answer.length);
        }

        // ---- RequestHeaders

        @Override
        public String first(String name) {
            for (int i = 0; i < fields; i++) {
                if (names[i].equalsIgnoreCase(name)) {
                    return values[i];
                }
            }
            return null;
        }

        @Override
        public List<String> all(String name) {
            List<String> all = null;
            for (int i = 0; i < fields; i++) {
                if (names[i].equalsIgnoreCase(name)) {
                    if (all == null) {
                        all = new ArrayList<>(2);
                    }
                    all.add(values[i]);
                }
            }
            return all == null ? List.of() : all;
        }

        @Override
        public void forEach(BiConsumer<String, List<String>> visitor) {
            for (int i = 0; i < fields; i++) {
                visitor.accept(names[i], List.of(values[i]));
            }
        }

        // ---- ClientConnection

        @Override
        public boolean hasRequestBody() {
            return requestLength > 0;
        }

        @Override
        public long requestContentLength() {
            return requestLength;
        }

        @Override
        public InputStream requestBody() {
            return new BodyLimit(new InputStream() {
                private long left = Math.max(0, requestLength);

                @Override
                public int read() throws IOException {
                    byte[] one = new byte[1];
                    return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
                }

                @Override
                public int read(byte[] into, int offset, int length) throws IOException {
                    if (left == 0) {
                        return -1;
                    }
                    int wanted = (int) Math.min(length, left);
                    int read;
                    if (position < limit) {
                        read = Math.min(wanted, limit - position);
                        System.arraycopy(buffer, position, into, offset, read);
                        position += read;
                    } else {
                        read = in.read(into, offset, wanted);
                        if (read < 0) {
                            throw new IOException("the request body broke off");
                        }
                    }
                    left -= read;
                    return read;
                }
            }, maxBodyBytes);
        }

        @Override
        public void status(int status) {
            this.status = status;
        }

        @Override
        public void header(String name, String value) {
            answer.field(name, value);
        }

        @Override
        public void contentLength(long length) {
            responseLength = length;
        }

        @Override
        public OutputStream responseBody() {
            committed = true;
            body = new BodyOut(responseLength);
            return body;
        }

        @Override
        public void send(byte[] bytes) {
            committed = true;
            Answer head = wire.cleared().statusLine(status);
            try {
                if (bytes.length > 0 || status != 204 && status != 304) {
                    head.append("Content-Length: ").number(bytes.length).append("\r\n");
                }
                head.fields(answer).field(closeAfter ? "Connection" : null, "close").end();
                head.append(bytes);
                out.write(head.bytes, 0, head.length);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public boolean committed() {
            return committed;
        }

        /** A streamed answer: the head goes with the first bytes, chunked when no length was declared. */
        private final class BodyOut extends OutputStream {
            private final boolean chunked;
            private boolean headSent;
            private boolean closed;

            BodyOut(long length) {
                this.chunked = length < 0;
            }

            private void head(byte[] first, int offset, int length) throws IOException {
                Answer head = wire.cleared().statusLine(status);
                head.field(chunked ? "Transfer-Encoding" : "Content-Length", chunked ? "chunked" : Long.toString(responseLength));
                head.fields(answer).field(closeAfter ? "Connection" : null, "close").end();
                chunk(head, first, offset, length);
                out.write(head.bytes, 0, head.length);
                headSent = true;
            }

            private void chunk(Answer into, byte[] bytes, int offset, int length) {
                if (length == 0) {
                    return;
                }
                if (chunked) {
                    into.append(Integer.toHexString(length)).append("\r\n");
                }
                into.append(bytes, offset, length);
                if (chunked) {
                    into.append("\r\n");
                }
            }

            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] bytes, int offset, int length) throws IOException {
                if (!headSent) {
                    head(bytes, offset, length);
                    return;
                }
                if (chunked) {
                    Answer piece = wire.cleared();
                    chunk(piece, bytes, offset, length);
                    out.write(piece.bytes, 0, piece.length);
                } else {
                    out.write(bytes, offset, length);
                }
            }

            @Override
            public void close() throws IOException {
                if (closed) {
                    return;
                }
                closed = true;
                if (!headSent) {
                    head(new byte[0], 0, 0);
                }
                if (chunked) {
                    out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                }
            }
        }
    }

    /** An answer's bytes as they are built: the status line, header fields, the blank line, and a small body. */
    static final class Answer {
        private byte[] bytes = new byte[512];
        private int length;

        void reset() {
            length = 0;
        }

        Answer cleared() {
            length = 0;
            return this;
        }

        Answer number(long value) {
            if (value < 0) {
                return append(Long.toString(value));
            }
            int digits = 1;
            for (long rest = value / 10; rest > 0; rest /= 10) {
                digits++;
            }
            ensure(digits);
            for (int i = length + digits - 1; i >= length; i--) {
                bytes[i] = (byte) ('0' + value % 10);
                value /= 10;
            }
            length += digits;
            return this;
        }

        Answer statusLine(int status) {
            return append("HTTP/1.1 ").number(status).append(" ").append(reason(status)).append("\r\n");
        }

        /** Adds a field; a null name adds nothing. */
        Answer field(String name, String value) {
            return name == null ? this : append(name).append(": ").append(value).append("\r\n");
        }

        Answer fields(Answer other) {
            return append(other.bytes, 0, other.length);
        }

        Answer end() {
            return append("\r\n");
        }

        Answer append(String text) {
            ensure(text.length());
            for (int i = 0; i < text.length(); i++) {
                bytes[length++] = (byte) text.charAt(i);
            }
            return this;
        }

        Answer append(byte[] more) {
            return append(more, 0, more.length);
        }

        Answer append(byte[] more, int offset, int count) {
            ensure(count);
            System.arraycopy(more, offset, bytes, length, count);
            length += count;
            return this;
        }

        private void ensure(int more) {
            if (length + more > bytes.length) {
                bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + more));
            }
        }

        private static String reason(int status) {
            return switch (status) {
                case 200 -> "OK";
                case 204 -> "No Content";
                case 304 -> "Not Modified";
                case 400 -> "Bad Request";
                case 401 -> "Unauthorized";
                case 403 -> "Forbidden";
                case 404 -> "Not Found";
                case 429 -> "Too Many Requests";
                case 431 -> "Request Header Fields Too Large";
                case 500 -> "Internal Server Error";
                case 501 -> "Not Implemented";
                case 502 -> "Bad Gateway";
                case 503 -> "Service Unavailable";
                case 504 -> "Gateway Timeout";
                default -> "";
            };
        }
    }
}
