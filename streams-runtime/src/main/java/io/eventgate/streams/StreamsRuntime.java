package io.eventgate.streams;

import java.nio.file.Path;
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
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.LogAndContinueExceptionHandler;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;

/**
 * Runs one of eventgate's Kafka Streams apps the same way as the others: exactly-once processing, undecodable
 * records to a dead-letter topic (created if missing) while the app keeps going, a failed stream thread
 * replaced rather than the app stopped.
 */
public final class StreamsRuntime implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(StreamsRuntime.class.getName());

    private final KafkaStreams streams;
    private final String applicationId;

    private StreamsRuntime(KafkaStreams streams, String applicationId) {
        this.streams = streams;
        this.applicationId = applicationId;
    }

    /** The properties every app starts from; {@code commitInterval} bounds how long results wait for their transaction. */
    public static Properties properties(String applicationId, String bootstrapServers, Path stateDir, String deadLetterTopic, Duration commitInterval) {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        props.put(StreamsConfig.DEFAULT_KEY_SERDE_CLASS_CONFIG, Serdes.StringSerde.class);
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, (int) commitInterval.toMillis());
        // internal topics at the brokers' default replication (one on a single broker, three on a cluster), and a warm
        // copy of each task's state on another instance when there is one, so that a failover does not replay a changelog
        props.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, -1);
        props.put(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, 1);
        // exactly once: a write right after a commit is refused with CONCURRENT_TRANSACTIONS until the brokers have marked
        // the last transaction; the default backoff (100 ms, growing to 1 s) then stalls the task for longer than the
        // marking takes, which held policy-streams to about a hundred records a second on a busy three-broker cluster
        props.put(StreamsConfig.producerPrefix(org.apache.kafka.clients.producer.ProducerConfig.RETRY_BACKOFF_MS_CONFIG), 10);
        props.put(StreamsConfig.producerPrefix(org.apache.kafka.clients.producer.ProducerConfig.RETRY_BACKOFF_MAX_MS_CONFIG), 100);
        props.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, LogAndContinueExceptionHandler.class);
        props.put(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG, deadLetterTopic);
        return props;
    }

    /** Creates the dead-letter topic if needed, then starts the topology. */
    public static StreamsRuntime start(Topology topology, Properties props) {
        String applicationId = props.getProperty(StreamsConfig.APPLICATION_ID_CONFIG);
        String deadLetters = props.getProperty(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG);
        String bootstrap = props.getProperty(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG);
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            admin.createTopics(List.of(new NewTopic(deadLetters, java.util.Optional.of(1), java.util.Optional.empty()))).all().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating " + deadLetters, e);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException("cannot create dead-letter topic " + deadLetters + ": " + e.getCause(), e.getCause());
            }
        }
        KafkaStreams streams = new KafkaStreams(topology, props);
        streams.setUncaughtExceptionHandler(error -> {
            LOG.severe(applicationId + ": a stream thread failed and is replaced: " + error);
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
        });
        streams.start();
        LOG.info(applicationId + " started on " + bootstrap);
        return new StreamsRuntime(streams, applicationId);
    }

    /** The running app, for interactive queries of its state stores. */
    public KafkaStreams streams() {
        return streams;
    }

    public KafkaStreams.State state() {
        return streams.state();
    }

    @Override
    public void close() {
        streams.close(Duration.ofSeconds(10));
        LOG.info(applicationId + " stopped");
    }
}
