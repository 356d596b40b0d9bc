package io.eventgate.edge.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventgate.demo.DemoUpstream;
import io.eventgate.edge.ControllableUpstream;
import io.eventgate.edge.EdgeFixture;
import io.eventgate.edge.config.EdgeSettings;
import io.eventgate.policy.model.PoolSettings;
import io.eventgate.policy.model.RouteSettings;
import io.eventgate.edge.server.EdgeServer;
import io.eventgate.testkit.KafkaExtension;
import io.eventgate.testkit.TestKafka;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Each resilience behaviour against real upstreams on loopback. */
@ExtendWith(KafkaExtension.class)
class ResilienceTest {
    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @TempDir
    Path journal;

    static RouteSettings route(String pool, RouteSettings.Timeouts timeouts, RouteSettings.Retries retries) {
        return new RouteSettings("r", new RouteSettings.Match(null, List.of("/**"), null, null),
                List.of(new RouteSettings.Destination(pool, 100)), null, null, timeouts, retries, null);
    }

    EdgeServer edge(TestKafka kafka, Map<String, PoolSettings> pools, RouteSettings route) {
        EdgeSettings settings = EdgeFixture.settings(kafka, journal, pools, List.of(route));
        return EdgeServer.start(settings);
    }

    HttpResponse<String> call(EdgeServer edge, String method, String path) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + edge.port() + path));
        request.method(method, method.equals("POST") ? HttpRequest.BodyPublishers.ofString("payload") : HttpRequest.BodyPublishers.noBody());
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void slowUpstreamHitsTheFirstByteTimeoutWith504(TestKafka kafka) throws Exception {
        try (DemoUpstream upstream = DemoUpstream.start("127.0.0.1", 0);
             EdgeServer edge = edge(kafka, Map.of("p", EdgeFixture.pool(upstream.url())),
                     route("p", new RouteSettings.Timeouts(null, Duration.ofMillis(300), null), null))) {
            long started = System.nanoTime();
            HttpResponse<String> response = call(edge, "GET", "/delay/3000");
            assertThat(response.statusCode()).isEqualTo(504);
            assertThat(response.body()).contains("first_byte_timeout");
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofMillis(2500));
            assertThat(call(edge, "GET", "/delay/10").statusCode()).as("the next request is unaffected").isEqualTo(200);
        }
    }

    @Test
    void upstreamStallingMidBodyHitsTheIdleTimeout(TestKafka kafka) throws Exception {
        try (ControllableUpstream upstream = ControllableUpstream.start();
             EdgeServer edge = edge(kafka, Map.of("p", EdgeFixture.pool(upstream.url())),
                     route("p", new RouteSettings.Timeouts(null, null, Duration.ofMillis(300)), null))) {
            long started = System.nanoTime();
            HttpResponse<String> small = call(edge, "GET", "/stall/100");
            assertThat(small.statusCode()).as("a small body is relayed whole, so the stall still gets a status").isEqualTo(504);

            boolean cut;
            try {
                HttpResponse<String> large = call(edge, "GET", "/stall/1000000");
                cut = large.body().length() < 1_000_000;
            } catch (IOException expected) {
                cut = true; // a streamed body's status is already out: the client sees the connection end early
            }
            assertThat(cut).isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofMillis(4000));
        }
    }

    @Test
    void refusedConnectionIs502(TestKafka kafka) throws Exception {
        int closed;
        try (ServerSocket socket = new ServerSocket(0)) {
            closed = socket.getLocalPort();
        }
        try (EdgeServer edge = edge(kafka, Map.of("p", EdgeFixture.pool("http://127.0.0.1:" + closed)), route("p", null, null))) {
            HttpResponse<String> response = call(edge, "GET", "/x");
            assertThat(response.statusCode()).isEqualTo(502);
            assertThat(response.body()).contains("connect_failed");
        }
    }

    @Test
    void onlyIdempotentRequestsAreRetried(TestKafka kafka) throws Exception {
        try (ControllableUpstream upstream = ControllableUpstream.start().failFirst(2, 503);
             EdgeServer edge = edge(kafka, Map.of("p", EdgeFixture.pool(upstream.url())),
                     route("p", null, new RouteSettings.Retries(3, List.of(503), Duration.ofMillis(5), Duration.ofMillis(20), 50)))) {
            HttpResponse<String> get = call(edge, "GET", "/thing");
            assertThat(get.statusCode()).isEqualTo(200);
            assertThat(upstream.calls()).isEqualTo(3);

            upstream.failFirst(4, 503); // calls 4 fails for the POST
            HttpResponse<String> post = call(edge, "POST", "/thing");
            assertThat(post.statusCode()).isEqualTo(503);
            assertThat(upstream.posts()).isEqualTo(1);
        }
    }

    @Test
    void retryBudgetCapsRetriesUnderSustainedFailure(TestKafka kafka) throws Exception {
        try (ControllableUpstream upstream = ControllableUpstream.start().answer(503);
             EdgeServer edge = edge(kafka, Map.of("p", EdgeFixture.pool(upstream.url())),
                     route("p", null, new RouteSettings.Retries(3, List.of(503), Duration.ofMillis(1), Duration.ofMillis(2), 10)))) {
            int requests = 100;
            for (int i = 0; i < requests; i++) {
                assertThat(call(edge, "GET", "/x").statusCode()).isEqualTo(503);
            }
            // without a budget 3 retries each would make 400 calls; the budget allows a reserve of 10 plus 10 %
            assertThat(upstream.calls()).isBetween(requests, requests + 10 + requests / 10 + 1);
        }
    }

    @Test
    void breakerOpensAnswers503WithRetryAfterThenProbesAndCloses(TestKafka kafka) throws Exception {
        PoolSettings.CircuitBreaker breaker = new PoolSettings.CircuitBreaker(50, 4, 4, Duration.ofSeconds(1), 1);
        try (ControllableUpstream upstream = ControllableUpstream.start().answer(500)) {
            PoolSettings pool = new PoolSettings(List.of(new PoolSettings.Instance(upstream.url(), 1)), null, null, null, null, breaker);
            try (EdgeServer edge = edge(kafka, Map.of("p", pool), route("p", null, null))) {
                for (int i = 0; i < 4; i++) {
                    assertThat(call(edge, "GET", "/x").statusCode()).isEqualTo(500);
                }
                HttpResponse<String> refused = call(edge, "GET", "/x");
                assertThat(refused.statusCode()).isEqualTo(503);
                assertThat(refused.headers().firstValue("Retry-After")).isPresent();
                assertThat(refused.body()).contains("circuit_open");
                assertThat(upstream.calls()).as("an open breaker spares the upstream").isEqualTo(4);

                upstream.answer(200);
                long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                int status = 0;
                while (status != 200 && System.nanoTime() < deadline) {
                    status = call(edge, "GET", "/x").statusCode(); // 503 until the wait is over, then the half-open probe
                    Thread.onSpinWait();
                }
                assertThat(status).isEqualTo(200);
                assertThat(call(edge, "GET", "/x").statusCode()).as("closed again").isEqualTo(200);
            }
        }
    }

    @Test
    void consecutiveFailuresEjectAnInstance(TestKafka kafka) throws Exception {
        try (ControllableUpstream bad = ControllableUpstream.start().answer(500);
             ControllableUpstream good = ControllableUpstream.start()) {
            PoolSettings pool = new PoolSettings(List.of(new PoolSettings.Instance(bad.url(), 1), new PoolSettings.Instance(good.url(), 1)),
                    PoolSettings.Balancer.ROUND_ROBIN, null, null, new PoolSettings.Outlier(3, Duration.ofSeconds(60)), null);
            try (EdgeServer edge = edge(kafka, Map.of("p", pool), route("p", null, null))) {
                for (int i = 0; i < 40; i++) {
                    call(edge, "GET", "/x");
                }
                assertThat(bad.calls()).as("ejected after 3 consecutive failures").isEqualTo(3);
                assertThat(good.calls()).isEqualTo(37);
            }
        }
    }

    @Test
    void failingHealthCheckTakesAnInstanceOutAndRecoveryBringsItBack(TestKafka kafka) throws Exception {
        try (ControllableUpstream sick = ControllableUpstream.start().health(503);
             ControllableUpstream well = ControllableUpstream.start()) {
            PoolSettings pool = new PoolSettings(List.of(new PoolSettings.Instance(sick.url(), 1), new PoolSettings.Instance(well.url(), 1)),
                    PoolSettings.Balancer.ROUND_ROBIN, null,
                    new PoolSettings.HealthCheck("/health", Duration.ofMillis(50), Duration.ofMillis(500), 1, 2), null, null);
            try (EdgeServer edge = edge(kafka, Map.of("p", pool), route("p", null, null))) {
                awaitOnlyServedBy(edge, well, sick);
                sick.health(200);
                long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                int before = sick.calls();
                while (sick.calls() == before && System.nanoTime() < deadline) {
                    call(edge, "GET", "/x");
                }
                assertThat(sick.calls()).as("back in rotation once healthy").isGreaterThan(before);
            }
        }
    }

    /** Waits (bounded) until 20 requests in a row reach {@code expected} and none reaches {@code excluded}. */
    void awaitOnlyServedBy(EdgeServer edge, ControllableUpstream expected, ControllableUpstream excluded) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        int streak = 0;
        while (streak < 20 && System.nanoTime() < deadline) {
            int before = excluded.calls();
            call(edge, "GET", "/x");
            streak = excluded.calls() == before ? streak + 1 : 0;
        }
        assertThat(streak).as("requests in a row that avoided the unhealthy instance").isEqualTo(20);
    }
}
