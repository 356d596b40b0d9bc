package io.eventgate.edge.lifecycle;

import io.eventgate.avro.RequestOutcome;
import io.eventgate.edge.pipeline.Exchange;
import io.eventgate.edge.pipeline.Replies;
import io.eventgate.edge.pipeline.Step;
import io.eventgate.policy.model.RoutePolicies;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * Retires API versions politely. A route with a {@code deprecation} policy marks its requests as deprecated (the
 * RequestEvent says so, and analytics counts them per consumer) and answers with {@code Deprecation: @<epoch seconds>}
 * (RFC 9745), {@code Sunset: <HTTP date>} (RFC 8594) and {@code Link}s to the migration document and the successor
 * version; once the sunset has passed it answers 410 {@code gone} itself, unless it is told to keep serving. It runs
 * right after routing, so a retired version answers 410 whoever calls it.
 */
public final class DeprecationStep implements Step {
    private final Clock clock;

    public DeprecationStep(Clock clock) {
        this.clock = clock;
    }

    @Override
    public void handle(Exchange exchange, Chain next) {
        RoutePolicies.Deprecation policy = exchange.route().settings().deprecation();
        if (policy == null) {
            next.proceed(exchange);
            return;
        }
        exchange.deprecated(true);
        exchange.addResponseHeader("Deprecation", "@" + policy.since().getEpochSecond());
        if (policy.sunset() != null) {
            exchange.addResponseHeader("Sunset", DateTimeFormatter.RFC_1123_DATE_TIME.format(policy.sunset().atOffset(ZoneOffset.UTC)));
        }
        if (policy.link() != null) {
            exchange.addResponseHeader("Link", "<" + policy.link() + ">; rel=\"deprecation\"; type=\"text/html\"");
            if (policy.sunset() != null) {
                exchange.addResponseHeader("Link", "<" + policy.link() + ">; rel=\"sunset\"; type=\"text/html\"");
            }
        }
        if (policy.successor() != null) {
            exchange.addResponseHeader("Link", "<" + policy.successor() + ">; rel=\"successor-version\"");
        }
        if (policy.sunset() != null && !clock.instant().isBefore(policy.sunset()) && !policy.serveAfterSunset()) {
            Replies.json(exchange, 410, RequestOutcome.ANSWERED, "gone", "route " + exchange.route().id() + " was retired on " + policy.sunset()
                    + (policy.successor() == null ? "" : "; its successor is " + policy.successor()));
            return;
        }
        next.proceed(exchange);
    }
}
