package io.eventgate.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.eventgate.avro.CommandAction;
import io.eventgate.avro.EntityType;
import io.eventgate.avro.PolicyCommand;
import io.eventgate.schemas.Topic;
import io.eventgate.schemas.serde.ContractSerdes;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An operator's command travels control topic → policy-streams → gateway.policies → the edge, which then routes by it. */
class ControlLoopTest {
    final HttpClient http = HttpClient.newHttpClient();

    @Test
    void aRouteAddedOnTheControlTopicIsServedByTheEdge(@TempDir Path dataDir) throws Exception {
        try (LocalStack stack = LocalStack.start(LocalStackSmokeTest.settings(dataDir))) {
            String edge = stack.endpoints().get("edge").replace("/echo/hi", "");
            String admin = stack.endpoints().get("edge admin").replace("/observe/health", "");
            assertThat(get(edge + "/added/x").statusCode()).isEqualTo(404);

            ContractSerdes serdes = ContractSerdes.of(stack.registryUrl());
            awaitNodeConfig(stack, serdes); // the edge declares its YAML's entities, pool 'demo' among them, when it starts
            try (var producer = new KafkaProducer<>(Map.of("bootstrap.servers", stack.bootstrapServers()),
                    new StringSerializer(), serdes.<PolicyCommand>serde(Topic.CONTROL).serializer())) {
                // one world: a route on the control topic may use the pool the edge declares in its YAML
                producer.send(new ProducerRecord<>(stack.topics().control(), "route:added", command("c1", EntityType.ROUTE, "added",
                        "{\"id\":\"added\",\"match\":{\"paths\":[\"/added/**\"]},\"stripPrefix\":\"/added\",\"addPrefix\":\"/echo\","
                                + "\"upstreams\":[{\"pool\":\"demo\"}]}"))).get();
            }

            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            HttpResponse<String> routed = get(edge + "/added/x");
            while (routed.statusCode() != 200 && System.nanoTime() < deadline) {
                Thread.sleep(100);
                routed = get(edge + "/added/x");
            }
            assertThat(routed.statusCode()).isEqualTo(200);
            assertThat(new ObjectMapper().readTree(routed.body()).path("path").asText()).isEqualTo("/echo/x");
            assertThat(new ObjectMapper().readTree(get(admin + "/config").body()).path("version").asLong()).isEqualTo(1);
            assertThat(get(admin + "/observe/ready").statusCode()).isEqualTo(200);
            assertThat(heartbeatVersion(stack, serdes, 1)).as("the edge reports the version it applies").isEqualTo(1);
        }
    }

    /** Waits (at most 30 s) until the edge's NodeConfig is on gateway.node-config. */
    static void awaitNodeConfig(LocalStack stack, ContractSerdes serdes) {
        try (var consumer = new org.apache.kafka.clients.consumer.KafkaConsumer<>(Map.of("bootstrap.servers", stack.bootstrapServers(),
                "group.id", "node-config-" + System.nanoTime(), "auto.offset.reset", "earliest"),
                new org.apache.kafka.common.serialization.StringDeserializer(), serdes.<io.eventgate.avro.NodeConfig>serde(Topic.NODE_CONFIG).deserializer())) {
            consumer.subscribe(java.util.List.of(stack.topics().nodeConfig()));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (System.nanoTime() < deadline) {
                if (!consumer.poll(Duration.ofMillis(200)).isEmpty()) {
                    return;
                }
            }
        }
        throw new AssertionError("no NodeConfig on " + stack.topics().nodeConfig() + " within 30 s");
    }

    /** The edge's applied policy version from its heartbeats, waiting (bounded) for {@code expected}. */
    static long heartbeatVersion(LocalStack stack, ContractSerdes serdes, long expected) {
        long seen = -1;
        try (var consumer = new org.apache.kafka.clients.consumer.KafkaConsumer<>(Map.of("bootstrap.servers", stack.bootstrapServers(),
                "group.id", "heartbeats-" + System.nanoTime(), "auto.offset.reset", "earliest"),
                new org.apache.kafka.common.serialization.StringDeserializer(), serdes.<io.eventgate.avro.NodeHeartbeat>serde(Topic.NODES).deserializer())) {
            consumer.subscribe(java.util.List.of(stack.topics().nodes()));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (seen != expected && System.nanoTime() < deadline) {
                for (var record : consumer.poll(Duration.ofMillis(200))) {
                    seen = record.value().getAppliedPolicyVersion();
                }
            }
        }
        return seen;
    }

    static PolicyCommand command(String id, EntityType type, String entityId, String spec) {
        return PolicyCommand.newBuilder().setCommandId(id).setIssuedAt(Instant.now()).setIssuedBy("test")
                .setAction(CommandAction.UPSERT).setEntityType(type).setEntityId(entityId).setSpec(spec).build();
    }

    HttpResponse<String> get(String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
