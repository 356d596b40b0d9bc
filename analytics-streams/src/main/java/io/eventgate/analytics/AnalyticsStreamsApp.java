package io.eventgate.analytics;

import io.eventgate.analytics.query.QueryServer;
import io.eventgate.analytics.routes.RouteStatsTopology;
import io.eventgate.analytics.usage.UsageTopology;
import io.eventgate.analytics.deprecations.DeprecationTopology;
import io.eventgate.analytics.webhooks.WebhookTopology;
import io.eventgate.avro.RequestEvent;
import io.eventgate.schemas.Topic;
import io.eventgate.schemas.Topics;
import io.eventgate.schemas.serde.ContractSerdes;
import io.eventgate.streams.EventCopies;
import io.eventgate.streams.StreamsRuntime;
import java.time.Duration;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;

/**
 * The analytics-streams application: route statistics per minute and hour, billing usage per hour and day and webhook
 * deliveries per subscription and hour,
 * run by Kafka Streams exactly once, and the query API and dashboard that read its stores.
 */
public final class AnalyticsStreamsApp implements AutoCloseable {
    /** How long results wait for their transaction; request partials are forwarded as often. */
    static final Duration COMMIT_INTERVAL = Duration.ofSeconds(1);

    private final QueryServer queries;
    private final StreamsRuntime runtime;

    private AnalyticsStreamsApp(QueryServer queries, StreamsRuntime runtime) {
        this.queries = queries;
        this.runtime = runtime;
    }

    public static Topology topology(AnalyticsSettings settings) {
        return topology(settings, ContractSerdes.of(settings.schemaRegistryUrl()));
    }

    private static Topology topology(AnalyticsSettings settings, ContractSerdes serdes) {
        StreamsBuilder builder = new StreamsBuilder();
        Topics topics = new Topics(settings.topicPrefix());
        // each request counts once: copies an edge sent again after a crash are dropped first
        KStream<String, RequestEvent> requests = EventCopies.drop(builder, builder
                .stream(topics.requests(), Consumed.with(Serdes.String(), serdes.<RequestEvent>serde(Topic.REQUESTS)).withName("requests"))
                .filter((key, event) -> event != null, Named.as("not-tombstones")), "request-copies");
        RouteStatsTopology.addTo(requests, topics, serdes, settings.grace(), settings.retention(), COMMIT_INTERVAL);
        UsageTopology.addTo(requests, topics, serdes, settings.usageGrace(), settings.retention(), Set.copyOf(settings.billableStatusClasses()),
                COMMIT_INTERVAL);
        WebhookTopology.addTo(builder, topics, serdes, settings.grace(), settings.retention());
        DeprecationTopology.addTo(requests, serdes, settings.grace(), settings.retention());
        return builder.build();
    }

    public static Properties properties(AnalyticsSettings settings) {
        Properties props = StreamsRuntime.properties(settings.applicationId(), settings.bootstrapServers(), settings.stateDir(),
                settings.deadLetterTopic(), COMMIT_INTERVAL);
        props.put("schema.registry.url", settings.schemaRegistryUrl());
        return props;
    }

    public static AnalyticsStreamsApp start(AnalyticsSettings settings) {
        // one registry client (and its schema cache) for the topology and the query server
        ContractSerdes serdes = ContractSerdes.of(settings.schemaRegistryUrl());
        QueryServer queries = QueryServer.start(settings.query(), settings.bootstrapServers(), new Topics(settings.topicPrefix()), serdes);
        try {
            Properties props = properties(settings);
            props.put(StreamsConfig.APPLICATION_SERVER_CONFIG, queries.advertisedAddress());
            StreamsRuntime runtime = StreamsRuntime.start(topology(settings, serdes), props);
            queries.attach(runtime.streams());
            return new AnalyticsStreamsApp(queries, runtime);
        } catch (RuntimeException e) {
            closeQuietly(queries);
            throw e;
        }
    }

    /** The port of the query API and dashboard. */
    public int queryPort() {
        return queries.port();
    }

    @Override
    public void close() {
        runtime.close();
        closeQuietly(queries);
    }

    private static void closeQuietly(QueryServer queries) {
        try {
            queries.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
