package io.eventgate.edge.transform;

import io.eventgate.edge.pipeline.ClientConnection;
import io.eventgate.edge.pipeline.HeldAnswer;
import io.eventgate.policy.model.RoutePolicies;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;

/**
 * The client's connection with a route's JSON body edits: a JSON request body of known length up to the limit is read
 * whole, edited and offered to the upstream with its new length; a JSON answer of known length up to the limit is held,
 * edited and sent with its new length. Other bodies (too large, chunked, encoded, not JSON) stream through untouched.
 */
final class JsonBodyConnection extends HeldAnswer {
    private final RoutePolicies.Transform transform;
    private final String requestContentType;
    private byte[] editedRequest;

    JsonBodyConnection(ClientConnection client, RoutePolicies.Transform transform, String requestContentType) {
        super(client);
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
    public long requestContentLength() {
        return editsRequest() ? editedRequest().length : client.requestContentLength();
    }

    @Override
    public InputStream requestBody() {
        return editsRequest() ? new ByteArrayInputStream(editedRequest()) : client.requestBody();
    }

    /** Whether this answer is edited: JSON, not encoded, of known length within the limit. */
    private boolean editsResponse(long length) {
        String encoding = header("Content-Encoding");
        return transform.responseBody() != null && JsonBodyEditor.isJson(header("Content-Type")) && (encoding == null || encoding.equalsIgnoreCase("identity"))
                && length > 0 && length <= transform.maxBodyBytes();
    }

    @Override
    public OutputStream responseBody() {
        if (!editsResponse(contentLength)) {
            release(contentLength);
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
        release(contentLength);
        client.send(body);
    }

    private void sendEdited(byte[] body) {
        byte[] edited = JsonBodyEditor.edit(body, transform.responseBody());
        release(edited.length);
        client.send(edited);
    }
}
