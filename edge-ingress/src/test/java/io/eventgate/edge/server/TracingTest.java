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

    @Test
    void spansGoToAnOtlpCollectorWithTheClientsTraceId(TestKafka kafka, @TempDir Path dir) throws Exception {
        // a real OTLP/HTTP receiver on loopback: it keeps what the exporter posts to /v1/traces
        List<byte[]> posts = new CopyOnWriteArrayList<>();
        List<String> contentTypes = new CopyOnWriteArrayList<>();
        com.sun.net.httpserver.HttpServer collector = com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        collector.createContext("/v1/traces", exchange -> {
            contentTypes.add(exchange.getRequestHeaders().getFirst("Content-Type"));
            posts.add(exchange.getRequestBody().readAllBytes());
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        collector.start();
        String traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
        try (DemoUpstream upstream = DemoUpstream.start("127.0.0.1", 0)) {
            EdgeSettings settings = EdgeFixture.settings(kafka, dir, Map.of("demo", EdgeFixture.pool(upstream.url())),
                    List.of(EdgeFixture.route("echo", "/echo/**", "demo")))
                    .withTracing(new TracingSettings("otlp", "http://127.0.0.1:" + collector.getAddress().getPort() + "/v1/traces"));
            try (EdgeServer edge = EdgeServer.start(settings)) {
                HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + edge.port() + "/echo/t"))
                        .header("traceparent", "00-" + traceId + "-00f067aa0ba902b7-01").build(), HttpResponse.BodyHandlers.ofString());
                assertThat(response.statusCode()).isEqualTo(200);
            } // closing the node flushes the exporter's batch
        } finally {
            collector.stop(0);
        }
        assertThat(posts).as("batches posted to the collector").isNotEmpty();
        assertThat(contentTypes).allMatch(type -> type.startsWith("application/x-protobuf"));
        byte[] id = java.util.HexFormat.of().parseHex(traceId);
        assertThat(posts).as("the spans carry the client's trace id").anyMatch(body -> contains(body, id));
    }

    @Test
    void anExporterThatIsNotThereOrAnEndpointThatIsNoUrlIsRefusedAtStart() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new TracingSettings("zipkin"))
                .hasMessageContaining("exporter must be none, logging or otlp");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new TracingSettings("otlp", "collector:4318"))
                .hasMessageContaining("http(s) URL of an OTLP/HTTP receiver");
        assertThat(new TracingSettings("OTLP").endpoint()).isEqualTo("http://127.0.0.1:4318/v1/traces");
    }

    static boolean contains(byte[] haystack, byte[] needle) {
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            if (java.util.Arrays.equals(haystack, i, i + needle.length, needle, 0, needle.length)) {
                return true;
            }
        }
        return false;
    }
}
