package io.eventgate.policy;

import io.eventgate.policy.control.ControlTopology;
import io.eventgate.policy.nodes.NodeConfigs;
import io.eventgate.policy.quota.QuotaTopology;
import io.eventgate.policy.shares.ShareTopology;
import io.eventgate.schemas.Topics;
import io.eventgate.schemas.serde.ContractSerdes;
import io.eventgate.streams.StreamsMetrics;
import io.eventgate.streams.StreamsRuntime;
import io.helidon.webserver.WebServer;
import java.time.Duration;
import java.util.Properties;
import java.util.logging.Logger;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;

/**
 * The policy-streams application, run by Kafka Streams exactly once: control commands to policies, quotas to
 * quota directives, and global limits to each edge node's share.
 */
public final class PolicyStreamsApp implements AutoCloseable {
    /** Requests this late still count for their day's quota. */
    static final Duration QUOTA_GRACE = Duration.ofMinutes(5);

    private static final Logger LOG = Logger.getLogger(PolicyStreamsApp.class.getName());

    private final StreamsRuntime runtime;
    private final StreamsMetrics metrics;
    private final WebServer metricsServer;

    private PolicyStreamsApp(StreamsRuntime runtime, StreamsMetrics metrics, WebServer metricsServer) {
        this.runtime = runtime;
        this.metrics = metrics;
        this.metricsServer = metricsServer;
    }

    public static Topology topology(PolicyStreamsSettings settings) {
        Topics topics = new Topics(settings.topicPrefix());
        ContractSerdes serdes = ContractSerdes.of(settings.schemaRegistryUrl());
        StreamsBuilder builder = new StreamsBuilder();
        NodeConfigs.addTo(builder, topics, serdes); // the edges' static entities, read by control and quotas
        ControlTopology.addTo(builder, topics, serdes);
        QuotaTopology.addTo(builder, topics, serdes, QUOTA_GRACE, settings.zone());
        ShareTopology.addTo(builder, topics, serdes);
        return builder.build();
    }

    public static Properties properties(PolicyStreamsSettings settings) {
        Properties props = StreamsRuntime.properties(settings.applicationId(), settings.bootstrapServers(), settings.stateDir(),
                settings.deadLetterTopic(), Duration.ofMillis(100));
        props.put("schema.registry.url", settings.schemaRegistryUrl());
        return props;
    }

    public static PolicyStreamsApp start(PolicyStreamsSettings settings) {
        StreamsRuntime runtime = StreamsRuntime.start(topology(settings), properties(settings));
        StreamsMetrics metrics = new StreamsMetrics();
        metrics.watch(runtime.streams());
        WebServer server = settings.metricsPort() == null ? null : metrics.serve("0.0.0.0", settings.metricsPort(), runtime);
        if (server != null) {
            LOG.info("policy-streams metrics on http://0.0.0.0:" + server.port() + "/metrics");
        }
        return new PolicyStreamsApp(runtime, metrics, server);
    }

    /** The port of the Prometheus metrics, or -1 when none is configured. */
    public int metricsPort() {
        return metricsServer == null ? -1 : metricsServer.port();
    }

    public org.apache.kafka.streams.KafkaStreams.State state() {
        return runtime.state();
    }

    @Override
    public void close() {
        if (metricsServer != null) {
            metricsServer.stop();
        }
        runtime.close();
        metrics.close();
    }
}
