package io.eventgate.edge.contract;

import io.eventgate.edge.pipeline.ClientConnection;
import io.eventgate.edge.pipeline.WrappedConnection;
import java.io.ByteArrayInputStream;
import java.io.InputStream;

/** The client's connection with a request body already read whole, handed on to the rest of the pipeline as it came. */
final class ReadBody extends WrappedConnection {
    private final byte[] body;

    ReadBody(ClientConnection client, byte[] body) {
        super(client);
        this.body = body;
    }

    @Override
    public boolean hasRequestBody() {
        return true;
    }

    @Override
    public long requestContentLength() {
        return body.length;
    }

    @Override
    public InputStream requestBody() {
        return new ByteArrayInputStream(body);
    }
}
