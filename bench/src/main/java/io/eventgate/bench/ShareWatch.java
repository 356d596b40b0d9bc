package io.eventgate.bench;

import io.eventgate.avro.LimitDirective;
import io.eventgate.avro.DirectiveKind;
import io.eventgate.schemas.LimitKeys;
import io.eventgate.schemas.Topic;
import io.eventgate.schemas.serde.ContractSerdes;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.DoublePredicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Follows {@code gateway.limits} while open and keeps each node's current share of a global limit
 * ({@code RATE_SHARE} on {@code consumer:ID@node:N}; a lifted share counts as 0), to time how fast shares move.
 */
final class ShareWatch implements AutoCloseable {
    private final Map<String, Double> shares = new ConcurrentHashMap<>();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread reader;

    ShareWatch(String bootstrapServers, String registryUrl, String topic) {
        var deserializer = ContractSerdes.of(registryUrl).<LimitDirective>serde(Topic.LIMITS).deserializer();
        reader = Thread.ofPlatform().name("share-watch").start(() -> {
            try (var consumer = new KafkaConsumer<>(Map.<String, Object>of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                    ConsumerConfig.GROUP_ID_CONFIG, "shares-" + System.nanoTime(), ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                    new StringDeserializer(), deserializer)) {
                consumer.subscribe(List.of(topic));
                while (running.get()) {
                    for (var record : consumer.poll(Duration.ofMillis(50))) {
                        String scope = LimitKeys.scopeOf(record.key());
                        if (record.value() == null) {
                            shares.put(scope, 0.0);
                        } else if (record.value().getKind() == DirectiveKind.RATE_SHARE && record.value().getValue() != null) {
                            shares.put(scope, record.value().getValue());
                        }
                    }
                }
            }
        });
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
    public void close() throws InterruptedException {
        running.set(false);
        reader.join();
    }
}
