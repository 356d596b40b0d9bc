package io.eventgate.streams;

import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.WebServer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.kafka.streams.KafkaStreams;

/**
 * What a streams app shows Prometheus: Kafka Streams' own metrics through Micrometer's binder (the consumers' lag and
 * fetch rates, commit latency and rate, process rate, state store operations, threads and tasks), the JVM's memory,
 * collections and threads, and every counter the app registers itself.
 */
public final class StreamsMetrics implements AutoCloseable {
    private final PrometheusMeterRegistry registry;
    private final JvmGcMetrics gc = new JvmGcMetrics();
    private KafkaStreamsMetrics streams;

    public StreamsMetrics() {
        this(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
    }

    /** Over a registry the app already fills with its own meters. */
    public StreamsMetrics(PrometheusMeterRegistry registry) {
        this.registry = registry;
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
    }

    /** Binds the running app's Kafka Streams metrics (once it exists: it is made after the registry). */
    public void watch(KafkaStreams kafkaStreams) {
        streams = new KafkaStreamsMetrics(kafkaStreams);
        streams.bindTo(registry);
    }

    public MeterRegistry registry() {
        return registry;
    }

    /**
     * Serves {@code /metrics} (Prometheus' text format) and {@code /health} (200 while {@code runtime} is running, 503
     * otherwise) on {@code host:port} (0: any free port), for an app without an HTTP server of its own.
     */
    public WebServer serve(String host, int port, StreamsRuntime runtime) {
        return WebServer.builder().host(host).port(port)
                .routing(routing -> routing.get("/metrics", (req, res) -> res.header(HeaderNames.CONTENT_TYPE, "text/plain; version=0.0.4").send(scrape()))
                        .get("/health", (req, res) -> res.status(runtime.state() == KafkaStreams.State.RUNNING ? Status.OK_200 : Status.SERVICE_UNAVAILABLE_503)
                                .send(runtime.state().name())))
                .build().start();
    }

    /** The Prometheus text exposition of every meter. */
    public String scrape() {
        return registry.scrape();
    }

    @Override
    public void close() {
        if (streams != null) {
            streams.close();
        }
        gc.close();
    }
}
