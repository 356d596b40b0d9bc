package io.eventgate.edge.server;

import io.eventgate.edge.pipeline.BodyLimit;
import io.eventgate.edge.pipeline.ClientConnection;
import io.eventgate.edge.pipeline.RequestHeaders;
import io.helidon.http.Header;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.function.BiConsumer;

/** Adapts Helidon's request and response to the pipeline's {@link ClientConnection} and {@link RequestHeaders}. */
final class HelidonConnection implements ClientConnection {
    private final ServerRequest request;
    private final ServerResponse response;
    private final long maxBodyBytes;
    private boolean committed;

    HelidonConnection(ServerRequest request, ServerResponse response, long maxBodyBytes) {
        this.request = request;
        this.response = response;
        this.maxBodyBytes = maxBodyBytes;
    }

    @Override
    public java.util.Optional<java.security.cert.X509Certificate> clientCertificate() {
        return certificate(request.remotePeer());
    }

    /** The certificate a TLS client presented (verified by the server against the client CAs), for every connection kind. */
    static java.util.Optional<java.security.cert.X509Certificate> certificate(io.helidon.common.socket.PeerInfo peer) {
        return peer.tlsCertificates()
                .filter(chain -> chain.length > 0 && chain[0] instanceof java.security.cert.X509Certificate)
                .map(chain -> (java.security.cert.X509Certificate) chain[0]);
    }

    /** The header names the pipeline asks for (the code's and the configuration's, so few), made once each. */
    private static final java.util.Map<String, io.helidon.http.HeaderName> NAMES = new java.util.concurrent.ConcurrentHashMap<>();

    private static io.helidon.http.HeaderName name(String name) {
        io.helidon.http.HeaderName known = NAMES.get(name);
        if (known == null) {
            known = HeaderNames.create(name);
            if (NAMES.size() < 1024) {
                NAMES.put(name, known);
            }
        }
        return known;
    }

    static RequestHeaders headers(io.helidon.http.Headers headers) {
        return new RequestHeaders() {
            @Override
            public String first(String name) {
                return headers.first(name(name)).orElse(null);
            }

            @Override
            public List<String> all(String name) {
                return headers.all(name(name), List::of);
            }

            @Override
            public void forEach(BiConsumer<String, List<String>> visitor) {
                for (Header header : headers) {
                    visitor.accept(header.name(), header.allValues());
                }
            }
        };
    }

    @Override
    public boolean hasRequestBody() {
        return request.content().hasEntity();
    }

    @Override
    public long requestContentLength() {
        return request.headers().contentLength().orElse(-1);
    }

    @Override
    public InputStream requestBody() {
        return new BodyLimit(request.content().inputStream(), maxBodyBytes);
    }

    @Override
    public InputStream requestStream() {
        return request.content().inputStream();
    }

    @Override
    public String responseHeader(String name) {
        return response.headers().first(name(name)).orElse(null);
    }

    @Override
    public void trailer(String name, String value) {
        response.trailers().add(name(name), value);
    }

    @Override
    public void status(int status) {
        response.status(Status.create(status));
    }

    @Override
    public void header(String name, String value) {
        response.headers().add(name(name), value);
    }

    @Override
    public void contentLength(long length) {
        response.headers().contentLength(length);
    }

    @Override
    public OutputStream responseBody() {
        committed = true;
        return response.outputStream();
    }

    @Override
    public void send(byte[] body) {
        committed = true;
        if (body.length == 0) {
            response.send(); // no entity at all: 204 and 304 must not carry even an empty one
        } else {
            response.send(body);
        }
    }

    @Override
    public boolean committed() {
        return committed || response.isSent();
    }
}
