package io.eventgate.policy;

import io.eventgate.policy.control.ControlTopology;
import io.eventgate.policy.quota.QuotaTopology;
import io.eventgate.schemas.Topics;
import io.eventgate.schemas.serde.ContractSerdes;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.logging.Logger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.LogAndContinueExceptionHandler;

/** The policy-streams application: control commands to policies and daily quotas to directives, run by Kafka Streams exactly once. */
public final class PolicyStreamsApp implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(PolicyStreamsApp.class.getName());

    /** Requests this late still count for their day's quota. */
    static final Duration QUOTA_GRACE = Duration.ofMinutes(5);

    private final KafkaStreams streams;

    private PolicyStreamsApp(KafkaStreams streams) {
        this.streams = streams;
    }

    public static Topology topology(PolicyStreamsSettings settings) {
        Topics topics = new Topics(settings.topicPrefix());
        ContractSerdes serdes = ContractSerdes.of(settings.schemaRegistryUrl());
        StreamsBuilder builder = new StreamsBuilder();
        ControlTopology.addTo(builder, topics, serdes);
        QuotaTopology.addTo(builder, topics, serdes, QUOTA_GRACE);
        return builder.build();
    }

    public static Properties properties(PolicyStreamsSettings settings) {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, settings.applicationId());
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
        props.put(StreamsConfig.STATE_DIR_CONFIG, settings.stateDir().toString());
        props.put(StreamsConfig.DEFAULT_KEY_SERDE_CLASS_CONFIG, Serdes.StringSerde.class);
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, settings.exactlyOnce() ? StreamsConfig.EXACTLY_ONCE_V2 : StreamsConfig.AT_LEAST_ONCE);
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
        props.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, 1);
        props.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, LogAndContinueExceptionHandler.class);
        props.put(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG, settings.deadLetterTopic());
        props.put("schema.registry.url", settings.schemaRegistryUrl());
        return props;
    }

    public static PolicyStreamsApp start(PolicyStreamsSettings settings) {
        ensureDeadLetterTopic(settings);
        KafkaStreams streams = new KafkaStreams(topology(settings), properties(settings));
        streams.setUncaughtExceptionHandler(error -> {
            LOG.severe("policy-streams thread failed, replacing it: " + error);
            return org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
        });
        streams.start();
        LOG.info("policy-streams " + settings.applicationId() + " started on " + settings.bootstrapServers());
        return new PolicyStreamsApp(streams);
    }

    public KafkaStreams.State state() {
        return streams.state();
    }

    private static void ensureDeadLetterTopic(PolicyStreamsSettings settings) {
        try (Admin admin = Admin.create(java.util.Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers()))) {
            Set<String> existing = admin.listTopics().names().get();
            if (!existing.contains(settings.deadLetterTopic())) {
                admin.createTopics(List.of(new NewTopic(settings.deadLetterTopic(), 1, (short) 1))).all().get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating " + settings.deadLetterTopic(), e);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof org.apache.kafka.common.errors.TopicExistsException)) {
                throw new IllegalStateException("cannot create dead-letter topic " + settings.deadLetterTopic() + ": " + e.getCause(), e.getCause());
            }
        }
    }

    @Override
    public void close() {
        streams.close(Duration.ofSeconds(10));
    }
}
