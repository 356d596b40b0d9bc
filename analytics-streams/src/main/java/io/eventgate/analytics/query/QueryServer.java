package io.eventgate.analytics.query;

import io.eventgate.avro.AnomalyEvent;
import io.eventgate.schemas.Topic;
import io.eventgate.schemas.Topics;
import io.eventgate.schemas.serde.ContractSerdes;
import io.eventgate.streams.StreamsMetrics;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.WebServer;
import java.time.Clock;
import java.util.logging.Logger;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.state.HostInfo;

/**
 * The HTTP side of analytics-streams (port 8082 by default): the query API, the dashboard and the recent
 * anomalies it shows, and the app's Prometheus metrics on {@code /metrics}. It listens before the streams app starts,
 * because the app advertises its address to the other instances, and answers 503 until {@link #attach} hands it the app.
 */
public final class QueryServer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(QueryServer.class.getName());
    private static final int RECENT_ANOMALIES = 100;

    private final WebServer server;
    private final QueryService service;
    private final RecentAnomalies anomalies;
    private final Catalog catalog;
    private final HostInfo advertised;
    private final StreamsMetrics metrics;

    private QueryServer(WebServer server, QueryService service, RecentAnomalies anomalies, Catalog catalog, HostInfo advertised, StreamsMetrics metrics) {
        this.server = server;
        this.metrics = metrics;
        this.service = service;
        this.anomalies = anomalies;
        this.catalog = catalog;
        this.advertised = advertised;
    }

    public static QueryServer start(QuerySettings settings, String bootstrapServers, Topics topics, ContractSerdes serdes) {
        RecentAnomalies anomalies = new RecentAnomalies(bootstrapServers, topics.anomalies(),
                serdes.<AnomalyEvent>serde(Topic.ANOMALIES).deserializer(), RECENT_ANOMALIES);
        Catalog catalog = new Catalog(bootstrapServers, topics.policies(), serdes.<io.eventgate.avro.PolicyEntity>serde(Topic.POLICIES).deserializer(),
                topics.nodeConfig(), serdes.<io.eventgate.avro.NodeConfig>serde(Topic.NODE_CONFIG).deserializer());
        QueryService service = new QueryService(anomalies, catalog, Clock.systemUTC());
        StreamsMetrics metrics = new StreamsMetrics();
        WebServer server = WebServer.builder().host(settings.bindAddress()).port(settings.port())
                .routing(routing -> routing.get("/metrics", (req, res) -> res.header(HeaderNames.CONTENT_TYPE, "text/plain; version=0.0.4")
                        .send(metrics.scrape())).register(service)).build().start();
        HostInfo advertised = new HostInfo(settings.advertisedHost(), server.port());
        LOG.info("analytics query API and dashboard on http://" + settings.bindAddress() + ":" + server.port() + "/ (advertised as " + advertised + ")");
        return new QueryServer(server, service, anomalies, catalog, advertised, metrics);
    }

    /** host:port as the other instances reach this one ({@code application.server}). */
    public String advertisedAddress() {
        return advertised.host() + ":" + advertised.port();
    }

    public int port() {
        return server.port();
    }

    public void attach(KafkaStreams streams) {
        metrics.watch(streams);
        service.attach(streams, advertised);
    }

    @Override
    public void close() throws InterruptedException {
        server.stop();
        anomalies.close();
        catalog.close();
        metrics.close();
    }
}
