package io.eventgate.bench;

import io.eventgate.edge.config.EdgeSettings;
import io.eventgate.edge.config.EventSettings;
import io.eventgate.edge.config.KafkaSettings;
import io.eventgate.edge.config.ServerSettings;
import io.eventgate.local.LocalStack;
import io.eventgate.local.LocalStackSettings;
import io.eventgate.policy.model.KafkaTarget;
import io.eventgate.policy.model.RouteSettings;
import io.eventgate.schemas.registry.RegisteredSchema;
import io.eventgate.schemas.registry.SchemaRegistryClient;
import io.eventgate.schemas.serde.WireRecords;
import io.eventgate.policy.model.WebhookSettings;
import io.eventgate.webhooks.WebhookDeliveryApp;
import io.eventgate.webhooks.WebhookDeliverySettings;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Kafka targets under load, in one run on an embedded broker: (1) produce through the edge with wrk (64 connections,
 * closed loop, a new order id per request) against the same records sent straight to Kafka by 64 threads that each wait
 * for the broker's acknowledgement (acks=all, idempotent), the reference; (2) 1,000 Server-Sent Event streams, each
 * filtered to a key of its own, while 1,000 records a second are written across those keys: delivery latency from
 * the write to the client's parse; (3) one webhook subscription delivering {@code webhook records} signed POSTs to a local
 * receiver: deliveries a second and latency from the write to the receipt.
 *
 * <p>Usage: {@code KafkaTargetBench [seconds per measurement] [streams] [records per second] [webhook records] [events-off]}
 * (default 20, 1000, 1000, 20000, events on).
 */
public final class KafkaTargetBench {
    static final String TOPIC = "demo.orders";
    static final String BENCH_KEY = "bench-stream-key";

    private KafkaTargetBench() {
    }

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        int streams = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
        int rate = args.length > 2 ? Integer.parseInt(args[2]) : 1000;
        int webhookRecords = args.length > 3 ? Integer.parseInt(args[3]) : 20_000;
        boolean events = args.length <= 4 || !args[4].equals("events-off"); // events-off: what the produce path costs without its own RequestEvent
        Path work = Files.createTempDirectory("eventgate-kafka-bench");
        RouteSettings produce = route("produce", "/produce", new KafkaTarget(TOPIC, "produce", "json:/orderId", null, null, Duration.ZERO, null));
        RouteSettings stream = route("stream", "/stream", new KafkaTarget(TOPIC, "stream", null, null, null, null, null, 10_000, null));
        // the stream clients are one consumer whose plan allows them all (anonymous callers get 10 streams per address)
        EdgeSettings edge = new EdgeSettings("bench-edge", new ServerSettings("127.0.0.1", 0, 0, 8192, 2048, 1 << 20, null, List.of(), false),
                new KafkaSettings("127.0.0.1:0", "http://127.0.0.1:0", "gateway."),
                new EventSettings(events, 0, new EventSettings.Journal(work.resolve("journal"), 0, 0, EventSettings.Fsync.INTERVAL, null)),
                Map.of(), List.of(produce, stream), null,
                Map.of("bench", new io.eventgate.policy.model.ConsumerSettings("bench", List.of(io.eventgate.edge.auth.ApiKeys.hash(BENCH_KEY)), null, null)),
                Map.of("bench", new io.eventgate.policy.model.PlanSettings(1_000_000, 1_000_000, 0, 0, null, false, false, 100_000)), null, null, null);
        LocalStackSettings settings = new LocalStackSettings(work, new LocalStackSettings.Kafka("127.0.0.1", 0, 0, 3, "gateway."),
                new LocalStackSettings.Registry("127.0.0.1", 0), new LocalStackSettings.DemoUpstream(true, "127.0.0.1", 0, 0), edge, null, null, null);
        try (LocalStack stack = LocalStack.start(settings)) {
            int port = Integer.parseInt(URI.create(stack.endpoints().get("edge")).getPort() + "");
            SchemaRegistryClient registry = SchemaRegistryClient.of(stack.registryUrl());
            RegisteredSchema schema = registry.latest(TOPIC + "-value");
            System.out.println("warming up...");
            runWrk(work, port, 20); // the JIT compilers keep a core busy for about the first 20 s of load
            direct(stack, schema, Math.max(5, seconds / 4));
            String[] edgeRun = runWrk(work, port, seconds);
            String[] directRun = direct(stack, schema, seconds);
            System.out.printf("%n| produce | req/s | p50 ms | p99 ms |%n|---|---:|---:|---:|%n");
            System.out.printf("| Kafka producer, 64 threads each awaiting its ack (reference) | %s | %s | %s |%n", directRun[0], directRun[1], directRun[2]);
            System.out.printf("| through the edge, wrk -t2 -c64, events %s | %s | %s | %s |%n", events ? "on" : "off", edgeRun[0], edgeRun[1], edgeRun[2]);
            System.out.printf("edge / direct: %.2fx req/s%n", Double.parseDouble(edgeRun[0]) / Double.parseDouble(directRun[0]));
            streams(stack, schema, port, streams, rate, seconds);
            webhooks(stack, schema, webhookRecords);
        }
    }

    static RouteSettings route(String id, String path, KafkaTarget target) {
        return RouteSettings.builder(id, new RouteSettings.Match(null, List.of(path), null, null), List.of()).kafka(target).build();
    }

    /** wrk against the produce route; returns req/s, p50 and p99 in ms. */
    static String[] runWrk(Path work, int port, int seconds) throws Exception {
        Path script = work.resolve("produce.lua");
        Files.writeString(script, """
                wrk.method = "POST"
                wrk.headers["Content-Type"] = "application/json"
                local n = 0
                request = function()
                  n = n + 1
                  return wrk.format(nil, nil, nil, '{"orderId":"o-' .. n .. '-' .. math.random(1000000) .. '","amount":9.5,"currency":"EUR"}')
                end
                """);
        Process wrk = new ProcessBuilder("wrk", "-t2", "-c64", "-d" + seconds + "s", "--latency", "-s", script.toString(),
                "http://127.0.0.1:" + port + "/produce").redirectErrorStream(true).start();
        String out = new String(wrk.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        wrk.waitFor();
        String rps = out.lines().filter(l -> l.startsWith("Requests/sec:")).map(l -> l.split(":")[1].trim()).findFirst().orElse("0");
        return new String[] {String.format("%.0f", Double.parseDouble(rps)), percentile(out, "50%"), percentile(out, "99%")};
    }

    static String percentile(String wrkOutput, String which) {
        return wrkOutput.lines().map(String::trim).filter(l -> l.startsWith(which)).map(l -> {
            String value = l.split("\\s+")[1];
            double number = Double.parseDouble(value.replaceAll("[a-z]+$", ""));
            return String.format("%.2f", value.endsWith("us") ? number / 1000 : value.endsWith("ms") ? number : number * 1000);
        }).findFirst().orElse("?");
    }

    static byte[] order(RegisteredSchema schema, String orderId, String currency) {
        GenericRecord order = new GenericData.Record(schema.schema());
        order.put("orderId", orderId);
        order.put("amount", 9.5);
        order.put("currency", currency);
        return WireRecords.encode(order, schema.id());
    }

    /** 64 threads, each sending a record and waiting for its acknowledgement, as the edge does per request. */
    static String[] direct(LocalStack stack, RegisteredSchema schema, int seconds) throws Exception {
        Histogram latency = new Histogram(60_000_000_000L, 3);
        AtomicLong sent = new AtomicLong();
        long end = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers", stack.bootstrapServers(), "acks", "all",
                "enable.idempotence", true, "linger.ms", 1), new StringSerializer(), new ByteArraySerializer())) {
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < 64; t++) {
                int id = t;
                threads.add(Thread.ofVirtual().start(() -> {
                    Histogram mine = new Histogram(60_000_000_000L, 3);
                    for (long n = 0; System.nanoTime() < end; n++) {
                        long start = System.nanoTime();
                        try {
                            producer.send(new ProducerRecord<>(TOPIC, "d-" + id + "-" + n, order(schema, "d-" + id + "-" + n, "EUR"))).get();
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                        mine.recordValue(System.nanoTime() - start);
                        sent.incrementAndGet();
                    }
                    synchronized (latency) {
                        latency.add(mine);
                    }
                }));
            }
            for (Thread thread : threads) {
                thread.join();
            }
        }
        return new String[] {String.format("%.0f", sent.get() / (double) seconds), String.format("%.2f", latency.getValueAtPercentile(50) / 1e6),
                String.format("%.2f", latency.getValueAtPercentile(99) / 1e6)};
    }

    /** {@code streams} clients each on a key of its own; {@code rate} records a second across the keys; latency write to parse. */
    static void streams(LocalStack stack, RegisteredSchema schema, int port, int streams, int rate, int seconds) throws Exception {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        Recorder latency = new Recorder(60_000_000_000L, 3);
        AtomicLong received = new AtomicLong();
        AtomicBoolean measuring = new AtomicBoolean();
        CountDownLatch open = new CountDownLatch(streams);
        List<InputStream> bodies = new ArrayList<>();
        for (int i = 0; i < streams; i++) {
            String key = "k-" + i;
            HttpResponse<InputStream> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/stream?key=" + key))
                    .header("X-API-Key", BENCH_KEY).build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            if (response.statusCode() != 200) {
                throw new IllegalStateException("stream " + i + " was refused with " + response.statusCode());
            }
            bodies.add(response.body());
            Thread.ofVirtual().start(() -> {
                try (BufferedReader lines = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
                    lines.readLine();
                    open.countDown();
                    for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                        int at = line.indexOf("\"currency\": \"");
                        if (line.startsWith("data: ") && at > 0 && measuring.get()) {
                            long sentAt = Long.parseLong(line.substring(at + 13, line.indexOf('"', at + 13)));
                            latency.recordValue(Math.max(0, System.nanoTime() - sentAt));
                            received.incrementAndGet();
                        }
                    }
                } catch (Exception closed) {
                    // the bench ended
                }
            });
        }
        open.await(60, TimeUnit.SECONDS);
        long cpuBefore = processCpuNanos();
        long written = 0;
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers", stack.bootstrapServers(), "linger.ms", 0),
                new StringSerializer(), new ByteArraySerializer())) {
            measuring.set(true);
            long start = System.nanoTime();
            long interval = 1_000_000_000L / rate;
            for (long n = 0; n < (long) rate * seconds; n++) {
                long due = start + n * interval;
                while (System.nanoTime() < due) {
                    LockSupport.parkNanos(due - System.nanoTime());
                }
                String key = "k-" + (n % streams);
                producer.send(new ProducerRecord<>(TOPIC, key, order(schema, key, Long.toString(System.nanoTime())))); // the send time rides in currency
                written++;
            }
            producer.flush();
        }
        long settle = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (received.get() < written && System.nanoTime() < settle) {
            Thread.sleep(10);
        }
        long cpu = processCpuNanos() - cpuBefore;
        Histogram delivered = latency.getIntervalHistogram();
        System.out.printf("%n| streams | records written | events received | delivery p50 ms | p99 ms | max ms | process CPU |%n|---:|---:|---:|---:|---:|---:|---:|%n");
        System.out.printf("| %d | %d | %d | %.1f | %.1f | %.1f | %.0f %% of one core |%n", streams, written, received.get(),
                delivered.getValueAtPercentile(50) / 1e6, delivered.getValueAtPercentile(99) / 1e6, delivered.getMaxValue() / 1e6,
                cpu / 1e9 / (seconds + 5) * 100);
        for (InputStream body : bodies) {
            body.close();
        }
    }

    /** One subscription on the topic, POSTing to a local receiver: deliveries a second, and write-to-receipt latency. */
    static void webhooks(LocalStack stack, RegisteredSchema schema, int records) throws Exception {
        Recorder latency = new Recorder(60_000_000_000L, 3);
        AtomicLong received = new AtomicLong();
        AtomicBoolean measuring = new AtomicBoolean();
        com.sun.net.httpserver.HttpServer receiver = com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        receiver.setExecutor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
        receiver.createContext("/", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            int at = body.indexOf("\"currency\":\"");
            if (measuring.get() && at > 0) {
                latency.recordValue(Math.max(0, System.nanoTime() - Long.parseLong(body.substring(at + 12, body.indexOf('"', at + 12)))));
                received.incrementAndGet();
            }
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        receiver.start();
        WebhookSettings subscription = new WebhookSettings(TOPIC, null, null, "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook",
                "env:BENCH_WEBHOOK_SECRET", 10_000.0, 3, null, null, null);
        try (WebhookDeliveryApp app = WebhookDeliveryApp.start(new WebhookDeliverySettings("bench-webhooks", stack.bootstrapServers(), stack.registryUrl(),
                "gateway.", null, false, Map.of("bench", subscription)), Map.of("BENCH_WEBHOOK_SECRET", "whsec_YmVuY2ggc2VjcmV0IG9mIDMyIGJ5dGVzIGxvbmchISE="));
             KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers", stack.bootstrapServers(), "linger.ms", 5),
                     new StringSerializer(), new ByteArraySerializer())) {
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (app.counts().counts("bench").delivered() == 0 && System.nanoTime() < deadline) { // the subscription starts at the topic's end
                producer.send(new ProducerRecord<>(TOPIC, "warm-up", order(schema, "warm-up", "0"))).get();
                Thread.sleep(200);
            }
            // warm-up: the delivery path's code compiled before the measured records (the JIT keeps a core busy at first)
            long warmUp = Math.max(2_000, records / 4);
            long target = app.counts().counts("bench").delivered() + warmUp;
            for (int n = 0; n < warmUp; n++) {
                producer.send(new ProducerRecord<>(TOPIC, "w-" + (n % 100), order(schema, "warm-" + n, "0")));
            }
            producer.flush();
            deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            while (app.counts().counts("bench").delivered() < target && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            Thread.sleep(1000);
            measuring.set(true);
            long cpuBefore = processCpuNanos();
            long start = System.nanoTime();
            for (int n = 0; n < records; n++) {
                producer.send(new ProducerRecord<>(TOPIC, "w-" + (n % 100), order(schema, "w-" + n, Long.toString(System.nanoTime()))));
            }
            producer.flush();
            deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            while (received.get() < records && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            long cpu = processCpuNanos() - cpuBefore;
            Histogram delivered = latency.getIntervalHistogram();
            System.out.printf("%n| webhooks | records | delivered | deliveries/s | write-to-receipt p50 ms | p99 ms | process CPU µs/delivery |%n"
                    + "|---|---:|---:|---:|---:|---:|---:|%n");
            System.out.printf("| one subscription, local receiver, signed | %d | %d | %.0f | %.1f | %.1f | %.1f |%n", records, received.get(),
                    received.get() / seconds, delivered.getValueAtPercentile(50) / 1e6, delivered.getValueAtPercentile(99) / 1e6,
                    cpu / 1000.0 / Math.max(1, received.get()));
        } finally {
            receiver.stop(0);
        }
    }

    static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }
}
