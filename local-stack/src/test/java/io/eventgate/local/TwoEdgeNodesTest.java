package io.eventgate.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventgate.avro.EntityType;
import io.eventgate.avro.NodeHeartbeat;
import io.eventgate.avro.PolicyCommand;
import io.eventgate.edge.server.EdgeServer;
import io.eventgate.schemas.Topic;
import io.eventgate.schemas.serde.ContractSerdes;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two edge nodes in one JVM on one broker: a command is applied by both, and a quota breach is enforced on both. How
 * fast is printed, not asserted (a busy machine is slower, not wrong); bench/feedback-bench.sh measures it.
 */
class TwoEdgeNodesTest {
    final HttpClient http = HttpClient.newHttpClient();

    @Test
    void bothNodesApplyACommandAndEnforceAQuotaBreachWithinASecond(@TempDir Path dataDir) throws Exception {
        try (LocalStack stack = LocalStack.start(LocalStackSmokeTest.settings(dataDir))) {
            EdgeServer second = stack.addEdgeNode("edge-2");
            List<String> nodes = List.of(stack.endpoints().get("edge").replace("/echo/hi", ""), "http://127.0.0.1:" + second.port());
            ContractSerdes serdes = ContractSerdes.of(stack.registryUrl());
            try (var producer = new KafkaProducer<>(Map.of("bootstrap.servers", stack.bootstrapServers()), new StringSerializer(),
                    serdes.<PolicyCommand>serde(Topic.CONTROL).serializer());
                 var heartbeats = new KafkaConsumer<>(Map.<String, Object>of("bootstrap.servers", stack.bootstrapServers(), "group.id", "operator",
                         "auto.offset.reset", "earliest"), new StringDeserializer(), serdes.<NodeHeartbeat>serde(Topic.NODES).deserializer())) {
                heartbeats.subscribe(List.of(stack.topics().nodes()));
                Map<String, Long> applied = new HashMap<>();
                long up = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (!(applied.containsKey("edge-1") && applied.containsKey("edge-2")) && System.nanoTime() < up) {
                    heartbeats.poll(Duration.ofMillis(100)).forEach(r -> applied.put(r.value().getNodeId(), r.value().getAppliedPolicyVersion()));
                }
                assertThat(applied).as("both nodes beat").containsKeys("edge-1", "edge-2");

                // a first command, so what is measured next is the loop in its steady state, not the apps' first rebalance
                String demo = stack.endpoints().get("demo upstream").replace("/echo/hi", "");
                producer.send(new ProducerRecord<>(stack.topics().control(), "pool:spare", ControlLoopTest.command("p1", EntityType.UPSTREAM_POOL, "spare",
                        "{\"instances\":[{\"url\":\"" + demo + "\"}]}"))).get();
                awaitVersion(heartbeats, applied, 1, Duration.ofSeconds(30));

                // the command: a plan with a daily quota of 3 billable requests
                long sent = System.nanoTime();
                producer.send(new ProducerRecord<>(stack.topics().control(), "plan:demo", ControlLoopTest.command("q1", EntityType.PLAN, "demo",
                        "{\"ratePerSecond\":1000,\"burst\":1000,\"dailyQuota\":3}"))).get();
                awaitVersion(heartbeats, applied, 2, Duration.ofSeconds(10));
                double appliedAfter = (System.nanoTime() - sent) / 1e9;
                System.out.printf("command applied by both nodes, as their heartbeats report, after %.2f s%n", appliedAfter);
                assertThat(applied).containsEntry("edge-1", 2L).containsEntry("edge-2", 2L);

                // three billable requests, alternating nodes: the third breaches the quota
                for (int i = 0; i < 3; i++) {
                    assertThat(call(nodes.get(i % 2) + "/api/q").statusCode()).isEqualTo(200);
                }
                long breach = System.nanoTime();
                boolean[] refused = new boolean[2];
                while (!(refused[0] && refused[1]) && System.nanoTime() < breach + Duration.ofSeconds(10).toNanos()) {
                    for (int n = 0; n < 2; n++) {
                        if (!refused[n]) {
                            HttpResponse<String> response = call(nodes.get(n) + "/api/q");
                            refused[n] = response.statusCode() == 429 && response.body().contains("quota_exhausted");
                        }
                    }
                }
                double enforcedAfter = (System.nanoTime() - breach) / 1e9;
                System.out.printf("quota breach enforced on both nodes after %.2f s%n", enforcedAfter);
                assertThat(refused).as("429 quota_exhausted on every node").containsExactly(true, true);
            }
        }
    }

    /** Reads heartbeats until both nodes report {@code version}, at most {@code timeout}. */
    static void awaitVersion(KafkaConsumer<String, NodeHeartbeat> heartbeats, Map<String, Long> applied, long version, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!(applied.getOrDefault("edge-1", 0L) >= version && applied.getOrDefault("edge-2", 0L) >= version) && System.nanoTime() < deadline) {
            heartbeats.poll(Duration.ofMillis(20)).forEach(r -> applied.put(r.value().getNodeId(), r.value().getAppliedPolicyVersion()));
        }
    }

    HttpResponse<String> call(String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).header("X-API-Key", "demo-key").build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aCachePurgeOnTheControlTopicReachesBothNodes(@TempDir Path dataDir) throws Exception {
        try (LocalStack stack = LocalStack.start(LocalStackSmokeTest.settings(dataDir))) {
            EdgeServer second = stack.addEdgeNode("edge-2");
            List<String> nodes = List.of(stack.endpoints().get("edge").replace("/echo/hi", ""), "http://127.0.0.1:" + second.port());
            ContractSerdes serdes = ContractSerdes.of(stack.registryUrl());
            try (var producer = new KafkaProducer<>(Map.of("bootstrap.servers", stack.bootstrapServers()), new StringSerializer(),
                    serdes.<PolicyCommand>serde(Topic.CONTROL).serializer())) {
                // the first purge also waits for policy-streams' first assignment; the second shows the loop in its steady state
                for (String purge : List.of("p1", "p2")) {
                    for (String node : nodes) {
                        cacheStatus(node + "/cached/item");
                        assertThat(cacheStatus(node + "/cached/item")).startsWith("eventgate; hit");
                    }
                    long sent = System.nanoTime();
                    producer.send(new ProducerRecord<>(stack.topics().control(), "purge:" + purge,
                            ControlLoopTest.command(purge, EntityType.CACHE_PURGE, purge, "{\"route\":\"cached\"}"))).get();
                    boolean[] purged = new boolean[2];
                    while (!(purged[0] && purged[1]) && System.nanoTime() < sent + Duration.ofSeconds(30).toNanos()) {
                        for (int n = 0; n < 2; n++) {
                            // until the purge arrives the answer is a hit (kept 30 s); the first miss after it shows the node dropped it
                            purged[n] |= cacheStatus(nodes.get(n) + "/cached/item").equals("eventgate; fwd=miss");
                        }
                    }
                    System.out.printf("cache purge %s applied by both nodes after %.2f s%n", purge, (System.nanoTime() - sent) / 1e9);
                    assertThat(purged).as("both nodes dropped the route's answers").containsExactly(true, true);
                }
            }
        }
    }

    String cacheStatus(String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString()).headers()
                .firstValue("Cache-Status").orElse("");
    }
}
