package io.eventgate.edge.server;

import io.eventgate.edge.pipeline.HttpSyntax;
import java.nio.charset.StandardCharsets;

/**
 * An HTTP/1.x request head (request line and header fields) parsed from bytes, refused as RFC 9112 asks of a server
 * where the message's framing or syntax is in doubt: whitespace before a field's colon, folded lines, control
 * characters, a missing or repeated Host, conflicting or malformed Content-Length, Transfer-Encoding other than
 * chunked or beside a Content-Length (request smuggling). One instance per connection, reused for each request.
 */
final class Http1Head {
    static final int MAX_FIELDS = 256;

    String method;
    String rawPath;
    String rawQuery;
    /** The authority of an absolute-form target, which the server uses in place of Host (RFC 9112 §3.2.2), or null. */
    String absoluteAuthority;
    boolean http10;
    final String[] names = new String[MAX_FIELDS];
    final String[] values = new String[MAX_FIELDS];
    int fields;
    String host;
    long contentLength;
    boolean chunked;
    boolean close;
    boolean keepAlive;
    boolean expectContinue;
    boolean upgrade;
    /** The status a malformed head is refused with, or 0; and why. */
    int refusal;
    String reason;

    /**
     * Parses {@code bytes[0, end)}, where {@code end} is just past the blank line that ends the head. False, with
     * {@link #refusal} set, when the head is to be refused. {@code maxRequestLine} bounds the request line (414).
     */
    boolean parse(byte[] bytes, int end, int maxRequestLine) {
        reset();
        int lineEnd = lineEnd(bytes, 0, end);
        if (lineEnd < 0) {
            return refuse(400, "request line not ended by CRLF");
        }
        if (lineEnd > maxRequestLine) {
            return refuse(414, "request line over " + maxRequestLine + " bytes");
        }
        if (!requestLine(bytes, lineEnd)) {
            return false;
        }
        int hosts = 0;
        int lengths = 0;
        int encodings = 0;
        for (int at = lineEnd + 2; at < end - 2; ) {
            int next = lineEnd(bytes, at, end);
            if (next < 0) {
                return refuse(400, "header field not ended by CRLF");
            }
            if (bytes[at] == ' ' || bytes[at] == '\t') {
                return refuse(400, "folded header field (obsolete line folding)");
            }
            int colon = at;
            while (colon < next && HttpSyntax.tchar(bytes[colon])) {
                colon++;
            }
            if (colon == at || colon == next || bytes[colon] != ':') {
                return refuse(400, "malformed header field name");
            }
            if (fields == MAX_FIELDS) {
                return refuse(431, "more than " + MAX_FIELDS + " header fields");
            }
            int from = colon + 1;
            int to = next;
            while (from < to && (bytes[from] == ' ' || bytes[from] == '\t')) {
                from++;
            }
            while (to > from && (bytes[to - 1] == ' ' || bytes[to - 1] == '\t')) {
                to--;
            }
            for (int i = from; i < to; i++) {
                int c = bytes[i] & 0xff;
                if (c < 0x20 && c != '\t' || c == 0x7f) {
                    return refuse(400, "control character in a header field value");
                }
            }
            String name = latin1(bytes, at, colon);
            String value = latin1(bytes, from, to);
            names[fields] = name;
            values[fields++] = value;
            switch (name.length()) {
                case 4 -> {
                    if (name.equalsIgnoreCase("host")) {
                        hosts++;
                        host = value;
                    }
                }
                case 6 -> {
                    if (name.equalsIgnoreCase("expect")) {
                        if (!value.equalsIgnoreCase("100-continue")) {
                            return refuse(417, "only the 100-continue expectation is met");
                        }
                        expectContinue = true;
                    }
                }
                case 7 -> upgrade |= name.equalsIgnoreCase("upgrade");
                case 10 -> {
                    if (name.equalsIgnoreCase("connection")) {
                        connectionOptions(value);
                    }
                }
                case 14 -> {
                    if (name.equalsIgnoreCase("content-length")) {
                        long length = contentLength(value);
                        if (length < 0 || lengths++ > 0 && length != contentLength) {
                            return refuse(400, "malformed or conflicting Content-Length");
                        }
                        contentLength = length;
                    }
                }
                case 17 -> {
                    if (name.equalsIgnoreCase("transfer-encoding")) {
                        encodings++;
                        if (!value.equalsIgnoreCase("chunked")) {
                            return refuse(value.toLowerCase(java.util.Locale.ROOT).endsWith("chunked") ? 501 : 400,
                                    "transfer coding '" + value + "' (only chunked is accepted)");
                        }
                        chunked = true;
                    }
                }
                default -> {
                    // no field of this length frames the message
                }
            }
            at = next + 2;
        }
        if (encodings > 1) {
            return refuse(501, "more than one Transfer-Encoding");
        }
        if (chunked && (lengths > 0 || http10)) {
            return refuse(400, lengths > 0 ? "both Transfer-Encoding and Content-Length" : "Transfer-Encoding in an HTTP/1.0 request");
        }
        if (!http10 && hosts != 1 || hosts > 1) {
            return refuse(400, hosts == 0 ? "no Host header" : "more than one Host header");
        }
        return true;
    }

    /** The value of the first field named {@code name} (case-insensitive), or null. */
    String first(String name) {
        for (int i = 0; i < fields; i++) {
            if (names[i].equalsIgnoreCase(name)) {
                return values[i];
            }
        }
        return null;
    }

    private boolean requestLine(byte[] bytes, int lineEnd) {
        int space = 0;
        while (space < lineEnd && HttpSyntax.tchar(bytes[space])) {
            space++;
        }
        if (space == 0 || space == lineEnd || bytes[space] != ' ') {
            return refuse(400, "malformed request method");
        }
        method = latin1(bytes, 0, space);
        int targetEnd = space + 1;
        while (targetEnd < lineEnd && bytes[targetEnd] != ' ') {
            int c = bytes[targetEnd] & 0xff;
            if (c <= 0x20 || c == 0x7f) {
                return refuse(400, "control character in the request target");
            }
            targetEnd++;
        }
        if (targetEnd == space + 1 || targetEnd == lineEnd) {
            return refuse(400, "malformed request line");
        }
        int versionStart = targetEnd + 1;
        if (lineEnd - versionStart != 8 || !startsWith(bytes, versionStart, "HTTP/1.")) {
            return refuse(lineEnd - versionStart == 8 && startsWith(bytes, versionStart, "HTTP/") ? 505 : 400, "HTTP version not supported");
        }
        byte minor = bytes[versionStart + 7];
        if (minor != '0' && minor != '1') {
            return refuse(505, "HTTP version not supported");
        }
        http10 = minor == '0';
        return target(bytes, space + 1, targetEnd);
    }

    /** Origin form ({@code /path?query}), {@code *} for OPTIONS, or absolute form, whose authority stands for Host. */
    private boolean target(byte[] bytes, int from, int to) {
        int pathStart = from;
        if (bytes[from] != '/') {
            if (to - from == 1 && bytes[from] == '*' && method.equals("OPTIONS")) {
                rawPath = "*";
                return true;
            }
            int scheme = startsWith(bytes, from, "http://") ? 7 : startsWith(bytes, from, "https://") ? 8 : -1;
            if (scheme < 0) {
                return refuse(400, "malformed request target");
            }
            pathStart = from + scheme;
            while (pathStart < to && bytes[pathStart] != '/' && bytes[pathStart] != '?') {
                pathStart++;
            }
            absoluteAuthority = latin1(bytes, from + scheme, pathStart);
        }
        int question = pathStart;
        while (question < to && bytes[question] != '?') {
            question++;
        }
        rawPath = question == pathStart ? "/" : latin1(bytes, pathStart, question);
        rawQuery = question + 1 >= to ? null : latin1(bytes, question + 1, to);
        return true;
    }

    private void connectionOptions(String value) {
        for (String option : value.split(",")) {
            String trimmed = option.trim();
            close |= trimmed.equalsIgnoreCase("close");
            keepAlive |= trimmed.equalsIgnoreCase("keep-alive");
        }
    }

    private static long contentLength(String value) {
        if (value.isEmpty() || value.length() > 18) {
            return -1;
        }
        long length = 0;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            length = length * 10 + (c - '0');
        }
        return length;
    }

    private void reset() {
        method = null;
        rawPath = null;
        rawQuery = null;
        absoluteAuthority = null;
        http10 = false;
        fields = 0;
        host = null;
        contentLength = -1;
        chunked = false;
        close = false;
        keepAlive = false;
        expectContinue = false;
        upgrade = false;
        refusal = 0;
        reason = null;
    }

    private boolean refuse(int status, String why) {
        refusal = status;
        reason = why;
        return false;
    }

    /** Where the blank line ending a head in {@code bytes[from, end)} ends (just past its CRLF CRLF), or -1. */
    static int headEnd(byte[] bytes, int from, int end) {
        for (int i = from; i + 3 < end; i++) {
            if (bytes[i] == '\r' && bytes[i + 1] == '\n' && bytes[i + 2] == '\r' && bytes[i + 3] == '\n') {
                return i + 4;
            }
        }
        return -1;
    }

    /** Where the CRLF ending the line at {@code from} starts, or -1 (a bare LF is no line end). */
    private static int lineEnd(byte[] bytes, int from, int end) {
        for (int i = from; i + 1 < end; i++) {
            if (bytes[i] == '\n') {
                return -1;
            }
            if (bytes[i] == '\r') {
                return bytes[i + 1] == '\n' ? i : -1;
            }
        }
        return -1;
    }

    private static boolean startsWith(byte[] bytes, int at, String prefix) {
        if (at + prefix.length() > bytes.length) {
            return false;
        }
        for (int i = 0; i < prefix.length(); i++) {
            if (bytes[at + i] != prefix.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static String latin1(byte[] bytes, int from, int to) {
        return new String(bytes, from, to - from, StandardCharsets.ISO_8859_1);
    }
}
