package io.eventgate.edge.auth;

import io.eventgate.avro.DecisionKind;
import io.eventgate.avro.RequestOutcome;
import io.eventgate.edge.pipeline.Decisions;
import io.eventgate.edge.pipeline.Exchange;
import io.eventgate.edge.pipeline.Refusal;
import io.eventgate.edge.pipeline.Replies;
import io.eventgate.edge.pipeline.Step;
import io.eventgate.policy.model.ConsumerSettings;
import java.util.Optional;

/**
 * Identifies the caller by API key. A route with {@code anonymous: false} answers 401 with
 * {@code WWW-Authenticate} when the key is missing or unknown (the same answer for both, so a client learns
 * nothing about which keys exist); on other routes a valid key still identifies the consumer. A global policy
 * that requires authentication makes every route answer so, whatever the route says.
 */
public final class AuthenticateStep implements Step {
    private final String nodeId;

    public AuthenticateStep(String nodeId) {
        this.nodeId = nodeId;
    }

    @Override
    public void handle(Exchange exchange, Chain next) {
        String header = exchange.snapshot().settings().auth().apiKeyHeader();
        String presented = exchange.header(header);
        Optional<String> consumer = presented == null || presented.isEmpty() ? Optional.empty() : exchange.snapshot().apiKeys().consumerOf(presented);
        if (consumer.isPresent()) {
            ConsumerSettings settings = exchange.snapshot().settings().consumers().get(consumer.get());
            exchange.consumer(consumer.get(), settings.plan());
            next.proceed(exchange);
            return;
        }
        if (exchange.route().settings().anonymous() && !exchange.snapshot().settings().globalPolicy().requireAuthentication()) {
            next.proceed(exchange);
            return;
        }
        String reason = presented == null || presented.isEmpty() ? "no API key in " + header : "the API key matches no consumer";
        if (presented != null && !presented.isEmpty()) {
            exchange.failedCredential(ApiKeys.fingerprint(presented));
        }
        Refusal.refuse(exchange, next, Decisions.of(exchange, nodeId, DecisionKind.UNAUTHENTICATED, "route:" + exchange.route().id() + "/auth",
                exchange.snapshot().version(), null, null, null, reason, false), () -> {
                    exchange.client().header("WWW-Authenticate", "ApiKey header=\"" + header + "\"");
                    Replies.json(exchange, 401, RequestOutcome.DENIED, "unauthenticated", "a valid API key is required in header " + header);
                });
    }
}
