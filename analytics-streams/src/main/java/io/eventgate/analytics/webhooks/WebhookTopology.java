package io.eventgate.analytics.webhooks;

import io.eventgate.analytics.Windows;
import io.eventgate.avro.WebhookDelivery;
import io.eventgate.schemas.Topic;
import io.eventgate.schemas.Topics;
import io.eventgate.schemas.serde.ContractSerdes;
import java.time.Duration;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.state.WindowStore;

/**
 * Webhook deliveries per subscription and UTC hour, from {@code gateway.webhook-deliveries}: records delivered (and the
 * attempts they took), failed attempts, records dead-lettered. Kept in a queryable store for the query API.
 */
public final class WebhookTopology {
    public static final String HOURLY_STORE = "webhook-hours";

    private WebhookTopology() {
    }

    public static void addTo(StreamsBuilder builder, Topics topics, ContractSerdes serdes, Duration grace, Duration retention) {
        Duration hour = Duration.ofHours(1);
        builder.stream(topics.name(Topic.WEBHOOK_DELIVERIES), Consumed.with(Serdes.String(), serdes.<WebhookDelivery>serde(Topic.WEBHOOK_DELIVERIES))
                        .withName("webhook-deliveries"))
                .filter((subscription, delivery) -> delivery != null, Named.as("webhook-deliveries-not-tombstones"))
                .selectKey((key, delivery) -> delivery.getSubscription(), Named.as("webhook-deliveries-by-subscription"))
                .groupByKey(Grouped.with("webhook-deliveries-grouped", Serdes.String(), serdes.<WebhookDelivery>serde(Topic.WEBHOOK_DELIVERIES)))
                .windowedBy(TimeWindows.ofSizeAndGrace(hour, grace))
                .aggregate(WebhookCounts::none, (subscription, delivery, counts) -> counts.plus(delivery), Named.as("webhook-deliveries-per-hour"),
                        Materialized.<String, WebhookCounts, WindowStore<Bytes, byte[]>>as(HOURLY_STORE)
                                .withKeySerde(Serdes.String()).withValueSerde(WebhookCounts.serde())
                                .withRetention(Windows.retention(retention, hour, grace)));
    }
}
