package io.eventgate.edge.pipeline;

import java.io.InputStream;
import java.io.OutputStream;
import java.security.cert.X509Certificate;
import java.util.Optional;

/** A client connection wrapped by a step: everything passes through to {@link #client} unless the step overrides it. */
public abstract class WrappedConnection implements ClientConnection {
    protected final ClientConnection client;

    protected WrappedConnection(ClientConnection client) {
        this.client = client;
    }

    @Override
    public boolean hasRequestBody() {
        return client.hasRequestBody();
    }

    @Override
    public long requestContentLength() {
        return client.requestContentLength();
    }

    @Override
    public InputStream requestBody() {
        return client.requestBody();
    }

    @Override
    public void status(int status) {
        client.status(status);
    }

    @Override
    public void header(String name, String value) {
        client.header(name, value);
    }

    @Override
    public void contentLength(long length) {
        client.contentLength(length);
    }

    @Override
    public OutputStream responseBody() {
        return client.responseBody();
    }

    @Override
    public void send(byte[] body) {
        client.send(body);
    }

    @Override
    public boolean committed() {
        return client.committed();
    }

    @Override
    public String responseHeader(String name) {
        return client.responseHeader(name);
    }

    @Override
    public InputStream requestStream() {
        return client.requestStream();
    }

    @Override
    public void trailer(String name, String value) {
        client.trailer(name, value);
    }

    @Override
    public ClientStream switched() {
        return client.switched();
    }

    @Override
    public Optional<X509Certificate> clientCertificate() {
        return client.clientCertificate();
    }
}
