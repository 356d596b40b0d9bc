package io.eventgate.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.eventgate.analytics.AnalyticsStreamsMain;
import io.eventgate.avro.UsageGranularity;
import io.eventgate.avro.UsageRecord;
import io.eventgate.schemas.Topic;
import io.eventgate.schemas.serde.ContractSerdes;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Billing survives a crash: requests of a known mix go through the edge while analytics-streams runs in its own
 * JVM, which is killed (SIGKILL) mid-stream and started again on the same state directory; then copies of events are
 * published again as an edge does after its own crash. The latest revisions of the usage records must add up to
 * exactly what the clients were served: nothing lost, nothing counted twice.
 */
class BillingExactlyOnceTest {
    final HttpClient http = HttpClient.newHttpClient();

    @Test
    void usageRecordsSumToTheBillableCountAcrossAKillAndRestart(@TempDir Path dataDir) throws Exception {
        LocalStackSettings all = LocalStackSmokeTest.settings(dataDir);
        LocalStackSettings withoutAnalytics = new LocalStackSettings(all.dataDir(), all.kafka(), all.registry(), all.demoUpstream(), all.edge(),
                all.policyStreams(), null, null);
        try (LocalStack stack = LocalStack.start(withoutAnalytics);
             UsageLedger ledger = new UsageLedger(stack)) {
            Path analyticsYaml = writeAnalyticsSettings(stack, dataDir);
            Process first = startAnalytics(analyticsYaml, dataDir.resolve("analytics-1.log"));
            Traffic traffic = new Traffic(stack.endpoints().get("edge").replace("/echo/hi", "/api/bill"));
            Process second = null;
            try {
                traffic.start();
                await().atMost(Duration.ofSeconds(90)).until(() -> ledger.totals(UsageGranularity.HOUR)[1] >= 100);
                int revisionBeforeKill = ledger.highestRevision();
                first.destroyForcibly().waitFor(10, TimeUnit.SECONDS); // SIGKILL: no flush, no commit, an open transaction
                assertThat(traffic.sent()).as("the kill happens mid-stream").isGreaterThan(0);

                second = startAnalytics(analyticsYaml, dataDir.resolve("analytics-2.log"));
                await().atMost(Duration.ofSeconds(90)).until(() -> ledger.highestRevision() > revisionBeforeKill + 100);
                traffic.stop();
                int copies = resendAsAfterAnEdgeCrash(stack, 50);
                awaitConsumedToTheEnd(stack, "eventgate-analytics-streams");

                long[] expected = {traffic.billable(), traffic.sent()};
                assertThat(expected[0]).as("the mix has billable and refused requests").isPositive().isLessThan(expected[1]);
                await().atMost(Duration.ofSeconds(60)).until(() -> ledger.totals(UsageGranularity.HOUR)[1] >= expected[1]
                        && ledger.totals(UsageGranularity.DAY)[1] >= expected[1]);
                System.out.printf("billing across a kill: %d requests, %d billable, killed after revision %d, %d copies of events dropped%n",
                        expected[1], expected[0], revisionBeforeKill, copies);
                assertThat(ledger.totals(UsageGranularity.HOUR)).as("hourly {billable, total}").containsExactly(expected);
                assertThat(ledger.totals(UsageGranularity.DAY)).as("daily {billable, total}").containsExactly(expected);
            } finally {
                traffic.stop();
                first.destroyForcibly();
                if (second != null) {
                    second.destroy();
                    second.waitFor(15, TimeUnit.SECONDS);
                    second.destroyForcibly();
                }
            }
        }
    }

    /**
     * Publishes again, with their headers and the redelivery flag, up to {@code count} events already on gateway.requests, as an edge
     * does for the events after its cursor when it restarts after a crash. Returns how many.
     */
    static int resendAsAfterAnEdgeCrash(LocalStack stack, int count) throws Exception {
        List<org.apache.kafka.clients.consumer.ConsumerRecord<byte[], byte[]>> originals = new ArrayList<>();
        try (var consumer = new KafkaConsumer<>(Map.<String, Object>of("bootstrap.servers", stack.bootstrapServers(), "group.id", "copies-" + System.nanoTime(),
                "auto.offset.reset", "earliest"), new org.apache.kafka.common.serialization.ByteArrayDeserializer(),
                new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
            consumer.subscribe(List.of(stack.topics().requests()));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (originals.size() < count && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> {
                    if (originals.size() < count && r.headers().lastHeader(io.eventgate.schemas.EventHeaders.SEQUENCE) != null) {
                        originals.add(r);
                    }
                });
            }
        }
        assertThat(originals).as("events to copy").hasSize(count);
        try (var producer = new org.apache.kafka.clients.producer.KafkaProducer<>(Map.<String, Object>of("bootstrap.servers", stack.bootstrapServers()),
                new org.apache.kafka.common.serialization.ByteArraySerializer(), new org.apache.kafka.common.serialization.ByteArraySerializer())) {
            for (var original : originals) {
                var headers = new org.apache.kafka.common.header.internals.RecordHeaders(original.headers().toArray());
                headers.add(io.eventgate.schemas.EventHeaders.REDELIVERY, new byte[] {'1'});
                producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>(original.topic(), original.partition(), original.timestamp(),
                        original.key(), original.value(), headers)).get();
            }
        }
        return originals.size();
    }

    /** Waits until the consumer group has consumed gateway.requests to its end. */
    static void awaitConsumedToTheEnd(LocalStack stack, String group) {
        try (var admin = org.apache.kafka.clients.admin.Admin.create(Map.<String, Object>of("bootstrap.servers", stack.bootstrapServers()))) {
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                var committed = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
                var partitions = committed.keySet().stream().filter(tp -> tp.topic().equals(stack.topics().requests())).toList();
                if (partitions.isEmpty()) {
                    return false;
                }
                var ends = admin.listOffsets(partitions.stream().collect(java.util.stream.Collectors.toMap(tp -> tp,
                        tp -> org.apache.kafka.clients.admin.OffsetSpec.latest()))).all().get();
                // the end offset counts transaction markers of no one; the group's position reaches at least the last record
                return partitions.stream().allMatch(tp -> committed.get(tp).offset() >= ends.get(tp).offset());
            });
        }
    }

    static Path writeAnalyticsSettings(LocalStack stack, Path dataDir) throws IOException {
        return Files.writeString(dataDir.resolve("analytics.yaml"), String.join("\n",
                "applicationId: eventgate-analytics-streams",
                "bootstrapServers: " + stack.bootstrapServers(),
                "schemaRegistryUrl: " + stack.registryUrl(),
                "topicPrefix: " + stack.topics().requests().replace("requests", ""),
                "stateDir: " + dataDir.resolve("analytics-state"),
                "query: {port: 0, bindAddress: 127.0.0.1}", ""));
    }

    /** analytics-streams in a JVM of its own, so it can be killed like a crashed process. */
    static Process startAnalytics(Path settings, Path log) throws IOException {
        String java = ProcessHandle.current().info().command().orElseThrow();
        List<String> command = new ArrayList<>(List.of(java, "-Xmx512m", "-cp", System.getProperty("java.class.path")));
        if (Runtime.version().feature() >= 24) {
            command.add("--sun-misc-unsafe-memory-access=allow");
        }
        String logging = System.getProperty("java.util.logging.config.file");
        if (logging != null) {
            command.add("-Djava.util.logging.config.file=" + logging);
        }
        command.addAll(List.of(AnalyticsStreamsMain.class.getName(), settings.toString()));
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    /** Consumer demo's requests at about 100 per second: its plan (10/s, burst 20) serves some and refuses the rest with 429. */
    final class Traffic {
        private final URI uri;
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final AtomicInteger sent = new AtomicInteger();
        private final AtomicInteger billable = new AtomicInteger();
        private Thread thread;

        Traffic(String url) {
            this.uri = URI.create(url);
        }

        void start() {
            thread = Thread.ofPlatform().name("billing-traffic").start(() -> {
                long next = System.nanoTime();
                while (running.get()) {
                    try {
                        int status = http.send(HttpRequest.newBuilder(uri).header("X-API-Key", "demo-key").build(),
                                HttpResponse.BodyHandlers.discarding()).statusCode();
                        sent.incrementAndGet();
                        if (status / 100 == 2 || status / 100 == 3) {
                            billable.incrementAndGet();
                        } else {
                            assertThat(status).isEqualTo(429);
                        }
                    } catch (IOException | InterruptedException e) {
                        throw new IllegalStateException("the edge stopped answering", e);
                    }
                    next += TimeUnit.MILLISECONDS.toNanos(10);
                    LockSupport.parkNanos(next - System.nanoTime()); // pacing the load, not waiting for a condition
                }
            });
        }

        void stop() throws InterruptedException {
            running.set(false);
            if (thread != null) {
                thread.join();
            }
        }

        int sent() {
            return sent.get();
        }

        int billable() {
            return billable.get();
        }
    }

    /** What a billing system keeps from gateway.usage: the latest revision of each consumer's window, read committed. */
    static final class UsageLedger implements AutoCloseable {
        private final Map<String, UsageRecord> latest = new ConcurrentHashMap<>();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final Thread reader;

        UsageLedger(LocalStack stack) {
            ContractSerdes serdes = ContractSerdes.of(stack.registryUrl());
            String topic = stack.topics().usage();
            reader = Thread.ofPlatform().name("usage-ledger").start(() -> {
                try (var consumer = new KafkaConsumer<>(Map.<String, Object>of("bootstrap.servers", stack.bootstrapServers(), "group.id", "billing-test",
                        "auto.offset.reset", "earliest", "isolation.level", "read_committed"), new StringDeserializer(),
                        serdes.<UsageRecord>serde(Topic.USAGE).deserializer())) {
                    consumer.subscribe(List.of(topic));
                    while (running.get()) {
                        consumer.poll(Duration.ofMillis(200)).forEach(r -> latest.merge(r.value().getConsumerId() + "/" + r.value().getGranularity()
                                + "/" + r.value().getWindowStart(), r.value(), (a, b) -> b.getRevision() > a.getRevision() ? b : a));
                    }
                }
            });
        }

        /** {billable, total} of consumer demo over its latest revisions of the given granularity. */
        long[] totals(UsageGranularity granularity) {
            long[] totals = new long[2];
            latest.values().stream().filter(r -> r.getGranularity() == granularity && r.getConsumerId().equals("demo")).forEach(r -> {
                totals[0] += r.getBillableRequests();
                totals[1] += r.getTotalRequests();
            });
            return totals;
        }

        int highestRevision() {
            return latest.values().stream().filter(r -> r.getGranularity() == UsageGranularity.DAY).mapToInt(UsageRecord::getRevision).max().orElse(0);
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            reader.join();
        }
    }
}
