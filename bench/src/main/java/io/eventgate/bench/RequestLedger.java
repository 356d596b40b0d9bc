package io.eventgate.bench;

import io.eventgate.avro.RequestEvent;
import io.eventgate.avro.RequestOutcome;
import io.eventgate.schemas.EventHeaders;
import io.eventgate.schemas.Topic;
import io.eventgate.schemas.follow.TopicFollower;
import io.eventgate.schemas.serde.ContractSerdes;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntFunction;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.HdrHistogram.Histogram;

/**
 * What the fault benchmarks compare: requests sent with unique ids by many client threads, the ids that got a 2xx, the
 * client errors, and afterwards the RequestEvents on {@code gateway.requests} for those ids: lost (answered, no event),
 * copies (the same node and sequence twice, which consumers drop), requests marked EDGE_CRASHED.
 */
final class RequestLedger {
    /** What the topic held for the answered ids. */
    record Count(long answered, long clientErrors, long events, long ids, long lost, long copies, long crashed) {
    }

    private RequestLedger() {
    }

    /**
     * Client threads sending GETs with unique ids, each beginning with {@code tag}, until closed; a thread's i-th request
     * goes to {@code url.apply(i)}. {@code answered} holds the ids that got a 2xx, {@code responded} every id that got
     * an answer, {@code errors} counts connection errors and 5xx answers, {@code statuses} every status.
     */
    static final class Load implements AutoCloseable {
        final Set<String> answered = ConcurrentHashMap.newKeySet();
        final Set<String> responded = ConcurrentHashMap.newKeySet();
        final AtomicLong errors = new AtomicLong();
        /** Requests sent, answered or not. */
        final AtomicLong attempts = new AtomicLong();
        final Map<Integer, LongAdder> statuses = new ConcurrentHashMap<>();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final List<Thread> threads = new ArrayList<>();

        Load(String tag, int clients, IntFunction<String> url) {
            this(tag, clients, url, null, 0);
        }

        /** With {@code apiKey} (or null) in {@code X-API-Key}, each client at most {@code perClient} requests a second (0: as fast as it can). */
        Load(String tag, int clients, IntFunction<String> url, String apiKey, double perClient) {
            long interval = perClient > 0 ? (long) (1e9 / perClient) : 0;
            for (int c = 0; c < clients; c++) {
                String client = tag + "c" + c;
                threads.add(Thread.ofPlatform().start(() -> {
                    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2)).build();
                    long next = System.nanoTime();
                    for (int i = 0; running.get(); i++) {
                        next += interval;
                        long wait = next - System.nanoTime();
                        if (wait > 0) {
                            java.util.concurrent.locks.LockSupport.parkNanos(wait);
                        }
                        String id = client + "-" + i;
                        attempts.incrementAndGet();
                        try {
                            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url.apply(i))).header("X-Request-Id", id).timeout(Duration.ofSeconds(10));
                            if (apiKey != null) {
                                request.header("X-API-Key", apiKey);
                            }
                            int status = http.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
                            responded.add(id);
                            statuses.computeIfAbsent(status, s -> new LongAdder()).increment();
                            if (status / 100 == 2) {
                                answered.add(id);
                            } else if (status >= 500) {
                                errors.incrementAndGet();
                            }
                        } catch (IOException e) {
                            errors.incrementAndGet();
                            pause();
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                }));
            }
        }

        /** How many answers had {@code status}. */
        long count(int status) {
            LongAdder n = statuses.get(status);
            return n == null ? 0 : n.sum();
        }

        private static void pause() {
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

    /**
     * Follows {@code topic} from its end while open and records, for each event whose request id begins with
     * {@code tag}, the time from the edge receiving the request to the event being readable by a consumer: how long
     * a fault holds events back.
     */
    static final class EventDelay implements AutoCloseable {
        private final Histogram delays = new Histogram(3_600_000L, 3);
        private final TopicFollower<RequestEvent> reader;

        EventDelay(String bootstrapServers, String registryUrl, String topic, String tag) throws InterruptedException {
            reader = new TopicFollower<>(topic, bootstrapServers, "event-delay", ContractSerdes.of(registryUrl).<RequestEvent>serde(Topic.REQUESTS).deserializer(),
                    0, (key, event) -> {
                        if (event != null && event.getRequestId().startsWith(tag)) {
                            synchronized (delays) {
                                delays.recordValue(Math.max(0, System.currentTimeMillis() - event.getTimestamp().toEpochMilli()));
                            }
                        }
                    }, () -> { }, () -> { });
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (!reader.caughtUp()) { // at the topic's end: every request sent from now on is seen
                if (System.nanoTime() > deadline) {
                    reader.close();
                    throw new IllegalStateException("not at the end of " + topic + " after 60 s");
                }
                Thread.sleep(20);
            }
        }

        /** {p50, p99, max} in milliseconds. */
        long[] millis() {
            synchronized (delays) {
                return new long[] {delays.getValueAtPercentile(50), delays.getValueAtPercentile(99), delays.getMaxValue()};
            }
        }

        @Override
        public void close() {
            reader.close();
        }
    }

    /**
     * Reads {@code topic} from the start until it stays quiet for 5 s (at most 2 min), and sets the events of requests
     * whose id begins with {@code tag} against what was answered.
     */
    static Count count(String bootstrapServers, String registryUrl, String topic, String tag, Set<String> answered, long clientErrors) {
        var deserializer = ContractSerdes.of(registryUrl).<RequestEvent>serde(Topic.REQUESTS).deserializer();
        Map<String, List<ConsumerRecord<String, RequestEvent>>> byId = new HashMap<>();
        long events = 0;
        try (var consumer = new KafkaConsumer<>(Map.<String, Object>of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.GROUP_ID_CONFIG, "ledger-" + System.nanoTime(), ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new StringDeserializer(), deserializer)) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            long quietSince = System.nanoTime();
            while (System.nanoTime() < deadline && System.nanoTime() - quietSince < Duration.ofSeconds(5).toNanos()) {
                var batch = consumer.poll(Duration.ofMillis(200));
                for (var record : batch) {
                    if (!record.value().getRequestId().startsWith(tag)) {
                        continue;
                    }
                    byId.computeIfAbsent(record.value().getRequestId(), id -> new ArrayList<>()).add(record);
                    events++;
                }
                if (!batch.isEmpty()) {
                    quietSince = System.nanoTime();
                }
            }
        }
        Set<String> lost = new HashSet<>(answered);
        lost.removeAll(byId.keySet());
        long copies = 0;
        long crashed = 0;
        for (var records : byId.values()) {
            Set<String> distinct = new HashSet<>();
            for (var record : records) {
                if (!distinct.add(EventHeaders.node(record.headers()) + "#" + EventHeaders.sequence(record.headers()))) {
                    copies++;
                }
            }
            if (distinct.size() > 1) {
                System.out.println("request " + records.get(0).value().getRequestId() + " has " + distinct.size() + " different events");
            }
            if (records.get(0).value().getOutcome() == RequestOutcome.EDGE_CRASHED) {
                crashed++;
            }
        }
        return new Count(answered.size(), clientErrors, events, byId.size(), lost.size(), copies, crashed);
    }
}
