package io.eventgate.edge.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventgate.edge.EdgeFixture;
import io.eventgate.edge.server.EdgeServer;
import io.eventgate.policy.model.PoolSettings;
import io.eventgate.testkit.KafkaExtension;
import io.eventgate.testkit.TestKafka;
import io.helidon.webserver.WebServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Upstreams that report their load (ORCA's endpoint-load-metrics) and a pool that weighs them by it. */
@ExtendWith(KafkaExtension.class)
class LoadReportTest {
    @Test
    void theTextFormIsRead() {
        assertThat(LoadReport.utilization("TEXT cpu_utilization=0.3, mem_utilization=0.8")).isEqualTo(0.3);
        assertThat(LoadReport.utilization("TEXT cpu_utilization=0.3, application_utilization=0.6, named_metrics.queue=5")).isEqualTo(0.6);
        assertThat(LoadReport.utilization("text application_utilization=1.5")).as("above 1 is allowed: overloaded").isEqualTo(1.5);
        assertThat(LoadReport.utilization("JSON {\"cpu_utilization\": 0.3}")).as("only the text form").isEqualTo(-1);
        assertThat(LoadReport.utilization("TEXT cpu_utilization=lots, rps_fractional=3")).isEqualTo(-1);
    }

    static WebServer reporting(String name, double utilization) {
        return WebServer.builder().host("127.0.0.1").port(0).routing(r -> r.any((req, res) ->
                res.header("endpoint-load-metrics", "TEXT cpu_utilization=" + utilization).send(name))).build().start();
    }

    @Test
    void aLoadReportPoolSendsMostRequestsToTheLessLoadedInstance(TestKafka kafka, @TempDir Path dir) throws Exception {
        WebServer busy = reporting("busy", 0.9);
        WebServer idle = reporting("idle", 0.1);
        PoolSettings pool = new PoolSettings(List.of(new PoolSettings.Instance("http://127.0.0.1:" + busy.port(), 1),
                new PoolSettings.Instance("http://127.0.0.1:" + idle.port(), 1)), PoolSettings.Balancer.LOAD_REPORT, null, null, null, null);
        try (EdgeServer edge = EdgeServer.start(EdgeFixture.settings(kafka, dir, Map.of("up", pool), List.of(EdgeFixture.route("r", "/r/**", "up"))))) {
            HttpClient http = HttpClient.newHttpClient();
            Map<String, Integer> served = new HashMap<>();
            for (int i = 0; i < 200; i++) {
                HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + edge.port() + "/r/" + i)).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(answer.headers().firstValue("endpoint-load-metrics")).as("the report is the balancer's, not the client's").isEmpty();
                served.merge(answer.body(), 1, Integer::sum);
            }
            // once both have reported, each pick of two random instances that differ goes to the idle one
            assertThat(served.getOrDefault("idle", 0)).as(served.toString()).isGreaterThan(150);
        } finally {
            busy.stop();
            idle.stop();
        }
    }
}
