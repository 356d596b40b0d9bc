package io.eventgate.edge.limits;

import io.eventgate.avro.DirectiveKind;
import io.eventgate.avro.GlobalLimit;
import io.eventgate.avro.LimitDirective;
import io.eventgate.edge.pipeline.Exchange;
import io.eventgate.edge.pipeline.Step;
import io.eventgate.policy.model.PlanSettings;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * Counts the requests this node is offered by each consumer under a global limit (a global plan, or an
 * operator's global limit on the consumer), before any limit refuses them:
 * policy-streams divides a global limit among the nodes in proportion to this demand, which the heartbeat
 * reports. Counting only admitted requests would freeze the split: a node held to a small share would never
 * show that it needs more.
 */
public final class GlobalDemandStep implements Step {
    /** What the heartbeat reports: requests per second by consumer, and each consumer's global limit. */
    public record Sample(Map<String, Double> demand, Map<String, GlobalLimit> limits) {
    }

    private static final class Counter {
        final LongAdder requests = new LongAdder();
        volatile GlobalLimit limit;
        volatile long lastRequestNanos;
    }

    private final Duration keepListed;
    private final Supplier<Map<String, List<LimitDirective>>> directives;
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();

    /**
     * {@code directives}: those on gateway.limits, for operators' global limits; {@code keepListed}: how long a
     * consumer stays in the samples (at 0) after its last request, so its shares stay put.
     */
    public GlobalDemandStep(Supplier<Map<String, List<LimitDirective>>> directives, Duration keepListed) {
        this.directives = directives;
        this.keepListed = keepListed;
    }

    @Override
    public void handle(Exchange exchange, Chain next) {
        if (!exchange.consumerId().equals(Exchange.ANONYMOUS)) {
            GlobalLimit limit = globalLimitOf(exchange);
            if (limit != null) {
                Counter counter = counters.computeIfAbsent(exchange.consumerId(), id -> new Counter());
                counter.limit = limit;
                counter.lastRequestNanos = System.nanoTime();
                counter.requests.increment();
            } else if (!counters.isEmpty()) {
                counters.remove(exchange.consumerId()); // no longer under a global limit: its shares are lifted at the next beats
            }
        }
        next.proceed(exchange);
    }

    /** The tighter of the consumer's global plan and an operator's unexpired global limit on it, or null for neither. */
    private static GlobalLimit tighter(GlobalLimit a, GlobalLimit b) {
        return a == null ? b : b == null || a.getRatePerSecond() <= b.getRatePerSecond() ? a : b;
    }

    private GlobalLimit globalLimitOf(Exchange exchange) {
        PlanSettings settings = exchange.planSettings();
        GlobalLimit byPlan = settings != null && settings.global() ? new GlobalLimit(settings.ratePerSecond(), settings.burst()) : null;
        Map<String, List<LimitDirective>> all = directives.get();
        GlobalLimit byOperator = null;
        for (LimitDirective operator : all.isEmpty() ? List.<LimitDirective>of() : all.getOrDefault("consumer:" + exchange.consumerId(), List.of())) {
            if (operator.getGlobal() && operator.getKind() == DirectiveKind.OPERATOR_LIMIT && operator.getValue() != null
                    && DirectiveStep.inForce(operator, Instant.now())) {
                byOperator = tighter(byOperator, new GlobalLimit(operator.getValue(),
                        operator.getBurst() == null ? Math.max(1, operator.getValue()) : operator.getBurst()));
            }
        }
        return tighter(byPlan, byOperator);
    }

    /** The demand since the previous sample, {@code seconds} ago; consumers quiet for longer than {@code keepListed} are dropped. */
    public Sample sample(double seconds) {
        long now = System.nanoTime();
        Map<String, Double> demand = new HashMap<>();
        Map<String, GlobalLimit> limits = new HashMap<>();
        counters.forEach((consumer, counter) -> {
            long requests = counter.requests.sumThenReset();
            if (requests == 0 && now - counter.lastRequestNanos > keepListed.toNanos()) {
                counters.remove(consumer, counter);
                return;
            }
            demand.put(consumer, requests / Math.max(1e-3, seconds));
            limits.put(consumer, counter.limit);
        });
        return new Sample(demand, limits);
    }
}
