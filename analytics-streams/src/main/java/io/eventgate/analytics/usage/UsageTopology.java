package io.eventgate.analytics.usage;

import io.eventgate.avro.RequestEvent;
import io.eventgate.avro.UsageGranularity;
import io.eventgate.avro.UsageRecord;
import io.eventgate.schemas.Topic;
import io.eventgate.schemas.Topics;
import io.eventgate.schemas.serde.ContractSerdes;
import java.time.Duration;
import java.util.Set;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.TimeWindows;

/**
 * Billing usage: each identified consumer's requests per UTC hour from {@code gateway.requests} (billable
 * ones by the configured status classes), with a per-route breakdown, published to {@code gateway.usage}
 * exactly once. The record of a window is published again whenever it changes (at most once per commit),
 * late requests within the grace period included; the revision grows with every change, so billing takes
 * the highest revision of each consumer and window.
 */
public final class UsageTopology {
    static final String HOURLY_STORE = "consumer-hours";

    private UsageTopology() {
    }

    public static void addTo(StreamsBuilder builder, Topics topics, ContractSerdes serdes, Duration grace, Set<Integer> billableStatusClasses) {
        builder.stream(topics.requests(), Consumed.with(Serdes.String(), serdes.<RequestEvent>serde(Topic.REQUESTS)).withName("requests-for-usage"))
                .filter((consumer, event) -> event != null && !"anonymous".equals(event.getConsumerId()), Named.as("billable-consumers"))
                .selectKey((key, event) -> event.getConsumerId(), Named.as("by-consumer-id"))
                .groupByKey(Grouped.with("usage-by-consumer", Serdes.String(), serdes.<RequestEvent>serde(Topic.REQUESTS)))
                .windowedBy(TimeWindows.ofSizeAndGrace(Duration.ofHours(1), grace))
                .aggregate(UsageWindow::new, (consumer, event, window) -> window.add(event, billableStatusClasses), Named.as("usage-per-hour"),
                        Materialized.<String, UsageWindow, org.apache.kafka.streams.state.WindowStore<org.apache.kafka.common.utils.Bytes, byte[]>>as(HOURLY_STORE)
                                .withKeySerde(Serdes.String()).withValueSerde(UsageWindow.serde()))
                .toStream(Named.as("usage-changes"))
                .map((window, usage) -> KeyValue.pair(window.key(), usage.toRecord(window.key(), window.window().start(), window.window().end(),
                        UsageGranularity.HOUR, java.time.Instant.ofEpochMilli(window.window().end()))), Named.as("usage-records"))
                .to(topics.usage(), Produced.with(Serdes.String(), serdes.<UsageRecord>serde(Topic.USAGE)).withName("usage-sink"));
    }
}
