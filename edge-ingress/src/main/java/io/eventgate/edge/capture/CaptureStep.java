package io.eventgate.edge.capture;

import io.eventgate.avro.RequestCapture;
import io.eventgate.edge.config.AuthSettings;
import io.eventgate.edge.pipeline.ClientConnection;
import io.eventgate.edge.pipeline.Exchange;
import io.eventgate.edge.pipeline.Protocol;
import io.eventgate.edge.pipeline.Step;
import io.eventgate.policy.model.RoutePolicies;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;

/**
 * Samples whole requests on routes with a {@code capture} policy, right after routing so that refusals are captured too.
 * The head is taken as the client sent it (before authentication takes a credential out of the query, before any
 * rewrite); the body is copied as the rest of the pipeline streams it. Once answered, the request is redacted here on
 * the edge and handed, with its status and latency, to {@code captures} (the event journal, then
 * {@code gateway.captures}). A request not sampled costs one random number.
 */
public final class CaptureStep implements Step {
    private final String nodeId;
    private final AuthSettings auth;
    private final Consumer<RequestCapture> captures;
    private final Counter captured;

    public CaptureStep(String nodeId, AuthSettings auth, Consumer<RequestCapture> captures, MeterRegistry meters) {
        this.nodeId = nodeId;
        this.auth = auth;
        this.captures = captures;
        this.captured = Counter.builder("edge.captures").description("Requests captured to gateway.captures").register(meters);
    }

    @Override
    public void handle(Exchange exchange, Chain next) {
        RoutePolicies.Capture policy = exchange.route().settings().capture();
        if (policy == null || exchange.protocol() != Protocol.HTTP || ThreadLocalRandom.current().nextDouble(100) >= policy.percent()) {
            next.proceed(exchange);
            return;
        }
        String rawQuery = exchange.rawQuery();
        Map<String, List<String>> headers = new LinkedHashMap<>();
        exchange.headers().forEach((name, values) -> headers.put(name, List.copyOf(values)));
        ClientConnection client = exchange.client();
        BodyCopy body = new BodyCopy(client, policy.maxBodyBytes());
        exchange.divertClient(body);
        try {
            next.proceed(exchange);
        } finally {
            exchange.divertClient(client);
            if (exchange.status() != 0) { // a request the edge failed to answer is reported by its RequestEvent only
                captures.accept(capture(exchange, policy, rawQuery, headers, body));
                captured.increment();
            }
        }
    }

    private RequestCapture capture(Exchange exchange, RoutePolicies.Capture policy, String rawQuery, Map<String, List<String>> headers, BodyCopy body) {
        Redaction redaction = new Redaction(policy, auth.apiKeyHeader(), auth.apiKeyQuery());
        if (exchange.consumedCredentialHeader() != null) {
            redaction.alsoHeader(exchange.consumedCredentialHeader());
        }
        List<String> encoding = headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase("content-encoding"))
                .flatMap(e -> e.getValue().stream()).toList();
        byte[] kept = redaction.body(body.body(), body.complete(), encoding.isEmpty() ? null : String.join(",", encoding));
        Long upstreamNanos = exchange.upstreamLatencyNanos();
        return RequestCapture.newBuilder()
                .setRequestId(exchange.requestId())
                .setTimestamp(exchange.receivedAt())
                .setNode(nodeId)
                .setRouteId(exchange.route().id())
                .setConsumerId(exchange.consumerId())
                .setMethod(exchange.method())
                .setScheme(exchange.scheme())
                .setHost(exchange.authority() == null ? "" : exchange.authority())
                .setPath(exchange.rawPath())
                .setQuery(redaction.query(rawQuery))
                .setHeaders(new ArrayList<>(redaction.headers(headers)))
                .setRedacted(redaction.redacted())
                .setBody(kept == null ? null : ByteBuffer.wrap(kept))
                .setBodyBytes(body.bytesRead())
                .setBodyComplete(body.complete())
                .setStatus(exchange.status())
                .setGatewayLatencyMicros((System.nanoTime() - exchange.startNanos()) / 1_000)
                .setUpstreamLatencyMicros(upstreamNanos == null ? null : upstreamNanos / 1_000)
                .setResponseBytes(exchange.bytesOut())
                .build();
    }
}
