package io.eventgate.edge.proxy;

import io.helidon.common.buffers.DataReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * An upstream response's status line and header fields (RFC 9112 §4 and §5), read off the connection by the edge
 * rather than by Helidon's parsers, which build a header map of lazy strings for every answer: a proxy only passes
 * the fields along, looking a few up. Each field keeps its name as sent and a lower-cased copy for lookups; the names
 * most answers carry come from a table instead of new strings. A field repeated keeps one entry per line, in order.
 *
 * <p>A malformed head (no HTTP/1.x status line, a field line without a colon or with a name that is not a token, an
 * obsolete line folding, CR, LF or NUL inside a value, a head past its size limit) is refused with an {@link IllegalStateException}: the proxy answers
 * 502 rather than guess what the upstream meant (RFC 9112 §5.2 lets a proxy refuse a folded line).
 */
public final class ResponseHead {
    private static final String[] KNOWN = {"Content-Type", "Content-Length", "Date", "Server", "Connection", "Keep-Alive",
        "Cache-Control", "ETag", "Last-Modified", "Vary", "Transfer-Encoding", "Content-Encoding", "Location", "Set-Cookie",
        "Expires", "Age", "X-Request-Id", "Accept-Ranges", "Content-Range", "Access-Control-Allow-Origin", "Retry-After",
        "Upgrade", "Sec-WebSocket-Accept", "Sec-WebSocket-Protocol", "Sec-WebSocket-Extensions", "Traceparent", "Pragma",
        "Strict-Transport-Security", "X-Content-Type-Options", "X-Frame-Options", "Content-Security-Policy",
        "Stale-While-Revalidate", "WWW-Authenticate", "Link", "Content-Disposition", "Content-Language"};
    private static final String[] KNOWN_LOWER = Arrays.stream(KNOWN).map(n -> n.toLowerCase(Locale.ROOT)).toArray(String[]::new);
    private static final ThreadLocal<byte[]> LINE = ThreadLocal.withInitial(() -> new byte[256]);

    private final int status;
    private final boolean http10;
    /** Name, lower-cased name and value of each field line, one after another. */
    private String[] fields = new String[3 * 12];
    private int count;

    private ResponseHead(int status, boolean http10) {
        this.status = status;
        this.http10 = http10;
    }

    /** Reads one response head: the status line (at most {@code maxStatusLine} bytes), then fields up to {@code maxHead}. */
    static ResponseHead read(DataReader reader, int maxStatusLine, int maxHead) {
        byte[] line = LINE.get();
        int length = reader.findNewLine(maxStatusLine);
        if (length >= maxStatusLine) {
            throw new IllegalStateException("the upstream's status line is longer than " + maxStatusLine + " bytes");
        }
        line = take(reader, line, length);
        ResponseHead head = new ResponseHead(statusCode(line, length), line[7] == '0');
        int total = length;
        while (true) {
            length = reader.findNewLine(maxHead - total);
            if (length == 0) {
                reader.skip(2);
                LINE.set(line);
                return head;
            }
            total += length + 2;
            if (total >= maxHead) {
                throw new IllegalStateException("the upstream's response head is longer than " + maxHead + " bytes");
            }
            line = take(reader, line, length);
            head.field(line, length);
        }
    }

    public int status() {
        return status;
    }

    boolean http10() {
        return http10;
    }

    /** How many field lines the head has; {@link #name}, {@link #lowerName} and {@link #value} take an index below it. */
    public int size() {
        return count;
    }

    public String name(int index) {
        return fields[3 * index];
    }

    public String lowerName(int index) {
        return fields[3 * index + 1];
    }

    public String value(int index) {
        return fields[3 * index + 2];
    }

    /** The first value of the field named {@code lowerName} (lower case), or null. */
    public String first(String lowerName) {
        for (int i = 0; i < count; i++) {
            if (lowerName(i).equals(lowerName)) {
                return value(i);
            }
        }
        return null;
    }

    /** The last value of the field named {@code lowerName}, or null: where a repeated list field ends. */
    String last(String lowerName) {
        for (int i = count - 1; i >= 0; i--) {
            if (lowerName(i).equals(lowerName)) {
                return value(i);
            }
        }
        return null;
    }

    /** Every value of the field named {@code lowerName}, one per line, in order; empty without one. */
    List<String> all(String lowerName) {
        List<String> values = List.of();
        for (int i = 0; i < count; i++) {
            if (lowerName(i).equals(lowerName)) {
                if (values.isEmpty()) {
                    values = new ArrayList<>(1);
                }
                values.add(value(i));
            }
        }
        return values;
    }

    /** The declared Content-Length, or -1 without one; a malformed or conflicting one is refused (RFC 9112 §6.3). */
    public long contentLength() {
        long length = -1;
        for (int i = 0; i < count; i++) {
            if (lowerName(i).equals("content-length")) {
                long declared;
                try {
                    declared = Long.parseLong(value(i));
                } catch (NumberFormatException e) {
                    throw new IllegalStateException("the upstream sent a malformed Content-Length");
                }
                if (declared < 0 || length >= 0 && declared != length) {
                    throw new IllegalStateException("the upstream sent a malformed Content-Length");
                }
                length = declared;
            }
        }
        return length;
    }

    private static byte[] take(DataReader reader, byte[] line, int length) {
        byte[] into = line.length >= length ? line : new byte[Math.max(length, line.length * 2)];
        if (length > 0) {
            reader.getBuffer(length).read(into, 0, length);
        }
        reader.skip(length + 2);
        return into;
    }

    private static int statusCode(byte[] line, int length) {
        boolean version = length >= 12 && line[0] == 'H' && line[1] == 'T' && line[2] == 'T' && line[3] == 'P' && line[4] == '/'
                && line[5] == '1' && line[6] == '.' && (line[7] == '0' || line[7] == '1') && line[8] == ' ';
        if (!version || !digit(line[9]) || !digit(line[10]) || !digit(line[11]) || length > 12 && line[12] != ' ') {
            throw new IllegalStateException("the upstream sent no HTTP/1.x status line");
        }
        return (line[9] - '0') * 100 + (line[10] - '0') * 10 + (line[11] - '0');
    }

    private static boolean digit(byte b) {
        return b >= '0' && b <= '9';
    }

    private void field(byte[] line, int length) {
        if (line[0] == ' ' || line[0] == '\t') {
            throw new IllegalStateException("the upstream folded a header line (obsolete line folding)");
        }
        int colon = 0;
        while (colon < length && line[colon] != ':') {
            if (!io.eventgate.edge.pipeline.HttpSyntax.tchar(line[colon])) {
                throw new IllegalStateException("the upstream sent a header name that is not a token");
            }
            colon++;
        }
        if (colon == 0 || colon == length) {
            throw new IllegalStateException("the upstream sent a header line without a name and a colon");
        }
        int start = colon + 1;
        int end = length;
        while (start < end && (line[start] == ' ' || line[start] == '\t')) {
            start++;
        }
        while (end > start && (line[end - 1] == ' ' || line[end - 1] == '\t')) {
            end--;
        }
        for (int i = start; i < end; i++) {
            if (line[i] == '\r' || line[i] == '\n' || line[i] == 0) { // a bare LF that the line search let through
                throw new IllegalStateException("the upstream sent CR, LF or NUL inside a header value");
            }
        }
        if (3 * count == fields.length) {
            fields = Arrays.copyOf(fields, fields.length * 2);
        }
        int at = 3 * count;
        int known = known(line, colon);
        if (known >= 0) {
            fields[at] = KNOWN[known];
            fields[at + 1] = KNOWN_LOWER[known];
        } else {
            String name = new String(line, 0, colon, StandardCharsets.ISO_8859_1);
            fields[at] = name;
            fields[at + 1] = name.toLowerCase(Locale.ROOT);
        }
        fields[at + 2] = new String(line, start, end - start, StandardCharsets.ISO_8859_1);
        count++;
    }

    /** The index in {@link #KNOWN} of the name in the line's first {@code length} bytes, any case, or -1. */
    private static int known(byte[] line, int length) {
        for (int k = 0; k < KNOWN_LOWER.length; k++) {
            String candidate = KNOWN_LOWER[k];
            if (candidate.length() != length) {
                continue;
            }
            int i = 0;
            while (i < length && (line[i] | 0x20) == candidate.charAt(i)) { // the table has only letters and '-', which | 0x20 keeps
                i++;
            }
            if (i == length) {
                return k;
            }
        }
        return -1;
    }
}
