package io.eventgate.ctl;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventgate.policy.PolicyStreamsApp;
import io.eventgate.policy.PolicyStreamsSettings;
import io.eventgate.schemas.Topics;
import io.eventgate.testkit.KafkaExtension;
import io.eventgate.testkit.TestKafka;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The CLI against a real broker with policy-streams running. */
@ExtendWith(KafkaExtension.class)
class CtlTest {
    record Result(int code, String out) {
    }

    static Result ctl(TestKafka kafka, String... args) {
        List<String> all = new ArrayList<>(List.of("--bootstrap-servers", kafka.bootstrapServers(), "--registry", kafka.registryUrl(),
                "--topic-prefix", kafka.topicPrefix()));
        all.addAll(List.of(args));
        StringWriter out = new StringWriter();
        int code = Ctl.run(all.toArray(String[]::new), new PrintWriter(out, true), new PrintWriter(out, true));
        return new Result(code, out.toString());
    }

    @Test
    void applyShowsTheDiffSendsTheChangesAndReportsEachOutcome(TestKafka kafka, @TempDir Path dir) throws Exception {
        kafka.createTopics(new Topics(kafka.topicPrefix()).newTopics(1, (short) 1));
        Path policy = dir.resolve("policy.yaml");
        Files.writeString(policy, """
                pools:
                  users: {instances: [{url: "http://10.0.0.1:8080"}]}
                routes:
                  - {id: api, match: {paths: ["/api/**"]}, upstreams: [{pool: users}]}
                """);
        Path broken = dir.resolve("broken.yaml");
        Files.writeString(broken, """
                routes:
                  - {id: orders, match: {paths: ["/orders/**"]}, upstreams: [{pool: nowhere}]}
                """);
        declarePool(kafka, "edge-1", "demo"); // as an edge node does at its start, from its YAML
        try (PolicyStreamsApp app = PolicyStreamsApp.start(new PolicyStreamsSettings(kafka.topicPrefix() + "policy", kafka.bootstrapServers(),
                kafka.registryUrl(), kafka.topicPrefix(), dir.resolve("state"), true))) {
            assertThat(ctl(kafka, "get", "pools").out()).as("a pool of an edge's YAML, with its source and the node declaring it")
                    .contains("demo\tyaml\t0\tedge-1\t{\"instances\":[{\"url\":\"http://10.0.0.9:8080\"");
            Path onStaticPool = dir.resolve("static-pool.yaml");
            Files.writeString(onStaticPool, "routes:\n  - {id: legacy, match: {paths: [\"/legacy/**\"]}, upstreams: [{pool: demo}]}\n");
            Result dryStaticPool = ctl(kafka, "apply", "-f", onStaticPool.toString(), "--dry-run");
            assertThat(dryStaticPool.code()).as("the dry run knows the static pool too: " + dryStaticPool.out()).isEqualTo(0);
            Result usesStaticPool = ctl(kafka, "apply", "-f", onStaticPool.toString());
            assertThat(usesStaticPool.code()).as("a command may use a pool an edge declares: " + usesStaticPool.out()).isEqualTo(0);

            Result dryRun = ctl(kafka, "apply", "-f", broken.toString(), "--dry-run");
            assertThat(dryRun.code()).isEqualTo(1);
            assertThat(dryRun.out()).contains("+ route:orders (new)").contains("rejected route:orders at upstreams[0].pool")
                    .contains("dry run: nothing was sent");

            Result applied = ctl(kafka, "apply", "-f", policy.toString());
            assertThat(applied.code()).as(applied.out()).isEqualTo(0);
            assertThat(applied.out()).contains("+ pool:users (new)").contains("applied pool:users at version 2").contains("applied route:api at version 3");

            Result again = ctl(kafka, "apply", "-f", policy.toString());
            assertThat(again.out()).contains("= route:api (unchanged)").contains("nothing to change");

            assertThat(ctl(kafka, "get", "routes").out()).contains("api\tcontrol\t3\t\t{\"id\":\"api\"");
            Result refused = ctl(kafka, "apply", "-f", broken.toString());
            assertThat(refused.code()).isEqualTo(1);
            assertThat(ctl(kafka, "rejections").out()).contains("rejected route:orders at upstreams[0].pool: pool 'nowhere' does not exist");
            assertThat(ctl(kafka, "get", "nonsense").code()).isEqualTo(2);

            Result limited = ctl(kafka, "limit", "set", "consumer:acme", "--rate", "5", "--for", "10m", "--reason", "incident 42");
            assertThat(limited.code()).as(limited.out()).isEqualTo(0);
            assertThat(limited.out()).contains("applied limit:consumer:acme");
            assertThat(ctl(kafka, "get", "limits").out()).contains("consumer:acme\tOPERATOR_LIMIT\t5.0\toperator:");
            Result blocked = ctl(kafka, "limit", "block", "everyone", "--for", "10m", "--reason", "typo");
            assertThat(blocked.code()).isEqualTo(1);
            assertThat(blocked.out()).contains("is not a scope");
            Result purged = ctl(kafka, "cache", "purge", "--tag", "products");
            assertThat(purged.code()).as(purged.out()).isEqualTo(0);
            assertThat(purged.out()).contains("published: every edge node drops the matching answers");
            Result ambiguous = ctl(kafka, "cache", "purge", "--route", "api", "--tag", "products");
            assertThat(ambiguous.code()).isEqualTo(1);
            assertThat(ambiguous.out()).contains("a purge names exactly one of route, key and tag, not 2");
            Result cleared = ctl(kafka, "limit", "clear", "consumer:acme");
            assertThat(cleared.code()).as(cleared.out()).isEqualTo(0);
            assertThat(cleared.out()).contains("removed limit:consumer:acme");

            // the anomaly detector rolls a canary back; an operator sees it and restores it
            try (var producer = new org.apache.kafka.clients.producer.KafkaProducer<>(java.util.Map.<String, Object>of("bootstrap.servers", kafka.bootstrapServers()),
                    new org.apache.kafka.common.serialization.StringSerializer(),
                    io.eventgate.schemas.serde.ContractSerdes.of(kafka.registryUrl()).<io.eventgate.avro.LimitDirective>serde(io.eventgate.schemas.Topic.LIMITS).serializer())) {
                producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>(new Topics(kafka.topicPrefix()).limits(),
                        "route:orders@variant:canary|anomaly-detector", io.eventgate.avro.LimitDirective.newBuilder().setScope("route:orders@variant:canary")
                                .setKind(io.eventgate.avro.DirectiveKind.ROLLBACK).setSource("anomaly-detector").setReason("5xx 20.0 % against 0.0 %")
                                .setIssuedAt(java.time.Instant.now()).setVersion(1).build())).get();
            }
            assertThat(ctl(kafka, "get", "limits").out()).contains("route:orders@variant:canary\tROLLBACK\t-\tanomaly-detector\tnever\t5xx 20.0 %");
            Result restored = ctl(kafka, "canary", "restore", "orders", "canary", "--reason", "fixed in 2.1.1");
            assertThat(restored.code()).as(restored.out()).isEqualTo(0);
            assertThat(restored.out()).contains("restored route:orders@variant:canary");
            assertThat(ctl(kafka, "get", "limits").out()).doesNotContain("route:orders@variant:canary");

            Path tuning = dir.resolve("tuning.yaml");
            Files.writeString(tuning, "detectors:\n  enabled: false\n  detectors: {authFailures: {sensitivity: 3.0}}\n");
            Result tuned = ctl(kafka, "apply", "-f", tuning.toString());
            assertThat(tuned.code()).as(tuned.out()).isEqualTo(0);
            assertThat(tuned.out()).contains("+ detectors:anomaly (new)").contains("applied detectors:anomaly");
            Files.writeString(tuning, "detectors: {detectors: {latency: {act: true}}}\n");
            Result refusedTuning = ctl(kafka, "apply", "-f", tuning.toString());
            assertThat(refusedTuning.code()).isEqualTo(1);
            assertThat(refusedTuning.out()).contains("only reports");

            Path people = dir.resolve("consumers.yaml");
            Files.writeString(people, """
                    plans:
                      gold: {ratePerSecond: 50, burst: 100}
                    consumers:
                      acme: {plan: gold, apiKeys: [acme-secret-key]}
                    global: {maxRatePerSecond: 100, requireAuthentication: false}
                    """);
            Result consumers = ctl(kafka, "apply", "-f", people.toString());
            assertThat(consumers.code()).as(consumers.out()).isEqualTo(0);
            assertThat(consumers.out()).contains("applied plan:gold").contains("applied consumer:acme").contains("applied global:global");
            String stored = ctl(kafka, "get", "consumers").out();
            assertThat(stored).contains(io.eventgate.policy.model.ConsumerSettings.hashKey("acme-secret-key")).doesNotContain("acme-secret-key\"");
            assertThat(ctl(kafka, "apply", "-f", people.toString()).out()).as("the same key hashes the same: no change")
                    .contains("= consumer:acme (unchanged)");
            assertThat(ctl(kafka, "get", "global").out()).contains("\"maxRatePerSecond\":100");

            Result example = ctl(kafka, "apply", "-f", Path.of("..", "config", "example-policy.yaml").toString(), "--dry-run");
            assertThat(example.code()).as("the README's example policy is valid: " + example.out()).isEqualTo(0);
        }
    }

    /** Publishes on gateway.node-config that {@code node} declares pool {@code pool} in its own configuration. */
    static void declarePool(TestKafka kafka, String node, String pool) throws Exception {
        var serializer = io.eventgate.schemas.serde.ContractSerdes.of(kafka.registryUrl())
                .<io.eventgate.avro.NodeConfig>serde(io.eventgate.schemas.Topic.NODE_CONFIG).serializer();
        try (var producer = new org.apache.kafka.clients.producer.KafkaProducer<>(java.util.Map.<String, Object>of("bootstrap.servers",
                kafka.bootstrapServers()), new org.apache.kafka.common.serialization.StringSerializer(), serializer)) {
            producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>(new Topics(kafka.topicPrefix()).nodeConfig(), node,
                    io.eventgate.avro.NodeConfig.newBuilder().setNodeId(node).setPublishedAt(java.time.Instant.now()).setChecksum("c")
                            .setEntities(List.of(io.eventgate.avro.StaticEntity.newBuilder().setEntityKey("pool:" + pool).setEntityType("UPSTREAM_POOL")
                                    .setEntityId(pool).setSpec("{\"instances\":[{\"url\":\"http://10.0.0.9:8080\"}]}").build())).build())).get();
        }
    }

    @Test
    void tailShowsTheRequestsThatMatchAsATableOrJsonLines(TestKafka kafka) throws Exception {
        Topics topics = new Topics(kafka.topicPrefix());
        kafka.createTopics(topics.newTopics(1, (short) 1));
        var serializer = io.eventgate.schemas.serde.ContractSerdes.of(kafka.registryUrl())
                .<io.eventgate.avro.RequestEvent>serde(io.eventgate.schemas.Topic.REQUESTS).serializer();
        try (var producer = new org.apache.kafka.clients.producer.KafkaProducer<>(java.util.Map.<String, Object>of("bootstrap.servers",
                kafka.bootstrapServers()), new org.apache.kafka.common.serialization.StringSerializer(), serializer)) {
            int n = 0;
            for (String[] event : new String[][] {{"api", "200"}, {"api", "503"}, {"web", "503"}, {"api", "404"}}) {
                producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>(topics.requests(), "acme", io.eventgate.avro.RequestEvent.newBuilder()
                        .setRequestId("req-" + ++n).setTraceId("0".repeat(32)).setTimestamp(java.time.Instant.parse("2026-11-30T12:00:00Z"))
                        .setNode("edge-1").setRouteId(event[0]).setMethod("GET").setPath("/" + event[0] + "/" + n)
                        .setStatus(Integer.parseInt(event[1])).setGatewayLatencyMicros(1500).setBytesIn(0).setBytesOut(10).setConsumerId("acme")
                        .setClientAddress("203.0.113.1").setOutcome(io.eventgate.avro.RequestOutcome.PROXIED).build())).get();
            }
        }
        Result errors = ctl(kafka, "tail", "requests", "--from-beginning", "--route", "api", "--status", "5xx", "--limit", "1");
        assertThat(errors.code()).as(errors.out()).isEqualTo(0);
        assertThat(errors.out()).contains("time\tnode\troute").contains("edge-1\tapi\tacme\tGET\t/api/2\t503\t1.5\tPROXIED")
                .doesNotContain("/api/1").doesNotContain("/web/3");

        Result json = ctl(kafka, "tail", "requests", "--from-beginning", "--status", "404", "--json", "--limit", "1");
        assertThat(json.out().lines().toList()).singleElement().satisfies(line -> assertThat(line).startsWith("{").contains("\"requestId\": \"req-4\""));

        assertThat(ctl(kafka, "tail", "requests", "--status", "5x1").out()).contains("--status takes a status (404) or a class (5xx)");
        assertThat(ctl(kafka, "tail", "decisions", "--status", "500").out()).contains("--status filters requests only");
        assertThat(ctl(kafka, "tail", "everything").code()).isEqualTo(2);
        assertThat(ctl(kafka, "generate-completion").out()).as("bash completion, picocli's").contains("complete -F").contains("tail");
    }
}
