package io.eventgate.edge.events;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventgate.demo.DemoUpstream;
import io.eventgate.edge.EdgeFixture;
import io.eventgate.edge.RequestEventsOnTopic;
import io.eventgate.edge.config.EdgeSettings;
import io.eventgate.edge.config.EventSettings;
import io.eventgate.edge.config.KafkaSettings;
import io.eventgate.edge.server.EdgeServer;
import io.eventgate.kafka.embedded.BrokerSettings;
import io.eventgate.kafka.embedded.EmbeddedKafkaBroker;
import io.eventgate.schemas.Topics;
import io.eventgate.testkit.FaultProxy;
import io.eventgate.testkit.KafkaExtension;
import io.eventgate.testkit.TestKafka;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kafka goes away under steady traffic, stopped or cut off: clients see no error caused by it, and every request's
 * event reaches the topic once Kafka is back, also across a restart of the gateway while events wait on disk.
 */
@ExtendWith(KafkaExtension.class)
class EventOutageTest {
    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @TempDir
    Path dir;
    EmbeddedKafkaBroker broker;
    BrokerSettings brokerSettings;
    DemoUpstream upstream;
    TestKafka kafka;
    Topics topics;

    @BeforeEach
    void start(TestKafka kafka) throws Exception {
        this.kafka = kafka;
        broker = EmbeddedKafkaBroker.start(BrokerSettings.ephemeral(dir.resolve("kafka")));
        brokerSettings = broker.settings();
        topics = new Topics(kafka.topicPrefix());
        try (Admin admin = broker.admin()) {
            admin.createTopics(topics.newTopics(2, (short) 1)).all().get();
        }
        upstream = DemoUpstream.start("127.0.0.1", 0);
    }

    @AfterEach
    void stop() {
        upstream.close();
        broker.close();
    }

    EdgeServer edge() {
        return EdgeServer.start(edgeSettings());
    }

    EdgeSettings edgeSettings() {
        return EdgeFixture.settings(kafka, dir.resolve("journal"), Map.of("demo", EdgeFixture.pool(upstream.url())),
                        List.of(EdgeFixture.route("echo", "/echo/**", "demo")))
                .withKafka(new KafkaSettings(broker.bootstrapServers(), kafka.registryUrl(), kafka.topicPrefix()))
                .withEvents(new EventSettings(true, 200, new EventSettings.Journal(dir.resolve("journal"), 64 * 1024, 0, EventSettings.Fsync.ALWAYS, null)));
    }

    /** Sends {@code count} requests with ids {@code prefix-i}; every one must succeed. */
    void traffic(EdgeServer edge, String prefix, int count, List<String> sent) throws Exception {
        for (int i = 0; i < count; i++) {
            String id = prefix + "-" + i;
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + edge.port() + "/echo/" + i))
                    .header("X-Request-Id", id).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as("request " + id).isEqualTo(200);
            sent.add(id);
        }
    }

    @Test
    void brokerOutageUnderTrafficLosesNothingAndFailsNoClient() throws Exception {
        List<String> sent = new ArrayList<>();
        try (EdgeServer edge = edge()) {
            traffic(edge, "before", 100, sent);
            broker.close();
            traffic(edge, "during", 300, sent);
            assertWaiting(edge);
            broker = EmbeddedKafkaBroker.start(brokerSettings);
            traffic(edge, "after", 100, sent);
            assertThat(requestIdsOnTopic(sent.size())).containsExactlyInAnyOrderElementsOf(sent);
        }
    }

    @Test
    void eventsWaitingOnDiskSurviveAGatewayRestart() throws Exception {
        List<String> sent = new ArrayList<>();
        try (EdgeServer edge = edge()) {
            traffic(edge, "warm", 20, sent);
            broker.close();
            traffic(edge, "outage", 200, sent);
        } // the gateway stops while Kafka is still down: everything unsent is on disk
        broker = EmbeddedKafkaBroker.start(brokerSettings);
        try (EdgeServer restarted = edge()) {
            traffic(restarted, "restarted", 20, sent);
            // Events the broker wrote but never acknowledged before it died stayed in the journal and were sent again:
            // delivery across a stop of both sides is at least once (copies carry the same sequence), so compare ids as a set.
            assertThat(new java.util.HashSet<>(requestIdsOnTopic(sent.size()))).containsExactlyInAnyOrderElementsOf(sent);
        }
    }

    /**
     * A partition rather than a stop: the edge reaches the broker only through a proxy that, cut, drops every byte and
     * closes nothing, so the edge's Kafka clients learn of it by their own timeouts. Clients see no error, the events
     * wait in the journal, and all of them arrive once the network heals.
     */
    @Test
    void aNetworkCutBetweenEdgeAndBrokerFailsNoClientAndLosesNoEvent() throws Exception {
        broker.close();
        int faultPort = freePort();
        try (FaultProxy network = FaultProxy.start("127.0.0.1", 0, "127.0.0.1", faultPort)) {
            broker = EmbeddedKafkaBroker.start(brokerSettings.withFaultListener(faultPort, network.port()));
            List<String> sent = new ArrayList<>();
            EdgeSettings settings = edgeSettings().withKafka(new KafkaSettings("127.0.0.1:" + network.port(), kafka.registryUrl(), kafka.topicPrefix()));
            try (EdgeServer edge = EdgeServer.start(settings)) {
                traffic(edge, "before", 100, sent);
                network.cut();
                traffic(edge, "during", 300, sent);
                assertWaiting(edge);
                network.heal();
                traffic(edge, "after", 100, sent);
                assertThat(new HashSet<>(requestIdsOnTopic(sent.size()))).containsExactlyInAnyOrderElementsOf(sent);
            }
        }
    }

    static int freePort() throws java.io.IOException {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** Kafka is down: events wait in the journal on disk (journaled, not acknowledged). */
    static void assertWaiting(EdgeServer edge) {
        double journaled = edge.metrics().registry().get("edge.events.journaled").counter().count();
        double published = edge.metrics().registry().get("edge.events.published").counter().count();
        assertThat(journaled - published).as("events waiting in the journal while Kafka is down").isGreaterThanOrEqualTo(300);
    }

    /** Every request id on the requests topic, waiting (bounded) until {@code expected} distinct ones are there; duplicates are kept. */
    List<String> requestIdsOnTopic(int expected) {
        return RequestEventsOnTopic.ids(RequestEventsOnTopic.read(broker.bootstrapServers(), kafka.registryUrl(), topics.requests(),
                read -> new HashSet<>(RequestEventsOnTopic.ids(read)).size() >= expected, Duration.ofSeconds(90)));
    }
}
