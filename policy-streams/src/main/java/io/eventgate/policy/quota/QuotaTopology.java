package io.eventgate.policy.quota;

import io.eventgate.avro.LimitDirective;
import io.eventgate.avro.PolicyEntity;
import io.eventgate.avro.RequestEvent;
import io.eventgate.avro.RequestOutcome;
import io.eventgate.schemas.Topic;
import io.eventgate.schemas.Topics;
import io.eventgate.schemas.serde.ContractSerdes;
import io.eventgate.streams.EventCopies;
import java.time.Duration;
import java.time.ZoneId;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.state.Stores;

/**
 * Quotas: counts each consumer's billable requests (proxied, 2xx or 3xx) per calendar day and month in the
 * quota time zone from {@code gateway.requests} (keyed by consumer, so counted where they arrive), and
 * publishes the consumer's quota state to {@code gateway.limits} whenever it crosses a warning threshold or
 * the quota of its plan (PLAN entities on {@code gateway.policies}): QUOTA_WARNING, or QUOTA_EXHAUSTED until
 * the reset, when the directive expires and the quota is lifted. Requests up to the grace period late still
 * count for their period.
 */
public final class QuotaTopology {
    static final String PLANS_STORE = "plans";
    static final String COUNTS_STORE = "quota-counts";
    static final String LEVELS_STORE = "quota-levels";

    private QuotaTopology() {
    }

    public static void addTo(StreamsBuilder builder, Topics topics, ContractSerdes serdes, Duration grace, ZoneId zone) {
        builder.globalTable(topics.policies(), Consumed.with(Serdes.String(), serdes.<PolicyEntity>serde(Topic.POLICIES)).withName("plans-source"),
                Materialized.as(PLANS_STORE));
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(COUNTS_STORE), Serdes.String(), Serdes.Long()));
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(LEVELS_STORE), Serdes.String(), Serdes.Integer()));

        EventCopies.drop(builder, builder.stream(topics.requests(), Consumed.with(Serdes.String(), serdes.<RequestEvent>serde(Topic.REQUESTS))
                        .withName("requests-for-quotas")), "request-copies")
                .filter((consumer, event) -> event != null && billable(event), Named.as("billable"))
                .process(() -> new QuotaProcessor(zone, grace), Named.as("count-against-plan"), COUNTS_STORE, LEVELS_STORE)
                .to(topics.limits(), Produced.with(Serdes.String(), serdes.<LimitDirective>serde(Topic.LIMITS)).withName("quota-directives"));
    }

    /** Requests an upstream served: billable. Refusals, gateway errors and upstream failures are not. */
    static boolean billable(RequestEvent event) {
        return event.getOutcome() == RequestOutcome.PROXIED && event.getStatus() >= 200 && event.getStatus() < 400
                && !event.getConsumerId().equals("anonymous") && event.getPlan() != null;
    }
}
