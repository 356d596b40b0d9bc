package io.eventgate.edge.events;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventgate.avro.RequestEvent;
import io.eventgate.avro.RequestOutcome;
import io.eventgate.demo.DemoUpstream;
import io.eventgate.kafka.embedded.BrokerSettings;
import io.eventgate.kafka.embedded.EmbeddedKafkaBroker;
import io.eventgate.schemas.EventHeaders;
import io.eventgate.schemas.Topic;
import io.eventgate.schemas.Topics;
import io.eventgate.schemas.serde.ContractSerdes;
import io.eventgate.testkit.KafkaExtension;
import io.eventgate.testkit.TestKafka;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The edge runs as a process of its own and is killed with SIGKILL under concurrent load, with Kafka up and with
 * Kafka down, then restarted on the same journal. Every answered request has its event on the topic; the only
 * other events are requests the kill cut off, marked EDGE_CRASHED; and a request's copies (sent again after a
 * crash) share its node and sequence, so that consumers keep exactly one event per request.
 */
@ExtendWith(KafkaExtension.class)
class EdgeCrashTest {
    static final int CLIENTS = 8;

    @TempDir
    Path dir;
    TestKafka kafka;
    EmbeddedKafkaBroker broker;
    BrokerSettings brokerSettings;
    DemoUpstream upstream;
    Topics topics;
    Path config;
    int port;

    final Set<String> answered = ConcurrentHashMap.newKeySet();
    final Set<String> failed = ConcurrentHashMap.newKeySet();

    @BeforeEach
    void start(TestKafka kafka) throws Exception {
        this.kafka = kafka;
        broker = EmbeddedKafkaBroker.start(BrokerSettings.ephemeral(dir.resolve("kafka")));
        brokerSettings = broker.settings();
        topics = new Topics(kafka.topicPrefix());
        try (Admin admin = broker.admin()) {
            admin.createTopics(topics.newTopics(3, (short) 1)).all().get();
        }
        upstream = DemoUpstream.start("127.0.0.1", 0);
        port = freePort();
        config = dir.resolve("edge.yaml");
        Files.writeString(config, """
                nodeId: edge-crash
                server: {host: 127.0.0.1, port: %d, adminPort: %d}
                kafka: {bootstrapServers: "%s", schemaRegistryUrl: "%s", topicPrefix: "%s"}
                events: {journal: {dir: "%s", segmentBytes: 262144}}
                policies: {follow: false}
                pools:
                  demo: {instances: [{url: "%s"}]}
                routes:
                  - {id: echo, match: {paths: ["/echo/**"]}, upstreams: [{pool: demo}]}
                  - {id: slow, match: {paths: ["/delay/**"]}, upstreams: [{pool: demo}]}
                """.formatted(port, freePort(), broker.bootstrapServers(), kafka.registryUrl(), kafka.topicPrefix(), dir.resolve("journal"),
                upstream.url()));
    }

    @AfterEach
    void stop() {
        upstream.close();
        broker.close();
    }

    @Test
    void killedUnderLoadWithKafkaUpAndDownEveryAnsweredRequestHasExactlyOneEvent() throws Exception {
        for (int round = 0; round < 5; round++) {
            boolean kafkaDown = round >= 3;
            Process edge = startEdge("round-" + round);
            try (Load load = new Load("r" + round)) {
                awaitAnswers(load, 50);
                if (kafkaDown) {
                    broker.close(); // Kafka goes first; the edge is killed while events wait for it
                    awaitAnswers(load, load.answers() + 100);
                }
                Thread.sleep(ThreadLocalRandom.current().nextInt(50, 400)); // a random moment
                edge.destroyForcibly().waitFor(); // SIGKILL
            }
            if (kafkaDown) {
                broker = EmbeddedKafkaBroker.start(brokerSettings);
            }
        }
        Process last = startEdge("recovery");
        try (Load load = new Load("last")) {
            awaitAnswers(load, 20);
        }
        last.destroy(); // a graceful stop: the edge gives Kafka its last events
        last.waitFor();

        Map<String, List<ConsumerRecord<String, RequestEvent>>> byId = readTopic().stream()
                .collect(Collectors.groupingBy(r -> r.value().getRequestId()));
        assertThat(answered).as("answered requests").hasSizeGreaterThan(300);
        assertThat(byId.keySet()).as("every answered request has its event").containsAll(answered);

        List<String> crashed = new ArrayList<>();
        for (var entry : byId.entrySet()) {
            Set<String> copies = entry.getValue().stream()
                    .map(r -> EventHeaders.node(r.headers()) + "#" + EventHeaders.sequence(r.headers())).collect(Collectors.toSet());
            assertThat(copies).as("the events of request " + entry.getKey() + " are copies of one (same node and sequence)").hasSize(1);
            long flagged = entry.getValue().stream().filter(r -> EventHeaders.redelivered(r.headers())).count();
            assertThat(flagged).as("every copy after the first of " + entry.getKey() + " is flagged").isGreaterThanOrEqualTo(entry.getValue().size() - 1);
            RequestEvent event = entry.getValue().get(0).value();
            if (event.getOutcome() == RequestOutcome.EDGE_CRASHED) {
                crashed.add(entry.getKey());
                assertThat(event.getStatus()).isZero();
            } else {
                assertThat(answered.contains(entry.getKey()) || failed.contains(entry.getKey()))
                        .as("event " + entry.getKey() + " belongs to a request sent").isTrue();
            }
        }
        Set<String> extra = new HashSet<>(byId.keySet());
        extra.removeAll(answered);
        long events = byId.values().stream().mapToLong(List::size).sum();
        System.out.printf("edge crash test: %d answered, %d events for %d request ids (%d copies dropped by sequence), %d EDGE_CRASHED,"
                + " %d ids without an answer%n", answered.size(), events, byId.size(), events - byId.size(), crashed.size(), extra.size());
        assertThat(crashed).as("requests the kills cut off (slow requests were in flight at every kill)").isNotEmpty();
        assertThat(failed).as("requests on the topic that got no answer were cut off by a kill").containsAll(extra);
        assertThat(extra).as("an event for a request that got no answer says the edge crashed, unless the edge had finished it")
                .allSatisfy(id -> assertThat(byId.get(id).get(0).value().getOutcome()).isIn(RequestOutcome.EDGE_CRASHED, RequestOutcome.PROXIED));
    }

    Process startEdge(String name) throws Exception {
        Process edge = new ProcessBuilder(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                "-cp", System.getProperty("java.class.path"),
                "io.eventgate.edge.EdgeMain", config.toString()))
                .redirectErrorStream(true).redirectOutput(dir.resolve("edge-" + name + ".log").toFile()).start();
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline && edge.isAlive()) {
            try {
                http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/unrouted")).header("X-Request-Id", "probe-" + name).build(),
                        HttpResponse.BodyHandlers.discarding());
                answered.add("probe-" + name);
                return edge;
            } catch (IOException notYet) {
                Thread.sleep(100);
            }
        }
        throw new AssertionError("edge did not start; log: " + dir.resolve("edge-" + name + ".log"));
    }

    void awaitAnswers(Load load, long count) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (load.answers() < count && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(load.answers()).as("answers under load").isGreaterThanOrEqualTo(count);
    }

    /** CLIENTS threads sending requests with unique ids until closed; one in four waits 300 ms upstream. */
    final class Load implements AutoCloseable {
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final List<Thread> threads = new ArrayList<>();
        private final java.util.concurrent.atomic.AtomicLong answers = new java.util.concurrent.atomic.AtomicLong();

        Load(String prefix) {
            for (int c = 0; c < CLIENTS; c++) {
                String client = prefix + "-" + c;
                boolean slow = c % 4 == 0;
                threads.add(Thread.ofPlatform().start(() -> {
                    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2)).build();
                    for (int i = 0; running.get(); i++) {
                        String id = client + "-" + i;
                        try {
                            HttpResponse<Void> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                                            + (slow ? "/delay/300" : "/echo/" + i))).header("X-Request-Id", id).timeout(Duration.ofSeconds(10)).build(),
                                    HttpResponse.BodyHandlers.discarding());
                            if (response.statusCode() == 200) {
                                answered.add(id);
                                answers.incrementAndGet();
                            } else {
                                answered.add(id); // answered all the same: it must have its event
                            }
                        } catch (IOException e) {
                            failed.add(id);
                            pause();
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                }));
            }
        }

        long answers() {
            return answers.get();
        }

        private void pause() {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public void close() {
            running.set(false);
            try {
                for (Thread thread : threads) {
                    thread.join(15_000);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Every RequestEvent on the topic with its headers, read until nothing new arrives for 2 s (bounded). */
    List<ConsumerRecord<String, RequestEvent>> readTopic() {
        var deserializer = ContractSerdes.of(kafka.registryUrl()).<RequestEvent>serde(Topic.REQUESTS).deserializer();
        List<ConsumerRecord<String, RequestEvent>> records = new ArrayList<>();
        try (var consumer = new KafkaConsumer<>(Map.<String, Object>of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "crash-test-" + System.nanoTime(), ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                new StringDeserializer(), deserializer)) {
            consumer.subscribe(List.of(topics.requests()));
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            long quietSince = System.nanoTime();
            Set<String> ids = new HashSet<>();
            while (System.nanoTime() < deadline) {
                var batch = consumer.poll(Duration.ofMillis(200));
                batch.forEach(r -> {
                    records.add(r);
                    ids.add(r.value().getRequestId());
                });
                if (!batch.isEmpty()) {
                    quietSince = System.nanoTime();
                } else if (ids.containsAll(answered) && System.nanoTime() - quietSince > Duration.ofSeconds(2).toNanos()) {
                    break;
                }
            }
        }
        return records;
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
