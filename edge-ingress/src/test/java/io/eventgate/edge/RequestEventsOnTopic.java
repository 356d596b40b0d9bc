package io.eventgate.edge;

import io.eventgate.avro.RequestEvent;
import io.eventgate.schemas.Topic;
import io.eventgate.schemas.serde.ContractSerdes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;

/** Reads RequestEvents (and DecisionEvents) back from their topic, as any Confluent-compatible consumer would, for the edge's tests. */
public final class RequestEventsOnTopic {
    private RequestEventsOnTopic() {
    }

    /**
     * Every event on {@code topic} from its beginning, polling (bounded by {@code timeout}) until {@code enough}
     * holds, then half a second more so that duplicates would show; duplicates are kept.
     */
    public static List<RequestEvent> read(String bootstrapServers, String registryUrl, String topic, Predicate<List<RequestEvent>> enough,
                                          Duration timeout) {
        return read(bootstrapServers, registryUrl, Topic.REQUESTS, topic, enough, timeout);
    }

    /** The same for the DecisionEvents on {@code topic}. */
    public static List<io.eventgate.avro.DecisionEvent> decisions(String bootstrapServers, String registryUrl, String topic,
                                                                  Predicate<List<io.eventgate.avro.DecisionEvent>> enough, Duration timeout) {
        return read(bootstrapServers, registryUrl, Topic.DECISIONS, topic, enough, timeout);
    }

    /** The same for the MirrorDiffs on {@code topic}. */
    public static List<io.eventgate.avro.MirrorDiff> mirrorDiffs(String bootstrapServers, String registryUrl, String topic,
                                                                 Predicate<List<io.eventgate.avro.MirrorDiff>> enough, Duration timeout) {
        return read(bootstrapServers, registryUrl, Topic.MIRROR_DIFFS, topic, enough, timeout);
    }

    private static <T extends org.apache.avro.specific.SpecificRecord> List<T> read(String bootstrapServers, String registryUrl, Topic contract, String topic, Predicate<List<T>> enough,
                                    Duration timeout) {
        var deserializer = ContractSerdes.of(registryUrl).<T>serde(contract).deserializer();
        List<T> events = new ArrayList<>();
        try (var consumer = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.GROUP_ID_CONFIG, "request-events-" + System.nanoTime(), ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                new StringDeserializer(), deserializer)) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!enough.test(events) && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> events.add(r.value()));
            }
            consumer.poll(Duration.ofMillis(500)).forEach(r -> events.add(r.value()));
        }
        return events;
    }

    /** The request ids among {@code events}. */
    public static List<String> ids(List<RequestEvent> events) {
        return events.stream().map(RequestEvent::getRequestId).toList();
    }
}
