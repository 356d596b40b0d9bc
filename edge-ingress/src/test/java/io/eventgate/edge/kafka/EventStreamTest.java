package io.eventgate.edge.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.eventgate.edge.EdgeFixture;
import io.eventgate.edge.server.EdgeServer;
import io.eventgate.policy.model.KafkaTarget;
import io.eventgate.schemas.registry.RegisteredSchema;
import io.eventgate.schemas.registry.SchemaRegistryClient;
import io.eventgate.testkit.KafkaExtension;
import io.eventgate.testkit.TestKafka;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Stream routes: a topic's records as Server-Sent Events to real clients, resumed by id, filtered, bounded. */
@ExtendWith(KafkaExtension.class)
class EventStreamTest {
    static final ObjectMapper JSON = new ObjectMapper();
    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    TestKafka kafka;
    String topic;
    RegisteredSchema schema;
    EdgeServer edge;
    KafkaProducer<String, byte[]> producer;
    final List<Events> opened = new ArrayList<>();

    @BeforeEach
    void start(TestKafka kafka, @TempDir Path dir) {
        this.kafka = kafka;
        topic = kafka.createTopic("stream", 2, Map.of());
        SchemaRegistryClient registry = SchemaRegistryClient.of(kafka.registryUrl());
        registry.register(topic + "-value", KafkaTargetTest.ORDER);
        schema = registry.latest(topic + "-value");
        edge = EdgeServer.start(EdgeFixture.settings(kafka, dir.resolve("journal"), Map.of(), List.of(
                EdgeFixture.kafkaRoute("stream", "/stream", new KafkaTarget(topic, "stream", null, null, null, null, null, 20, null)),
                EdgeFixture.kafkaRoute("roomy", "/roomy", new KafkaTarget(topic, "stream", null, null, null, null, null, 100_000, null)))));
        producer = new KafkaProducer<>(Map.of("bootstrap.servers", kafka.bootstrapServers(), "linger.ms", 5), new StringSerializer(), new ByteArraySerializer());
    }

    @AfterEach
    void stop() {
        opened.forEach(Events::close);
        producer.close();
        edge.close();
    }

    void write(String key, String note) throws Exception {
        producer.send(new ProducerRecord<>(topic, key, note == null ? null : order(key, note))).get();
    }

    byte[] order(String key, String note) {
        GenericRecord order = new GenericData.Record(KafkaTargetTest.ORDER);
        order.put("orderId", key);
        order.put("amount", 1.5);
        order.put("currency", "EUR");
        order.put("note", note);
        return io.eventgate.schemas.serde.WireRecords.encode(order, schema.id());
    }

    /** One event as a client parses it. */
    record Event(String id, String type, JsonNode data) {
        String where() {
            return data.path("partition").asInt() + "@" + data.path("offset").asLong();
        }
    }

    /** A stream read by a client on a thread of its own; events are queued as they arrive. */
    final class Events implements AutoCloseable {
        final LinkedBlockingQueue<Event> events = new LinkedBlockingQueue<>();
        final InputStream body;
        final int status;

        Events(String query, String lastEventId) throws Exception {
            this("/stream", query, lastEventId);
        }

        Events(String path, String query, String lastEventId) throws Exception {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + edge.port() + path + query))
                    .header("Accept", "text/event-stream");
            if (lastEventId != null) {
                request.header("Last-Event-ID", lastEventId);
            }
            HttpResponse<InputStream> response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
            status = response.statusCode();
            body = response.body();
            opened.add(this);
            if (status != 200) {
                return;
            }
            BufferedReader lines = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8));
            assertThat(lines.readLine()).as("the stream opens with a comment").startsWith(": ");
            Thread.ofVirtual().start(() -> {
                try {
                    String id = null;
                    String type = "message";
                    for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                        if (line.startsWith("id: ")) {
                            id = line.substring(4);
                        } else if (line.startsWith("event: ")) {
                            type = line.substring(7);
                        } else if (line.startsWith("data: ")) {
                            events.add(new Event(id, type, JSON.readTree(line.substring(6))));
                            id = null;
                            type = "message";
                        }
                    }
                } catch (Exception closed) {
                    // the test closed the stream
                }
            });
        }

        List<Event> take(int count) throws InterruptedException {
            List<Event> taken = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                Event event = events.poll(20, TimeUnit.SECONDS);
                assertThat(event).as("event %d of %d", i + 1, count).isNotNull();
                taken.add(event);
            }
            return taken;
        }

        @Override
        public void close() {
            try {
                body.close();
            } catch (Exception ignored) {
                // already closed
            }
        }
    }

    @Test
    void recordsArriveAsEventsFilteredByKeyWithTombstonesAsDeletes() throws Exception {
        Events all = new Events("", null);
        Events onlyTwo = new Events("?key=o-2", null);
        write("o-1", "first");
        write("o-2", "second");
        write("o-1", null);
        List<Event> events = all.take(3);
        assertThat(events).extracting(e -> e.data().path("key").asText()).containsExactlyInAnyOrder("o-1", "o-2", "o-1");
        Event first = events.stream().filter(e -> e.type().equals("message") && e.data().path("key").asText().equals("o-1")).findFirst().orElseThrow();
        assertThat(first.data().path("value").path("note").asText()).isEqualTo("first");
        assertThat(first.data().path("value").path("currency").asText()).isEqualTo("EUR");
        Event tombstone = events.stream().filter(e -> e.type().equals("delete")).findFirst().orElseThrow();
        assertThat(tombstone.data().path("key").asText()).isEqualTo("o-1");
        assertThat(tombstone.data().has("value")).isFalse();
        assertThat(events).allMatch(e -> e.id().matches("0:\\d+,1:\\d+"));

        List<Event> filtered = onlyTwo.take(1);
        assertThat(filtered.get(0).data().path("key").asText()).isEqualTo("o-2");
        assertThat(onlyTwo.events.poll(300, TimeUnit.MILLISECONDS)).as("nothing else for key o-2").isNull();
    }

    @Test
    void aClientThatReconnectsWithTheLastEventIdGoesOnWithoutGapOrDuplicate() throws Exception {
        Events first = new Events("", null);
        for (int i = 0; i < 6; i++) {
            write("k-" + i, "n" + i);
        }
        List<Event> before = first.take(6);
        first.close();
        for (int i = 6; i < 10; i++) {
            write("k-" + i, "n" + i);
        }
        Event resumeAfter = before.get(2);
        Events resumed = new Events("", resumeAfter.id());
        List<Event> after = resumed.take(7); // the 3 the first client got after it, and the 4 written while it was away
        Set<String> expected = new HashSet<>();
        before.subList(3, 6).forEach(e -> expected.add(e.where()));
        Set<String> got = new HashSet<>();
        after.forEach(e -> got.add(e.where()));
        assertThat(got).hasSize(7).containsAll(expected);
        assertThat(after).extracting(e -> e.data().path("key").asText()).doesNotHaveDuplicates()
                .containsAll(List.of("k-6", "k-7", "k-8", "k-9"));
        assertThat(resumed.events.poll(300, TimeUnit.MILLISECONDS)).as("no duplicate follows").isNull();

        Events bad = new Events("", "7:1");
        assertThat(bad.status).isEqualTo(400);
        try (Socket raw = new Socket("127.0.0.1", edge.port())) { // the JDK client refuses to send a malformed escape
            raw.getOutputStream().write("GET /stream?key=%zz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(new BufferedReader(new InputStreamReader(raw.getInputStream(), StandardCharsets.US_ASCII)).readLine())
                    .as("a malformed escape in a filter").startsWith("HTTP/1.1 400");
        }
    }

    @Test
    void aClientFurtherBehindThanTheNodesMemoryGetsEveryRecordFromItsOwnReader() throws Exception {
        Events live = new Events("/roomy", "", null); // the tail starts at the empty topic's end
        int total = TopicTails.RING_RECORDS + 500;
        for (int i = 0; i < total; i++) {
            producer.send(new ProducerRecord<>(topic, "bulk-" + (i % 50), order("bulk", "n")));
        }
        producer.flush();
        live.take(total); // the node's tail has read them all, and its memory holds only the last ones
        live.close();
        Events fromTheStart = new Events("/roomy", "", "0:0,1:0");
        assertThat(fromTheStart.take(total)).extracting(Event::where).doesNotHaveDuplicates();
    }

    @Test
    void aClientThatReadsTooSlowlyIsCutOffWithTheIdToResumeFrom() throws Exception {
        String note = "x".repeat(2000);
        try (Socket slow = new Socket()) {
            slow.setReceiveBufferSize(4096);
            slow.connect(new java.net.InetSocketAddress("127.0.0.1", edge.port()));
            slow.getOutputStream().write(("GET /stream HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            slow.getOutputStream().flush();
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (activeStreams() < 1 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            for (int i = 0; i < 8000 && overflows() < 1; i++) { // the socket stops taking bytes long before this
                producer.send(new ProducerRecord<>(topic, "k-" + (i % 20), order("k", note)));
                if (i % 100 == 99) {
                    producer.flush();
                }
            }
            producer.flush();
            deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (overflows() < 1 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(overflows()).as("the slow stream was cut off").isEqualTo(1);
            BufferedReader lines = new BufferedReader(new InputStreamReader(slow.getInputStream(), StandardCharsets.UTF_8));
            String line;
            do {
                line = lines.readLine();
            } while (line != null && !line.equals("event: overflow"));
            assertThat(line).as("the stream ends with an overflow event").isEqualTo("event: overflow");
            assertThat(lines.readLine()).startsWith("data: ").contains("\"lastEventId\":\"0:");
        }
    }

    double overflows() {
        return edge.metrics().registry().get("edge.streams.overflowed").counter().count();
    }

    double activeStreams() {
        return edge.metrics().registry().get("edge.streams.active").gauge().value();
    }

    @Test
    void eachCallerMayHoldOnlyItsPlansNumberOfStreams() throws Exception {
        for (int i = 0; i < io.eventgate.policy.model.PlanSettings.DEFAULT_MAX_STREAMS; i++) {
            assertThat(new Events("", null).status).isEqualTo(200);
        }
        Events oneTooMany = new Events("", null);
        assertThat(oneTooMany.status).isEqualTo(429);
        assertThat(new String(oneTooMany.body.readAllBytes(), StandardCharsets.UTF_8)).contains("too_many_streams");
    }
}
