package io.eventgate.edge.events;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventgate.demo.DemoUpstream;
import io.eventgate.edge.EdgeFixture;
import io.eventgate.edge.RequestEventsOnTopic;
import io.eventgate.edge.config.EdgeSettings;
import io.eventgate.edge.config.EventSettings;
import io.eventgate.edge.config.KafkaSettings;
import io.eventgate.edge.server.EdgeServer;
import io.eventgate.registry.EmbeddedSchemaRegistry;
import io.eventgate.schemas.Topics;
import io.eventgate.testkit.KafkaExtension;
import io.eventgate.testkit.TestKafka;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** An unreachable registry or Kafka never fails a client; a full disk budget is the only loss, and it is counted. */
@ExtendWith(KafkaExtension.class)
class EventPublisherFailureTest {
    final HttpClient http = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    static int freePort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    void traffic(EdgeServer edge, String prefix, int count, Set<String> sent) throws Exception {
        for (int i = 0; i < count; i++) {
            String id = prefix + "-" + i;
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + edge.port() + "/echo/x"))
                    .header("X-Request-Id", id).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(200);
            sent.add(id);
        }
    }

    static double counter(EdgeServer edge, String name, String... tags) {
        return edge.metrics().registry().get(name).tags(tags).counter().count();
    }

    static void await(String what, java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(condition.getAsBoolean()).as(what).isTrue();
    }

    @Test
    void registryUnreachableAtStartKeepsEventsInTheJournalUntilItAnswers(TestKafka kafka) throws Exception {
        int registryPort = freePort();
        Set<String> sent = new HashSet<>();
        try (DemoUpstream upstream = DemoUpstream.start("127.0.0.1", 0)) {
            EdgeSettings settings = EdgeFixture.settings(kafka, dir, Map.of("demo", EdgeFixture.pool(upstream.url())),
                            List.of(EdgeFixture.route("echo", "/echo/**", "demo")))
                    .withKafka(new KafkaSettings(kafka.bootstrapServers(), "http://127.0.0.1:" + registryPort, kafka.topicPrefix()));
            try (EdgeServer edge = EdgeServer.start(settings)) {
                traffic(edge, "no-registry", 30, sent);
                await("events journaled while the registry is down", () -> counter(edge, "edge.events.journaled") >= 30);
                assertThat(counter(edge, "edge.events.published")).as("nothing published without the registry").isZero();
                try (EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.start("127.0.0.1", registryPort, null)) {
                    traffic(edge, "registry-back", 10, sent);
                    assertThat(requestIds(kafka, registry.url(), sent.size())).containsAll(sent);
                }
            }
        }
    }

    @Test
    void aFullDiskBudgetIsTheOnlyLossAndItIsCounted(TestKafka kafka) throws Exception {
        int noKafka = freePort();
        try (DemoUpstream upstream = DemoUpstream.start("127.0.0.1", 0)) {
            EdgeSettings settings = EdgeFixture.settings(kafka, dir, Map.of("demo", EdgeFixture.pool(upstream.url())),
                            List.of(EdgeFixture.route("echo", "/echo/**", "demo")))
                    .withKafka(new KafkaSettings("127.0.0.1:" + noKafka, kafka.registryUrl(), kafka.topicPrefix()))
                    .withEvents(new EventSettings(true, 0, new EventSettings.Journal(dir.resolve("tiny"), 4096, 16 * 1024, EventSettings.Fsync.NEVER, null)));
            try (EdgeServer edge = EdgeServer.start(settings)) {
                traffic(edge, "overflow", 300, new HashSet<>());
                await("drops counted once the disk budget is full", () -> counter(edge, "edge.events.dropped", "reason", "disk_budget") > 0);
                double journaled = counter(edge, "edge.events.journaled");
                double dropped = counter(edge, "edge.events.dropped", "reason", "disk_budget");
                assertThat(journaled).isPositive();
                await("every event is either journaled or counted as dropped", () -> counter(edge, "edge.events.journaled")
                        + counter(edge, "edge.events.dropped", "reason", "disk_budget") >= 300);
                assertThat(dropped).isPositive();
                HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + edge.adminPort() + "/observe/health")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(health.statusCode()).as("clients are still served: the node is live").isEqualTo(200);
                assertThat(health.body()).contains("\"status\":\"DEGRADED\"").contains("\"journal\":\"full\"");
            }
        }
    }

    static Set<String> requestIds(TestKafka kafka, String registryUrl, int expected) {
        return new HashSet<>(RequestEventsOnTopic.ids(RequestEventsOnTopic.read(kafka.bootstrapServers(), registryUrl,
                new Topics(kafka.topicPrefix()).requests(), read -> new HashSet<>(RequestEventsOnTopic.ids(read)).size() >= expected,
                Duration.ofSeconds(60))));
    }
}
