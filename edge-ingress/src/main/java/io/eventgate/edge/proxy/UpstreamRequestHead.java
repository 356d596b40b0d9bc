package io.eventgate.edge.proxy;

import io.helidon.common.buffers.BufferData;
import java.util.Arrays;

/**
 * The head of a request to an upstream, written straight into the bytes that go out: request line, then each header as
 * it is added. Header values come from the client's request, which the server parsed and validated, or from the
 * gateway itself, so they are written as they are, in ISO-8859-1 like HTTP/1.1's field values.
 *
 * <p>The bytes go into a buffer kept by the thread, reused by its next head: a server thread serves one connection's
 * requests one after another, and a head is written out ({@link UpstreamExchange#send}, a synchronous write) before
 * the thread builds another, so a request costs no buffer of its own.
 */
public final class UpstreamRequestHead implements java.util.function.BiConsumer<String, String> {
    private static final int INITIAL_BYTES = 1024;
    /** A buffer grown past this (a large body sent with its head) is not kept for the thread's next head. */
    private static final int KEPT_BYTES = 16 * 1024;
    private static final ThreadLocal<byte[]> SCRATCH = ThreadLocal.withInitial(() -> new byte[INITIAL_BYTES]);

    private byte[] bytes = SCRATCH.get();
    private int length;

    public UpstreamRequestHead(String method, String target) {
        write(method);
        write(' ');
        write(target);
        write(" HTTP/1.1\r\n");
    }

    /** Adds one header line. */
    public UpstreamRequestHead header(String name, String value) {
        write(name);
        write(':');
        write(' ');
        write(value);
        write('\r');
        write('\n');
        return this;
    }

    @Override
    public void accept(String name, String value) {
        header(name, value);
    }

    /** The head's bytes, ended, with {@code body} after them when given; valid until the thread's next head. */
    BufferData end(byte[] body) {
        write('\r');
        write('\n');
        if (body != null) {
            room(body.length);
            System.arraycopy(body, 0, bytes, length, body.length);
            length += body.length;
        }
        if (bytes.length <= KEPT_BYTES) {
            SCRATCH.set(bytes);
        }
        return BufferData.create(bytes, 0, length);
    }

    /** The head's bytes, ended, with {@code body} after them when given, in an array of their own. */
    byte[] endCopy(byte[] body) {
        end(body);
        return Arrays.copyOf(bytes, length);
    }

    private void write(String text) {
        int n = text.length();
        room(n);
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            bytes[length++] = c <= 0xFF ? (byte) c : (byte) '?'; // ISO-8859-1, as String.getBytes would encode it
        }
    }

    private void write(char c) {
        room(1);
        bytes[length++] = (byte) c;
    }

    private void room(int more) {
        if (length + more > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + more));
        }
    }
}
