package io.eventgate.anomaly;

import io.eventgate.anomaly.rate.RateSpikeTopology;
import io.eventgate.schemas.Topics;
import io.eventgate.schemas.serde.ContractSerdes;
import io.eventgate.streams.StreamsRuntime;
import java.time.Duration;
import java.util.Properties;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;

/** The anomaly detector: learned per-consumer rate baselines, explained anomalies, expiring adaptive limits. */
public final class AnomalyDetectorApp implements AutoCloseable {
    private final StreamsRuntime runtime;

    private AnomalyDetectorApp(StreamsRuntime runtime) {
        this.runtime = runtime;
    }

    public static Topology topology(AnomalySettings settings) {
        StreamsBuilder builder = new StreamsBuilder();
        RateSpikeTopology.addTo(builder, new Topics(settings.topicPrefix()), ContractSerdes.of(settings.schemaRegistryUrl()), settings);
        return builder.build();
    }

    public static Properties properties(AnomalySettings settings) {
        Properties props = StreamsRuntime.properties(settings.applicationId(), settings.bootstrapServers(), settings.stateDir(),
                settings.deadLetterTopic(), Duration.ofMillis(200));
        props.put("schema.registry.url", settings.schemaRegistryUrl());
        return props;
    }

    public static AnomalyDetectorApp start(AnomalySettings settings) {
        AnomalyDetectorApp app = new AnomalyDetectorApp(StreamsRuntime.start(topology(settings), properties(settings)));
        java.util.logging.Logger.getLogger(AnomalyDetectorApp.class.getName()).info("anomaly-detector settings in force: window "
                + settings.window() + ", sensitivity " + settings.sensitivity() + " sd, minimum excess " + settings.minimumExcess()
                + ", warm-up " + settings.warmupWindows() + " windows, throttle " + (settings.throttle() ? settings.throttleFactor() + "x baseline for "
                + settings.directiveTtl() : "off") + ", allow-list " + settings.allowList());
        return app;
    }

    @Override
    public void close() {
        runtime.close();
    }
}
