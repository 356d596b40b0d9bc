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
import io.eventgate.policy.model.RouteSettings;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Identifies the caller by the first credential that names a consumer: a client certificate (mTLS), an API
 * key, HTTP Basic, a JWT or an introspected bearer token. A route with {@code anonymous: false} (or any route, when the global policy
 * requires authentication) answers 401 with a {@code WWW-Authenticate} challenge per scheme when no credential
 * is good; the answer is the same whatever was wrong, so a client learns nothing about which keys, users or
 * tokens exist. A token that cannot be checked right now (introspection endpoint down) answers 503. On other
 * routes a good credential still identifies the consumer. A route takes only the schemes in its
 * {@code access.methods}, and when it names {@code access.groups} a consumer must hold one of them (as a
 * group of its own or a scope of its token), else 403. A client address that failed to authenticate
 * {@code access.authFailuresPerMinute} times this minute is answered 429 with {@code Retry-After} before any credential
 * of its is checked.
 */
public final class AuthenticateStep implements Step {
    private final String nodeId;
    private final List<Authenticator> authenticators;
    private final String challenges;
    private final AuthFailures failures = new AuthFailures();

    public AuthenticateStep(String nodeId, AuthSettings settings) {
        this.nodeId = nodeId;
        List<Authenticator> all = new ArrayList<>(List.of(new CertificateAuthenticator(), new ApiKeyAuthenticator(settings.apiKeyHeader(), settings.apiKeyQuery()),
                new BasicAuthenticator()));
        if (settings.jwt() != null) {
            all.add(new JwtAuthenticator(settings.jwt()));
        }
        if (settings.introspection() != null) {
            all.add(new IntrospectionAuthenticator(settings.introspection()));
        }
        this.authenticators = List.copyOf(all);
        Set<String> schemes = new LinkedHashSet<>();
        all.stream().map(Authenticator::challenge).filter(c -> !c.isEmpty()).forEach(schemes::add);
        this.challenges = String.join(", ", schemes);
    }

    /** A route that names groups admits a consumer holding one of them, as a consumer group or a token scope. */
    private static boolean holdsAGroup(RouteSettings.Access access, ConsumerSettings consumer, Identification.Identified identified) {
        if (access.groups().isEmpty()) {
            return true;
        }
        for (String group : access.groups()) {
            if (consumer.groups().contains(group) || identified.scopes().contains(group)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void handle(Exchange exchange, Chain next) {
        Identification.Refused refused = null;
        RouteSettings.Access access = exchange.route().settings().access();
        long retryAfter = failures.retryAfterSeconds(exchange.clientAddress(), access.authFailuresPerMinute(), System.nanoTime());
        if (retryAfter > 0) {
            Refusal.refuse(exchange, next, Decisions.of(exchange, nodeId, DecisionKind.THROTTLE, "route:" + exchange.route().id() + "/auth/failures",
                    exchange.snapshot().version(), (double) access.authFailuresPerMinute(), 0.0, retryAfter, "client " + exchange.clientAddress()
                            + " failed to authenticate " + access.authFailuresPerMinute() + " times within a minute", false), () -> {
                        exchange.client().header("Retry-After", Long.toString(retryAfter));
                        Replies.json(exchange, 429, RequestOutcome.DENIED, "too_many_failed_authentications",
                                "too many failed authentications from this address; retry later");
                    });
            return;
        }
        for (Authenticator authenticator : authenticators) {
            if (!access.accepts(authenticator.method())) {
                continue;
            }
            Identification found = authenticator.identify(exchange);
            if (found instanceof Identification.Identified identified) {
                ConsumerSettings settings = exchange.snapshot().settings().consumers().get(identified.consumerId());
                exchange.consumer(identified.consumerId(), settings.plan());
                if (authenticator.credentialHeader() != null) {
                    exchange.consumedCredentialHeader(authenticator.credentialHeader());
                }
                if (holdsAGroup(access, settings, identified)) {
                    next.proceed(exchange);
                } else {
                    Refusal.refuse(exchange, next, Decisions.of(exchange, nodeId, DecisionKind.DENY, "route:" + exchange.route().id() + "/access/groups",
                            exchange.snapshot().version(), null, null, null, "consumer " + identified.consumerId() + " holds none of the groups "
                                    + access.groups(), false),
                            () -> Replies.json(exchange, 403, RequestOutcome.DENIED, "forbidden", "access to this resource is not allowed"));
                }
                return;
            }
            if (found instanceof Identification.Refused r && refused == null) {
                refused = r;
            }
        }
        boolean anonymousAllowed = exchange.route().settings().anonymous() && access.groups().isEmpty()
                && !exchange.snapshot().settings().globalPolicy().requireAuthentication();
        if (anonymousAllowed) {
            next.proceed(exchange);
            return;
        }
        if (refused != null && refused.fingerprint() != null) {
            exchange.failedCredential(refused.fingerprint());
        }
        if (refused != null && refused.status() == 401) {
            failures.failed(exchange.clientAddress(), System.nanoTime());
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
