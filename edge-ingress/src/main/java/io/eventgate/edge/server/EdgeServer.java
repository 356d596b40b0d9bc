package io.eventgate.edge.server;

import io.eventgate.edge.admin.AdminService;
import io.eventgate.edge.auth.AuthenticateStep;
import io.helidon.common.tls.TlsClientAuth;
import io.eventgate.edge.auth.ClientListStep;
import io.eventgate.edge.config.EdgeSettings;
import io.eventgate.edge.config.ServerSettings;
import io.eventgate.edge.events.EventPublisher;
import io.eventgate.edge.cache.CacheStep;
import io.eventgate.edge.capture.CaptureStep;
import io.eventgate.edge.contract.ContractStep;
import io.eventgate.edge.lifecycle.DeprecationStep;
import io.eventgate.edge.cache.ResponseCache;
import io.eventgate.edge.events.RecordStep;
import io.eventgate.edge.traffic.CorsStep;
import io.eventgate.edge.kafka.KafkaTargetStep;
import io.eventgate.edge.kafka.TopicTails;
import io.eventgate.edge.kafka.TopicViews;
import io.eventgate.edge.kafka.TopicWriter;
import io.eventgate.edge.transform.DecodeRequestStep;
import io.eventgate.edge.transform.JsonBodyStep;
import io.eventgate.edge.traffic.FaultStep;
import io.eventgate.edge.traffic.MockStep;
import io.eventgate.edge.limits.GlobalDemandStep;
import io.eventgate.edge.limits.GlobalDenyStep;
import io.eventgate.edge.limits.QuotaFailClosedStep;
import io.eventgate.edge.limits.RateLimitStep;
import io.eventgate.edge.limits.RequestSizeStep;
import io.eventgate.edge.observe.AccessLog;
import io.eventgate.edge.observe.EdgeMetrics;
import io.eventgate.edge.observe.EdgeTracing;
import io.eventgate.edge.pipeline.EventSink;
import io.eventgate.edge.pipeline.Exchange;
import io.eventgate.edge.pipeline.Pipeline;
import io.eventgate.edge.limits.DirectiveStep;
import io.eventgate.edge.policy.HeartbeatPublisher;
import io.eventgate.edge.policy.LimitFollower;
import io.eventgate.edge.policy.PolicyFollower;
import io.eventgate.edge.grpc.GrpcChannels;
import io.eventgate.edge.grpc.GrpcExit;
import io.eventgate.edge.proxy.Mirroring;
import io.eventgate.edge.routing.Variants;
import io.eventgate.edge.proxy.UpstreamWatchdog;
import io.eventgate.edge.proxy.ProxyStep;
import io.eventgate.edge.proxy.TrustedProxies;
import io.eventgate.edge.proxy.UpstreamClients;
import io.eventgate.edge.websocket.WebSocketExit;
import io.eventgate.edge.pipeline.Protocol;
import io.helidon.webserver.http1.Http1ConnectionSelector;
import io.helidon.webserver.http2.Http2Config;
import io.helidon.webserver.http2.Http2Upgrader;
import io.eventgate.edge.routing.NormalizeStep;
import io.eventgate.edge.routing.RouteStep;
import io.eventgate.edge.routing.RouteSwitchStep;
import io.eventgate.edge.snapshot.Snapshot;
import io.eventgate.edge.snapshot.SnapshotHolder;
import io.eventgate.edge.upstream.HealthChecker;
import io.eventgate.schemas.Topics;
import io.eventgate.schemas.serde.ContractSerdes;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http1.Http1Config;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;

/**
 * An edge node: the client listener running the request pipeline, the admin listener, the upstream pools
 * with their health checks, and the event publisher. The pipeline's order is stated here, once.
 */
public final class EdgeServer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(EdgeServer.class.getName());
    private static final String ADMIN_SOCKET = "admin";

    private final HeadDeadline headDeadline;
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();
    private final EdgeSettings settings;
    private final SnapshotHolder snapshots;
    private final EdgeMetrics metrics;
    private final EdgeTracing tracing;
    private final EventPublisher events;
    private final HealthChecker healthChecker;
    private final PolicyFollower policies;
    private final LimitFollower limits;
    private final HeartbeatPublisher heartbeats;
    private final UpstreamWatchdog watchdog;
    private final Mirroring mirroring;
    private final GrpcChannels grpcChannels = new GrpcChannels();
    private final UpstreamClients upstreamClients = new UpstreamClients();
    private final Pipeline pipeline;
    private final ResponseCache responseCache;
    private final TopicWriter topicWriter;
    private final TopicViews topicViews;
    private final TopicTails topicTails;
    private final WebServer server;

    private EdgeServer(EdgeSettings settings, Map<String, Object> producerOverrides) {
        this.settings = settings;
        this.snapshots = new SnapshotHolder(Snapshot.build(settings, 0, null));
        this.metrics = new EdgeMetrics();
        this.tracing = EdgeTracing.create(settings.tracing());
        Topics topics = new Topics(settings.kafka().topicPrefix());
        // one registry client (and its schema cache) for the events and the followers
        ContractSerdes serdes = ContractSerdes.of(settings.kafka().schemaRegistryUrl());
        this.events = settings.events().enabled()
                ? new EventPublisher(settings.nodeId(), topics, settings.events(), serdes.registry(),
                        producerOverrides, settings.kafka().bootstrapServers(), metrics.registry())
                : null;
        if (events == null) {
            LOG.warning("edge " + settings.nodeId() + ": events are disabled (events.enabled: false); no RequestEvent or DecisionEvent is published");
        }
        if (events != null) {
            events.publish(io.eventgate.edge.policy.StaticEntities.of(settings, java.time.Instant.now())); // what this node declares, for policy-streams and ctl
        }
        this.responseCache = new ResponseCache(settings.cache().maxBytes(), metrics.registry());
        this.topicWriter = new TopicWriter(settings.kafka().bootstrapServers(), settings.nodeId(), serdes.registry());
        this.topicViews = new TopicViews(settings.kafka().bootstrapServers(), settings.nodeId(), serdes.registry());
        this.topicTails = new TopicTails(settings.kafka().bootstrapServers(), settings.nodeId(), serdes.registry());
        this.policies = settings.policies().follow() ? new PolicyFollower(settings, snapshots, serdes, responseCache::purge) : null;
        this.limits = settings.policies().follow() ? new LimitFollower(settings, serdes) : null;
        this.healthChecker = new HealthChecker(snapshots.get().pools().values().stream().toList(), grpcChannels);
        this.metrics.watchPools(snapshots.get().pools().values());
        this.watchdog = new UpstreamWatchdog();
        this.mirroring = new Mirroring(settings.nodeId(), upstreamClients, watchdog, tracing, events != null ? events::publish : diff -> { },
                metrics.registry());
        Variants variants = new Variants(() -> limits == null ? Map.of() : limits.current());
        GlobalDemandStep globalDemand = new GlobalDemandStep(() -> limits == null ? Map.of() : limits.current(), Duration.ofMinutes(1));
        this.pipeline = Pipeline.of(List.of(
                new RecordStep(settings.nodeId(), TrustedProxies.of(settings.server().trustedProxies()), tracing,
                        events != null ? events : EventSink.DISCARD, metrics, new AccessLog(settings.server().accessLog())),
                new RequestSizeStep(settings.server()),
                new GlobalDenyStep(settings.nodeId()),
                new NormalizeStep(),
                new RouteStep(),
                new RouteSwitchStep(settings.nodeId()),
                new CaptureStep(settings.nodeId(), settings.auth(), events != null ? events::publish : capture -> { }, metrics.registry()),
                new DeprecationStep(java.time.Clock.systemUTC()),
                DirectiveStep.forAddressAndRoute(settings.nodeId(), () -> limits == null ? Map.of() : limits.current()),
                new ClientListStep(settings.nodeId()),
                new CorsStep(settings.nodeId(), metrics),
                new AuthenticateStep(settings.nodeId(), settings.auth()),
                new QuotaFailClosedStep(settings.nodeId(), () -> limits == null || limits.reachable()),
                globalDemand,
                DirectiveStep.forConsumer(settings.nodeId(), () -> limits == null ? Map.of() : limits.current()),
                new RateLimitStep(settings.nodeId()),
                new FaultStep(settings.nodeId(), metrics),
                new CacheStep(responseCache),
                new DecodeRequestStep(settings.server().maxBodyBytes()),
                new ContractStep(settings.nodeId(), metrics.registry()),
                new JsonBodyStep(),
                new MockStep(metrics),
                new KafkaTargetStep(topicWriter, topicViews, topicTails, metrics.registry())),
                Map.of(Protocol.HTTP, new ProxyStep(settings.nodeId(), upstreamClients, watchdog, tracing, metrics, mirroring, variants),
                        Protocol.WEBSOCKET, new WebSocketExit(settings.nodeId(), upstreamClients, tracing, metrics, variants),
                        Protocol.GRPC, new GrpcExit(grpcChannels, variants, tracing)));
        this.headDeadline = new HeadDeadline(settings.server().headTimeout());
        this.server = startServer(settings.server());
        this.heartbeats = events == null ? null
                : new HeartbeatPublisher(settings.nodeId(), snapshots, metrics, events, this::ready, globalDemand,
                        settings.policies().heartbeatInterval());
    }

    public static EdgeServer start(EdgeSettings settings) {
        return new EdgeServer(settings, Map.of());
    }

    /** With extra Kafka producer settings (tests shorten timeouts with them). */
    public static EdgeServer start(EdgeSettings settings, Map<String, Object> producerOverrides) {
        return new EdgeServer(settings, producerOverrides);
    }

    /**
     * The client listener has two ways in, HTTP requests (HTTP/1.1, and HTTP/2 by prior knowledge or h2c upgrade) and
     * WebSocket upgrades, and both lead into the pipeline and nowhere else. Protocols are not discovered from the class
     * path: only the HTTP/1.1 selector built here, with exactly these upgrades, and HTTP/2 serve the port. HTTP/1.x
     * requests are read by the edge's own connection unless {@code server.http1} is {@code helidon}; a connection whose
     * first request asks to switch protocols goes to Helidon's, which holds the upgraders.
     */
    private WebServer startServer(ServerSettings s) {
        Http1Config http1 = Http1Config.builder()
                .maxHeadersSize(Math.max(4 * s.maxHeaderBytes(), 64 * 1024))
                .maxPrologueLength(Math.max(4 * s.maxUriBytes(), 16 * 1024))
                .validatePath(false)
                // response headers are the upstream's, parsed line by line, and the edge's own
                .validateResponseHeaders(false)
                .addReceiveListener(headDeadline.receiving())
                .addSendListener(headDeadline.sending())
                .build();
        Http2Config http2 = Http2Config.create();
        var http1Selector = Http1ConnectionSelector.builder()
                .config(http1)
                .putUpgrader("websocket", new WebSocketUpgrade("websocket", this::enterUpgrade))
                .putUpgrader("WebSocket", new WebSocketUpgrade("WebSocket", this::enterUpgrade))
                .addUpgrader(Http2Upgrader.create(http2))
                .build();
        WebServer started = WebServer.builder()
                .host(s.host())
                .port(s.port())
                .idleConnectionTimeout(s.idleTimeout())
                .idleConnectionPeriod(s.idleTimeout().dividedBy(2))
                .connectionOptions(socket -> socket.readTimeout(s.idleTimeout()).tcpNoDelay(true))
                .protocolsDiscoverServices(false)
                .contentEncoding(new PassThroughCoding())
                .addConnectionSelector(s.http1().equals("edge")
                        ? new EdgeHttp1Selector(http1Selector, this::enter, new EdgeHttp1Connection.Limits(http1.maxPrologueLength(),
                                http1.maxPrologueLength() + http1.maxHeadersSize(), s.maxBodyBytes()), headDeadline)
                        : http1Selector)
                .addProtocol(http2)
                .update(builder -> {
                    if (s.tls() != null) {
                        builder.tls(tls -> tls.sslContext(s.tls().sslContext()).clientAuth(TlsClientAuth.valueOf(s.tls().clientAuth().toUpperCase(java.util.Locale.ROOT))));
                    }
                })
                .routing(routing -> routing.any(this::enter))
                .putSocket(ADMIN_SOCKET, admin -> admin.host(s.adminHost()).port(s.adminPort())
                        .routing(routing -> routing.register(new AdminService(snapshots, metrics, this::ready, this::eventHealth, s.adminTokenHash()))))
                .build()
                .start();
        LOG.info("edge " + settings.nodeId() + " serving on " + s.host() + ":" + started.port() + ", admin on " + s.adminHost() + ":" + started.port(ADMIN_SOCKET)
                + "; pipeline " + pipeline.stepNames());
        return started;
    }

    /** An HTTP request (either version) enters the pipeline; an HTTP/2 one of content type application/grpc as a gRPC call. */
    private void enter(ServerRequest request, ServerResponse response) {
        String query = request.query().rawValue();
        enter(grpc(request) ? Protocol.GRPC : Protocol.HTTP,
                request.prologue().method().text(),
                request.path().rawPath(),
                query == null || query.isEmpty() ? null : query,
                request.authority(),
                peerAddress(request.remotePeer().address()),
                request.isSecure() ? "https" : "http",
                HelidonConnection.headers(request.headers()),
                new HelidonConnection(request, response, settings.server().maxBodyBytes()));
    }

    /** The one door: every request, whichever connection parsed it, runs the pipeline from here with the snapshot in force. */
    private void enter(Protocol protocol, String method, String rawPath, String rawQuery, String authority, String peerAddress, String scheme,
                      io.eventgate.edge.pipeline.RequestHeaders headers, io.eventgate.edge.pipeline.ClientConnection client) {
        pipeline.run(new Exchange(protocol, method, rawPath, rawQuery, authority, peerAddress, scheme, headers, client, snapshots.get()));
    }

    private static boolean grpc(ServerRequest request) {
        return request.prologue().protocolVersion().equals("2.0")
                && request.headers().contentType().map(type -> type.mediaType().text().startsWith("application/grpc")).orElse(false);
    }

    /** A WebSocket upgrade enters the same pipeline, with its raw connection to answer or switch. */
    private void enterUpgrade(WebSocketUpgrade.Upgrade upgrade, UpgradeConnection connection) {
        String query = upgrade.prologue().query().rawValue();
        var headers = upgrade.headers();
        enter(Protocol.WEBSOCKET,
                "GET",
                upgrade.prologue().uriPath().rawPath(),
                query == null || query.isEmpty() ? null : query,
                headers.first(io.helidon.http.HeaderNames.HOST).orElse(null),
                peerAddress(upgrade.ctx().remotePeer().address()),
                upgrade.ctx().isSecure() ? "https" : "http",
                HelidonConnection.headers(headers),
                connection);
    }

    private static String peerAddress(SocketAddress address) {
        if (address instanceof InetSocketAddress inet && inet.getAddress() != null) {
            return inet.getAddress().getHostAddress();
        }
        return String.valueOf(address);
    }

    public int port() {
        return server.port();
    }

    public int adminPort() {
        return server.port(ADMIN_SOCKET);
    }

    public SnapshotHolder snapshots() {
        return snapshots;
    }

    public EventPublisher events() {
        return events;
    }

    /** The event journal's state, for the admin port's health answer. */
    public AdminService.EventHealth eventHealth() {
        return events == null ? AdminService.EventHealth.OFF : new AdminService.EventHealth(events.journalFull() ? "full" : "ok", events.dropped());
    }

    /** Whether the node has caught up with gateway.policies and gateway.limits (always true when it does not follow them). */
    public boolean ready() {
        return (policies == null || policies.caughtUp()) && (limits == null || limits.caughtUp());
    }

    /** The node's response cache (purges reach it through the control topic or the admin port). */
    public ResponseCache cache() {
        return responseCache;
    }

    public EdgeMetrics metrics() {
        return metrics;
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return; // closed already, e.g. by a test before its stack
        }
        topicTails.close(); // ends the event streams, which would otherwise hold the server's stop
        server.stop();
        headDeadline.close();
        if (heartbeats != null) {
            heartbeats.close();
        }
        if (policies != null) {
            policies.close();
        }
        if (limits != null) {
            limits.close();
        }
        healthChecker.close();
        topicViews.close();
        topicWriter.close();
        mirroring.close();
        grpcChannels.close();
        watchdog.close();
        upstreamClients.close();
        if (events != null) {
            events.close(Duration.ofSeconds(5));
        }
        tracing.close();
        metrics.close();
        LOG.info("edge " + settings.nodeId() + " stopped");
    }
}
