package io.eventgate.edge.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.eventgate.edge.config.IntrospectionSettings;
import io.eventgate.edge.pipeline.Exchange;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Opaque bearer tokens, checked with the authorization server's token introspection endpoint (RFC 7662), with
 * the gateway's client credentials. An answer is kept for the configured time, never past the token's
 * {@code exp}, so a busy consumer costs one call per token and period; refusals are kept a few seconds, so a
 * flood of bad tokens does not turn into a flood of calls. When the endpoint cannot answer, the request gets
 * 503: the token may be good.
 */
final class IntrospectionAuthenticator implements Authenticator {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long REFUSALS_KEPT_NANOS = 5_000_000_000L;
    private static final int MAX_KEPT = 100_000;

    private record Kept(Identification answer, long untilNanos) {
    }

    private final IntrospectionSettings settings;
    private final HttpClient http;
    private final String credentials;
    private final Map<String, Kept> answers = new ConcurrentHashMap<>();

    IntrospectionAuthenticator(IntrospectionSettings settings) {
        this.settings = settings;
        this.http = HttpClient.newBuilder().connectTimeout(settings.timeout()).build();
        this.credentials = "Basic " + Base64.getEncoder().encodeToString((URLEncoder.encode(settings.clientId(), StandardCharsets.UTF_8) + ":"
                + URLEncoder.encode(settings.clientSecret(), StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public Identification identify(Exchange exchange) {
        String token = Authenticator.bearer(exchange);
        if (token == null || token.isEmpty()) {
            return Identification.ABSENT;
        }
        String key = ApiKeys.hash(token);
        long now = System.nanoTime();
        Kept kept = answers.get(key);
        if (kept != null && kept.untilNanos() - now > 0) {
            return consumerKnown(kept.answer(), exchange);
        }
        Kept fresh = introspect(token, now);
        if (fresh.untilNanos() - now > 0) {
            if (answers.size() >= MAX_KEPT) {
                answers.clear();
            }
            answers.put(key, fresh);
        }
        return consumerKnown(fresh.answer(), exchange);
    }

    private Kept introspect(String token, long now) {
        String fingerprint = ApiKeys.fingerprint("token", token);
        HttpRequest request = HttpRequest.newBuilder(URI.create(settings.url())).timeout(settings.timeout())
                .header("Authorization", credentials)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("token=" + URLEncoder.encode(token, StandardCharsets.UTF_8) + "&token_type_hint=access_token"))
                .build();
        JsonNode answer;
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                return new Kept(new Identification.Refused("the introspection endpoint answered " + response.statusCode(), 503, null), now);
            }
            answer = JSON.readTree(response.body());
        } catch (IOException e) {
            return new Kept(new Identification.Refused("the introspection endpoint is unreachable: " + e, 503, null), now);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Kept(new Identification.Refused("interrupted while introspecting", 503, null), now);
        }
        if (!answer.path("active").asBoolean(false)) {
            return new Kept(Identification.Refused.unauthenticated("the token is not active", fingerprint), now + REFUSALS_KEPT_NANOS);
        }
        String consumer = answer.path(settings.consumerField()).asText("");
        if (consumer.isEmpty()) {
            return new Kept(Identification.Refused.unauthenticated("the introspection answer names no " + settings.consumerField(), fingerprint),
                    now + REFUSALS_KEPT_NANOS);
        }
        long until = now + settings.cacheTtl().toNanos();
        if (answer.has("exp")) {
            long secondsLeft = answer.path("exp").asLong() - System.currentTimeMillis() / 1000;
            until = Math.min(until, now + Math.max(0, secondsLeft) * 1_000_000_000L);
        }
        return new Kept(new Identification.Identified(consumer, Authenticator.scopes(answer.path("scope").asText(""))), until);
    }

    /** A token may name someone this gateway does not know as a consumer. */
    private static Identification consumerKnown(Identification answer, Exchange exchange) {
        if (answer instanceof Identification.Identified identified && !exchange.snapshot().settings().consumers().containsKey(identified.consumerId())) {
            return Identification.Refused.unauthenticated("the token's consumer '" + identified.consumerId() + "' is not a consumer here", null);
        }
        return answer;
    }

    @Override
    public String method() {
        return "introspection";
    }

    @Override
    public String challenge() {
        return "Bearer realm=\"eventgate\"";
    }
}
