package io.eventgate.edge.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventgate.demo.DemoUpstream;
import io.eventgate.edge.EdgeFixture;
import io.eventgate.edge.config.EdgeSettings;
import io.eventgate.edge.config.TracingSettings;
import io.eventgate.testkit.KafkaExtension;
import io.eventgate.testkit.TestKafka;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** With the logging exporter, the gateway hop and the upstream call are exported as spans of the client's trace. */
@ExtendWith(KafkaExtension.class)
class TracingTest {

    @Test
    void gatewayAndUpstreamSpansAreExportedInTheClientsTrace(TestKafka kafka, @TempDir Path dir) throws Exception {
        Logger exporterLog = Logger.getLogger("io.opentelemetry.exporter.logging.LoggingSpanExporter");
        List<String> exported = new CopyOnWriteArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                exported.add(record.getMessage() + " " + java.util.Arrays.toString(record.getParameters()));
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        exporterLog.setLevel(Level.INFO);
        exporterLog.addHandler(capture);
        String traceId = "0af7651916cd43dd8448eb211c80319c";
        try (DemoUpstream upstream = DemoUpstream.start("127.0.0.1", 0)) {
            EdgeSettings settings = EdgeFixture.settings(kafka, dir, Map.of("demo", EdgeFixture.pool(upstream.url())),
                    List.of(EdgeFixture.route("echo", "/echo/**", "demo"))).withTracing(new TracingSettings("logging"));
            try (EdgeServer edge = EdgeServer.start(settings)) {
                HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + edge.port() + "/echo/t"))
                        .header("traceparent", "00-" + traceId + "-b7ad6b7169203331-01").build(), HttpResponse.BodyHandlers.ofString());
                assertThat(response.statusCode()).isEqualTo(200);
                long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                while (exported.stream().filter(line -> line.contains(traceId)).count() < 2 && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
            }
        } finally {
            exporterLog.removeHandler(capture);
        }
        assertThat(exported).filteredOn(line -> line.contains(traceId)).hasSizeGreaterThanOrEqualTo(2);
        assertThat(exported).anyMatch(line -> line.contains(traceId) && line.contains("SERVER"));
        assertThat(exported).anyMatch(line -> line.contains(traceId) && line.contains("CLIENT"));
    }
}
