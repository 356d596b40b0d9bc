package io.eventgate.anomaly;

import io.eventgate.anomaly.rate.RateSpikeTopology;
import io.eventgate.schemas.Topics;
import io.eventgate.schemas.serde.ContractSerdes;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.logging.Logger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.LogAndContinueExceptionHandler;

/** The anomaly detector: learned per-consumer rate baselines, explained anomalies, expiring adaptive limits. */
public final class AnomalyDetectorApp implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(AnomalyDetectorApp.class.getName());

    private final KafkaStreams streams;

    private AnomalyDetectorApp(KafkaStreams streams) {
        this.streams = streams;
    }

    public static Topology topology(AnomalySettings settings) {
        StreamsBuilder builder = new StreamsBuilder();
        RateSpikeTopology.addTo(builder, new Topics(settings.topicPrefix()), ContractSerdes.of(settings.schemaRegistryUrl()), settings);
        return builder.build();
    }

    public static Properties properties(AnomalySettings settings) {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, settings.applicationId());
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
        props.put(StreamsConfig.STATE_DIR_CONFIG, settings.stateDir().toString());
        props.put(StreamsConfig.DEFAULT_KEY_SERDE_CLASS_CONFIG, Serdes.StringSerde.class);
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 200);
        props.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, 1);
        props.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, LogAndContinueExceptionHandler.class);
        props.put(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG, settings.deadLetterTopic());
        return props;
    }

    public static AnomalyDetectorApp start(AnomalySettings settings) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(settings.deadLetterTopic(), 1, (short) 1))).all().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating " + settings.deadLetterTopic(), e);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException("cannot create dead-letter topic " + settings.deadLetterTopic() + ": " + e.getCause(), e.getCause());
            }
        }
        KafkaStreams streams = new KafkaStreams(topology(settings), properties(settings));
        streams.start();
        LOG.info("anomaly-detector " + settings.applicationId() + " started: window " + settings.window() + ", sensitivity "
                + settings.sensitivity() + " sd, throttle " + (settings.throttle() ? settings.throttleFactor() + "x baseline" : "off")
                + ", allow-list " + settings.allowList());
        return new AnomalyDetectorApp(streams);
    }

    @Override
    public void close() {
        streams.close(Duration.ofSeconds(10));
    }
}
