package io.eventgate.edge.events;

import io.eventgate.avro.DecisionEvent;
import io.eventgate.avro.NodeHeartbeat;
import io.eventgate.avro.RequestEvent;
import io.eventgate.edge.config.EventSettings;
import io.eventgate.edge.pipeline.EventSink;
import io.eventgate.schemas.Topic;
import io.eventgate.schemas.Topics;
import io.eventgate.schemas.TrustedContractClasses;
import io.eventgate.schemas.registry.SchemaRegistryClient;
import io.eventgate.schemas.registry.SchemaRegistryException;
import io.eventgate.schemas.serde.WireFormat;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Gets the edge's events to Kafka without ever blocking a request: request threads only offer to a
 * bounded memory buffer; one publisher thread sends from it with an idempotent producer. When Kafka or
 * the schema registry is slow or down, events spill, in order, to the disk {@link Spool}, and a replayer
 * sends them once Kafka answers again, before any newer event goes direct, so order per key holds.
 * Events still in the producer's memory at shutdown are rescued to the spool. Events are lost only when
 * the memory buffer is full or the spool's disk budget is, and then they are counted and logged.
 */
public final class EventPublisher implements EventSink, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(EventPublisher.class.getName());
    private static final int REPLAY_BATCH = 1000;
    /** Kafka counts as stalled when it acknowledged nothing for this long while sends are outstanding. */
    private static final long STALL_NANOS = Duration.ofSeconds(1).toNanos();

    static {
        TrustedContractClasses.install();
    }

    private record Pending(Topic topic, String key, long timestamp, SpecificRecord value) {
    }

    private final Topics topics;
    private final EventSettings settings;
    private final SchemaRegistryClient registry;
    private final Producer<String, byte[]> producer;
    private final Spool spool;
    private final BlockingQueue<Pending> buffer;
    private final Map<Topic, Integer> schemaIds = new ConcurrentHashMap<>();
    private final Map<Topic, SpecificDatumWriter<SpecificRecord>> writers = new EnumMap<>(Topic.class);
    private final ByteArrayOutputStream bodyBuffer = new ByteArrayOutputStream(512);
    private BinaryEncoder encoder;

    private final Object modeLock = new Object();
    private boolean spooling;
    private final AtomicLong unacknowledged = new AtomicLong();
    private volatile long lastProgressNanos = System.nanoTime();
    private final List<Spool.Entry> rescued = new ArrayList<>();
    /** Publisher-thread state of the send in progress: a refusal reported through the callback before send() returns. */
    private boolean inDirectSend;
    private Exception directSendFailure;
    private volatile boolean running = true;
    private final Thread publisher;
    private final Thread replayer;

    private final Counter published;
    private final Counter spooled;
    private final Counter replayed;
    private final Counter droppedBufferFull;
    private final Counter droppedDiskFull;
    private final Counter producerErrors;
    private final AtomicLong droppedTotal = new AtomicLong();

    public EventPublisher(Topics topics, EventSettings settings, SchemaRegistryClient registry, Map<String, Object> producerOverrides,
                          String bootstrapServers, MeterRegistry meters) {
        this.topics = topics;
        this.settings = settings;
        this.registry = registry;
        this.producer = new KafkaProducer<>(producerConfig(bootstrapServers, producerOverrides), new StringSerializer(), new ByteArraySerializer());
        this.spool = new Spool(settings.spool());
        this.buffer = new ArrayBlockingQueue<>(settings.bufferCapacity());
        this.spooling = !spool.drained();
        if (spooling) {
            LOG.info("event spool in " + settings.spool().dir() + " holds unsent events from a previous run; replaying them first");
        }
        this.published = Counter.builder("edge.events.published").description("Events acknowledged by Kafka").register(meters);
        this.spooled = Counter.builder("edge.events.spooled").description("Events written to the disk spool").register(meters);
        this.replayed = Counter.builder("edge.events.replayed").description("Spooled events sent to Kafka").register(meters);
        this.droppedBufferFull = Counter.builder("edge.events.dropped").tag("reason", "buffer_full")
                .description("Events lost").register(meters);
        this.droppedDiskFull = Counter.builder("edge.events.dropped").tag("reason", "disk_budget")
                .description("Events lost").register(meters);
        this.producerErrors = Counter.builder("edge.events.producer.errors").description("Events Kafka refused for good").register(meters);
        Gauge.builder("edge.events.buffer.depth", buffer, BlockingQueue::size).description("Events waiting in memory").register(meters);
        Gauge.builder("edge.events.spool.bytes", spool, Spool::bytes).description("Bytes in the disk spool").register(meters);
        Gauge.builder("edge.events.unacknowledged", unacknowledged, AtomicLong::get).description("Events sent, not yet acknowledged").register(meters);
        this.publisher = Thread.ofPlatform().name("event-publisher").daemon().start(this::publishLoop);
        this.replayer = Thread.ofPlatform().name("event-replayer").daemon().start(this::replayLoop);
    }

    private static Map<String, Object> producerConfig(String bootstrapServers, Map<String, Object> overrides) {
        Map<String, Object> config = new java.util.HashMap<>();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        // events are asynchronous: waiting up to 50 ms for fuller batches costs the broker far fewer requests
        config.put(ProducerConfig.LINGER_MS_CONFIG, 50);
        config.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        // sends never expire: an unacknowledged event waits in the producer until Kafka is back (or is rescued at shutdown)
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Integer.MAX_VALUE);
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 500);
        config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        config.put(ProducerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 1_000);
        config.put(ProducerConfig.CLIENT_ID_CONFIG, "edge-events");
        config.putAll(overrides);
        return config;
    }

    @Override
    public void publish(RequestEvent event) {
        offer(new Pending(Topic.REQUESTS, event.getConsumerId(), event.getTimestamp().toEpochMilli(), event));
    }

    @Override
    public void publish(DecisionEvent event) {
        offer(new Pending(Topic.DECISIONS, event.getConsumerId(), event.getTimestamp().toEpochMilli(), event));
    }

    public void publish(NodeHeartbeat heartbeat) {
        offer(new Pending(Topic.NODES, heartbeat.getNodeId(), heartbeat.getSentAt().toEpochMilli(), heartbeat));
    }

    private void offer(Pending pending) {
        if (!buffer.offer(pending)) {
            droppedBufferFull.increment();
            if (droppedTotal.incrementAndGet() % 1000 == 1) {
                LOG.warning("event buffer full (" + settings.bufferCapacity() + " events): dropped a " + pending.topic().suffix()
                        + " event of key " + pending.key() + "; " + droppedTotal.get() + " lost so far");
            }
        }
    }

    private void publishLoop() {
        while (running || !buffer.isEmpty()) {
            Pending pending;
            try {
                pending = buffer.poll(100, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                continue;
            }
            if (pending == null) {
                fsyncQuietly();
                continue;
            }
            try {
                route(pending.topic(), pending.key(), pending.timestamp(), encode(pending));
            } catch (RuntimeException e) {
                LOG.log(Level.SEVERE, "cannot publish a " + pending.topic().suffix() + " event of key " + pending.key(), e);
            }
        }
    }

    /** Sends direct while Kafka keeps up; otherwise appends to the spool, keeping arrival order. */
    private void route(Topic topic, String key, long timestamp, byte[] body) {
        synchronized (modeLock) {
            if (!spooling) {
                if (!stalled() && sendDirect(topic, key, timestamp, body)) {
                    return;
                }
                spooling = true;
                LOG.warning("Kafka or the schema registry is not keeping up: spooling events to " + settings.spool().dir());
            }
            if (spool.append(new Spool.Entry(topic.suffix(), key, timestamp, body))) {
                spooled.increment();
            } else {
                droppedDiskFull.increment();
                if (droppedTotal.incrementAndGet() % 1000 == 1) {
                    LOG.severe("event spool disk budget (" + settings.spool().maxBytes() + " bytes) is full: dropped a " + topic.suffix()
                            + " event of key " + key + "; " + droppedTotal.get() + " lost so far");
                }
            }
            modeLock.notifyAll();
        }
    }

    private boolean stalled() {
        long outstanding = unacknowledged.get();
        return outstanding >= settings.maxUnacknowledged() || (outstanding > 0 && System.nanoTime() - lastProgressNanos > STALL_NANOS);
    }

    private boolean sendDirect(Topic topic, String key, long timestamp, byte[] body) {
        byte[] value;
        try {
            value = frame(topic, body);
        } catch (SchemaRegistryException e) {
            LOG.warning("schema registry unavailable for " + topics.valueSubject(topic) + ": " + e.getMessage());
            return false;
        }
        if (unacknowledged.getAndIncrement() == 0) {
            lastProgressNanos = System.nanoTime();
        }
        directSendFailure = null;
        inDirectSend = true;
        try {
            producer.send(new ProducerRecord<>(topics.name(topic), null, timestamp, key, value), (metadata, error) -> {
                if (inDirectSend && Thread.currentThread() == publisher) {
                    directSendFailure = error; // refused before it was queued (e.g. no metadata within max.block.ms)
                    return;
                }
                unacknowledged.decrementAndGet();
                lastProgressNanos = System.nanoTime();
                if (error == null) {
                    published.increment();
                } else if (error instanceof RetriableException || !running) {
                    synchronized (rescued) {
                        rescued.add(new Spool.Entry(topic.suffix(), key, timestamp, body));
                    }
                } else {
                    producerErrors.increment();
                    LOG.severe("Kafka refused a " + topic.suffix() + " event of key " + key + " for good: " + error);
                }
            });
        } catch (KafkaException e) {
            directSendFailure = e;
        } finally {
            inDirectSend = false;
        }
        if (directSendFailure != null) {
            unacknowledged.decrementAndGet();
            return false;
        }
        return true;
    }

    private void replayLoop() {
        while (running) {
            try {
                synchronized (modeLock) {
                    while (running && !spooling) {
                        modeLock.wait(500);
                    }
                }
                if (!running) {
                    return;
                }
                // direct sends made before spooling started go first: wait until Kafka has settled them
                while (running && unacknowledged.get() > 0) {
                    TimeUnit.MILLISECONDS.sleep(20);
                }
                List<Spool.Read> batch = spool.read(REPLAY_BATCH);
                if (batch.isEmpty()) {
                    synchronized (modeLock) {
                        if (spool.drained()) {
                            spooling = false;
                            LOG.info("event spool drained: sending directly to Kafka again");
                        }
                    }
                    continue;
                }
                if (!replay(batch)) {
                    TimeUnit.MILLISECONDS.sleep(500);
                }
            } catch (InterruptedException e) {
                if (!running) {
                    return;
                }
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "event spool replay failed; retrying", e);
                sleepQuietly(1000);
            }
        }
    }

    /**
     * Sends one batch in order and waits for Kafka to acknowledge what it accepted, then commits the spool
     * cursor past the last acknowledged record. A record the producer refuses at once (Kafka still away)
     * stops the batch there: the records queued before it are delivered by the producer and must not be
     * sent again, so the cursor moves past them and the rest is read again later.
     */
    private boolean replay(List<Spool.Read> batch) throws InterruptedException {
        List<java.util.concurrent.Future<?>> acks = new ArrayList<>(batch.size());
        for (Spool.Read read : batch) {
            Topic topic = topicOf(read.entry().topic());
            java.util.concurrent.Future<?> ack;
            try {
                byte[] value = frame(topic, read.entry().avroBody());
                ack = producer.send(new ProducerRecord<>(topics.name(topic), null, read.entry().timestamp(), read.entry().key(), value));
            } catch (SchemaRegistryException | KafkaException e) {
                break;
            }
            if (ack.isDone() && failed(ack)) {
                break; // refused before it was queued: nothing of it reached the producer
            }
            acks.add(ack);
        }
        int acknowledged = 0;
        for (var ack : acks) {
            try {
                ack.get();
                acknowledged++;
            } catch (java.util.concurrent.ExecutionException e) {
                LOG.warning("replayed event not acknowledged: " + e.getCause());
                break;
            }
        }
        if (acknowledged > 0) {
            spool.commit(batch.get(acknowledged - 1).next());
            replayed.increment(acknowledged);
            published.increment(acknowledged);
        }
        return acknowledged == batch.size();
    }

    private static boolean failed(java.util.concurrent.Future<?> ack) {
        try {
            ack.get();
            return false;
        } catch (java.util.concurrent.ExecutionException e) {
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return true;
        }
    }

    private static Topic topicOf(String suffix) {
        for (Topic topic : Topic.values()) {
            if (topic.suffix().equals(suffix)) {
                return topic;
            }
        }
        throw new IllegalStateException("spooled event names unknown topic '" + suffix + "'");
    }

    /** The Avro binary of the value; framed with the schema id only when sent, so the registry may be down while spooling. */
    private byte[] encode(Pending pending) {
        SpecificDatumWriter<SpecificRecord> writer = writers.computeIfAbsent(pending.topic(), t -> new SpecificDatumWriter<>(t.valueSchema()));
        bodyBuffer.reset();
        encoder = EncoderFactory.get().directBinaryEncoder(bodyBuffer, encoder);
        try {
            writer.write(pending.value(), encoder);
            encoder.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bodyBuffer.toByteArray();
    }

    private byte[] frame(Topic topic, byte[] body) {
        int id = schemaIds.computeIfAbsent(topic, t -> registry.register(topics.valueSubject(t), t.valueSchema()));
        ByteBuffer framed = ByteBuffer.allocate(WireFormat.HEADER_LENGTH + body.length);
        WireFormat.writeHeader(framed, id);
        framed.put(body);
        return framed.array();
    }

    private void fsyncQuietly() {
        try {
            spool.maybeFsync();
        } catch (IOException e) {
            LOG.log(Level.WARNING, "cannot fsync the event spool", e);
        }
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Whether events are currently going to the spool rather than straight to Kafka. */
    public boolean spooling() {
        synchronized (modeLock) {
            return spooling;
        }
    }

    /** Drains the buffer, gives Kafka {@code grace} to acknowledge, and rescues what it did not to the spool. */
    public void close(Duration grace) {
        running = false;
        try {
            publisher.join(grace.toMillis() + 5_000);
            replayer.interrupt();
            replayer.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        producer.close(grace);
        synchronized (rescued) {
            if (!rescued.isEmpty()) {
                LOG.warning("Kafka did not acknowledge " + rescued.size() + " events before shutdown; kept in the spool for the next start");
                spool.rescue(rescued);
            }
        }
        spool.close();
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(5));
    }
}
