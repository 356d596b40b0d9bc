package io.eventgate.bench;

import io.eventgate.avro.DirectiveKind;
import io.eventgate.avro.LimitDirective;
import io.eventgate.schemas.LimitKeys;
import io.eventgate.schemas.Topic;
import io.eventgate.schemas.follow.TopicFollower;
import io.eventgate.schemas.serde.ContractSerdes;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.DoublePredicate;

/**
 * Follows {@code gateway.limits} while open and keeps each node's current share of a global limit
 * ({@code RATE_SHARE} on {@code consumer:ID@node:N}; a lifted share counts as 0), to time how fast shares move.
 */
final class ShareWatch implements AutoCloseable {
    private final Map<String, Double> shares = new ConcurrentHashMap<>();
    private final TopicFollower<LimitDirective> reader;

    ShareWatch(String bootstrapServers, String registryUrl, String topic) {
        // read again from the start after a failure, the compacted topic ends in the same shares: nothing to forget
        reader = new TopicFollower<>(topic, bootstrapServers, "share-watch", ContractSerdes.of(registryUrl).<LimitDirective>serde(Topic.LIMITS).deserializer(),
                (key, directive) -> {
                    String scope = LimitKeys.scopeOf(key);
                    if (directive == null) {
                        shares.put(scope, 0.0);
                    } else if (directive.getKind() == DirectiveKind.RATE_SHARE && directive.getValue() != null) {
                        shares.put(scope, directive.getValue());
                    }
                }, () -> { }, () -> { });
    }

    /** Seconds from {@code sinceNanos} until {@code scope}'s share satisfies {@code wanted}, or -1 after {@code timeout}. */
    double secondsUntil(String scope, DoublePredicate wanted, long sinceNanos, Duration timeout) throws InterruptedException {
        while (System.nanoTime() - sinceNanos < timeout.toNanos()) {
            Double share = shares.get(scope);
            if (share != null && wanted.test(share)) {
                return (System.nanoTime() - sinceNanos) / 1e9;
            }
            Thread.sleep(20);
        }
        return -1;
    }

    double share(String scope) {
        return shares.getOrDefault(scope, 0.0);
    }

    @Override
    public void close() {
        reader.close();
    }
}
