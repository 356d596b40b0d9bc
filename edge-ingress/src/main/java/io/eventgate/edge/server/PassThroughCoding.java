package io.eventgate.edge.server;

import io.helidon.http.Headers;
import io.helidon.http.encoding.ContentDecoder;
import io.helidon.http.encoding.ContentEncoder;
import io.helidon.http.encoding.ContentEncodingContext;
import io.helidon.http.encoding.ContentEncodingContextConfig;
import java.util.NoSuchElementException;

/**
 * The server's content coding, set to pass bodies through as they are. Left to itself, Helidon refuses with a bare 400
 * any request whose body has a {@code Content-Encoding} it has no decoder for (with the coding switched off, any at
 * all), before the pipeline sees it. A proxy forwards encoded bodies untouched; a route that wants them decoded says so
 * ({@code compression.decodeRequests}), and answers are compressed by the route's policy, never by the server.
 */
final class PassThroughCoding implements ContentEncodingContext {
    private final ContentEncodingContextConfig config = ContentEncodingContextConfig.builder().contentEncodingsDiscoverServices(false).buildPrototype();

    @Override
    public ContentEncodingContextConfig prototype() {
        return config;
    }

    @Override
    public boolean contentEncodingEnabled() {
        return false;
    }

    @Override
    public boolean contentDecodingEnabled() {
        return true; // so that Helidon asks below, rather than refusing every encoded body
    }

    @Override
    public boolean contentEncodingSupported(String encodingId) {
        return false;
    }

    @Override
    public boolean contentDecodingSupported(String encodingId) {
        return true;
    }

    @Override
    public ContentEncoder encoder(String encodingId) {
        throw new NoSuchElementException("the server encodes no answer itself; routes compress them");
    }

    @Override
    public ContentDecoder decoder(String encodingId) {
        return ContentDecoder.NO_OP;
    }

    @Override
    public ContentEncoder encoder(Headers headers) {
        return ContentEncoder.NO_OP;
    }
}
