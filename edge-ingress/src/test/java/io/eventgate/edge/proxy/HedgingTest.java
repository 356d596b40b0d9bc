package io.eventgate.edge.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventgate.avro.RequestEvent;
import io.eventgate.edge.EdgeFixture;
import io.eventgate.edge.RequestEventsOnTopic;
import io.eventgate.edge.server.EdgeServer;
import io.eventgate.policy.model.PoolSettings;
import io.eventgate.policy.model.RoutePolicies;
import io.eventgate.policy.model.RouteSettings;
import io.eventgate.schemas.Topics;
import io.eventgate.testkit.KafkaExtension;
import io.eventgate.testkit.TestKafka;
import io.helidon.webserver.WebServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hedged requests against a pool with one slow instance: no answer waits for the slow one, the hedges stay within their
 * budget, a cancelled attempt is no mark against its instance, and each hedged request says so in its RequestEvent.
 */
@ExtendWith(KafkaExtension.class)
class HedgingTest {
    static final long SLOW_MILLIS = 1_500;
    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    /** Answers with its name after {@code delayMillis}, or after the request's {@code ms} query parameter when it has one. */
    static WebServer answering(String name, long delayMillis, AtomicInteger calls) {
        return WebServer.builder().host("127.0.0.1").port(0).routing(r -> r.any((req, res) -> {
            calls.incrementAndGet();
            long delay = delayMillis > 0 ? req.query().first("ms").map(Long::parseLong).orElse(delayMillis) : 0;
            if (delay > 0) {
                Thread.sleep(delay);
            }
            res.send(name);
        })).build().start();
    }

    @Test
    void slowAttemptsAreHedgedToAnotherInstanceWithinTheBudget(TestKafka kafka, @TempDir Path dir) throws Exception {
        AtomicInteger fastCalls = new AtomicInteger();
        AtomicInteger slowCalls = new AtomicInteger();
        WebServer fast = answering("fast", 0, fastCalls);
        WebServer slow = answering("slow", SLOW_MILLIS, slowCalls);
        PoolSettings pool = EdgeFixture.pool("http://127.0.0.1:" + fast.port(), "http://127.0.0.1:" + slow.port());
        RouteSettings hedged = EdgeFixture.route("hedged", "/hedged/**", "both").withHedge(new RoutePolicies.Hedge(Duration.ofMillis(50), null, 100));
        RouteSettings plain = EdgeFixture.route("plain", "/plain/**", "both");
        RouteSettings budgeted = EdgeFixture.route("budgeted", "/budgeted/**", "both").withHedge(new RoutePolicies.Hedge(Duration.ofMillis(50), null, 1));
        try (EdgeServer edge = EdgeServer.start(EdgeFixture.settings(kafka, dir, Map.of("both", pool), List.of(hedged, plain, budgeted)))) {
            String base = "http://127.0.0.1:" + edge.port();
            List<String> hedgedAnswers = new ArrayList<>();
            long slowest = 0;
            for (int i = 0; i < 12; i++) {
                long started = System.nanoTime();
                hedgedAnswers.add(get(base + "/hedged/" + i));
                slowest = Math.max(slowest, System.nanoTime() - started);
            }
            assertThat(hedgedAnswers).as("every answer came from the fast instance: the slow one's attempts were hedged").containsOnly("fast");
            assertThat(slowCalls.get()).as("the slow instance was tried, and hedged away from").isPositive();
            assertThat(slowest).as("no answer waited for the slow instance").isLessThan(Duration.ofMillis(SLOW_MILLIS).toNanos());

            List<String> plainAnswers = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                plainAnswers.add(get(base + "/plain/" + i));
            }
            assertThat(plainAnswers).as("without hedging, round robin waits for the slow instance").contains("slow");

            // a budget of 1 %: the reserve of ten hedges, then none until enough requests paid for another
            int slowBefore = slowCalls.get();
            List<String> budgetedAnswers = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                budgetedAnswers.add(get(base + "/budgeted/" + i + "?ms=300")); // slow still (300 ms against a 50 ms delay), and quicker to wait for
            }
            assertThat(budgetedAnswers).as("past the budget, a slow attempt is waited for").contains("slow");
            assertThat(slowCalls.get() - slowBefore).isPositive();

            String metrics = get("http://127.0.0.1:" + edge.adminPort() + "/observe/metrics");
            double won = metric(metrics, "edge_upstream_hedges_total{outcome=\"hedge_won\",route=\"hedged\"}");
            assertThat(won).as("hedges that won on the hedged route").isPositive();
            double budgetedSent = metric(metrics, "edge_upstream_hedges_total{outcome=\"hedge_won\",route=\"budgeted\"}")
                    + metric(metrics, "edge_upstream_hedges_total{outcome=\"first_won\",route=\"budgeted\"}");
            assertThat(budgetedSent).as("hedges sent on the 1 % route: its reserve").isBetween(1.0, 10.0);
            assertThat(metric(metrics, "edge_upstream_hedges_total{outcome=\"over_budget\",route=\"budgeted\"}")).isPositive();
            assertThat(metric(metrics, "edge_upstream_available{instance=\"127.0.0.1:" + slow.port() + "\",pool=\"both\"}"))
                    .as("cancelled attempts are no mark against the slow instance: still available").isEqualTo(1.0);

            List<RequestEvent> events = RequestEventsOnTopic.read(kafka.bootstrapServers(), kafka.registryUrl(), new Topics(kafka.topicPrefix()).requests(),
                    e -> e.size() >= 46, Duration.ofSeconds(30));
            long hedgedEvents = events.stream().filter(e -> e.getRouteId().equals("hedged") && e.getHedged()).count();
            assertThat(hedgedEvents).as("RequestEvents marked hedged").isEqualTo((long) won
                    + (long) metric(metrics, "edge_upstream_hedges_total{outcome=\"first_won\",route=\"hedged\"}"));
            assertThat(events).filteredOn(e -> e.getRouteId().equals("plain")).noneMatch(RequestEvent::getHedged);
            assertThat(events).filteredOn(e -> e.getRouteId().equals("hedged") && e.getHedged())
                    .allSatisfy(e -> assertThat(e.getUpstreamInstance()).isEqualTo("127.0.0.1:" + fast.port()));
        } finally {
            fast.stop();
            slow.stop();
        }
    }

    String get(String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    static double metric(String metrics, String series) {
        return metrics.lines().filter(l -> l.startsWith(series + " ")).mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }
}
