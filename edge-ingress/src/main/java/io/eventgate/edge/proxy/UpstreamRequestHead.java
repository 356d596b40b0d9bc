package io.eventgate.edge.proxy;

import io.helidon.common.buffers.BufferData;
import java.nio.charset.StandardCharsets;

/**
 * The head of a request to an upstream, written straight into the bytes that go out: request line, then each header as
 * it is added. Header values come from the client's request, which the server parsed and validated, or from the
 * gateway itself, so they are written as they are, in ISO-8859-1 like HTTP/1.1's field values.
 */
public final class UpstreamRequestHead {
    private static final byte[] SEPARATOR = {':', ' '};
    private static final byte[] CRLF = {'\r', '\n'};

    private final BufferData bytes = BufferData.growing(1024);

    public UpstreamRequestHead(String method, String target) {
        bytes.writeAscii(method);
        bytes.write(' ');
        bytes.writeAscii(target);
        bytes.writeAscii(" HTTP/1.1\r\n");
    }

    /** Adds one header line. */
    public UpstreamRequestHead header(String name, String value) {
        bytes.writeAscii(name);
        bytes.write(SEPARATOR);
        bytes.write(value.getBytes(StandardCharsets.ISO_8859_1));
        bytes.write(CRLF);
        return this;
    }

    /** The head's bytes, ended, with {@code body} after them when given. */
    BufferData end(byte[] body) {
        bytes.write(CRLF);
        if (body != null) {
            bytes.write(body);
        }
        return bytes;
    }
}
