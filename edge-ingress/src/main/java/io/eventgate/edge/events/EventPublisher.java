package io.eventgate.edge.events;

import io.eventgate.avro.DecisionEvent;
import io.eventgate.avro.MirrorDiff;
import io.eventgate.avro.NodeConfig;
import io.eventgate.avro.RequestCapture;
import io.eventgate.avro.NodeHeartbeat;
import io.eventgate.avro.RequestEvent;
import io.eventgate.avro.RequestOutcome;
import io.eventgate.edge.config.EventSettings;
import io.eventgate.edge.pipeline.EventSink;
import io.eventgate.edge.pipeline.Exchange;
import io.eventgate.schemas.EventHeaders;
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
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.LockSupport;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Gets the edge's events to Kafka without ever blocking a request, and without losing one to a crash. Request
 * threads only write to the {@link Journal} on local disk: the admission when a request arrives, its events when it
 * completes. One sender thread follows the journal, publishes each event with an idempotent producer, and moves the
 * journal's cursor once Kafka has acknowledged everything before it. Memory holds nothing the disk does not.
 *
 * <p>When Kafka or the schema registry is slow or down, the sender simply falls behind and the journal grows, up
 * to its disk budget; past it events are dropped, counted and logged. On start, events the last run journaled and
 * Kafka did not acknowledge are sent (flagged as possible copies), and every request admitted but never completed
 * yields a RequestEvent with outcome EDGE_CRASHED. Each event carries its node and sequence as headers
 * ({@link EventHeaders}), so consumers drop the copies.
 */
public final class EventPublisher implements EventSink, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(EventPublisher.class.getName());
    /**
     * How long the sender sleeps once it has read everything journaled. Each wake-up of this platform thread takes a
     * core from the carriers of the request threads; the producer lingers 50 ms for its batches anyway, so a 10 ms
     * sleep delays no batch by much and wakes the sender a fifth as often as 2 ms did.
     */
    private static final long IDLE_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    /** How long it waits for acknowledgements when the producer holds as many unacknowledged events as allowed. */
    private static final long FULL_NANOS = TimeUnit.MILLISECONDS.toNanos(2);
    private static final long RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(250);
    private static final byte[] FLAG = {'1'};

    static {
        TrustedContractClasses.install();
    }

    private final Topics topics;
    private final EventSettings settings;
    private final String nodeId;
    private final byte[] nodeIdBytes;
    private final SchemaRegistryClient registry;
    private final Producer<byte[], byte[]> producer;
    private final Journal journal;
    private final Map<Topic, Integer> schemaIds = new ConcurrentHashMap<>();
    private final ScratchPool scratches = new ScratchPool();

    // sender-thread state
    private final Journal.Reader reader;
    private InFlight inFlight;
    private Journal.Event waiting;
    private long redeliverBelow;
    private long sentUpTo;
    private long retryAt;
    private boolean sending;
    private Exception refusedAtOnce;

    private volatile boolean running = true;
    private volatile long stopBy = Long.MAX_VALUE;
    private final Thread sender;

    private final Counter journaled;
    private final Counter published;
    private final Counter redelivered;
    private final Counter interrupted;
    private final Counter droppedDiskFull;
    private final Counter producerErrors;
    private final Counter untracked;
    private final AtomicLong droppedTotal = new AtomicLong();

    public EventPublisher(String nodeId, Topics topics, EventSettings settings, SchemaRegistryClient registry, Map<String, Object> producerOverrides,
                          String bootstrapServers, MeterRegistry meters) {
        this.topics = topics;
        this.settings = settings;
        this.nodeId = nodeId;
        this.nodeIdBytes = nodeId.getBytes(StandardCharsets.UTF_8);
        this.registry = registry;
        this.journal = Journal.open(settings.journal());
        this.producer = new KafkaProducer<>(producerConfig(bootstrapServers, settings.compression(), producerOverrides), new ByteArraySerializer(), new ByteArraySerializer());
        this.reader = journal.reader(WireFormat.HEADER_LENGTH); // room for the wire format's header before each body
        this.inFlight = new InFlight(settings.maxUnacknowledged());
        this.redeliverBelow = journal.recoveredEnd();
        this.journaled = Counter.builder("edge.events.journaled").description("Events written to the journal").register(meters);
        this.published = Counter.builder("edge.events.published").description("Events acknowledged by Kafka").register(meters);
        this.redelivered = Counter.builder("edge.events.redelivered").description("Events sent again, flagged as possible copies").register(meters);
        this.interrupted = Counter.builder("edge.events.interrupted")
                .description("Requests admitted before a crash and never completed, published with outcome EDGE_CRASHED").register(meters);
        this.droppedDiskFull = Counter.builder("edge.events.dropped").tag("reason", "disk_budget").description("Events lost").register(meters);
        this.producerErrors = Counter.builder("edge.events.producer.errors").description("Events Kafka refused for good").register(meters);
        this.untracked = Counter.builder("edge.events.admissions.untracked")
                .description("Requests admitted while every admission slot was taken: a crash would leave no event for them").register(meters);
        Gauge.builder("edge.events.journal.bytes", journal, Journal::bytes).description("Bytes of journal segments on disk").register(meters);
        Gauge.builder("edge.events.journal.full", journal, j -> j.full() ? 1 : 0).description("1 while the journal's disk budget is full").register(meters);
        Gauge.builder("edge.events.unacknowledged", this, p -> p.inFlight.size()).description("Events sent, not yet acknowledged").register(meters);
        recoverInterrupted();
        this.sender = Thread.ofPlatform().name("event-sender").daemon().start(this::sendLoop);
    }

    private static Map<String, Object> producerConfig(String bootstrapServers, String compression, Map<String, Object> overrides) {
        Map<String, Object> config = new java.util.HashMap<>();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, compression);
        // events are asynchronous: waiting up to 50 ms for fuller batches costs the broker far fewer requests
        config.put(ProducerConfig.LINGER_MS_CONFIG, 50);
        config.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        // sends never expire: an unacknowledged event waits in the producer until Kafka is back (the journal keeps it too)
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Integer.MAX_VALUE);
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 500);
        config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        config.put(ProducerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 1_000);
        config.put(ProducerConfig.CLIENT_ID_CONFIG, "edge-events");
        config.putAll(overrides);
        return config;
    }

    @Override
    public long admit(Exchange exchange) {
        long handle = journal.admit(exchange.receivedAt().toEpochMilli(), exchange.requestId(), exchange.traceId(), exchange.method(), exchange.path(),
                exchange.authority(), exchange.clientAddress());
        if (handle == 0) {
            untracked.increment();
        }
        return handle;
    }

    @Override
    public void complete(long admission, RequestEvent event, List<DecisionEvent> decisions) {
        Scratch scratch = scratches.take();
        try {
            for (DecisionEvent decision : decisions) {
                journal(scratch, Topic.DECISIONS, decision.getConsumerId(), decision.getTimestamp().toEpochMilli(), 0, decision);
            }
            journal(scratch, Topic.REQUESTS, event.getConsumerId(), event.getTimestamp().toEpochMilli(), admission, event);
        } finally {
            scratches.give(scratch);
        }
    }

    public void publish(NodeHeartbeat heartbeat) {
        journal(Topic.NODES, heartbeat.getNodeId(), heartbeat.getSentAt().toEpochMilli(), heartbeat);
    }

    /** The node's static entities, journaled like every event so that they reach Kafka once it is reachable. */
    public void publish(NodeConfig config) {
        journal(Topic.NODE_CONFIG, config.getNodeId(), config.getPublishedAt().toEpochMilli(), config);
    }

    /** A sampled request, journaled like every event; keyed by route, so one route's captures keep their order. */
    public void publish(RequestCapture capture) {
        journal(Topic.CAPTURES, capture.getRouteId(), capture.getTimestamp().toEpochMilli(), capture);
    }

    /** A mirrored request whose shadow answered otherwise; keyed by route. */
    public void publish(MirrorDiff diff) {
        journal(Topic.MIRROR_DIFFS, diff.getRouteId(), diff.getTimestamp().toEpochMilli(), diff);
    }

    private void journal(Topic topic, String key, long timestamp, SpecificRecord value) {
        Scratch scratch = scratches.take();
        try {
            journal(scratch, topic, key, timestamp, 0, value);
        } finally {
            scratches.give(scratch);
        }
    }

    private void journal(Scratch scratch, Topic topic, String key, long timestamp, long admission, SpecificRecord value) {
        scratch.encode(topic, value);
        if (journal.append(topic.suffix(), key, timestamp, admission, scratch.bytes(), scratch.length())) {
            journaled.increment();
            return;
        }
        droppedDiskFull.increment();
        if (droppedTotal.incrementAndGet() % 1000 == 1) {
            LOG.severe("event journal disk budget (" + settings.journal().maxBytes() + " bytes in " + settings.journal().dir() + ") is full: dropped a "
                    + topic.suffix() + " event of key " + key + "; " + droppedTotal.get() + " lost so far");
        }
    }

    /** Every request the last run admitted and never completed gets its one event now, closing its admission. */
    private void recoverInterrupted() {
        Scratch scratch = new Scratch();
        for (Journal.Admission cut : journal.interrupted()) {
            RequestEvent event = RequestEvent.newBuilder()
                    .setRequestId(cut.requestId()).setTraceId(cut.traceId()).setTimestamp(Instant.ofEpochMilli(cut.timestamp())).setNode(nodeId)
                    .setRouteId(null).setMethod(cut.method()).setPath(cut.path()).setHost(cut.host().isEmpty() ? null : cut.host())
                    .setStatus(0).setGatewayLatencyMicros(0).setUpstreamLatencyMicros(null).setBytesIn(0).setBytesOut(0)
                    .setConsumerId("anonymous").setPlan(null).setClientAddress(cut.clientAddress()).setUpstreamInstance(null).setRetries(0)
                    .setOutcome(RequestOutcome.EDGE_CRASHED).setDecision("allow").setDecidingPolicy(null).setFailedCredential(null)
                    .build();
            journal(scratch, Topic.REQUESTS, event.getConsumerId(), cut.timestamp(), cut.handle(), event);
            interrupted.increment();
        }
    }

    private void sendLoop() {
        long nextForce = System.nanoTime() + settings.journal().fsyncInterval().toNanos();
        boolean sentSinceForce = false;
        while (true) {
            settle();
            if (!running && System.nanoTime() > stopBy) {
                return;
            }
            if (waiting == null) {
                waiting = reader.next();
            }
            if (waiting == null) {
                if (!running && inFlight.size() == 0) {
                    return;
                }
                if (sentSinceForce && settings.journal().fsync() == EventSettings.Fsync.ALWAYS) {
                    forceQuietly();
                    sentSinceForce = false;
                }
                LockSupport.parkNanos(IDLE_NANOS);
            } else if (inFlight.full() || System.nanoTime() < retryAt) {
                LockSupport.parkNanos(FULL_NANOS);
            } else if (send(waiting)) {
                waiting = null;
                sentSinceForce = true;
            } else {
                retryAt = System.nanoTime() + RETRY_NANOS;
            }
            if (settings.journal().fsync() == EventSettings.Fsync.INTERVAL && System.nanoTime() > nextForce) {
                forceQuietly();
                nextForce = System.nanoTime() + settings.journal().fsyncInterval().toNanos();
            }
        }
    }

    /** Sends one event; false when it could not be handed to the producer now (registry or Kafka away), to retry later. */
    private boolean send(Journal.Event event) {
        Topic topic = topicOf(event.topic());
        byte[] value;
        try {
            value = frame(topic, event.body());
        } catch (SchemaRegistryException e) {
            warnEvery("schema registry unavailable for " + topics.valueSubject(topic) + ": " + e.getMessage());
            return false;
        }
        RecordHeaders headers = new RecordHeaders();
        headers.add(EventHeaders.NODE, nodeIdBytes).add(EventHeaders.SEQUENCE, EventHeaders.sequenceBytes(event.seq()));
        boolean copy = event.start() < redeliverBelow;
        if (copy) {
            headers.add(EventHeaders.REDELIVERY, FLAG);
        }
        InFlight sentWith = inFlight;
        int slot = sentWith.add(event.start(), event.next());
        refusedAtOnce = null;
        sending = true;
        try {
            producer.send(new ProducerRecord<>(topics.name(topic), null, event.timestamp(), event.key(), value, headers), settled(sentWith, slot, topic));
        } catch (KafkaException e) {
            refusedAtOnce = e;
        } finally {
            sending = false;
        }
        if (refusedAtOnce != null) {
            sentWith.undoLast();
            warnEvery("Kafka did not take a " + topic.suffix() + " event (" + refusedAtOnce + "); it waits in the journal");
            return false;
        }
        if (copy) {
            redelivered.increment();
        }
        sentUpTo = Math.max(sentUpTo, event.next());
        return true;
    }

    private Callback settled(InFlight sentWith, int slot, Topic topic) {
        return (metadata, error) -> {
            if (error == null) {
                published.increment();
                sentWith.settle(slot, InFlight.DONE);
            } else if (Thread.currentThread() == sender && sending) {
                refusedAtOnce = error; // refused before it was queued (e.g. no metadata within max.block.ms)
            } else if (error instanceof RetriableException || !running) {
                sentWith.settle(slot, InFlight.RESEND);
            } else {
                producerErrors.increment();
                LOG.severe("Kafka refused a " + topic.suffix() + " event for good: " + error);
                sentWith.settle(slot, InFlight.DONE);
            }
        };
    }

    /**
     * Moves the journal's cursor past the events Kafka acknowledged in order. An event to send again sends it and
     * everything after it again, flagged: Kafka may have some of them already, and consumers drop those by sequence.
     */
    private void settle() {
        long cursor = -1;
        while (inFlight.size() > 0) {
            int state = inFlight.oldestState();
            if (state == InFlight.DONE) {
                cursor = inFlight.removeOldest();
            } else if (state == InFlight.RESEND && running) {
                reader.rewind(inFlight.oldestStart());
                redeliverBelow = Math.max(redeliverBelow, sentUpTo);
                inFlight = new InFlight(settings.maxUnacknowledged());
                waiting = null;
                break;
            } else {
                break;
            }
        }
        if (cursor >= 0) {
            journal.commit(cursor);
        }
    }

    /**
     * Events handed to the producer and not yet settled, oldest first. The sender adds and removes; the producer's
     * callbacks only settle a slot. Replaced (never reused) when the sender goes back to send again.
     */
    private static final class InFlight {
        static final int PENDING = 0;
        static final int DONE = 1;
        static final int RESEND = 2;
        private final long[] starts;
        private final long[] nexts;
        private final AtomicIntegerArray states;
        private long oldest;
        private volatile long added;

        InFlight(int capacity) {
            starts = new long[capacity];
            nexts = new long[capacity];
            states = new AtomicIntegerArray(capacity);
        }

        int size() {
            return (int) (added - oldest);
        }

        boolean full() {
            return size() == starts.length;
        }

        int add(long start, long next) {
            int slot = (int) (added % starts.length);
            starts[slot] = start;
            nexts[slot] = next;
            states.set(slot, PENDING);
            added++;
            return slot;
        }

        void undoLast() {
            added--;
        }

        void settle(int slot, int state) {
            states.set(slot, state);
        }

        int oldestState() {
            return states.get((int) (oldest % starts.length));
        }

        long oldestStart() {
            return starts[(int) (oldest % starts.length)];
        }

        /** Drops the oldest (settled) event and returns where the journal continues after it. */
        long removeOldest() {
            return nexts[(int) (oldest++ % starts.length)];
        }
    }

    /**
     * The encoding buffers request threads borrow, kept in a small array: taking one is a swap at a random place, giving
     * it back a swap into an empty one, and neither allocates (a queue's offer allocates a node per completion).
     */
    private static final class ScratchPool {
        private static final int KEPT = 16;
        private final AtomicReferenceArray<Scratch> kept = new AtomicReferenceArray<>(KEPT);

        Scratch take() {
            int from = ThreadLocalRandom.current().nextInt(KEPT);
            for (int i = 0; i < KEPT; i++) {
                int at = (from + i) % KEPT;
                if (kept.get(at) != null) {
                    Scratch scratch = kept.getAndSet(at, null);
                    if (scratch != null) {
                        return scratch;
                    }
                }
            }
            return new Scratch();
        }

        void give(Scratch scratch) {
            int from = ThreadLocalRandom.current().nextInt(KEPT);
            for (int i = 0; i < KEPT; i++) {
                if (kept.compareAndSet((from + i) % KEPT, null, scratch)) {
                    return;
                }
            }
        }
    }

    /** A reusable Avro encoding buffer: request threads borrow one per completion instead of allocating. */
    private static final class Scratch extends ByteArrayOutputStream {
        private final Map<Topic, SpecificDatumWriter<SpecificRecord>> writers = new EnumMap<>(Topic.class);
        private BinaryEncoder encoder;

        Scratch() {
            super(1024);
        }

        void encode(Topic topic, SpecificRecord value) {
            reset();
            // buffered: the encoder fills its own array and hands it over in one write at the flush, where a direct encoder
            // writes each field through this stream's synchronized methods
            encoder = EncoderFactory.get().binaryEncoder(this, encoder);
            try {
                if (value instanceof RequestEvent request) {
                    RequestEventWriter.write(request, encoder); // one per request: the hot path (see its comment)
                } else {
                    writers.computeIfAbsent(topic, t -> new SpecificDatumWriter<>(t.valueSchema())).write(value, encoder);
                }
                encoder.flush();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        byte[] bytes() {
            return buf;
        }

        int length() {
            return count;
        }
    }

    private static Topic topicOf(String suffix) {
        for (Topic topic : Topic.values()) {
            if (topic.suffix().equals(suffix)) {
                return topic;
            }
        }
        throw new IllegalStateException("journaled event names unknown topic '" + suffix + "'");
    }

    /**
     * Frames the Avro binary with the schema id when sent, so the registry may be down while events are journaled: the
     * header goes into the room the reader left before the body.
     */
    private byte[] frame(Topic topic, byte[] roomAndBody) {
        int id = schemaIds.computeIfAbsent(topic, t -> registry.register(topics.valueSubject(t), t.valueSchema()));
        WireFormat.writeHeader(ByteBuffer.wrap(roomAndBody), id);
        return roomAndBody;
    }

    private long lastWarning;

    private void warnEvery(String message) {
        if (System.nanoTime() - lastWarning > TimeUnit.SECONDS.toNanos(10)) {
            lastWarning = System.nanoTime();
            LOG.warning(message);
        }
    }

    private void forceQuietly() {
        try {
            journal.force();
        } catch (UncheckedIOException e) {
            LOG.log(Level.WARNING, "cannot force the event journal to disk", e);
        }
    }

    /** Whether the journal's disk budget is full (events are being dropped). */
    public boolean journalFull() {
        return journal.full();
    }

    /** Events dropped because the journal's disk budget was full, since start. */
    public long dropped() {
        return droppedTotal.get();
    }

    /**
     * Gives the sender {@code grace} to get what is journaled to Kafka, then stops. What Kafka has not acknowledged
     * stays in the journal for the next start.
     */
    public void close(Duration grace) {
        stopBy = System.nanoTime() + grace.toNanos();
        running = false;
        try {
            sender.join(grace.toMillis() + 5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        producer.close(Duration.ofSeconds(1));
        settle(); // acknowledgements that arrived while the producer closed
        journal.close();
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(5));
    }
}
