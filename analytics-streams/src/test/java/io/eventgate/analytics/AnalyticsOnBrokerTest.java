package io.eventgate.analytics;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventgate.analytics.query.QuerySettings;
import io.eventgate.avro.RequestEvent;
import io.eventgate.avro.RequestOutcome;
import io.eventgate.avro.RouteStats;
import io.eventgate.schemas.Topic;
import io.eventgate.schemas.Topics;
import io.eventgate.schemas.serde.ContractSerdes;
import io.eventgate.testkit.KafkaExtension;
import io.eventgate.testkit.TestKafka;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Route statistics end to end on a real broker, exactly once. */
@ExtendWith(KafkaExtension.class)
class AnalyticsOnBrokerTest {

    @Test
    void closedMinutesArePublishedToRouteStats(TestKafka kafka, @TempDir Path state) throws Exception {
        Topics topics = new Topics(kafka.topicPrefix());
        kafka.createTopics(topics.newTopics(2, (short) 1));
        ContractSerdes serdes = ContractSerdes.of(kafka.registryUrl());
        // event time in the recent past: brokers refuse timestamps too far ahead of their clock
        Instant t0 = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MINUTES).minus(Duration.ofMinutes(10));
        AnalyticsSettings settings = new AnalyticsSettings(kafka.topicPrefix() + "analytics", kafka.bootstrapServers(), kafka.registryUrl(),
                kafka.topicPrefix(), state, Duration.ofSeconds(5)).withQuery(new QuerySettings(0, "127.0.0.1", null));
        try (AnalyticsStreamsApp app = AnalyticsStreamsApp.start(settings);
             var producer = new KafkaProducer<>(kafka.producerConfig(Map.of()), new StringSerializer(), serdes.<RequestEvent>serde(Topic.REQUESTS).serializer())) {
            for (int i = 0; i < 50; i++) {
                producer.send(new ProducerRecord<>(topics.requests(), 0, t0.plusSeconds(i).toEpochMilli(), "anonymous", event("r" + i, t0.plusSeconds(i))));
            }
            producer.send(new ProducerRecord<>(topics.requests(), 0, t0.plusSeconds(70).toEpochMilli(), "anonymous", event("closer", t0.plusSeconds(70))));
            producer.flush();

            List<RouteStats> stats = new ArrayList<>();
            try (var consumer = new KafkaConsumer<>(kafka.consumerConfig("stats", Map.of("isolation.level", "read_committed")),
                    new StringDeserializer(), serdes.<RouteStats>serde(Topic.ROUTE_STATS).deserializer())) {
                consumer.subscribe(List.of(topics.routeStats()));
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (stats.isEmpty() && System.nanoTime() < deadline) {
                    consumer.poll(Duration.ofMillis(200)).forEach(r -> stats.add(r.value()));
                }
            }
            assertThat(stats).hasSize(1);
            assertThat(stats.get(0).getRouteId()).isEqualTo("api");
            assertThat(stats.get(0).getRequests()).isEqualTo(50);
            assertThat(stats.get(0).getWindowStart()).isEqualTo(t0);
        }
    }

    static RequestEvent event(String id, Instant at) {
        return RequestEvent.newBuilder().setRequestId(id).setTraceId("0".repeat(32)).setTimestamp(at).setNode("edge-1").setRouteId("api")
                .setMethod("GET").setPath("/api").setStatus(200).setGatewayLatencyMicros(1000).setBytesIn(0).setBytesOut(10)
                .setConsumerId("anonymous").setClientAddress("203.0.113.1").setOutcome(RequestOutcome.PROXIED).build();
    }
}
