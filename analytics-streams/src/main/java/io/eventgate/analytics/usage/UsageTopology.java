package io.eventgate.analytics.usage;

import io.eventgate.analytics.Windows;
import io.eventgate.analytics.partials.PartialsProcessor;
import io.eventgate.avro.RequestEvent;
import io.eventgate.avro.UsageGranularity;
import io.eventgate.avro.UsageRecord;
import io.eventgate.schemas.Topic;
import io.eventgate.schemas.Topics;
import io.eventgate.schemas.serde.ContractSerdes;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.KGroupedStream;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.state.WindowStore;

/**
 * Billing usage: each identified consumer's requests per UTC hour and per UTC day from {@code gateway.requests}
 * (billable ones by the configured status classes), with a per-route breakdown, published to
 * {@code gateway.usage} exactly once. The record of a window is published again whenever it changes (at most
 * once per commit), late requests within the grace period included; the revision grows with every change, so
 * billing takes the highest revision of each consumer, granularity and window.
 *
 * <p>Requests are first combined per consumer and hour ({@link PartialsProcessor}). {@code gateway.requests}
 * is keyed by consumer id, so each partition's partials go to the same partition of the repartition topic,
 * in the order of their requests: no partition's backlog is merged with another's progress, which would make
 * it look late and drop it from billing.
 */
public final class UsageTopology {
    public static final String HOURLY_STORE = "consumer-hours";
    public static final String DAILY_STORE = "consumer-days";
    static final String PARTIALS_STORE = "usage-partials";

    private UsageTopology() {
    }

    public static void addTo(KStream<String, RequestEvent> requests, Topics topics, ContractSerdes serdes, Duration grace, Duration retention,
                             Set<Integer> billableStatusClasses, Duration every) {
        var partials = new PartialsProcessor.Spec<UsageWindow>(PARTIALS_STORE, Duration.ofHours(1), RequestEvent::getConsumerId, UsageWindow::new,
                (window, event) -> window.add(event, billableStatusClasses), UsageWindow.serde(), every);
        KGroupedStream<String, UsageWindow> byConsumer = requests
                .filter((consumer, event) -> consumer != null && !"anonymous".equals(consumer), Named.as("billable-consumers"))
                .process(PartialsProcessor.supplier(partials), Named.as("usage-partials-per-hour"))
                .groupByKey(Grouped.with("usage-by-consumer", Serdes.String(), UsageWindow.serde()));
        perWindow(byConsumer, topics, serdes, UsageGranularity.HOUR, Duration.ofHours(1), grace, retention, HOURLY_STORE);
        perWindow(byConsumer, topics, serdes, UsageGranularity.DAY, Duration.ofDays(1), grace, retention, DAILY_STORE);
    }

    private static void perWindow(KGroupedStream<String, UsageWindow> byConsumer, Topics topics, ContractSerdes serdes, UsageGranularity granularity,
                                  Duration size, Duration grace, Duration retention, String store) {
        String name = granularity.name().toLowerCase();
        byConsumer.windowedBy(TimeWindows.ofSizeAndGrace(size, grace))
                .aggregate(UsageWindow::new, (consumer, partial, window) -> window.merge(partial), Named.as("usage-per-" + name),
                        Materialized.<String, UsageWindow, WindowStore<Bytes, byte[]>>as(store)
                                .withKeySerde(Serdes.String()).withValueSerde(UsageWindow.serde())
                                .withRetention(Windows.retention(retention, size, grace)))
                .toStream(Named.as("usage-changes-per-" + name))
                .map((window, usage) -> KeyValue.pair(window.key(), usage.toRecord(window.key(), window.window().start(), window.window().end(),
                        granularity, Instant.ofEpochMilli(window.window().end()))), Named.as("usage-records-per-" + name))
                .to(topics.usage(), Produced.with(Serdes.String(), serdes.<UsageRecord>serde(Topic.USAGE)).withName("usage-sink-" + name));
    }
}
