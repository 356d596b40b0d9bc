package io.eventgate.bench;

import io.eventgate.avro.UsageGranularity;
import io.eventgate.avro.UsageRecord;
import io.eventgate.schemas.Topic;
import io.eventgate.schemas.serde.ContractSerdes;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * What a billing system keeps from {@code gateway.usage} while open: the latest revision of each consumer's window,
 * read committed, as any Confluent-compatible consumer would.
 */
final class UsageLedger implements AutoCloseable {
    private final Map<String, UsageRecord> latest = new ConcurrentHashMap<>();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread reader;

    UsageLedger(String bootstrapServers, String registryUrl, String topic) {
        var deserializer = ContractSerdes.of(registryUrl).<UsageRecord>serde(Topic.USAGE).deserializer();
        reader = Thread.ofPlatform().name("usage-ledger").start(() -> {
            try (var consumer = new KafkaConsumer<>(Map.<String, Object>of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                    ConsumerConfig.GROUP_ID_CONFIG, "billing-" + System.nanoTime(), ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                    ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new StringDeserializer(), deserializer)) {
                consumer.subscribe(List.of(topic));
                while (running.get()) {
                    consumer.poll(Duration.ofMillis(200)).forEach(r -> latest.merge(r.value().getConsumerId() + "/" + r.value().getGranularity()
                            + "/" + r.value().getWindowStart(), r.value(), (a, b) -> b.getRevision() > a.getRevision() ? b : a));
                }
            }
        });
    }

    /** {billable, total} requests of {@code consumer} over the latest revisions of its hourly windows. */
    long[] hourly(String consumer) {
        long[] totals = new long[2];
        latest.values().stream().filter(r -> r.getGranularity() == UsageGranularity.HOUR && r.getConsumerId().equals(consumer)).forEach(r -> {
            totals[0] += r.getBillableRequests();
            totals[1] += r.getTotalRequests();
        });
        return totals;
    }

    @Override
    public void close() throws InterruptedException {
        running.set(false);
        reader.join();
    }
}
