package io.eventgate.edge.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventgate.avro.MirrorDiff;
import io.eventgate.avro.MirrorDifference;
import io.eventgate.edge.EdgeFixture;
import io.eventgate.edge.RequestEventsOnTopic;
import io.eventgate.edge.server.EdgeServer;
import io.eventgate.policy.model.RoutePolicies;
import io.eventgate.policy.model.RouteSettings;
import io.eventgate.schemas.Topics;
import io.eventgate.testkit.KafkaExtension;
import io.eventgate.testkit.TestKafka;
import io.helidon.http.Status;
import io.helidon.webserver.WebServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mirroring through a real edge to a real shadow: the client gets the primary's answer and never waits for the shadow,
 * the shadow gets a marked copy with its body, every difference of status, compared header or body lands on
 * gateway.mirror-diffs, equal answers publish nothing, and mirrors past the route's bound are dropped and counted.
 */
@ExtendWith(KafkaExtension.class)
class MirrorTest {
    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    /** What the shadow saw: path, mirror header, body. */
    record Seen(String path, String mirrorHeader, String body) {
    }

    @Test
    void theShadowGetsACopyAndEveryDifferenceIsPublished(TestKafka kafka, @TempDir Path dir) throws Exception {
        WebServer primary = WebServer.builder().host("127.0.0.1").port(0).routing(r -> r.any((req, res) -> {
            if (req.content().hasEntity()) {
                req.content().consume();
            }
            res.header("X-Version", "1").header("X-Trace", "p").send("{\"v\":1}");
        })).build().start();
        ConcurrentLinkedQueue<Seen> seen = new ConcurrentLinkedQueue<>();
        CountDownLatch shadowAnswers = new CountDownLatch(1);
        WebServer shadow = WebServer.builder().host("127.0.0.1").port(0).routing(r -> r.any((req, res) -> {
            String path = req.path().path();
            seen.add(new Seen(path, req.headers().first(io.helidon.http.HeaderNames.create(Mirroring.HEADER)).orElse(null),
                    req.content().hasEntity() ? req.content().as(String.class) : ""));
            if (path.startsWith("/slow/")) {
                shadowAnswers.await(20, TimeUnit.SECONDS); // holds its mirror until the test lets it go
            }
            switch (path) {
                case "/orders/same" -> res.header("X-Version", "1").header("X-Trace", "s").send("{\"v\":1}");
                case "/orders/broken" -> res.status(Status.INTERNAL_SERVER_ERROR_500).header("X-Version", "2").send("{\"v\":1}");
                default -> res.header("X-Version", "2").send("{\"v\":2}");
            }
        })).build().start();
        RouteSettings orders = EdgeFixture.route("orders", "/orders/**", "v1")
                .withMirror(new RoutePolicies.Mirror("v2", 100, null, null, true, List.of("X-Version")));
        RouteSettings slow = EdgeFixture.route("slow", "/slow/**", "v1").withMirror(new RoutePolicies.Mirror("v2", 100, null, 1, false, null));
        try (EdgeServer edge = EdgeServer.start(EdgeFixture.settings(kafka, dir, Map.of("v1", EdgeFixture.pool("http://127.0.0.1:" + primary.port()),
                "v2", EdgeFixture.pool("http://127.0.0.1:" + shadow.port())), List.of(orders, slow)))) {
            String base = "http://127.0.0.1:" + edge.port();
            HttpResponse<String> changed = http.send(HttpRequest.newBuilder(URI.create(base + "/orders/1")).POST(HttpRequest.BodyPublishers.ofString("{\"qty\":3}"))
                    .header("Content-Type", "application/json").build(), HttpResponse.BodyHandlers.ofString());
            assertThat(changed.body()).as("the client gets the primary's answer").isEqualTo("{\"v\":1}");
            assertThat(changed.headers().firstValue("X-Version")).hasValue("1");
            assertThat(send(base + "/orders/same")).isEqualTo("{\"v\":1}");
            assertThat(send(base + "/orders/broken")).isEqualTo("{\"v\":1}");

            // the shadow holds its first mirror; the client's answers do not wait for it, and the next mirrors are dropped
            for (int i = 0; i < 5; i++) {
                assertThat(send(base + "/slow/" + i)).isEqualTo("{\"v\":1}");
            }
            assertThat(shadowAnswers.getCount()).as("every client was answered while the shadow still held its mirror").isEqualTo(1);
            shadowAnswers.countDown();

            List<MirrorDiff> diffs = RequestEventsOnTopic.mirrorDiffs(kafka.bootstrapServers(), kafka.registryUrl(),
                    new Topics(kafka.topicPrefix()).mirrorDiffs(), d -> d.size() >= 2, Duration.ofSeconds(30));
            assertThat(diffs).extracting(MirrorDiff::getPath).as("equal answers publish nothing").containsExactlyInAnyOrder("/orders/1", "/orders/broken");
            MirrorDiff body = diffs.stream().filter(d -> d.getPath().equals("/orders/1")).findFirst().orElseThrow();
            assertThat(body.getRequestId()).isEqualTo(changed.headers().firstValue("X-Request-Id").orElseThrow());
            assertThat(body.getPrimaryPool()).isEqualTo("v1");
            assertThat(body.getShadowPool()).isEqualTo("v2");
            assertThat(body.getMethod()).isEqualTo("POST");
            assertThat(body.getDifferences()).extracting(MirrorDifference::getField).containsExactlyInAnyOrder("header:x-version", "body");
            assertThat(body.getDifferences()).filteredOn(d -> d.getField().equals("header:x-version"))
                    .singleElement().satisfies(d -> {
                        assertThat(d.getPrimary()).isEqualTo("1");
                        assertThat(d.getShadow()).isEqualTo("2");
                    });
            MirrorDiff status = diffs.stream().filter(d -> d.getPath().equals("/orders/broken")).findFirst().orElseThrow();
            assertThat(status.getPrimaryStatus()).isEqualTo(200);
            assertThat(status.getShadowStatus()).isEqualTo(500);
            assertThat(status.getDifferences()).extracting(MirrorDifference::getField).containsExactlyInAnyOrder("status", "header:x-version")
                    .as("the same body, so no body difference");

            assertThat(seen).filteredOn(s -> s.path().equals("/orders/1")).singleElement()
                    .satisfies(s -> {
                        assertThat(s.mirrorHeader()).as("marked as a mirror").isEqualTo("1");
                        assertThat(s.body()).as("the body is copied").isEqualTo("{\"qty\":3}");
                    });
            String metrics = send("http://127.0.0.1:" + edge.adminPort() + "/observe/metrics");
            assertThat(HedgingTest.metric(metrics, "edge_mirrors_total{result=\"dropped\",route=\"slow\"}")).as("mirrors past maxInFlight 1").isPositive();
            assertThat(HedgingTest.metric(metrics, "edge_mirror_comparisons_total{result=\"same\",route=\"orders\"}")).isEqualTo(1.0);
            assertThat(HedgingTest.metric(metrics, "edge_mirror_comparisons_total{result=\"different\",route=\"orders\"}")).isEqualTo(2.0);
        } finally {
            primary.stop();
            shadow.stop();
        }
    }

    String send(String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }
}
