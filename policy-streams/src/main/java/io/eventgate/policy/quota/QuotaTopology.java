package io.eventgate.policy.quota;

import io.eventgate.avro.LimitDirective;
import io.eventgate.avro.PolicyEntity;
import io.eventgate.avro.RequestEvent;
import io.eventgate.avro.RequestOutcome;
import io.eventgate.schemas.Topic;
import io.eventgate.schemas.Topics;
import io.eventgate.schemas.serde.ContractSerdes;
import java.time.Duration;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.state.Stores;

/**
 * Daily quotas: counts each consumer's billable requests (proxied, 2xx or 3xx) per UTC calendar day from
 * {@code gateway.requests}, and when a count reaches the daily quota of the consumer's plan (PLAN entities
 * on {@code gateway.policies}), publishes a QUOTA_EXHAUSTED directive for {@code consumer:ID} on
 * {@code gateway.limits} that expires at the next UTC midnight, when the quota resets. Events up to the
 * grace period late still count for their day.
 */
public final class QuotaTopology {
    static final String PLANS_STORE = "plans";
    static final String DAILY_COUNTS = "daily-billable-requests";
    static final String ANNOUNCED_STORE = "quota-announced";

    private QuotaTopology() {
    }

    public static void addTo(StreamsBuilder builder, Topics topics, ContractSerdes serdes, Duration grace) {
        builder.globalTable(topics.policies(), Consumed.with(Serdes.String(), serdes.<PolicyEntity>serde(Topic.POLICIES)).withName("plans-source"),
                Materialized.as(PLANS_STORE));
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(ANNOUNCED_STORE), Serdes.String(), Serdes.Long()));

        builder.stream(topics.requests(), Consumed.with(Serdes.String(), serdes.<RequestEvent>serde(Topic.REQUESTS)).withName("requests-for-quotas"))
                .filter((consumer, event) -> event != null && billable(event), Named.as("billable"))
                .groupByKey(Grouped.with("by-consumer", Serdes.String(), serdes.<RequestEvent>serde(Topic.REQUESTS)))
                .windowedBy(TimeWindows.ofSizeAndGrace(Duration.ofDays(1), grace))
                .aggregate(() -> "", (consumer, event, usage) -> QuotaUsage.add(usage, event.getPlan()),
                        Named.as("count-per-day"),
                        Materialized.<String, String, org.apache.kafka.streams.state.WindowStore<org.apache.kafka.common.utils.Bytes, byte[]>>as(DAILY_COUNTS)
                                .withKeySerde(Serdes.String()).withValueSerde(Serdes.String()).withCachingDisabled())
                .toStream(Named.as("daily-usage"))
                .process(QuotaProcessor::new, Named.as("compare-with-plan"), ANNOUNCED_STORE)
                .to(topics.limits(), Produced.with(Serdes.String(), serdes.<LimitDirective>serde(Topic.LIMITS)).withName("quota-directives"));
    }

    /** Requests an upstream served: billable. Refusals, gateway errors and upstream failures are not. */
    static boolean billable(RequestEvent event) {
        return event.getOutcome() == RequestOutcome.PROXIED && event.getStatus() >= 200 && event.getStatus() < 400
                && !event.getConsumerId().equals("anonymous") && event.getPlan() != null;
    }
}
