package io.eventgate.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.eventgate.schemas.Topic;
import io.eventgate.settings.SettingsException;
import io.eventgate.settings.SettingsLoader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalStackSmokeTest {
    final HttpClient http = HttpClient.newHttpClient();

    /** The shipped config/local.yaml on free ports and a temporary directory. */
    static LocalStackSettings settings(Path dataDir) {
        return settings(dataDir, Map.of());
    }

    /** The same, with more environment overrides. */
    static LocalStackSettings settings(Path dataDir, Map<String, String> extra) {
        Map<String, String> env = new java.util.HashMap<>(Map.of(
                "GATEWAY_DATA_DIR", dataDir.toString(),
                "GATEWAY_KAFKA_PORT", "0", "GATEWAY_KAFKA_CONTROLLER_PORT", "0",
                "GATEWAY_REGISTRY_PORT", "0", "GATEWAY_DEMO_UPSTREAM_PORT", "0",
                "GATEWAY_EDGE_SERVER_PORT", "0", "GATEWAY_EDGE_SERVER_ADMIN_PORT", "0",
                "GATEWAY_EDGE_EVENTS_JOURNAL_DIR", dataDir.resolve("edge-journal").toString(),
                "GATEWAY_POLICY_STREAMS_STATE_DIR", dataDir.resolve("policy-streams").toString(),
                "GATEWAY_ANALYTICS_STREAMS_STATE_DIR", dataDir.resolve("analytics-streams").toString()));
        env.put("GATEWAY_ANALYTICS_STREAMS_QUERY_PORT", "0");
        env.put("GATEWAY_DEMO_UPSTREAM_GRPC_PORT", "0");
        env.put("GATEWAY_ANOMALY_DETECTOR_METRICS_PORT", "0");
        env.put("GATEWAY_POLICY_STREAMS_METRICS_PORT", "0");
        env.put("GATEWAY_ANOMALY_DETECTOR_STATE_DIR", dataDir.resolve("anomaly-detector").toString());
        env.putAll(extra);
        // the file's paths are relative to the repository root, where ./gateway local runs; tests run in local-stack/
        String yaml;
        try {
            yaml = Files.readString(Path.of("..", "config", "local.yaml")).replace("openapi: config/", "openapi: ../config/");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return SettingsLoader.parse(yaml, "../config/local.yaml", LocalStackSettings.class, "GATEWAY", env);
    }

    @Test
    void registryListsEveryContractSubjectAndTheDemoUpstreamEchoes(@TempDir Path dataDir) throws Exception {
        try (LocalStack stack = LocalStack.start(settings(dataDir))) {
            JsonNode subjects = new ObjectMapper().readTree(get(stack.registryUrl() + "/subjects").body());
            List<String> names = new ArrayList<>();
            subjects.forEach(s -> names.add(s.asText()));
            List<String> expected = new ArrayList<>(Arrays.stream(Topic.values()).map(t -> "gateway." + t.suffix() + "-value").toList());
            expected.addAll(List.of("demo.orders-value", "demo.quote-requests-value", "demo.quote-replies-value")); // the sample routes' topics
            assertThat(names).containsExactlyInAnyOrderElementsOf(expected);

            HttpResponse<String> echo = get(stack.endpoints().get("demo upstream"));
            assertThat(echo.statusCode()).isEqualTo(200);
            assertThat(new ObjectMapper().readTree(echo.body()).path("path").asText()).isEqualTo("/echo/hi");

            HttpResponse<String> throughEdge = get(stack.endpoints().get("edge"));
            assertThat(throughEdge.statusCode()).isEqualTo(200);
            assertThat(new ObjectMapper().readTree(throughEdge.body()).path("path").asText()).isEqualTo("/echo/hi");
            String api = stack.endpoints().get("edge").replace("/echo/hi", "/api/hi");
            assertThat(get(api).statusCode()).as("route api needs a key").isEqualTo(401);
            HttpResponse<String> withKey = http.send(HttpRequest.newBuilder(URI.create(api)).header("X-API-Key", "demo-key").build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(withKey.statusCode()).isEqualTo(200);
            assertThat(withKey.headers().firstValue("RateLimit-Limit")).hasValue("20");
            assertThat(new ObjectMapper().readTree(withKey.body()).path("path").asText()).isEqualTo("/echo/hi");
            assertThat(get(stack.endpoints().get("edge admin")).statusCode()).isEqualTo(200);

            // the sample traffic policies, as the README shows them
            String edge = stack.endpoints().get("edge").replace("/echo/hi", "");
            HttpResponse<String> preflight = http.send(HttpRequest.newBuilder(URI.create(edge + "/echo/hi"))
                    .method("OPTIONS", HttpRequest.BodyPublishers.noBody()).header("Origin", "http://localhost:3000")
                    .header("Access-Control-Request-Method", "POST").build(), HttpResponse.BodyHandlers.ofString());
            assertThat(preflight.statusCode()).isEqualTo(204);
            assertThat(preflight.headers().firstValue("Access-Control-Allow-Origin")).hasValue("http://localhost:3000");
            HttpResponse<byte[]> gzip = http.send(HttpRequest.newBuilder(URI.create(edge + "/echo/hi")).header("Accept-Encoding", "gzip").build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertThat(gzip.headers().firstValue("Content-Encoding")).hasValue("gzip");
            try (var in = new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(gzip.body()))) {
                assertThat(new ObjectMapper().readTree(in).path("path").asText()).isEqualTo("/echo/hi");
            }
            var encoded = new java.io.ByteArrayOutputStream();
            try (var out = new java.util.zip.GZIPOutputStream(encoded)) {
                out.write("{\"order\":42}".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            }
            HttpResponse<String> upload = http.send(HttpRequest.newBuilder(URI.create(edge + "/echo/orders")).header("Content-Encoding", "gzip")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(encoded.toByteArray())).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(new ObjectMapper().readTree(upload.body()).path("body").asText()).as("decoded at the edge").isEqualTo("{\"order\":42}");
            HttpResponse<String> order = http.send(HttpRequest.newBuilder(URI.create(edge + "/events/orders")).header("X-API-Key", "demo-key")
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
                            "{\"orderId\":\"o-42\",\"amount\":9.5,\"currency\":\"EUR\"}")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(order.statusCode()).as(order.body()).isEqualTo(202);
            assertThat(order.headers().firstValue("Location")).hasValue("/events/orders/o-42");
            long readBack = System.nanoTime() + java.time.Duration.ofSeconds(10).toNanos();
            HttpResponse<String> latest;
            do {
                latest = http.send(HttpRequest.newBuilder(URI.create(edge + "/events/orders/o-42")).header("X-API-Key", "demo-key").build(),
                        HttpResponse.BodyHandlers.ofString());
            } while (latest.statusCode() == 404 && System.nanoTime() < readBack);
            assertThat(new ObjectMapper().readTree(latest.body()).path("amount").asDouble()).isEqualTo(9.5);
            HttpResponse<String> quote = http.send(HttpRequest.newBuilder(URI.create(edge + "/rpc/quote")).header("X-API-Key", "demo-key")
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
                            "{\"orderId\":\"o-43\",\"amount\":10,\"currency\":\"EUR\"}")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(quote.statusCode()).as(quote.body()).isEqualTo(200);
            assertThat(new ObjectMapper().readTree(quote.body()).path("total").asDouble()).as("the demo responder's answer").isEqualTo(12.0);
            // a gRPC call to the demo's echo, through the edge's grpc route
            int edgePort = URI.create(edge).getPort();
            io.grpc.ManagedChannel grpc = io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder.forAddress("127.0.0.1", edgePort).usePlaintext().build();
            try {
                byte[] echoed = io.grpc.stub.ClientCalls.blockingUnaryCall(grpc, io.eventgate.demo.GrpcEcho.SAY,
                        io.grpc.CallOptions.DEFAULT.withDeadlineAfter(10, java.util.concurrent.TimeUnit.SECONDS), "hello".getBytes());
                assertThat(new String(echoed)).isEqualTo("hello");
            } finally {
                grpc.shutdownNow();
            }
            JsonNode person = new ObjectMapper().readTree(get(edge + "/people/7?debug=1").body());
            assertThat(person.path("path").asText()).isEqualTo("/echo/person-7");
            assertThat(person.path("query").asText()).isEqualTo("source=gateway");
            HttpResponse<String> deprecated = get(edge + "/v0/hi");
            assertThat(deprecated.statusCode()).isEqualTo(200);
            assertThat(deprecated.headers().firstValue("Deprecation")).hasValue("@" + java.time.Instant.parse("2026-06-01T00:00:00Z").getEpochSecond());
            assertThat(deprecated.headers().firstValue("Sunset")).hasValue("Tue, 30 Jun 2099 00:00:00 GMT");
            String deprecations = stack.endpoints().get("dashboard") + "deprecations";
            long counted = System.nanoTime() + java.time.Duration.ofSeconds(30).toNanos();
            JsonNode calls;
            do {
                calls = new ObjectMapper().readTree(get(deprecations).body()).path("calls");
                Thread.sleep(100);
            } while (calls.isEmpty() && System.nanoTime() < counted);
            JsonNode catalog = new ObjectMapper().readTree(get(stack.endpoints().get("dashboard") + "catalog").body());
            assertThat(catalog.toString()).as("the catalog lists the sample API with its contract")
                    .contains("{\"api\":\"demo-orders\",\"owners\":[\"team-demo\"],\"openapi\":[\"../config/openapi/demo-orders.yaml\"]");
            assertThat(get(stack.endpoints().get("dashboard") + "catalog/demo-orders/openapi").body()).contains("title: Demo orders");
            assertThat(calls.toString()).as("analytics lists who calls the deprecated version")
                    .contains("{\"route\":\"hello-v0\",\"consumer\":\"anonymous\",\"calls\":1}");
            HttpResponse<String> maintenance = get(edge + "/maintenance/x");
            assertThat(maintenance.statusCode()).isEqualTo(503);
            assertThat(maintenance.body()).isEqualTo("{\"status\":\"down for maintenance\"}");

            String metrics = stack.endpoints().get("edge admin").replace("/observe/health", "/observe/metrics");
            long deadline = System.nanoTime() + java.time.Duration.ofSeconds(30).toNanos();
            double published = 0;
            while (published < 3 && System.nanoTime() < deadline) {
                published = get(metrics).body().lines().filter(l -> l.startsWith("edge_events_published_total"))
                        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
                Thread.sleep(100);
            }
            assertThat(published).as("the sample config publishes every request to Kafka").isGreaterThanOrEqualTo(3);

            // every metric the Grafana dashboards (deploy/grafana/dashboards) plot is one the components expose
            String dashboard = stack.endpoints().get("dashboard");
            String scraped = get(metrics).body() + get(stack.endpoints().get("policy metrics")).body() + get(dashboard + "metrics").body()
                    + get(stack.endpoints().get("anomaly metrics")).body();
            java.util.regex.Pattern metric = java.util.regex.Pattern.compile("\\b((?:edge|kafka|anomaly)_[a-z_]+)");
            try (var files = java.nio.file.Files.list(Path.of("..", "deploy", "grafana", "dashboards"))) {
                for (Path file : files.toList()) {
                    for (JsonNode panel : new ObjectMapper().readTree(file.toFile()).path("panels")) {
                        for (JsonNode target : panel.path("targets")) {
                            var plotted = metric.matcher(target.path("expr").asText());
                            while (plotted.find()) {
                                assertThat(scraped).as(file.getFileName() + ", panel '" + panel.path("title").asText() + "'").contains(plotted.group(1));
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void restartOnTheSameDataDirectoryKeepsTopicsAndSchemaIds(@TempDir Path dataDir) throws Exception {
        String firstId;
        try (LocalStack stack = LocalStack.start(settings(dataDir))) {
            firstId = get(stack.registryUrl() + "/subjects/gateway.requests-value/versions/latest").body();
        }
        try (LocalStack stack = LocalStack.start(settings(dataDir))) {
            assertThat(get(stack.registryUrl() + "/subjects/gateway.requests-value/versions/latest").body()).isEqualTo(firstId);
            try (var admin = org.apache.kafka.clients.admin.Admin.create(Map.of("bootstrap.servers", stack.bootstrapServers()))) {
                assertThat(admin.listTopics().names().get()).contains("gateway.requests", "gateway.policies");
            }
        }
    }

    @Test
    void aBadSettingFailsWithItsPath(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("bad.yaml");
        Files.writeString(file, Files.readString(Path.of("..", "config", "local.yaml")).replace("partitions: 3", "partitions: 0"));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> SettingsLoader.load(file, LocalStackSettings.class, "GATEWAY", Map.of()))
                .isInstanceOf(SettingsException.class)
                .hasMessageContaining("kafka").hasMessageContaining("partitions must be between 1 and 1000, was 0");
    }

    HttpResponse<String> get(String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
