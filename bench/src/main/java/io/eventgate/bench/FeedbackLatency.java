package io.eventgate.bench;

import io.eventgate.avro.CommandAction;
import io.eventgate.avro.EntityType;
import io.eventgate.avro.PolicyCommand;
import io.eventgate.edge.auth.ApiKeys;
import io.eventgate.edge.server.EdgeServer;
import io.eventgate.local.LocalStack;
import io.eventgate.local.LocalStackSettings;
import io.eventgate.policy.model.ConsumerSettings;
import io.eventgate.policy.model.PlanSettings;
import io.eventgate.schemas.Topic;
import io.eventgate.schemas.serde.ContractSerdes;
import io.eventgate.settings.SettingsLoader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The feedback loop's latency on the local stack with two edge nodes: a consumer's request that uses up its
 * daily quota is served by one node; from that response until both nodes refuse the consumer with 429 (its
 * RequestEvent published, counted by policy-streams, the QUOTA_EXHAUSTED directive published and applied by
 * every node). Each round uses a fresh consumer on a plan with a daily quota of 1.
 *
 * <p>Usage: {@code FeedbackLatency [rounds]} (default 100), from the repository root.
 */
public final class FeedbackLatency {
    private FeedbackLatency() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 100;
        int warmup = 5;
        Path data = Files.createTempDirectory("eventgate-feedback-bench");
        Map<String, String> env = Map.of("GATEWAY_DATA_DIR", data.toString(), "GATEWAY_KAFKA_PORT", "0", "GATEWAY_KAFKA_CONTROLLER_PORT", "0",
                "GATEWAY_REGISTRY_PORT", "0", "GATEWAY_DEMO_UPSTREAM_PORT", "0", "GATEWAY_EDGE_SERVER_PORT", "0", "GATEWAY_EDGE_SERVER_ADMIN_PORT", "0",
                "GATEWAY_ANALYTICS_STREAMS_QUERY_PORT", "0", "GATEWAY_ANOMALY_DETECTOR_METRICS_PORT", "0",
                "GATEWAY_EDGE_EVENTS_JOURNAL_DIR", data.resolve("edge-journal").toString());
        env = new HashMap<>(env);
        env.put("GATEWAY_DEMO_UPSTREAM_GRPC_PORT", "0");
        LocalStackSettings local = SettingsLoader.load(Path.of("config", "local.yaml"), LocalStackSettings.class, "GATEWAY", withStateDirs(env, data));
        Map<String, ConsumerSettings> consumers = new HashMap<>(local.edge().consumers());
        for (int i = 0; i < rounds + warmup; i++) {
            consumers.put("bench-" + i, new ConsumerSettings("bench", List.of(ApiKeys.hash("bench-key-" + i)), List.of()));
        }
        Map<String, PlanSettings> plans = new HashMap<>(local.edge().plans());
        plans.put("bench", new PlanSettings(1000, 1000));
        LocalStackSettings settings = new LocalStackSettings(local.dataDir(), local.kafka(), local.registry(), local.demoUpstream(),
                local.edge().withConsumers(consumers, plans), local.policyStreams(), local.analyticsStreams(), local.anomalyDetector());

        HttpClient http = HttpClient.newHttpClient();
        try (LocalStack stack = LocalStack.start(settings)) {
            EdgeServer second = stack.addEdgeNode("edge-2");
            List<String> nodes = List.of(stack.endpoints().get("edge").replace("/echo/hi", ""), "http://127.0.0.1:" + second.port());
            try (var producer = new KafkaProducer<>(Map.of("bootstrap.servers", stack.bootstrapServers()), new StringSerializer(),
                    ContractSerdes.of(stack.registryUrl()).<PolicyCommand>serde(Topic.CONTROL).serializer())) {
                producer.send(new ProducerRecord<>(stack.topics().control(), "plan:bench", PolicyCommand.newBuilder().setCommandId("bench-plan")
                        .setIssuedAt(Instant.now()).setIssuedBy("bench").setAction(CommandAction.UPSERT).setEntityType(EntityType.PLAN).setEntityId("bench")
                        .setSpec("{\"ratePerSecond\":1000,\"burst\":1000,\"dailyQuota\":1}").build())).get();
            }
            String admin2 = "http://127.0.0.1:" + second.adminPort() + "/config";
            String admin1 = stack.endpoints().get("edge admin").replace("/observe/health", "/config");
            long applied = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (!(body(http, admin1).contains("\"version\":1") && body(http, admin2).contains("\"version\":1")) && System.nanoTime() < applied) {
                Thread.sleep(50); // both nodes take the plan before the rounds start
            }
            List<Double> millis = new ArrayList<>();
            for (int i = 0; i < rounds + warmup; i++) {
                String key = "bench-key-" + i;
                int status = call(http, nodes.get(i % 2) + "/api/feedback", key);
                if (status != 200) {
                    throw new IllegalStateException("round " + i + ": the quota's only request was answered " + status);
                }
                long served = System.nanoTime();
                boolean[] refused = new boolean[2];
                while (!(refused[0] && refused[1])) {
                    for (int n = 0; n < 2; n++) {
                        refused[n] = refused[n] || call(http, nodes.get(n) + "/api/feedback", key) == 429;
                    }
                    if (System.nanoTime() - served > Duration.ofSeconds(30).toNanos()) {
                        throw new IllegalStateException("round " + i + ": the quota was not enforced on both nodes within 30 s");
                    }
                }
                if (i >= warmup) {
                    millis.add((System.nanoTime() - served) / 1e6);
                }
            }
            millis.sort(Double::compare);
            System.out.printf("%nfeedback latency over %d rounds (request served -> 429 on both edge nodes):%n", rounds);
            System.out.printf("| p50 | p90 | p99 | max |%n|---:|---:|---:|---:|%n| %.0f ms | %.0f ms | %.0f ms | %.0f ms |%n",
                    at(millis, 0.50), at(millis, 0.90), at(millis, 0.99), millis.get(millis.size() - 1));
        }
    }

    private static Map<String, String> withStateDirs(Map<String, String> env, Path data) {
        Map<String, String> all = new HashMap<>(env);
        all.put("GATEWAY_POLICY_STREAMS_STATE_DIR", data.resolve("policy-streams").toString());
        all.put("GATEWAY_ANALYTICS_STREAMS_STATE_DIR", data.resolve("analytics-streams").toString());
        all.put("GATEWAY_ANOMALY_DETECTOR_STATE_DIR", data.resolve("anomaly-detector").toString());
        return all;
    }

    private static double at(List<Double> sorted, double quantile) {
        return sorted.get((int) Math.min(sorted.size() - 1, Math.ceil(quantile * sorted.size()) - 1));
    }

    private static int call(HttpClient http, String url, String key) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).header("X-API-Key", key).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private static String body(HttpClient http, String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }
}
