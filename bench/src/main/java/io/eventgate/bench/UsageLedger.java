package io.eventgate.bench;

import io.eventgate.avro.UsageGranularity;
import io.eventgate.avro.UsageRecord;
import io.eventgate.schemas.Topic;
import io.eventgate.schemas.follow.TopicFollower;
import io.eventgate.schemas.serde.ContractSerdes;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What a billing system keeps from {@code gateway.usage} while open: the latest revision of each consumer's window,
 * read committed, as any Confluent-compatible consumer would.
 */
final class UsageLedger implements AutoCloseable {
    private final Map<String, UsageRecord> latest = new ConcurrentHashMap<>();
    private final TopicFollower<UsageRecord> reader;

    UsageLedger(String bootstrapServers, String registryUrl, String topic) {
        // a reading again from the start after a failure merges the same revisions: nothing to forget
        reader = new TopicFollower<>(topic, bootstrapServers, "usage-ledger", ContractSerdes.of(registryUrl).<UsageRecord>serde(Topic.USAGE).deserializer(),
                (key, usage) -> {
                    if (usage != null) {
                        latest.merge(usage.getConsumerId() + "/" + usage.getGranularity() + "/" + usage.getWindowStart(), usage,
                                (a, b) -> b.getRevision() > a.getRevision() ? b : a);
                    }
                }, () -> { }, () -> { });
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
    public void close() {
        reader.close();
    }
}
