package io.eventgate.edge.limits;

import io.eventgate.avro.GlobalLimit;
import io.eventgate.edge.pipeline.Exchange;
import io.eventgate.edge.pipeline.Step;
import io.eventgate.policy.model.PlanSettings;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts the requests this node is offered by each consumer on a global plan, before any limit refuses them:
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
        volatile PlanSettings plan;
        volatile long lastRequestNanos;
    }

    private final Duration keepListed;
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();

    /** {@code keepListed}: how long a consumer stays in the samples (at 0) after its last request, so its shares stay put. */
    public GlobalDemandStep(Duration keepListed) {
        this.keepListed = keepListed;
    }

    @Override
    public void handle(Exchange exchange, Chain next) {
        String plan = exchange.plan();
        PlanSettings settings = plan == null ? null : exchange.snapshot().settings().plans().get(plan);
        if (settings != null && settings.global()) {
            Counter counter = counters.computeIfAbsent(exchange.consumerId(), id -> new Counter());
            counter.plan = settings;
            counter.lastRequestNanos = System.nanoTime();
            counter.requests.increment();
        }
        next.proceed(exchange);
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
            limits.put(consumer, new GlobalLimit(counter.plan.ratePerSecond(), counter.plan.burst()));
        });
        return new Sample(demand, limits);
    }
}
