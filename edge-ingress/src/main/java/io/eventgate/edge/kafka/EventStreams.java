package io.eventgate.edge.kafka;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.eventgate.avro.RequestOutcome;
import io.eventgate.edge.pipeline.ClientConnection;
import io.eventgate.edge.pipeline.Exchange;
import io.eventgate.edge.pipeline.Replies;
import io.eventgate.policy.model.KafkaTarget;
import io.eventgate.policy.model.PlanSettings;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * Stream routes ({@code mode: stream}): a topic's records as Server-Sent Events. Each event's {@code id} names the next
 * offset of every partition, so a client that reconnects with {@code Last-Event-ID} goes on exactly after the last event
 * it got; without one, the stream starts with the records that arrive from then on. {@code ?key=} (repeatable) and
 * {@code ?header.NAME=value} keep only matching records. Tombstones come as {@code event: delete}; a comment goes out
 * every {@link #HEARTBEAT} so that idle connections stay open. A client that falls {@code streamBuffer} records behind
 * gets {@code event: overflow} with the id to resume from, and the stream ends. A consumer may hold its plan's
 * {@code maxStreams} streams on a node at once (anonymous callers: per client address, the default).
 */
final class EventStreams {
    static final Duration HEARTBEAT = Duration.ofSeconds(15);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Events written before a flush when more are waiting. */
    private static final int BATCH = 256;

    private final TopicTails tails;
    private final Map<String, AtomicInteger> open = new ConcurrentHashMap<>();
    private final Counter overflows;
    private final AtomicInteger active = new AtomicInteger();

    EventStreams(TopicTails tails, MeterRegistry meters) {
        this.tails = tails;
        this.overflows = Counter.builder("edge.streams.overflowed").description("Event streams cut off because the client read too slowly")
                .register(meters);
        io.micrometer.core.instrument.Gauge.builder("edge.streams.active", active, AtomicInteger::get).description("Event streams open")
                .register(meters);
    }

    void serve(Exchange exchange, KafkaTarget target) {
        if (!exchange.method().equals("GET") && !exchange.method().equals("HEAD")) {
            exchange.responseHeader("Allow", "GET, HEAD");
            Replies.json(exchange, 405, RequestOutcome.REJECTED, "method_not_allowed", "route " + exchange.route().id() + " streams a topic: use GET");
            return;
        }
        String holder = exchange.consumerId().equals(Exchange.ANONYMOUS) ? "client:" + exchange.clientAddress() : "consumer:" + exchange.consumerId();
        PlanSettings plan = exchange.planSettings();
        int limit = plan == null ? PlanSettings.DEFAULT_MAX_STREAMS : plan.maxStreams();
        int[] holding = {0};
        open.compute(holder, (h, count) -> {
            AtomicInteger counted = count == null ? new AtomicInteger() : count;
            holding[0] = counted.incrementAndGet();
            return counted;
        });
        if (holding[0] > limit) {
            release(holder);
            Replies.json(exchange, 429, RequestOutcome.REJECTED, "too_many_streams", holder + " has " + limit + " streams open on this node already");
            return;
        }
        active.incrementAndGet();
        try {
            stream(exchange, target);
        } finally {
            active.decrementAndGet();
            release(holder);
        }
    }

    /** One stream fewer for {@code holder}; callers come and go, so only those holding streams are kept. */
    private void release(String holder) {
        open.computeIfPresent(holder, (h, count) -> count.decrementAndGet() == 0 ? null : count);
    }

    private void stream(Exchange exchange, KafkaTarget target) {
        TopicTails.Tail tail = tails.tail(target.topic());
        try {
            if (!tail.awaitReady(target.timeout())) {
                exchange.upstreamInstance("kafka:" + target.topic());
                exchange.responseHeader("Retry-After", "5");
                Replies.json(exchange, 503, RequestOutcome.UPSTREAM_FAILURE, "kafka_unavailable", "this node cannot read " + target.topic() + " now");
                return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            exchange.ended(499, RequestOutcome.CLIENT_ABORT);
            return;
        }
        Map<String, List<String>> query;
        try {
            query = exchange.queryParameters();
        } catch (IllegalArgumentException malformed) {
            Replies.json(exchange, 400, RequestOutcome.REJECTED, "bad_query", "the query has a malformed escape: " + malformed.getMessage());
            return;
        }
        String lastEventId = exchange.header("last-event-id");
        if (lastEventId == null && query.containsKey("lastEventId")) {
            lastEventId = query.get("lastEventId").get(0);
        }
        long[] from = null;
        if (lastEventId != null) {
            from = StreamRecord.parseEventId(lastEventId, tail.partitions());
            if (from == null || tail.ahead(from)) {
                Replies.json(exchange, 400, RequestOutcome.REJECTED, "bad_event_id", "'" + lastEventId + "' is not an event id of this stream");
                return;
            }
        }
        Predicate<StreamRecord> wanted = filter(query);
        TopicTails.Source source = tail.subscribe(from, wanted, target.streamBuffer(), overflows::increment);
        if (source == null) {
            source = tails.new OwnReader(target.topic(), from, wanted);
        }
        try (TopicTails.Source records = source) {
            send(exchange, target, records, lastEventId);
        }
    }

    private void send(Exchange exchange, KafkaTarget target, TopicTails.Source records, String resumeFrom) {
        ClientConnection client = exchange.client();
        exchange.upstreamInstance("kafka:" + target.topic());
        exchange.ended(200, RequestOutcome.PROXIED);
        client.status(200);
        client.header("Content-Type", "text/event-stream");
        client.header("Cache-Control", "no-cache");
        client.header("X-Accel-Buffering", "no");
        client.header("X-Request-Id", exchange.requestId());
        exchange.writeResponseHeaders();
        String lastSent = resumeFrom;
        try {
            OutputStream out = client.responseBody();
            if (exchange.method().equals("HEAD")) {
                out.close();
                return;
            }
            write(out, exchange, ": " + target.topic() + "\n\n");
            out.flush();
            while (true) {
                StreamRecord record = records.poll(HEARTBEAT);
                if (record == null) {
                    if (records.overflowed()) {
                        write(out, exchange, "event: overflow\ndata: " + JSON.createObjectNode()
                                .put("reason", "the client read more slowly than records arrived; resume with the last event id")
                                .put("lastEventId", lastSent).toString() + "\n\n");
                        out.close();
                        return;
                    }
                    if (records.ended()) {
                        out.close();
                        return;
                    }
                    write(out, exchange, ": heartbeat\n\n");
                    out.flush();
                    continue;
                }
                for (int batch = 0; record != null; batch++) {
                    write(out, exchange, event(record, target.topic()));
                    lastSent = record.id();
                    record = batch < BATCH ? records.poll(Duration.ZERO) : null;
                }
                out.flush();
            }
        } catch (IOException | UncheckedIOException e) {
            // the client went away: its stream ends here
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private String event(StreamRecord record, String topic) {
        StringBuilder event = new StringBuilder(256).append("id: ").append(record.id()).append('\n');
        if (record.value() == null) {
            event.append("event: delete\n");
        }
        event.append("data: {\"key\":").append(quoted(record.key())).append(",\"partition\":").append(record.partition())
                .append(",\"offset\":").append(record.offset());
        if (record.value() != null) {
            String value;
            try {
                value = record.json().of(record.value(), topic, tails.registry());
            } catch (RuntimeException undecodable) {
                value = "null,\"error\":" + quoted("the value cannot be decoded: " + undecodable.getMessage());
            }
            event.append(",\"value\":").append(value);
        }
        return event.append("}\n\n").toString();
    }

    private static void write(OutputStream out, Exchange exchange, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        out.write(bytes);
        exchange.addBytesOut(bytes.length);
    }

    private static String quoted(String text) {
        try {
            return JSON.writeValueAsString(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Records with one of the {@code key} values (when any are given) and every {@code header.NAME} value asked for. */
    private static Predicate<StreamRecord> filter(Map<String, List<String>> query) {
        Set<String> keys = Set.copyOf(query.getOrDefault("key", List.of()));
        Map<String, Set<String>> headers = new HashMap<>();
        query.forEach((name, values) -> {
            if (name.startsWith("header.") && name.length() > 7) {
                headers.put(name.substring(7).toLowerCase(java.util.Locale.ROOT), Set.copyOf(values));
            }
        });
        return record -> (keys.isEmpty() || keys.contains(record.key()))
                && headers.entrySet().stream().allMatch(h -> h.getValue().contains(record.headers().get(h.getKey())));
    }
}
