package io.eventgate.edge.transform;

import io.eventgate.edge.pipeline.ClientConnection;
import io.eventgate.edge.pipeline.ClientStream;
import io.eventgate.policy.model.RoutePolicies;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The client's connection with a route's JSON body edits: a JSON request body of known length up to the limit is read
 * whole, edited and offered to the upstream with its new length; a JSON answer of known length up to the limit is held,
 * edited and sent with its new length. Other bodies (too large, chunked, encoded, not JSON) stream through untouched.
 */
final class JsonBodyConnection implements ClientConnection {
    private final ClientConnection client;
    private final RoutePolicies.Transform transform;
    private final String requestContentType;
    private byte[] editedRequest;
    private int status;
    private final List<String[]> headers = new ArrayList<>();
    private long contentLength = -1;
    private boolean passed;

    JsonBodyConnection(ClientConnection client, RoutePolicies.Transform transform, String requestContentType) {
        this.client = client;
        this.transform = transform;
        this.requestContentType = requestContentType;
    }

    private boolean editsRequest() {
        long length = client.requestContentLength();
        return transform.requestBody() != null && client.hasRequestBody() && JsonBodyEditor.isJson(requestContentType)
                && length >= 0 && length <= transform.maxBodyBytes();
    }

    private byte[] editedRequest() {
        if (editedRequest == null) {
            try (InputStream in = client.requestBody()) {
                editedRequest = JsonBodyEditor.edit(in.readAllBytes(), transform.requestBody());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the request body", e);
            }
        }
        return editedRequest;
    }

    @Override
    public boolean hasRequestBody() {
        return client.hasRequestBody();
    }

    @Override
    public long requestContentLength() {
        return editsRequest() ? editedRequest().length : client.requestContentLength();
    }

    @Override
    public InputStream requestBody() {
        return editsRequest() ? new ByteArrayInputStream(editedRequest()) : client.requestBody();
    }

    @Override
    public ClientStream switched() {
        return client.switched();
    }

    @Override
    public Optional<java.security.cert.X509Certificate> clientCertificate() {
        return client.clientCertificate();
    }

    @Override
    public void status(int status) {
        this.status = status;
    }

    @Override
    public void header(String name, String value) {
        headers.add(new String[] {name, value});
    }

    @Override
    public void contentLength(long length) {
        this.contentLength = length;
    }

    /** Whether this answer is edited: JSON, not encoded, of known length within the limit. */
    private boolean editsResponse(long length) {
        String type = null;
        boolean encoded = false;
        for (String[] header : headers) {
            if (header[0].equalsIgnoreCase("Content-Type")) {
                type = header[1];
            }
            encoded |= header[0].equalsIgnoreCase("Content-Encoding") && !header[1].equalsIgnoreCase("identity");
        }
        return transform.responseBody() != null && JsonBodyEditor.isJson(type) && !encoded && length > 0 && length <= transform.maxBodyBytes();
    }

    @Override
    public OutputStream responseBody() {
        if (!editsResponse(contentLength)) {
            pass(contentLength);
            return client.responseBody();
        }
        return new ByteArrayOutputStream((int) contentLength) {
            @Override
            public void close() {
                sendEdited(toByteArray());
            }
        };
    }

    @Override
    public void send(byte[] body) {
        if (editsResponse(body.length)) {
            sendEdited(body);
            return;
        }
        pass(contentLength);
        client.send(body);
    }

    private void sendEdited(byte[] body) {
        byte[] edited = JsonBodyEditor.edit(body, transform.responseBody());
        pass(edited.length);
        client.send(edited);
    }

    private void pass(long length) {
        passed = true;
        client.status(status);
        for (String[] header : headers) {
            client.header(header[0], header[1]);
        }
        if (length >= 0) {
            client.contentLength(length);
        }
    }

    @Override
    public boolean committed() {
        return passed || client.committed();
    }
}
