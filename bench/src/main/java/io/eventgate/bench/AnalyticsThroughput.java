package io.eventgate.bench;

import io.eventgate.analytics.AnalyticsSettings;
import io.eventgate.analytics.AnalyticsStreamsApp;
import io.eventgate.analytics.query.QuerySettings;
import io.eventgate.avro.RequestEvent;
import io.eventgate.avro.RequestOutcome;
import io.eventgate.local.LocalStack;
import io.eventgate.local.LocalStackSettings;
import io.eventgate.schemas.Topic;
import io.eventgate.schemas.serde.ContractSerdes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * How many request events per second analytics-streams processes, exactly once, from a pre-filled
 * {@code gateway.requests}, on an embedded broker in the same JVM. The reference, measured in the same run,
 * is a plain consumer that reads and decodes the same events and does nothing else: the floor that any
 * processing of this topic pays.
 *
 * <p>Usage: {@code AnalyticsThroughput [events] [partitions]} (defaults 1,000,000 and 3).
 */
public final class AnalyticsThroughput {
    private static final int ROUTES = 40;
    private static final int CONSUMERS = 2_000;

    private AnalyticsThroughput() {
    }

    public static void main(String[] args) throws Exception {
        int events = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        int partitions = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        Path work = Files.createTempDirectory("eventgate-analytics-bench");
        LocalStackSettings settings = new LocalStackSettings(work, new LocalStackSettings.Kafka("127.0.0.1", 0, 0, partitions, "gateway."),
                new LocalStackSettings.Registry("127.0.0.1", 0), new LocalStackSettings.DemoUpstream(false, "127.0.0.1", 0, 0), null, null, null, null);
        try (LocalStack stack = LocalStack.start(settings)) {
            System.out.printf("filling %s with %,d events over %d partitions...%n", stack.topics().requests(), events, partitions);
            prefill(stack, events);
            double reference = readAndDecode(stack, events);
            double analytics = runAnalytics(stack, work, events);
            System.out.printf("%n| run | events/s |%n|---|---:|%n| plain consumer, read + decode (reference) | %,.0f |%n"
                    + "| analytics-streams, exactly once | %,.0f |%n%nanalytics / reference: %.2fx%n", reference, analytics, analytics / reference);
        }
    }

    /** A realistic mix: 40 routes, 2,000 consumers with skewed traffic, mostly 2xx, over the last 50 minutes. */
    static void prefill(LocalStack stack, int events) throws Exception {
        ContractSerdes serdes = ContractSerdes.of(stack.registryUrl());
        Random random = new Random(1);
        Instant start = Instant.now().minus(Duration.ofMinutes(50));
        long spacingMicros = Duration.ofMinutes(49).toNanos() / 1_000 / events;
        try (var producer = new KafkaProducer<>(Map.<String, Object>of("bootstrap.servers", stack.bootstrapServers(), "linger.ms", 20,
                "batch.size", 262_144, "compression.type", "lz4", "acks", "all"), new StringSerializer(), serdes.<RequestEvent>serde(Topic.REQUESTS).serializer())) {
            for (int i = 0; i < events; i++) {
                Instant at = start.plusNanos(i * spacingMicros * 1_000);
                String consumer = "consumer-" + (int) (CONSUMERS * Math.pow(random.nextDouble(), 3));
                int status = random.nextInt(100) < 93 ? 200 : random.nextBoolean() ? 429 : 503;
                RequestEvent event = RequestEvent.newBuilder().setRequestId("req-" + i).setTraceId(String.format("%032x", i)).setTimestamp(at)
                        .setNode("edge-" + (i % 3)).setRouteId("route-" + random.nextInt(ROUTES)).setMethod("GET").setPath("/api/items/" + i % 1000)
                        .setHost("api.example.com").setStatus(status).setGatewayLatencyMicros(200 + (long) (Math.abs(random.nextGaussian()) * 4_000))
                        .setUpstreamLatencyMicros(150L).setBytesIn(random.nextInt(512)).setBytesOut(random.nextInt(8_192)).setConsumerId(consumer)
                        .setPlan("gold").setClientAddress("203.0.113." + random.nextInt(250)).setUpstreamInstance("10.0.0.1:8080")
                        .setOutcome(status == 429 ? RequestOutcome.DENIED : RequestOutcome.PROXIED).setDecision(status == 429 ? "throttle" : "allow").build();
                producer.send(new ProducerRecord<>(stack.topics().requests(), null, at.toEpochMilli(), consumer, event));
            }
            producer.flush();
        }
    }

    static double readAndDecode(LocalStack stack, int events) {
        ContractSerdes serdes = ContractSerdes.of(stack.registryUrl());
        try (var consumer = new KafkaConsumer<>(Map.<String, Object>of("bootstrap.servers", stack.bootstrapServers(), "group.id", "bench-reference",
                "auto.offset.reset", "earliest", "isolation.level", "read_committed", "max.poll.records", 2_000), new StringDeserializer(),
                serdes.<RequestEvent>serde(Topic.REQUESTS).deserializer())) {
            consumer.subscribe(List.of(stack.topics().requests()));
            long read = 0;
            long checksum = 0;
            long startNanos = 0;
            while (read < events) {
                var records = consumer.poll(Duration.ofMillis(500));
                if (startNanos == 0 && !records.isEmpty()) {
                    startNanos = System.nanoTime();
                }
                for (var record : records) {
                    checksum += record.value().getStatus();
                    read++;
                }
            }
            double seconds = (System.nanoTime() - startNanos) / 1e9;
            System.out.printf("reference: read and decoded %,d events in %.1f s (status checksum %d)%n", read, seconds, checksum);
            return read / seconds;
        }
    }

    /** From the app's first commit to the commit that reaches the end of the topic. */
    static double runAnalytics(LocalStack stack, Path work, int events) throws Exception {
        String applicationId = "bench-analytics";
        AnalyticsSettings settings = new AnalyticsSettings(applicationId, stack.bootstrapServers(), stack.registryUrl(), "gateway.",
                work.resolve("analytics-state"), Duration.ofSeconds(30), null, null, null, new QuerySettings(0, "127.0.0.1", null));
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", stack.bootstrapServers()))) {
            List<TopicPartition> partitions = admin.describeTopics(List.of(stack.topics().requests())).allTopicNames().get()
                    .get(stack.topics().requests()).partitions().stream().map(p -> new TopicPartition(stack.topics().requests(), p.partition())).toList();
            long end = admin.listOffsets(partitions.stream().collect(Collectors.toMap(p -> p, p -> OffsetSpec.latest()))).all().get()
                    .values().stream().mapToLong(info -> info.offset()).sum();
            try (AnalyticsStreamsApp app = AnalyticsStreamsApp.start(settings)) {
                long firstCommitted = -1;
                long firstNanos = 0;
                long committed = 0;
                long lastReport = System.nanoTime();
                while (committed < end) {
                    committed = committed(admin, applicationId, partitions);
                    if (firstCommitted < 0 && committed > 0) {
                        firstCommitted = committed;
                        firstNanos = System.nanoTime();
                    }
                    if (System.nanoTime() - lastReport > 5e9) {
                        System.out.printf("analytics: %,d of %,d committed%n", committed, end);
                        lastReport = System.nanoTime();
                    }
                    Thread.sleep(100); // sampling the committed offsets
                }
                double seconds = (System.nanoTime() - firstNanos) / 1e9;
                System.out.printf("analytics: processed %,d events in %.1f s after its first commit (%,d before it)%n", end - firstCommitted, seconds, firstCommitted);
                return (end - firstCommitted) / seconds;
            }
        }
    }

    static long committed(Admin admin, String group, List<TopicPartition> partitions) throws InterruptedException, ExecutionException {
        Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
        return partitions.stream().map(offsets::get).filter(o -> o != null).mapToLong(OffsetAndMetadata::offset).sum();
    }
}
