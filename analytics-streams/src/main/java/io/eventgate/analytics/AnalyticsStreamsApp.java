package io.eventgate.analytics;

import io.eventgate.analytics.routes.RouteStatsTopology;
import io.eventgate.analytics.usage.UsageTopology;
import io.eventgate.schemas.Topics;
import io.eventgate.schemas.serde.ContractSerdes;
import io.eventgate.streams.StreamsRuntime;
import java.time.Duration;
import java.util.Properties;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;

/** The analytics-streams application: route statistics per minute and billing usage per hour, run by Kafka Streams exactly once. */
public final class AnalyticsStreamsApp implements AutoCloseable {
    private final StreamsRuntime runtime;

    private AnalyticsStreamsApp(StreamsRuntime runtime) {
        this.runtime = runtime;
    }

    public static Topology topology(AnalyticsSettings settings) {
        StreamsBuilder builder = new StreamsBuilder();
        Topics topics = new Topics(settings.topicPrefix());
        ContractSerdes serdes = ContractSerdes.of(settings.schemaRegistryUrl());
        RouteStatsTopology.addTo(builder, topics, serdes, settings.grace());
        UsageTopology.addTo(builder, topics, serdes, settings.usageGrace(), java.util.Set.copyOf(settings.billableStatusClasses()));
        return builder.build();
    }

    public static Properties properties(AnalyticsSettings settings) {
        Properties props = StreamsRuntime.properties(settings.applicationId(), settings.bootstrapServers(), settings.stateDir(),
                settings.deadLetterTopic(), Duration.ofMillis(1000));
        props.put("schema.registry.url", settings.schemaRegistryUrl());
        return props;
    }

    public static AnalyticsStreamsApp start(AnalyticsSettings settings) {
        return new AnalyticsStreamsApp(StreamsRuntime.start(topology(settings), properties(settings)));
    }

    @Override
    public void close() {
        runtime.close();
    }
}
