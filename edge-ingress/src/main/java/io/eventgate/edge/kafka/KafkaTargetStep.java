package io.eventgate.edge.kafka;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import io.eventgate.avro.RequestOutcome;
import io.eventgate.edge.pipeline.BodyLimit;
import io.eventgate.edge.pipeline.ClientConnection;
import io.eventgate.edge.pipeline.Exchange;
import io.eventgate.edge.pipeline.Protocol;
import io.eventgate.edge.pipeline.Replies;
import io.eventgate.edge.pipeline.Step;
import io.eventgate.policy.model.KafkaTarget;
import io.eventgate.schemas.registry.RegisteredSchema;
import io.eventgate.schemas.registry.SchemaRegistryException;
import io.eventgate.schemas.serde.WireRecords;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;

/**
 * Routes whose target is a Kafka topic ({@code kafka}), served here, after every admission check, in place of an
 * upstream. {@code produce}: the JSON body is checked against the topic's value schema and written; the client gets 202
 * with where it went only once the broker has it, 503 with {@code Retry-After} when Kafka does not take it in time, and
 * a retry with the same {@code Idempotency-Key} gets the first answer without a second write. {@code latest}: a key's
 * current value from the node's view of the topic, with an {@code ETag}. {@code stream}: the topic's records as
 * Server-Sent Events ({@link EventStreams}). {@code request-reply}: a write like produce, answered with the record that
 * comes back on the reply topic with its correlation id.
 */
public final class KafkaTargetStep implements Step {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> WRITES = Set.of("POST", "PUT", "PATCH", "DELETE");
    /** application/json and its +json kinds, with parameters; compiled once, not per request. */
    private static final java.util.regex.Pattern JSON_TYPE = java.util.regex.Pattern.compile(
            "application/([a-z0-9.+-]*\\+)?json\\s*(;.*)?", java.util.regex.Pattern.CASE_INSENSITIVE);
    /** The headers a request-reply record carries: which reply answers it, and where the reply goes. */
    public static final String CORRELATION_HEADER = "eventgate-correlation-id";
    public static final String REPLY_TO_HEADER = "eventgate-reply-to";
    /** Answers kept for retries with an Idempotency-Key, per node; the oldest go first past this many. */
    private static final int IDEMPOTENCY_KEYS = 100_000;

    private final TopicWriter writer;
    private final TopicViews views;
    private final EventStreams streams;
    private final TopicTails tails;
    /** Per route, consumer and Idempotency-Key: the first write with it, done or under way. */
    private final Cache<String, FirstWrite> firstWrites = Caffeine.newBuilder()
            .maximumSize(IDEMPOTENCY_KEYS)
            .expireAfter(Expiry.<String, FirstWrite>writing((key, first) -> first.window()))
            .build();

    private record FirstWrite(String bodyDigest, CompletableFuture<TopicWriter.Written> written, java.time.Duration window) {
    }

    public KafkaTargetStep(TopicWriter writer, TopicViews views, TopicTails tails, io.micrometer.core.instrument.MeterRegistry meters) {
        this.writer = writer;
        this.views = views;
        this.streams = new EventStreams(tails, meters);
        this.tails = tails;
    }

    @Override
    public void handle(Exchange exchange, Chain next) {
        KafkaTarget target = exchange.route().settings().kafka();
        if (target == null) {
            next.proceed(exchange);
            return;
        }
        if (exchange.protocol() != Protocol.HTTP) {
            Replies.json(exchange, 400, RequestOutcome.REJECTED, "not_websocket", "route " + exchange.route().id() + " is a Kafka topic; it takes HTTP requests, not "
                    + (exchange.protocol() == Protocol.WEBSOCKET ? "a WebSocket upgrade" : "gRPC calls"));
            return;
        }
        switch (target.mode()) {
            case KafkaTarget.PRODUCE -> produce(exchange, target);
            case KafkaTarget.LATEST -> latest(exchange, target);
            case KafkaTarget.REQUEST_REPLY -> requestReply(exchange, target);
            default -> streams.serve(exchange, target);
        }
    }

    /** A request body checked against the topic's schema: the record to write and its key. */
    private record Checked(byte[] body, byte[] value, String key) {
    }

    /** Checks a write: method, content type, size, JSON, schema and key; null when the client was answered already. */
    private Checked check(Exchange exchange, KafkaTarget target) {
        if (!WRITES.contains(exchange.method())) {
            exchange.responseHeader("Allow", String.join(", ", WRITES.stream().sorted().toList()));
            Replies.json(exchange, 405, RequestOutcome.REJECTED, "method_not_allowed", "route " + exchange.route().id() + " writes to a topic: use POST, PUT, PATCH or DELETE");
            return null;
        }
        String contentType = exchange.header("content-type");
        if (contentType == null || !JSON_TYPE.matcher(contentType).matches()) {
            Replies.json(exchange, 415, RequestOutcome.REJECTED, "unsupported_media_type", "the body must be JSON (Content-Type: application/json)");
            return null;
        }
        byte[] body;
        try {
            body = read(exchange.client(), target.maxBodyBytes());
        } catch (io.eventgate.edge.pipeline.BodyTooLarge e) {
            Replies.json(exchange, 413, RequestOutcome.REJECTED, "body_too_large", e.getMessage());
            return null;
        } catch (IOException | java.io.UncheckedIOException e) {
            exchange.ended(499, RequestOutcome.CLIENT_ABORT);
            return null;
        }
        exchange.addBytesIn(body.length);
        JsonNode json;
        try {
            json = JSON.readTree(body);
        } catch (com.fasterxml.jackson.core.JsonProcessingException malformed) {
            Replies.json(exchange, 400, RequestOutcome.REJECTED, "body_not_json", "the body is not JSON: " + malformed.getOriginalMessage());
            return null;
        } catch (IOException unreadable) {
            Replies.json(exchange, 400, RequestOutcome.REJECTED, "body_not_json", "the body is not JSON");
            return null;
        }
        RegisteredSchema schema;
        try {
            schema = writer.valueSchema(target.topic());
        } catch (SchemaRegistryException e) {
            schemaUnavailable(exchange, target, e);
            return null;
        }
        GenericRecord value;
        try {
            value = JsonToAvro.record(json == null ? JSON.nullNode() : json, schema.schema());
        } catch (JsonToAvro.Mismatch mismatch) {
            Replies.json(exchange, 400, RequestOutcome.REJECTED, "schema_mismatch", mismatch.getMessage(),
                    Map.of("field", mismatch.pointer(), "expected", mismatch.expected()));
            return null;
        }
        String key = key(exchange, target, json);
        if (target.key() != null && key == null) {
            Replies.json(exchange, 400, RequestOutcome.REJECTED, "key_missing", "the record key comes from " + target.key() + ", which this request lacks");
            return null;
        }
        return new Checked(body, WireRecords.encode(value, schema.id()), key);
    }

    private void produce(Exchange exchange, KafkaTarget target) {
        Checked checked = check(exchange, target);
        if (checked == null) {
            return;
        }
        byte[] body = checked.body();
        byte[] encoded = checked.value();
        String key = checked.key();
        String idempotencyKey = exchange.header("idempotency-key");
        if (idempotencyKey != null && (idempotencyKey.isBlank() || idempotencyKey.length() > 255)) {
            Replies.json(exchange, 400, RequestOutcome.REJECTED, "bad_idempotency_key", "Idempotency-Key must be 1 to 255 characters");
            return;
        }
        long started = System.nanoTime();
        CompletableFuture<TopicWriter.Written> written;
        boolean replayed = false;
        if (idempotencyKey == null || target.idempotencyWindow().isZero()) {
            written = writer.write(target.topic(), bytes(key), encoded, headers(exchange, idempotencyKey));
        } else {
            String digest = digest(body);
            String cacheKey = exchange.route().id() + '\u0000' + exchange.consumerId() + '\u0000' + idempotencyKey;
            boolean[] mine = {false};
            FirstWrite first = firstWrites.get(cacheKey, k -> {
                mine[0] = true;
                FirstWrite write = new FirstWrite(digest, writer.write(target.topic(), bytes(key), encoded, headers(exchange, idempotencyKey)),
                        target.idempotencyWindow());
                // a write that failed is forgotten, so that a retry with the key writes again (async: never inside this computation)
                write.written().whenCompleteAsync((done, error) -> {
                    if (error != null) {
                        firstWrites.asMap().remove(k, write);
                    }
                });
                return write;
            });
            if (!first.bodyDigest().equals(digest)) {
                Replies.json(exchange, 422, RequestOutcome.REJECTED, "idempotency_key_reused",
                        "Idempotency-Key '" + idempotencyKey + "' was used with another body; a retry must send the same one");
                return;
            }
            replayed = !mine[0];
            written = first.written();
        }
        TopicWriter.Written where;
        try {
            where = written.get(target.timeout().toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            kafkaUnavailable(exchange, target, "Kafka did not acknowledge the write within " + target.timeout().toMillis() + " ms"
                    + (idempotencyKey == null ? "; it may still be written" : "; a retry with the same Idempotency-Key writes it at most once"));
            return;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RecordTooLargeException) {
                Replies.json(exchange, 413, RequestOutcome.REJECTED, "record_too_large", "the record is larger than the topic takes");
            } else {
                kafkaUnavailable(exchange, target, "Kafka did not take the write: " + e.getCause().getMessage());
            }
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            exchange.ended(499, RequestOutcome.CLIENT_ABORT);
            return;
        }
        exchange.addUpstreamLatency(System.nanoTime() - started);
        if (replayed) {
            exchange.responseHeader("Idempotent-Replayed", "true");
        }
        if (target.location() != null && key != null) {
            exchange.responseHeader("Location", target.location().replace("{key}", URLEncoder.encode(key, StandardCharsets.UTF_8).replace("+", "%20")));
        }
        answer(exchange, 202, "application/json", JSON.createObjectNode().put("topic", where.topic()).put("partition", where.partition())
                .put("offset", where.offset()).toString(), null);
    }

    /**
     * Writes the request with a correlation id and the reply topic in its headers, and answers with the reply that comes
     * back on that topic with the same correlation id: 200 with its value, 504 when none came within the route's timeout.
     */
    private void requestReply(Exchange exchange, KafkaTarget target) {
        Checked request = check(exchange, target);
        if (request == null) {
            return;
        }
        long deadline = System.nanoTime() + target.timeout().toNanos();
        TopicTails.Tail replies = tails.tail(target.replyTopic());
        String correlation = java.util.UUID.randomUUID().toString();
        try {
            if (!replies.awaitReady(target.timeout())) {
                kafkaUnavailable(exchange, target, "this node cannot read the reply topic " + target.replyTopic() + " now");
                return;
            }
            CompletableFuture<StreamRecord> reply = replies.awaitCorrelated(correlation); // before the request can be answered
            List<Header> headers = headers(exchange, null);
            headers.add(new RecordHeader(CORRELATION_HEADER, correlation.getBytes(StandardCharsets.UTF_8)));
            headers.add(new RecordHeader(REPLY_TO_HEADER, target.replyTopic().getBytes(StandardCharsets.UTF_8)));
            long started = System.nanoTime();
            try {
                writer.write(target.topic(), bytes(request.key()), request.value(), headers).get(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            } catch (TimeoutException | ExecutionException e) {
                kafkaUnavailable(exchange, target, "Kafka did not take the request" + (e instanceof ExecutionException ? ": " + e.getCause().getMessage() : " in time"));
                return;
            }
            StreamRecord answer;
            try {
                answer = reply.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                exchange.upstreamInstance("kafka:" + target.topic());
                Replies.json(exchange, 504, RequestOutcome.TIMEOUT, "no_reply", "no reply came on " + target.replyTopic() + " within "
                        + target.timeout().toMillis() + " ms (correlation id " + correlation + ")");
                return;
            } catch (ExecutionException e) {
                throw new IllegalStateException(e.getCause());
            }
            exchange.addUpstreamLatency(System.nanoTime() - started);
            if (answer.value() == null) {
                Replies.json(exchange, 502, RequestOutcome.UPSTREAM_FAILURE, "empty_reply", "the reply on " + target.replyTopic() + " has no value");
                return;
            }
            String json;
            try {
                json = answer.json().of(answer.value(), target.replyTopic(), tails.registry());
            } catch (RuntimeException e) {
                Replies.json(exchange, 502, RequestOutcome.UPSTREAM_FAILURE, "undecodable_reply", "the reply cannot be decoded: " + e.getMessage());
                return;
            }
            answer(exchange, 200, "application/json", json, null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            exchange.ended(499, RequestOutcome.CLIENT_ABORT);
        } finally {
            replies.forget(correlation);
        }
    }

    private void latest(Exchange exchange, KafkaTarget target) {
        if (!exchange.method().equals("GET") && !exchange.method().equals("HEAD")) {
            exchange.responseHeader("Allow", "GET, HEAD");
            Replies.json(exchange, 405, RequestOutcome.REJECTED, "method_not_allowed", "route " + exchange.route().id() + " reads a topic: use GET");
            return;
        }
        String key = exchange.pathVariables().get(target.keyName());
        TopicViews.View view = views.view(target.topic());
        try {
            if (!view.awaitCaughtUp(target.timeout())) {
                exchange.responseHeader("Retry-After", "1");
                Replies.json(exchange, 503, RequestOutcome.UPSTREAM_FAILURE, "view_loading", "this node is still reading " + target.topic());
                return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            exchange.ended(499, RequestOutcome.CLIENT_ABORT);
            return;
        }
        TopicViews.Entry entry = key == null ? null : view.get(key);
        if (entry == null) {
            Replies.json(exchange, 404, RequestOutcome.PROXIED, "no_such_key", "no value for key '" + key + "' in " + target.topic());
            return;
        }
        String etag = entry.etag();
        String ifNoneMatch = exchange.header("if-none-match");
        if (ifNoneMatch != null && (ifNoneMatch.trim().equals("*") || java.util.Arrays.stream(ifNoneMatch.split(","))
                .map(String::trim).map(tag -> tag.startsWith("W/") ? tag.substring(2) : tag).anyMatch(etag::equals))) {
            answer(exchange, 304, null, null, etag);
            return;
        }
        String json;
        try {
            json = entry.json(target.topic(), views.registry());
        } catch (SchemaRegistryException e) {
            schemaUnavailable(exchange, target, e);
            return;
        } catch (RuntimeException e) {
            Replies.json(exchange, 502, RequestOutcome.UPSTREAM_FAILURE, "undecodable_record", "the value of '" + key + "' in " + target.topic()
                    + " cannot be decoded: " + e.getMessage());
            return;
        }
        answer(exchange, 200, "application/json", json, etag);
    }

    private static void answer(Exchange exchange, int status, String contentType, String body, String etag) {
        ClientConnection client = exchange.client();
        exchange.upstreamInstance("kafka:" + exchange.route().settings().kafka().topic());
        exchange.ended(status, RequestOutcome.PROXIED);
        client.status(status);
        if (contentType != null) {
            client.header("Content-Type", contentType);
        }
        if (etag != null) {
            client.header("ETag", etag);
        }
        client.header("X-Request-Id", exchange.requestId());
        exchange.writeResponseHeaders();
        byte[] bytes = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        if (body != null) {
            client.contentLength(bytes.length);
        }
        boolean head = exchange.method().equals("HEAD");
        client.send(head ? new byte[0] : bytes);
        exchange.addBytesOut(head ? 0 : bytes.length);
    }

    private static void kafkaUnavailable(Exchange exchange, KafkaTarget target, String message) {
        exchange.upstreamInstance("kafka:" + target.topic());
        exchange.responseHeader("Retry-After", "5");
        Replies.json(exchange, 503, RequestOutcome.UPSTREAM_FAILURE, "kafka_unavailable", message);
    }

    private static void schemaUnavailable(Exchange exchange, KafkaTarget target, SchemaRegistryException e) {
        if (e.transientFailure()) {
            exchange.responseHeader("Retry-After", "5");
            Replies.json(exchange, 503, RequestOutcome.UPSTREAM_FAILURE, "schema_registry_unavailable",
                    "the schema registry cannot be reached to check records of " + target.topic());
        } else {
            Replies.json(exchange, 502, RequestOutcome.UPSTREAM_FAILURE, "no_schema",
                    "no value schema is registered for topic " + target.topic() + " (subject " + target.topic() + "-value)");
        }
    }

    /** The record key the route names: a path variable, a header, or a field of the body. */
    private static String key(Exchange exchange, KafkaTarget target, JsonNode json) {
        if (target.key() == null) {
            return null;
        }
        return switch (target.keySource()) {
            case "path" -> exchange.pathVariables().get(target.keyName());
            case "header" -> exchange.header(target.keyName());
            default -> {
                JsonNode field = json == null ? null : json.at(target.keyName());
                yield field == null || !field.isValueNode() || field.isNull() ? null : field.asText();
            }
        };
    }

    private static List<Header> headers(Exchange exchange, String idempotencyKey) {
        List<Header> headers = new ArrayList<>(3);
        headers.add(new RecordHeader("eventgate-request-id", exchange.requestId().getBytes(StandardCharsets.UTF_8)));
        headers.add(new RecordHeader("eventgate-consumer", exchange.consumerId().getBytes(StandardCharsets.UTF_8)));
        if (idempotencyKey != null) {
            headers.add(new RecordHeader("idempotency-key", idempotencyKey.getBytes(StandardCharsets.UTF_8)));
        }
        return headers;
    }

    private static byte[] read(ClientConnection client, int limit) throws IOException {
        if (!client.hasRequestBody()) {
            return new byte[0];
        }
        long declared = client.requestContentLength();
        try (InputStream in = new BodyLimit(client.requestBody(), limit)) {
            // a declared length is read into an array of its size; readAllBytes would take 16 kB for any body
            return declared >= 0 && declared <= limit ? in.readNBytes((int) declared) : in.readAllBytes();
        }
    }

    private static byte[] bytes(String key) {
        return key == null ? null : key.getBytes(StandardCharsets.UTF_8);
    }

    private static String digest(byte[] body) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
