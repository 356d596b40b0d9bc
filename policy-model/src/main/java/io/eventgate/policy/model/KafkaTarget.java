package io.eventgate.policy.model;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A route whose target is a Kafka topic rather than upstream pools. {@code produce}: the JSON body, checked against the
 * topic's registered value schema ({@code <topic>-value}), is written with an idempotent producer (acks=all) and
 * answered 202 with where it went; the record key comes from {@code key}. {@code latest}: a GET answers the current
 * value of the key in {@code key} from a view the edge keeps of the (compacted) topic. {@code stream}: a GET is answered
 * with the topic's records as Server-Sent Events, resumable by event id. {@code request-reply}: like produce, with a
 * correlation id and {@code replyTopic} in the record's headers; the client gets the matching reply from that topic.
 *
 * @param key               where the record key comes from: {@code path:NAME} (a variable of the match path),
 *                          {@code header:NAME} or {@code json:/pointer} (a field of the body, produce only); none: no key
 * @param location          for produce, the path of the route that reads a record back, with {@code {key}}: sent as
 *                          {@code Location}
 * @param timeout           how long a write may wait for the broker's acknowledgement before the client gets 503
 * @param idempotencyWindow how long a produce answer is kept for a retry with the same {@code Idempotency-Key}
 * @param maxBodyBytes      the largest body a produce route reads (413 past it)
 * @param streamBuffer      for stream, how many records may wait for a slow client before its stream is closed
 * @param replyTopic        for request-reply, the topic the replies come on
 */
public record KafkaTarget(String topic, String mode, String key, String location, Duration timeout, Duration idempotencyWindow,
                          Integer maxBodyBytes, Integer streamBuffer, String replyTopic) {
    public static final String PRODUCE = "produce";
    public static final String LATEST = "latest";
    public static final String STREAM = "stream";
    public static final String REQUEST_REPLY = "request-reply";
    private static final Pattern TOPIC = Pattern.compile("[A-Za-z0-9._-]{1,249}");

    public KafkaTarget {
        Check.required(topic, "kafka.topic");
        if (!TOPIC.matcher(topic).matches()) {
            throw new IllegalArgumentException("kafka.topic '" + topic + "' is not a valid topic name (letters, digits, '.', '_', '-')");
        }
        mode = Check.required(mode, "kafka.mode").toLowerCase(Locale.ROOT);
        if (!mode.equals(PRODUCE) && !mode.equals(LATEST) && !mode.equals(STREAM) && !mode.equals(REQUEST_REPLY)) {
            throw new IllegalArgumentException("kafka.mode must be " + PRODUCE + ", " + LATEST + ", " + STREAM + " or " + REQUEST_REPLY
                    + ", was '" + mode + "'");
        }
        if (mode.equals(REQUEST_REPLY) != (replyTopic != null)) {
            throw new IllegalArgumentException(mode.equals(REQUEST_REPLY) ? "kafka.replyTopic is required for request-reply"
                    : "kafka.replyTopic is only for request-reply routes");
        }
        if (replyTopic != null && (!TOPIC.matcher(replyTopic).matches() || replyTopic.equals(topic))) {
            throw new IllegalArgumentException("kafka.replyTopic '" + replyTopic + "' must be a valid topic name other than kafka.topic");
        }
        if (mode.equals(STREAM) && key != null) {
            throw new IllegalArgumentException("kafka.key has no use on a stream route: clients filter by key with ?key=");
        }
        if (key != null && !key.matches("(path|header):[A-Za-z0-9_.-]+|json:(/[^/]*)+")) {
            throw new IllegalArgumentException("kafka.key must be path:NAME, header:NAME or json:/pointer, was '" + key + "'");
        }
        if (mode.equals(LATEST) && (key == null || !key.startsWith("path:"))) {
            throw new IllegalArgumentException("kafka.key of a latest route must be path:NAME, the path variable holding the key");
        }
        if (location != null && (!location.startsWith("/") || !location.contains("{key}"))) {
            throw new IllegalArgumentException("kafka.location must be a path with {key}, was '" + location + "'");
        }
        timeout = Check.positive(Check.orDefault(timeout, Duration.ofSeconds(5)), "kafka.timeout");
        if (timeout.compareTo(Duration.ofMinutes(1)) > 0) {
            throw new IllegalArgumentException("kafka.timeout must be at most 1m, was " + timeout);
        }
        idempotencyWindow = Check.orDefault(idempotencyWindow, Duration.ofHours(24));
        if (idempotencyWindow.isNegative()) {
            throw new IllegalArgumentException("kafka.idempotencyWindow must not be negative, was " + idempotencyWindow);
        }
        maxBodyBytes = Check.range(Check.orDefault(maxBodyBytes, 1 << 20), 1, 16 << 20, "kafka.maxBodyBytes");
        streamBuffer = Check.range(Check.orDefault(streamBuffer, 1000), 1, 100_000, "kafka.streamBuffer");
    }

    public KafkaTarget(String topic, String mode, String key, String location, Duration timeout, Duration idempotencyWindow, Integer maxBodyBytes) {
        this(topic, mode, key, location, timeout, idempotencyWindow, maxBodyBytes, null, null);
    }

    /** Whether requests write a record: produce and request-reply. */
    public boolean produces() {
        return mode.equals(PRODUCE) || mode.equals(REQUEST_REPLY);
    }

    /** The source part of {@code key} ({@code path}, {@code header}, {@code json}), or null when records have no key. */
    public String keySource() {
        return key == null ? null : key.substring(0, key.indexOf(':'));
    }

    /** The name or pointer part of {@code key}. */
    public String keyName() {
        return key == null ? null : key.substring(key.indexOf(':') + 1);
    }
}
