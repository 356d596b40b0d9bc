package io.eventgate.analytics.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.eventgate.analytics.AnalyticsSettings;
import io.eventgate.analytics.AnalyticsStreamsApp;
import io.eventgate.avro.AnomalyEvent;
import io.eventgate.avro.AnomalyKind;
import io.eventgate.avro.RequestEvent;
import io.eventgate.avro.RequestOutcome;
import io.eventgate.schemas.Topic;
import io.eventgate.schemas.Topics;
import io.eventgate.schemas.serde.ContractSerdes;
import io.eventgate.testkit.KafkaExtension;
import io.eventgate.testkit.TestKafka;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The query API on a real broker with two instances of the app: either answers every query, forwarding by key or gathering from both. */
@ExtendWith(KafkaExtension.class)
class QueryApiOnBrokerTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final int ROUTES = 8;
    static final int CONSUMERS = 6;
    final HttpClient http = HttpClient.newHttpClient();

    @Test
    void eitherOfTwoInstancesAnswersEveryQuery(TestKafka kafka, @TempDir Path stateA, @TempDir Path stateB) throws Exception {
        Topics topics = new Topics(kafka.topicPrefix());
        kafka.createTopics(topics.newTopics(4, (short) 1));
        ContractSerdes serdes = ContractSerdes.of(kafka.registryUrl());
        try (AnalyticsStreamsApp a = AnalyticsStreamsApp.start(settings(kafka, stateA));
             AnalyticsStreamsApp b = AnalyticsStreamsApp.start(settings(kafka, stateB));
             var producer = new KafkaProducer<>(kafka.producerConfig(Map.of()), new StringSerializer(), serdes.<RequestEvent>serde(Topic.REQUESTS).serializer())) {
            String hostA = "http://127.0.0.1:" + a.queryPort();
            String hostB = "http://127.0.0.1:" + b.queryPort();
            await().atMost(Duration.ofSeconds(90)).until(() -> healthyWithTwoInstances(hostA) && healthyWithTwoInstances(hostB));

            // route rK gets K+1 requests; consumer cN gets N+1 requests, every third of them a 500 (not billable)
            Instant start = Instant.now().truncatedTo(ChronoUnit.MINUTES).minus(Duration.ofMinutes(2));
            int sent = 0;
            long[] billable = new long[CONSUMERS];
            List<ProducerRecord<String, RequestEvent>> records = new ArrayList<>();
            for (int route = 0; route < ROUTES; route++) {
                for (int i = 0; i <= route; i++) {
                    int consumer = sent % CONSUMERS;
                    int status = sent % 3 == 2 ? 500 : 200;
                    if (status == 200) {
                        billable[consumer]++;
                    }
                    Instant at = start.plusMillis(sent * 100L);
                    records.add(new ProducerRecord<>(topics.requests(), null, at.toEpochMilli(), "c" + consumer,
                            event("q" + sent, at, "r" + route, "c" + consumer, status)));
                    sent++;
                }
            }
            records.forEach(producer::send);
            producer.flush();
            int total = sent;

            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                for (String host : List.of(hostA, hostB)) {
                    JsonNode routes = get(host + "/routes?window=10m").path("routes");
                    assertThat(routes).hasSize(ROUTES);
                    long requests = 0;
                    for (JsonNode route : routes) {
                        requests += route.path("requests").asLong();
                    }
                    assertThat(requests).isEqualTo(total);
                }
            });
            int localA = getLocal(hostA + "/routes?window=10m").path("routes").size();
            int localB = getLocal(hostB + "/routes?window=10m").path("routes").size();
            assertThat(localA + localB).as("each route is held by one instance").isEqualTo(ROUTES);
            assertThat(localA).as("the routes are split between the instances, so answers need forwarding").isBetween(1, ROUTES - 1);

            String from = start.toString();
            for (int route = 0; route < ROUTES; route++) {
                for (String host : List.of(hostA, hostB)) {
                    JsonNode series = get(host + "/routes/r" + route + "/stats?step=1m&from=" + from);
                    long requests = 0;
                    for (JsonNode point : series.path("points")) {
                        requests += point.path("requests").asLong();
                    }
                    assertThat(requests).as("route r%d from %s", route, host).isEqualTo(route + 1);
                }
            }
            for (int consumer = 0; consumer < CONSUMERS; consumer++) {
                for (String host : List.of(hostA, hostB)) {
                    JsonNode usage = get(host + "/consumers/c" + consumer + "/usage?from=" + start.truncatedTo(ChronoUnit.HOURS));
                    assertThat(usage.path("billableRequests").asLong()).as("consumer c%d from %s", consumer, host).isEqualTo(billable[consumer]);
                }
            }
            JsonNode top = get(hostB + "/consumers/top?by=requests&window=2h&limit=3").path("consumers");
            assertThat(top).hasSize(3);
            assertThat(top.get(0).path("requests").asLong()).isGreaterThanOrEqualTo(top.get(1).path("requests").asLong());
            long most = 0;
            for (int consumer = 0; consumer < CONSUMERS; consumer++) {
                most = Math.max(most, get(hostA + "/consumers/c" + consumer + "/usage").path("totalRequests").asLong());
            }
            assertThat(top.get(0).path("requests").asLong()).isEqualTo(most);
        }
    }

    @Test
    void badParametersGetA400AndRecentAnomaliesSkipPoisonRecords(TestKafka kafka, @TempDir Path state) throws Exception {
        Topics topics = new Topics(kafka.topicPrefix());
        kafka.createTopics(topics.newTopics(2, (short) 1));
        ContractSerdes serdes = ContractSerdes.of(kafka.registryUrl());
        try (AnalyticsStreamsApp app = AnalyticsStreamsApp.start(settings(kafka, state));
             var raw = new KafkaProducer<>(kafka.producerConfig(Map.of()), new StringSerializer(), new ByteArraySerializer());
             var anomalies = new KafkaProducer<>(kafka.producerConfig(Map.of()), new StringSerializer(), serdes.<AnomalyEvent>serde(Topic.ANOMALIES).serializer())) {
            String host = "http://127.0.0.1:" + app.queryPort();
            await().atMost(Duration.ofSeconds(60)).until(() -> status(host + "/health") == 200);

            for (String bad : List.of("/routes/api/stats?step=90s", "/routes/api/stats?from=yesterday", "/routes/api/stats?from=2026-11-26T10:00:00Z&to=2026-11-26T09:00:00Z",
                    "/routes/api/stats?step=1m&from=2020-01-01T00:00:00Z", "/consumers/top?by=colour", "/consumers/top?limit=0",
                    "/consumers/acme/usage?granularity=week", "/routes?window=-5m")) {
                HttpResponse<String> response = send(host + bad, Map.of());
                assertThat(response.statusCode()).as(bad).isEqualTo(400);
                assertThat(JSON.readTree(response.body()).path("error").asText()).as(bad).isNotBlank();
            }

            raw.send(new ProducerRecord<>(topics.anomalies(), 0, "consumer:mallory", new byte[] {0, 0, 0, 0, 99, 1, 2}));
            Instant now = Instant.now();
            anomalies.send(new ProducerRecord<>(topics.anomalies(), 0, "consumer:acme", AnomalyEvent.newBuilder().setAnomalyId("a1")
                    .setKind(AnomalyKind.REQUEST_RATE_SPIKE).setScope("consumer:acme").setObserved(2300).setBaseline(210).setBaselineStdDev(40)
                    .setScore(52).setWindowStart(now.minusSeconds(10)).setWindowEnd(now).setDetectedAt(now)
                    .setExplanation("consumer acme: 2,300 req/min vs baseline 210 ± 40").build()));
            raw.flush();
            anomalies.flush();
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                JsonNode recent = get(host + "/anomalies").path("anomalies");
                assertThat(recent).hasSize(1);
                assertThat(recent.get(0).path("scope").asText()).isEqualTo("consumer:acme");
                assertThat(recent.get(0).path("action").isNull()).isTrue();
                assertThat(recent.get(0).path("detectedAt").asText()).isEqualTo(now.truncatedTo(ChronoUnit.MILLIS).toString());
            });
        }
    }

    @Test
    void theCatalogListsEveryApiFromTheStaticAndControlEntitiesInForce(TestKafka kafka, @TempDir Path state, @TempDir Path docs) throws Exception {
        Topics topics = new Topics(kafka.topicPrefix());
        kafka.createTopics(topics.newTopics(2, (short) 1));
        ContractSerdes serdes = ContractSerdes.of(kafka.registryUrl());
        Path document = docs.resolve("orders.yaml");
        java.nio.file.Files.writeString(document, "openapi: 3.0.3\ninfo: {title: Orders, version: '2'}\npaths: {}\n");
        String v2 = "{\"id\":\"orders-v2\",\"match\":{\"paths\":[\"/v2/orders/**\"],\"methods\":[\"GET\",\"POST\"]},\"anonymous\":false,"
                + "\"access\":{\"methods\":[\"apiKey\"],\"groups\":[\"partners\"]},\"info\":{\"owner\":\"team-orders\",\"api\":\"orders\"},"
                + "\"contract\":{\"openapi\":\"" + document + "\"}}";
        String v1 = "{\"id\":\"orders-v1\",\"match\":{\"paths\":[\"/v1/orders/**\"]},\"info\":{\"api\":\"orders\"},"
                + "\"deprecation\":{\"since\":\"2026-06-01T00:00:00Z\",\"sunset\":\"2027-06-30T00:00:00Z\",\"successor\":\"/v2/orders\"}}";
        try (AnalyticsStreamsApp app = AnalyticsStreamsApp.start(settings(kafka, state));
             var policies = new KafkaProducer<>(kafka.producerConfig(Map.of()), new StringSerializer(),
                     serdes.<io.eventgate.avro.PolicyEntity>serde(Topic.POLICIES).serializer());
             var configs = new KafkaProducer<>(kafka.producerConfig(Map.of()), new StringSerializer(),
                     serdes.<io.eventgate.avro.NodeConfig>serde(Topic.NODE_CONFIG).serializer())) {
            configs.send(new ProducerRecord<>(topics.nodeConfig(), "edge-1", io.eventgate.avro.NodeConfig.newBuilder().setNodeId("edge-1")
                    .setPublishedAt(Instant.now()).setChecksum("c").setEntities(List.of(
                            new io.eventgate.avro.StaticEntity("route:orders-v1", "ROUTE", "orders-v1", v1),
                            new io.eventgate.avro.StaticEntity("plan:gold", "PLAN", "gold", "{\"ratePerSecond\":10.0,\"burst\":20.0,\"dailyQuota\":1000}")))
                    .build())).get();
            policies.send(new ProducerRecord<>(topics.policies(), "route:orders-v2", io.eventgate.avro.PolicyEntity.newBuilder()
                    .setEntityKey("route:orders-v2").setEntityType(io.eventgate.avro.PolicyEntityType.ROUTE).setEntityId("orders-v2").setVersion(3)
                    .setSpec(v2).setChecksum("x").setSourceCommandId("c-1").setValidatedAt(Instant.now()).build())).get();
            String host = "http://127.0.0.1:" + app.queryPort();
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                JsonNode orders = get(host + "/catalog").path("apis").get(0);
                assertThat(orders.path("api").asText()).isEqualTo("orders");
                assertThat(orders.path("routes")).hasSize(2);
            });
            JsonNode catalog = get(host + "/catalog");
            JsonNode orders = catalog.path("apis").get(0);
            assertThat(orders.path("owners").toString()).isEqualTo("[\"team-orders\"]");
            assertThat(orders.path("openapi").get(0).asText()).isEqualTo(document.toString());
            assertThat(orders.path("versions").toString()).contains("\"route\":\"orders-v1\"").contains("\"sunset\":\"2027-06-30T00:00:00Z\"")
                    .contains("\"successor\":\"/v2/orders\"");
            assertThat(orders.path("routes").toString()).contains("{\"id\":\"orders-v1\",\"source\":\"yaml\"")
                    .contains("\"id\":\"orders-v2\",\"source\":\"control\",\"paths\":[\"/v2/orders/**\"],\"methods\":[\"GET\",\"POST\"],"
                            + "\"authentication\":\"required\",\"schemes\":[\"apiKey\"],\"groups\":[\"partners\"]");
            assertThat(catalog.path("plans").toString()).contains("\"id\":\"gold\"").contains("\"dailyQuota\":1000");
            HttpResponse<String> openapi = send(host + "/catalog/orders/openapi", Map.of());
            assertThat(openapi.statusCode()).isEqualTo(200);
            assertThat(openapi.body()).contains("title: Orders");
            assertThat(send(host + "/catalog/nothing/openapi", Map.of()).statusCode()).isEqualTo(404);
        }
    }

    static AnalyticsSettings settings(TestKafka kafka, Path state) {
        return new AnalyticsSettings(kafka.topicPrefix() + "analytics", kafka.bootstrapServers(), kafka.registryUrl(), kafka.topicPrefix(), state,
                Duration.ofSeconds(30), null, null, null, new QuerySettings(0, "127.0.0.1", "127.0.0.1"));
    }

    static RequestEvent event(String id, Instant at, String route, String consumer, int status) {
        return RequestEvent.newBuilder().setRequestId(id).setTraceId("0".repeat(32)).setTimestamp(at).setNode("edge-1").setRouteId(route)
                .setMethod("GET").setPath("/" + route).setStatus(status).setGatewayLatencyMicros(1_000 + id.hashCode() % 500).setBytesIn(0)
                .setBytesOut(10).setConsumerId(consumer).setPlan("gold").setClientAddress("203.0.113.1").setOutcome(RequestOutcome.PROXIED).build();
    }

    boolean healthyWithTwoInstances(String host) throws Exception {
        HttpResponse<String> health = send(host + "/health", Map.of());
        return health.statusCode() == 200 && JSON.readTree(health.body()).path("instances").size() == 2;
    }

    JsonNode get(String url) throws Exception {
        HttpResponse<String> response = send(url, Map.of());
        assertThat(response.statusCode()).as(url + " -> " + response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    /** What this instance alone holds: the header other instances send when they gather answers. */
    JsonNode getLocal(String url) throws Exception {
        HttpResponse<String> response = send(url, Map.of(Instances.FORWARDED, "true"));
        assertThat(response.statusCode()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    int status(String url) throws Exception {
        return send(url, Map.of()).statusCode();
    }

    HttpResponse<String> send(String url, Map<String, String> headers) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10));
        headers.forEach(request::header);
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
