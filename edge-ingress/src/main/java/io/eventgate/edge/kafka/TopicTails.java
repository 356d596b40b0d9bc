package io.eventgate.edge.kafka;

import io.eventgate.schemas.registry.SchemaRegistryClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * The topics that stream routes serve, each read once per node from its end on by one consumer and fanned out to the
 * node's streams. The last {@link #RING_RECORDS} records of each stay in memory, so a client that reconnects with the id
 * of its last event resumes from memory; a client further behind gets a reader of its own. Each stream gets the records
 * through a bounded queue: one that falls {@code buffer} records behind is cut off, never slowing the others. A reply
 * topic is read the same way, each reply handed to the request waiting for its correlation id.
 */
public final class TopicTails implements AutoCloseable {
    static final int RING_RECORDS = 10_000;
    private static final Logger LOG = Logger.getLogger(TopicTails.class.getName());

    private final String bootstrapServers;
    private final String nodeId;
    private final SchemaRegistryClient registry;
    private final Map<String, Tail> tails = new ConcurrentHashMap<>();

    public TopicTails(String bootstrapServers, String nodeId, SchemaRegistryClient registry) {
        this.bootstrapServers = bootstrapServers;
        this.nodeId = nodeId;
        this.registry = registry;
    }

    SchemaRegistryClient registry() {
        return registry;
    }

    Tail tail(String topic) {
        return tails.computeIfAbsent(topic, Tail::new);
    }

    /** Where a stream's records come from: the shared tail, or a reader of its own. */
    interface Source extends AutoCloseable {
        /** The next record, or null when none came within {@code wait}. */
        StreamRecord poll(Duration wait) throws InterruptedException;

        /** Whether the stream fell too far behind and was cut off (what it has queued still comes first). */
        boolean overflowed();

        /** Whether the node is shutting down or the tail stopped. */
        boolean ended();

        @Override
        void close();
    }

    Map<String, Object> consumerConfig(String purpose) {
        return Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.CLIENT_ID_CONFIG, "edge-" + nodeId + "-" + purpose);
    }

    static StreamRecord toStreamRecord(ConsumerRecord<String, byte[]> record, long[] next) {
        Map<String, String> headers = new HashMap<>(4);
        for (Header header : record.headers()) {
            headers.put(header.key().toLowerCase(java.util.Locale.ROOT), header.value() == null ? "" : new String(header.value(), StandardCharsets.UTF_8));
        }
        next[record.partition()] = record.offset() + 1;
        return StreamRecord.of(record.partition(), record.offset(), record.key(), record.value(), headers, next);
    }

    /** One topic read from its end, its recent records kept. */
    final class Tail {
        private final String topic;
        private final CountDownLatch ready = new CountDownLatch(1);
        private final ArrayDeque<StreamRecord> ring = new ArrayDeque<>();
        private final List<Subscription> subscriptions = new ArrayList<>();
        /** Requests waiting for their reply on this topic, by correlation id. */
        private final Map<String, java.util.concurrent.CompletableFuture<StreamRecord>> correlated = new ConcurrentHashMap<>();
        private volatile boolean running = true;
        private volatile KafkaConsumer<String, byte[]> active;
        private long[] next;
        private long[] ringStart;
        private final Thread thread;

        Tail(String topic) {
            this.topic = topic;
            this.thread = Thread.ofPlatform().daemon().name("tail-" + topic).start(this::follow);
        }

        private void follow() {
            while (running) {
                try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(consumerConfig("tail-" + topic), new StringDeserializer(),
                        new ByteArrayDeserializer())) {
                    active = consumer;
                    if (!running) {
                        return;
                    }
                    int count = consumer.partitionsFor(topic, Duration.ofSeconds(10)).size();
                    List<TopicPartition> partitions = new ArrayList<>();
                    for (int p = 0; p < count; p++) {
                        partitions.add(new TopicPartition(topic, p));
                    }
                    consumer.assign(partitions);
                    synchronized (this) {
                        if (next == null) {
                            consumer.seekToEnd(partitions);
                            next = new long[count];
                            for (int p = 0; p < count; p++) {
                                next[p] = consumer.position(partitions.get(p));
                            }
                            ringStart = next.clone();
                        } else {
                            for (int p = 0; p < count; p++) { // after a failure, on from where this tail had got to
                                consumer.seek(partitions.get(p), next[p]);
                            }
                        }
                    }
                    ready.countDown();
                    while (running) {
                        var records = consumer.poll(Duration.ofMillis(200));
                        if (!records.isEmpty()) {
                            append(records);
                        }
                    }
                } catch (org.apache.kafka.common.errors.WakeupException stopping) {
                    return;
                } catch (RuntimeException e) {
                    if (running) {
                        LOG.log(Level.WARNING, "edge " + nodeId + " cannot read " + topic + " for its streams; retrying", e);
                        try {
                            Thread.sleep(1000);
                        } catch (InterruptedException interrupted) {
                            return;
                        }
                    }
                }
            }
        }

        private synchronized void append(Iterable<ConsumerRecord<String, byte[]>> records) {
            for (ConsumerRecord<String, byte[]> record : records) {
                StreamRecord kept = toStreamRecord(record, next);
                ring.addLast(kept);
                if (ring.size() > RING_RECORDS) {
                    StreamRecord dropped = ring.removeFirst();
                    ringStart[dropped.partition()] = dropped.offset() + 1;
                }
                subscriptions.removeIf(subscription -> !subscription.offer(kept));
                String correlation = kept.headers().get(KafkaTargetStep.CORRELATION_HEADER);
                if (correlation != null) {
                    var waiting = correlated.remove(correlation);
                    if (waiting != null) {
                        waiting.complete(kept);
                    }
                }
            }
        }

        /** The reply with {@code correlation} among the records read from now on. */
        java.util.concurrent.CompletableFuture<StreamRecord> awaitCorrelated(String correlation) {
            return correlated.computeIfAbsent(correlation, c -> new java.util.concurrent.CompletableFuture<>());
        }

        void forget(String correlation) {
            correlated.remove(correlation);
        }

        boolean awaitReady(Duration wait) throws InterruptedException {
            return ready.await(wait.toNanos(), TimeUnit.NANOSECONDS);
        }

        synchronized int partitions() {
            return next.length;
        }

        /**
         * A stream from {@code from} (null: from now on), fed from memory, or null when the records it needs are no longer
         * (or not yet) held here.
         */
        synchronized Subscription subscribe(long[] from, Predicate<StreamRecord> wanted, int buffer, Runnable onOverflow) {
            long[] start = from == null ? next.clone() : from;
            for (int p = 0; p < next.length; p++) {
                if (start[p] < ringStart[p] || start[p] > next[p]) {
                    return null;
                }
            }
            Subscription subscription = new Subscription(this, wanted, buffer, onOverflow);
            for (StreamRecord record : ring) {
                if (record.offset() >= start[record.partition()]) {
                    subscription.replay(record);
                }
            }
            subscriptions.add(subscription);
            return subscription;
        }

        /** Whether {@code from} points past what the topic holds (an id this topic never gave). */
        synchronized boolean ahead(long[] from) {
            for (int p = 0; p < next.length; p++) {
                if (from[p] > next[p]) {
                    return true;
                }
            }
            return false;
        }

        synchronized void unsubscribe(Subscription subscription) {
            subscriptions.remove(subscription);
        }

        String topic() {
            return topic;
        }

        void close() {
            running = false;
            synchronized (this) {
                subscriptions.forEach(Subscription::end);
                subscriptions.clear();
            }
            KafkaConsumer<String, byte[]> consumer = active;
            if (consumer != null) {
                consumer.wakeup(); // its poll ends with a WakeupException, and it closes as usual
            }
        }
    }

    /** A stream fed by a tail: replayed records first, then live ones, up to {@code buffer} waiting. */
    static final class Subscription implements Source {
        private static final StreamRecord END = new StreamRecord(-1, -1, null, null, Map.of(), null, null);
        private final Tail tail;
        private final Predicate<StreamRecord> wanted;
        private final int buffer;
        private final Runnable onOverflow;
        private final LinkedBlockingQueue<StreamRecord> queue = new LinkedBlockingQueue<>();
        private volatile boolean overflowed;
        private volatile boolean ended;

        Subscription(Tail tail, Predicate<StreamRecord> wanted, int buffer, Runnable onOverflow) {
            this.tail = tail;
            this.wanted = wanted;
            this.buffer = buffer;
            this.onOverflow = onOverflow;
        }

        void replay(StreamRecord record) {
            if (wanted.test(record)) {
                queue.add(record);
            }
        }

        /** Queues a live record; false when the stream is too far behind and is cut off. */
        boolean offer(StreamRecord record) {
            if (!wanted.test(record)) {
                return true;
            }
            if (queue.size() >= buffer) {
                overflowed = true;
                queue.add(END);
                onOverflow.run();
                return false;
            }
            queue.add(record);
            return true;
        }

        void end() {
            ended = true;
            queue.add(END);
        }

        @Override
        public StreamRecord poll(Duration wait) throws InterruptedException {
            if ((overflowed || ended) && queue.isEmpty()) {
                return null; // its end was taken already: no waiting for records that will not come
            }
            StreamRecord record = queue.poll(wait.toNanos(), TimeUnit.NANOSECONDS);
            return record == END ? null : record;
        }

        @Override
        public boolean overflowed() {
            return overflowed && queue.isEmpty();
        }

        @Override
        public boolean ended() {
            return ended && queue.isEmpty();
        }

        @Override
        public void close() {
            tail.unsubscribe(this);
        }
    }

    /** A stream too far behind for the tail's memory: its own consumer from where the client left off, read at its pace. */
    final class OwnReader implements Source {
        private final KafkaConsumer<String, byte[]> consumer;
        private final Predicate<StreamRecord> wanted;
        private final long[] next;
        private final ArrayDeque<StreamRecord> fetched = new ArrayDeque<>();

        OwnReader(String topic, long[] from, Predicate<StreamRecord> wanted) {
            this.wanted = wanted;
            this.next = from.clone();
            this.consumer = new KafkaConsumer<>(consumerConfig("catch-up-" + topic), new StringDeserializer(), new ByteArrayDeserializer());
            List<TopicPartition> partitions = new ArrayList<>();
            for (int p = 0; p < from.length; p++) {
                partitions.add(new TopicPartition(topic, p));
            }
            consumer.assign(partitions);
            for (int p = 0; p < from.length; p++) {
                consumer.seek(partitions.get(p), from[p]);
            }
        }

        @Override
        public StreamRecord poll(Duration wait) {
            long deadline = System.nanoTime() + wait.toNanos();
            while (fetched.isEmpty() && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(Math.max(1, Math.min(200, wait.toMillis()))))) {
                    StreamRecord converted = toStreamRecord(record, next);
                    if (wanted.test(converted)) {
                        fetched.add(converted);
                    }
                }
            }
            return fetched.poll();
        }

        @Override
        public boolean overflowed() {
            return false;
        }

        @Override
        public boolean ended() {
            return false;
        }

        @Override
        public void close() {
            consumer.close(Duration.ofSeconds(1));
        }
    }

    @Override
    public void close() {
        tails.values().forEach(Tail::close);
        tails.clear();
    }
}
