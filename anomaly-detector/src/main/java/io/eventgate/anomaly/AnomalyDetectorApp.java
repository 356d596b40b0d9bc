package io.eventgate.anomaly;

import io.eventgate.schemas.LimitKeys;
import org.apache.kafka.streams.KeyValue;
import io.eventgate.anomaly.canary.CanaryTopology;
import io.eventgate.anomaly.counts.CountTopology;
import io.eventgate.anomaly.latency.LatencyTopology;
import io.eventgate.avro.AnomalyEvent;
import io.eventgate.avro.LimitDirective;
import io.eventgate.avro.RequestEvent;
import io.eventgate.schemas.Topic;
import io.eventgate.schemas.Topics;
import io.eventgate.schemas.serde.ContractSerdes;
import io.eventgate.streams.EventCopies;
import io.eventgate.streams.StreamsMetrics;
import io.eventgate.streams.StreamsRuntime;
import io.helidon.webserver.WebServer;
import java.time.Duration;
import java.util.Properties;
import java.util.function.Consumer;
import java.util.logging.Logger;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;

/**
 * The anomaly detector: per-scope baselines of request rates, error, failed-login and 404 counts and route
 * latency; explained anomalies to {@code gateway.anomalies}; expiring directives to {@code gateway.limits}
 * (renewed window after window while an anomaly lasts, lapsing by themselves when it ends).
 */
public final class AnomalyDetectorApp implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(AnomalyDetectorApp.class.getName());
    /** How late a request may arrive for its window: small, because detection waits for it (half a window, at most 1 s). */
    static Duration grace(Duration window) {
        return window.dividedBy(2).compareTo(Duration.ofSeconds(1)) < 0 ? window.dividedBy(2) : Duration.ofSeconds(1);
    }

    private final TuningFollower tuning;
    private final StreamsRuntime runtime;
    private final StreamsMetrics streamsMetrics;
    private final WebServer metricsServer;

    private AnomalyDetectorApp(TuningFollower tuning, StreamsRuntime runtime, StreamsMetrics streamsMetrics, WebServer metricsServer) {
        this.tuning = tuning;
        this.runtime = runtime;
        this.streamsMetrics = streamsMetrics;
        this.metricsServer = metricsServer;
    }

    public static Topology topology(AnomalySettings settings) {
        return topology(new Verdicts(settings), settings, detection -> { });
    }

    /** The topology, judging with {@code verdicts} and telling {@code observer} of every detection. */
    public static Topology topology(Verdicts verdicts, AnomalySettings settings, Consumer<Detection> observer) {
        return topology(verdicts, settings, observer, ContractSerdes.of(settings.schemaRegistryUrl()));
    }

    private static Topology topology(Verdicts verdicts, AnomalySettings settings, Consumer<Detection> observer, ContractSerdes serdes) {
        StreamsBuilder builder = new StreamsBuilder();
        Topics topics = new Topics(settings.topicPrefix());
        KStream<String, RequestEvent> requests = EventCopies.drop(builder, builder
                .stream(topics.requests(), Consumed.with(Serdes.String(), serdes.<RequestEvent>serde(Topic.REQUESTS)).withName("requests"))
                .filter((key, event) -> event != null, Named.as("not-tombstones")), "request-copies");
        KStream<String, Detection> detections = CountTopology.addTo(builder, requests, verdicts, settings.window(), grace(settings.window()))
                .merge(LatencyTopology.addTo(builder, requests, verdicts, settings.window(), grace(settings.window())), Named.as("all-detections"))
                .merge(CanaryTopology.addTo(requests, verdicts, settings.window(), grace(settings.window())), Named.as("with-canaries"))
                .peek((scope, detection) -> observer.accept(detection), Named.as("counted"));
        detections.mapValues(Detection::anomaly, Named.as("anomaly"))
                .to(topics.anomalies(), Produced.with(Serdes.String(), serdes.<AnomalyEvent>serde(Topic.ANOMALIES)).withName("anomalies"));
        detections.filter((scope, detection) -> detection.directive() != null, Named.as("acted-on"))
                .map((scope, detection) -> KeyValue.pair(LimitKeys.of(detection.directive().getScope(), LimitKeys.ANOMALY_DETECTOR),
                        detection.directive()), Named.as("directive-by-scope-and-source"))
                .to(topics.limits(), Produced.with(Serdes.String(), serdes.<LimitDirective>serde(Topic.LIMITS)).withName("directives"));
        return builder.build();
    }

    public static Properties properties(AnomalySettings settings) {
        Properties props = StreamsRuntime.properties(settings.applicationId(), settings.bootstrapServers(), settings.stateDir(),
                settings.deadLetterTopic(), Duration.ofMillis(200));
        props.put("schema.registry.url", settings.schemaRegistryUrl());
        return props;
    }

    public static AnomalyDetectorApp start(AnomalySettings settings) {
        // one registry client (and its schema cache) for the topology and the tuning follower
        ContractSerdes serdes = ContractSerdes.of(settings.schemaRegistryUrl());
        TuningFollower tuning = new TuningFollower(settings.bootstrapServers(), new Topics(settings.topicPrefix()), serdes);
        Verdicts verdicts = new Verdicts(settings, tuning::current);
        DetectorMetrics metrics = new DetectorMetrics(verdicts);
        StreamsRuntime runtime = StreamsRuntime.start(topology(verdicts, settings, metrics::detected, serdes), properties(settings));
        StreamsMetrics streamsMetrics = new StreamsMetrics(metrics.registry()); // Kafka Streams' and the JVM's beside the detector's
        streamsMetrics.watch(runtime.streams());
        WebServer metricsServer = streamsMetrics.serve("0.0.0.0", settings.metricsPort(), runtime);
        AnomalyDetectorApp app = new AnomalyDetectorApp(tuning, runtime, streamsMetrics, metricsServer);
        LOG.info("anomaly-detector metrics on http://0.0.0.0:" + metricsServer.port() + "/metrics");
        LOG.info("anomaly-detector settings in force: window " + settings.window() + ", responses " + (settings.enabled() ? "on" : "OFF")
                + ", directives lapse " + settings.directiveTtl() + " after the last anomalous window, allow-list " + settings.allowList());
        settings.inForce(null).forEach((detector, own) -> LOG.info("  " + detector.settingName() + ": " + own));
        return app;
    }

    /** The port of the Prometheus metrics. */
    public int metricsPort() {
        return metricsServer.port();
    }

    @Override
    public void close() {
        metricsServer.stop();
        runtime.close();
        streamsMetrics.close();
        tuning.close();
    }
}
