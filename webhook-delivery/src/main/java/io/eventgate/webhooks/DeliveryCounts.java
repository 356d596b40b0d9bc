package io.eventgate.webhooks;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** Per subscription: records delivered (and after how many attempts in all), failed attempts, records dead-lettered. */
public final class DeliveryCounts {
    /** One subscription's counts. */
    public record Counts(long delivered, long attempts, long failedAttempts, long deadLettered) {
    }

    private final Map<String, AtomicLong[]> counts = new ConcurrentHashMap<>();

    private AtomicLong[] of(String subscription) {
        return counts.computeIfAbsent(subscription, s -> new AtomicLong[] {new AtomicLong(), new AtomicLong(), new AtomicLong(), new AtomicLong()});
    }

    void delivered(String subscription, int attempts) {
        of(subscription)[0].incrementAndGet();
        of(subscription)[1].addAndGet(attempts);
    }

    void failedAttempt(String subscription) {
        of(subscription)[2].incrementAndGet();
    }

    void deadLettered(String subscription) {
        of(subscription)[3].incrementAndGet();
    }

    public Counts counts(String subscription) {
        AtomicLong[] c = of(subscription);
        return new Counts(c[0].get(), c[1].get(), c[2].get(), c[3].get());
    }
}
