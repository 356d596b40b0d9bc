package io.eventgate.edge.pipeline;

import java.io.InputStream;
import java.io.OutputStream;

/** The client side of an exchange: the request body to read and the response to write, streamed. */
public interface ClientConnection {
    boolean hasRequestBody();

    /** Declared request body length, or -1 when chunked or unknown. */
    long requestContentLength();

    InputStream requestBody();

    void status(int status);

    void header(String name, String value);

    void contentLength(long length);

    /** Opens the response body; status and headers are sent with the first write. */
    OutputStream responseBody();

    /** Sends a whole response body at once. */
    void send(byte[] body);

    /** Whether status and headers have gone to the client already. */
    boolean committed();

    /**
     * The connection as plain bytes, once a {@code 101 Switching Protocols} answer went out; only a request that asked to
     * switch protocols (a WebSocket upgrade) has one.
     */
    default ClientStream switched() {
        throw new IllegalStateException("this request did not ask to switch protocols");
    }

    /** The certificate the client presented over TLS, verified against the configured client CAs, if any. */
    /** A header already set on the answer, or null (a gRPC refusal reads the Retry-After a limit set). */
    default String responseHeader(String name) {
        return null;
    }

    /**
     * The request body with no limit on its total size, for streams whose messages the exit bounds one by one (a gRPC
     * call may stream for hours).
     */
    default InputStream requestStream() {
        return requestBody();
    }

    /** Adds a trailer field, sent after the body (HTTP/2). */
    default void trailer(String name, String value) {
        throw new UnsupportedOperationException("this connection sends no trailers");
    }

    default java.util.Optional<java.security.cert.X509Certificate> clientCertificate() {
        return java.util.Optional.empty();
    }
}
