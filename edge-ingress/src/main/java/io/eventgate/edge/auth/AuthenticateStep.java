package io.eventgate.edge.auth;

import io.eventgate.avro.DecisionKind;
import io.eventgate.avro.RequestOutcome;
import io.eventgate.edge.config.AuthSettings;
import io.eventgate.edge.pipeline.Decisions;
import io.eventgate.edge.pipeline.Exchange;
import io.eventgate.edge.pipeline.Refusal;
import io.eventgate.edge.pipeline.Replies;
import io.eventgate.edge.pipeline.Step;
import io.eventgate.policy.model.ConsumerSettings;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Identifies the caller by the first credential that names a consumer: an API key, HTTP Basic, a JWT or an
 * introspected bearer token. A route with {@code anonymous: false} (or any route, when the global policy
 * requires authentication) answers 401 with a {@code WWW-Authenticate} challenge per scheme when no credential
 * is good; the answer is the same whatever was wrong, so a client learns nothing about which keys, users or
 * tokens exist. A token that cannot be checked right now (introspection endpoint down) answers 503. On other
 * routes a good credential still identifies the consumer.
 */
public final class AuthenticateStep implements Step {
    private final String nodeId;
    private final List<Authenticator> authenticators;
    private final String challenges;

    public AuthenticateStep(String nodeId, AuthSettings settings) {
        this.nodeId = nodeId;
        List<Authenticator> all = new ArrayList<>(List.of(new ApiKeyAuthenticator(settings.apiKeyHeader()), new BasicAuthenticator()));
        if (settings.jwt() != null) {
            all.add(new JwtAuthenticator(settings.jwt()));
        }
        if (settings.introspection() != null) {
            all.add(new IntrospectionAuthenticator(settings.introspection()));
        }
        this.authenticators = List.copyOf(all);
        Set<String> schemes = new LinkedHashSet<>();
        all.forEach(a -> schemes.add(a.challenge()));
        this.challenges = String.join(", ", schemes);
    }

    @Override
    public void handle(Exchange exchange, Chain next) {
        Identification.Refused refused = null;
        for (Authenticator authenticator : authenticators) {
            Identification found = authenticator.identify(exchange);
            if (found instanceof Identification.Identified identified) {
                ConsumerSettings settings = exchange.snapshot().settings().consumers().get(identified.consumerId());
                exchange.consumer(identified.consumerId(), settings.plan());
                next.proceed(exchange);
                return;
            }
            if (found instanceof Identification.Refused r && refused == null) {
                refused = r;
            }
        }
        if (exchange.route().settings().anonymous() && !exchange.snapshot().settings().globalPolicy().requireAuthentication()) {
            next.proceed(exchange);
            return;
        }
        if (refused != null && refused.fingerprint() != null) {
            exchange.failedCredential(refused.fingerprint());
        }
        String reason = refused == null ? "no credential" : refused.reason();
        int status = refused == null ? 401 : refused.status();
        Refusal.refuse(exchange, next, Decisions.of(exchange, nodeId, DecisionKind.UNAUTHENTICATED, "route:" + exchange.route().id() + "/auth",
                exchange.snapshot().version(), null, null, null, reason, false), () -> {
                    if (status == 503) {
                        exchange.client().header("Retry-After", "1");
                        Replies.json(exchange, 503, RequestOutcome.DENIED, "authentication_unavailable", "the credential cannot be checked right now; retry");
                        return;
                    }
                    exchange.client().header("WWW-Authenticate", challenges);
                    Replies.json(exchange, 401, RequestOutcome.DENIED, "unauthenticated", "a valid credential is required");
                });
    }
}
