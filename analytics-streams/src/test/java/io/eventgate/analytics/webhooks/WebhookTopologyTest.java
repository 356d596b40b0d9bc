package io.eventgate.analytics.webhooks;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventgate.analytics.AnalyticsSettings;
import io.eventgate.analytics.AnalyticsStreamsApp;
import io.eventgate.avro.DeliveryOutcome;
import io.eventgate.avro.WebhookDelivery;
import io.eventgate.schemas.Topic;
import io.eventgate.schemas.Topics;
import io.eventgate.schemas.serde.ContractSerdes;
import io.eventgate.testkit.RegistryExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Webhook deliveries counted per subscription and hour, as the query API reads them. */
@ExtendWith(RegistryExtension.class)
class WebhookTopologyTest {
    static final Instant H10 = Instant.parse("2026-11-26T10:00:00Z");
    @TempDir
    Path state;
    TopologyTestDriver driver;
    TestInputTopic<String, WebhookDelivery> deliveries;
    long offsets;

    @BeforeEach
    void start(RegistryExtension.TestRegistry registry) {
        AnalyticsSettings settings = new AnalyticsSettings(null, "unused:9092", registry.url(), null, state, Duration.ofSeconds(30),
                Duration.ofMinutes(10), List.of(2, 3), null, null);
        driver = new TopologyTestDriver(AnalyticsStreamsApp.topology(settings), AnalyticsStreamsApp.properties(settings));
        deliveries = driver.createInputTopic(Topics.defaults().name(Topic.WEBHOOK_DELIVERIES), new StringSerializer(),
                ContractSerdes.of(registry.url()).<WebhookDelivery>serde(Topic.WEBHOOK_DELIVERIES).serializer());
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    void delivery(String subscription, int attempt, DeliveryOutcome outcome, Instant at) {
        deliveries.pipeInput(subscription, WebhookDelivery.newBuilder().setSubscription(subscription).setMessageId("msg_t_0_" + offsets)
                .setTopic("t").setPartition(0).setOffset(offsets++).setAttempt(attempt).setOutcome(outcome)
                .setStatus(outcome == DeliveryOutcome.DELIVERED ? 204 : 503).setLatencyMicros(900)
                .setError(outcome == DeliveryOutcome.DELIVERED ? null : "the target answered 503").setTimestamp(at).build(), at);
    }

    @Test
    void deliveriesAreCountedPerSubscriptionAndHour() {
        delivery("orders", 1, DeliveryOutcome.DELIVERED, H10.plusSeconds(10));
        delivery("orders", 1, DeliveryOutcome.FAILED, H10.plusSeconds(20));
        delivery("orders", 2, DeliveryOutcome.DELIVERED, H10.plusSeconds(21));
        delivery("audit", 1, DeliveryOutcome.FAILED, H10.plusSeconds(30));
        delivery("audit", 2, DeliveryOutcome.DEAD_LETTERED, H10.plusSeconds(31));
        delivery("orders", 1, DeliveryOutcome.DELIVERED, H10.plus(Duration.ofMinutes(70)));

        WebhookQueries queries = new WebhookQueries(driver::getWindowStore);
        Map<String, WebhookCounts> hour10 = queries.totals(H10, H10.plus(Duration.ofHours(1)));
        assertThat(hour10.get("orders")).isEqualTo(new WebhookCounts(2, 3, 1, 0));
        assertThat(hour10.get("audit")).isEqualTo(new WebhookCounts(0, 0, 2, 1));
        assertThat(queries.totals(H10, H10.plus(Duration.ofHours(2))).get("orders")).as("two hours").isEqualTo(new WebhookCounts(3, 4, 1, 0));
    }
}
