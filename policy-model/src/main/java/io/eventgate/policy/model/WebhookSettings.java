package io.eventgate.policy.model;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A webhook subscription ({@code webhook:ID}): the records of {@code topic} that match its filter (any of {@code keys},
 * when given, and every {@code headers} value) are POSTed to {@code url}, signed the Standard Webhooks way with the
 * secret {@code secretRef} names ({@code env:NAME} or {@code file:/path}; the secret itself never travels through
 * Kafka), at most {@code maxPerSecond} a second. A delivery that fails is tried again after {@code backoff}, doubling up
 * to {@code maxBackoff} with jitter, {@code maxAttempts} times in all; then the record goes to the dead-letter topic and
 * delivery goes on.
 */
public record WebhookSettings(String topic, List<String> keys, Map<String, String> headers, String url, String secretRef,
                              Double maxPerSecond, Integer maxAttempts, Duration backoff, Duration maxBackoff, Duration timeout) {
    private static final Pattern TOPIC = Pattern.compile("[A-Za-z0-9._-]{1,249}");
    private static final Pattern SECRET_REF = Pattern.compile("env:[A-Za-z_][A-Za-z0-9_]*|file:/.+");

    public WebhookSettings {
        Check.required(topic, "topic");
        if (!TOPIC.matcher(topic).matches()) {
            throw new IllegalArgumentException("topic '" + topic + "' is not a valid topic name (letters, digits, '.', '_', '-')");
        }
        keys = List.copyOf(Check.orDefault(keys, List.of()));
        headers = Map.copyOf(Check.orDefault(headers, Map.of()));
        Check.required(url, "url");
        URI target;
        try {
            target = URI.create(url);
        } catch (IllegalArgumentException malformed) {
            throw new IllegalArgumentException("url '" + url + "' is not a URL");
        }
        if (!("https".equals(target.getScheme()) || "http".equals(target.getScheme())) || target.getHost() == null) {
            throw new IllegalArgumentException("url must be an http or https URL with a host, was '" + url + "'");
        }
        Check.required(secretRef, "secretRef");
        if (!SECRET_REF.matcher(secretRef).matches()) {
            throw new IllegalArgumentException("secretRef must be env:NAME or file:/path (the secret itself stays out of Kafka), was '" + secretRef + "'");
        }
        maxPerSecond = Check.orDefault(maxPerSecond, 50.0);
        if (!(maxPerSecond > 0 && maxPerSecond <= 10_000)) {
            throw new IllegalArgumentException("maxPerSecond must be above 0 and at most 10000, was " + maxPerSecond);
        }
        maxAttempts = Check.range(Check.orDefault(maxAttempts, 8), 1, 100, "maxAttempts");
        backoff = Check.positive(Check.orDefault(backoff, Duration.ofSeconds(1)), "backoff");
        maxBackoff = Check.positive(Check.orDefault(maxBackoff, Duration.ofMinutes(5)), "maxBackoff");
        if (maxBackoff.compareTo(backoff) < 0) {
            throw new IllegalArgumentException("maxBackoff must be at least backoff, was " + maxBackoff + " < " + backoff);
        }
        timeout = Check.positive(Check.orDefault(timeout, Duration.ofSeconds(10)), "timeout");
    }

    /** Whether a record with {@code key} and {@code recordHeaders} is one this subscription delivers. */
    public boolean wants(String key, Map<String, String> recordHeaders) {
        return (keys.isEmpty() || keys.contains(key)) && headers.entrySet().stream().allMatch(h -> h.getValue().equals(recordHeaders.get(h.getKey())));
    }
}
