package io.eventgate.edge.transform;

import io.eventgate.avro.RequestOutcome;
import io.eventgate.edge.pipeline.BodyLimit;
import io.eventgate.edge.pipeline.BodyTooLarge;
import io.eventgate.edge.pipeline.BodyUndecodable;
import io.eventgate.edge.pipeline.ClientConnection;
import io.eventgate.edge.pipeline.Exchange;
import io.eventgate.edge.pipeline.Protocol;
import io.eventgate.edge.pipeline.Replies;
import io.eventgate.edge.pipeline.Step;
import io.eventgate.policy.model.RoutePolicies;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.util.Locale;

/**
 * A route's request decoding ({@code compression.decodeRequests}): a body the client sent gzip- or zstd-encoded reaches
 * the upstream decoded and without its {@code Content-Encoding}. Decoded bytes count against the server's body limit as
 * plain ones do, so a small encoded body cannot swell past it (413). A decoded body up to {@link #WHOLE_BYTES} is read
 * here and goes with its length (JSON edits see it); a longer one streams, chunked. An encoding the edge cannot decode
 * is refused with 415 and the ones it can (RFC 7694); a body that is not what its encoding says, with 400.
 */
public final class DecodeRequestStep implements Step {
    static final int WHOLE_BYTES = 64 * 1024;

    private final long maxBodyBytes;

    public DecodeRequestStep(long maxBodyBytes) {
        this.maxBodyBytes = maxBodyBytes;
    }

    @Override
    public void handle(Exchange exchange, Chain next) {
        RoutePolicies.Compression policy = exchange.route().settings().compression();
        if (policy == null || !policy.decodeRequests() || exchange.protocol() != Protocol.HTTP || !exchange.client().hasRequestBody()) {
            next.proceed(exchange); // most requests: not a header looked up
            return;
        }
        String declared = exchange.header("content-encoding");
        if (declared == null || declared.isBlank() || declared.trim().equalsIgnoreCase("identity")) {
            next.proceed(exchange);
            return;
        }
        String encoding = declared.trim().toLowerCase(Locale.ROOT);
        if (!Compression.DECODERS.contains(encoding)) {
            exchange.responseHeader("Accept-Encoding", String.join(", ", Compression.DECODERS));
            Replies.json(exchange, 415, RequestOutcome.REJECTED, "unsupported_encoding",
                    "the request body's Content-Encoding '" + declared.trim() + "' is not one of " + String.join(", ", Compression.DECODERS));
            return;
        }
        ClientConnection client = exchange.client();
        DecodedRequest decoded;
        try {
            decoded = DecodedRequest.open(client, encoding, maxBodyBytes);
        } catch (BodyTooLarge e) {
            Replies.json(exchange, 413, RequestOutcome.REJECTED, "body_too_large", "decoded, " + e.getMessage());
            return;
        } catch (BodyUndecodable e) {
            Replies.json(exchange, 400, RequestOutcome.REJECTED, "body_undecodable", e.getMessage());
            return;
        } catch (IOException | java.io.UncheckedIOException e) {
            exchange.ended(499, RequestOutcome.CLIENT_ABORT);
            return;
        }
        exchange.withholdFromUpstream("content-encoding");
        exchange.divertClient(decoded);
        try {
            next.proceed(exchange);
        } finally {
            exchange.divertClient(client);
        }
    }

    /** The client's connection with its request body decoded: whole when short, else the rest streamed. */
    static final class DecodedRequest extends io.eventgate.edge.pipeline.WrappedConnection {
        private final byte[] whole;
        private final InputStream rest;

        private DecodedRequest(ClientConnection client, byte[] whole, InputStream rest) {
            super(client);
            this.whole = whole;
            this.rest = rest;
        }

        static DecodedRequest open(ClientConnection client, String encoding, long maxBodyBytes) throws IOException {
            InputStream decoded = new BodyLimit(Compression.decoder(encoding, client.requestBody()), maxBodyBytes);
            byte[] head = decoded.readNBytes(WHOLE_BYTES + 1);
            return head.length <= WHOLE_BYTES
                    ? new DecodedRequest(client, head, null)
                    : new DecodedRequest(client, null, new SequenceInputStream(new ByteArrayInputStream(head), decoded));
        }

        @Override
        public long requestContentLength() {
            return whole != null ? whole.length : -1;
        }

        @Override
        public InputStream requestBody() {
            return whole != null ? new ByteArrayInputStream(whole) : rest;
        }
    }
}
