package io.eventgate.analytics.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.eventgate.analytics.AnalyticsStreamsApp;
import io.eventgate.avro.RequestEvent;
import io.eventgate.schemas.Topic;
import io.eventgate.schemas.Topics;
import io.eventgate.schemas.serde.ContractSerdes;
import io.eventgate.testkit.KafkaExtension;
import io.eventgate.testkit.TestKafka;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The dashboard in headless Chromium: it loads, shows a route's figures once traffic arrives, and logs no errors. */
@ExtendWith(KafkaExtension.class)
class DashboardBrowserTest {

    @Test
    void theDashboardShowsARoutesFiguresAfterTrafficWithoutConsoleErrors(TestKafka kafka, @TempDir Path state, @TempDir Path browserDir) throws Exception {
        HeadlessChromium.binary();
        Topics topics = new Topics(kafka.topicPrefix());
        kafka.createTopics(topics.newTopics(2, (short) 1));
        ContractSerdes serdes = ContractSerdes.of(kafka.registryUrl());
        try (AnalyticsStreamsApp app = AnalyticsStreamsApp.start(QueryApiOnBrokerTest.settings(kafka, state));
             var producer = new KafkaProducer<>(kafka.producerConfig(Map.of()), new StringSerializer(), serdes.<RequestEvent>serde(Topic.REQUESTS).serializer());
             HeadlessChromium browser = HeadlessChromium.start(Files.createDirectories(browserDir.resolve("profile")))) {
            String dashboard = "http://127.0.0.1:" + app.queryPort() + "/";
            HttpClient http = HttpClient.newHttpClient();
            await().atMost(Duration.ofSeconds(60)).until(() ->
                    http.send(HttpRequest.newBuilder(URI.create(dashboard + "health")).build(), HttpResponse.BodyHandlers.ofString()).statusCode() == 200);

            browser.open(dashboard);
            await().atMost(Duration.ofSeconds(20)).until(() -> browser.evaluate("document.getElementById('status').textContent").asText().startsWith("updated"));
            assertThat(browser.evaluate("document.querySelector('#routes td.empty') !== null").asBoolean()).as("no traffic yet").isTrue();

            Instant at = Instant.now().truncatedTo(ChronoUnit.MINUTES).minusSeconds(30);
            for (int i = 0; i < 40; i++) {
                Instant t = at.plusMillis(i * 10L);
                producer.send(new ProducerRecord<>(topics.requests(), null, t.toEpochMilli(), "acme",
                        QueryApiOnBrokerTest.event("d" + i, t, "checkout", "acme", i < 36 ? 200 : 500)));
            }
            producer.flush();

            // the page refreshes itself every 5 s: wait for it to show the route, its count and its error rate
            await().atMost(Duration.ofSeconds(45)).untilAsserted(() -> {
                assertThat(browser.evaluate("document.querySelector('#routes tr[data-route=\"checkout\"] td.requests')?.textContent ?? ''").asText())
                        .isEqualTo("40");
                assertThat(browser.evaluate("document.querySelector('#routes tr[data-route=\"checkout\"] td.errors')?.textContent ?? ''").asText())
                        .isEqualTo("10.0 %");
                assertThat(browser.evaluate("document.querySelector('#consumers td.consumer')?.textContent ?? ''").asText()).isEqualTo("acme");
                assertThat(browser.evaluate("document.querySelectorAll('#latency polyline').length").asInt()).isEqualTo(3);
            });
            assertThat(browser.evaluate("document.getElementById('chart-route').textContent").asText()).isEqualTo("checkout");
            assertThat(browser.errors()).as("console errors").isEmpty();
            assertThat(new ObjectMapper().readTree(http.send(HttpRequest.newBuilder(URI.create(dashboard + "routes")).build(),
                    HttpResponse.BodyHandlers.ofString()).body()).path("routes").get(0).path("routeId").asText()).isEqualTo("checkout");
        }
    }
}
