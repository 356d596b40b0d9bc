package io.eventgate.local;

import io.eventgate.analytics.AnalyticsStreamsApp;
import io.eventgate.anomaly.AnomalyDetectorApp;
import io.eventgate.demo.DemoUpstream;
import io.eventgate.demo.GrpcEcho;
import io.eventgate.edge.config.EdgeSettings;
import io.eventgate.policy.model.PoolSettings;
import io.eventgate.edge.server.EdgeServer;
import io.eventgate.webhooks.WebhookDeliveryApp;
import io.eventgate.webhooks.WebhookDeliverySettings;
import io.eventgate.policy.PolicyStreamsApp;
import io.eventgate.kafka.embedded.BrokerSettings;
import io.eventgate.kafka.embedded.EmbeddedKafkaBroker;
import io.eventgate.kafka.embedded.TopicCreation;
import io.eventgate.registry.EmbeddedSchemaRegistry;
import io.eventgate.schemas.Topic;
import io.eventgate.schemas.Topics;
import io.eventgate.schemas.registry.SchemaRegistryClient;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;

/**
 * Everything in one JVM: a real Kafka broker, the schema registry, the contract topics with their
 * schemas registered, the demo upstream, and the gateway components. Parts start in dependency order
 * and stop in reverse.
 */
public final class LocalStack implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(LocalStack.class.getName());

    private final List<AutoCloseable> started = new ArrayList<>();
    private final Map<String, String> endpoints = new LinkedHashMap<>();
    private EmbeddedKafkaBroker broker;
    private EmbeddedSchemaRegistry registry;
    private DemoUpstream demoUpstream;
    private GrpcEcho grpcEcho;
    private Topics topics;
    private EdgeServer edge;
    private EdgeSettings edgeSettings;
    static final String DEMO_HOST = "demo-upstream";
    /** The port the configuration files give the demo's gRPC echo on {@value #DEMO_HOST}, wherever it really listens. */
    static final int DEMO_GRPC_PORT = 8091;

    private LocalStack() {
    }

    public static LocalStack start(LocalStackSettings settings) {
        LocalStack stack = new LocalStack();
        try {
            stack.startParts(settings);
            return stack;
        } catch (RuntimeException e) {
            stack.close();
            throw e;
        }
    }

    private void startParts(LocalStackSettings s) {
        LocalStackSettings.Kafka k = s.kafka();
        broker = own(EmbeddedKafkaBroker.start(new BrokerSettings(k.host(), k.port(), k.controllerPort(),
                s.dataDir().resolve("kafka"), k.partitions(), Map.of())));
        endpoints.put("kafka", broker.bootstrapServers());

        topics = new Topics(k.topicPrefix());
        createMissingTopics(topics.newTopics(k.partitions()));

        registry = own(EmbeddedSchemaRegistry.start(s.registry().host(), s.registry().port(), s.dataDir().resolve("schema-registry.jsonl")));
        endpoints.put("schema registry", registry.url());
        registerContractSchemas(SchemaRegistryClient.of(registry.url()), topics);

        if (s.demoUpstream().enabled()) {
            demoUpstream = own(DemoUpstream.start(s.demoUpstream().host(), s.demoUpstream().port()));
            grpcEcho = own(GrpcEcho.start(s.demoUpstream().host(), s.demoUpstream().grpcPort()));
            endpoints.put("demo gRPC echo", "http://" + s.demoUpstream().host() + ":" + grpcEcho.port() + " (demo.Echo/Say, demo.Echo/Chat, grpc.health.v1)");
            endpoints.put("demo upstream", demoUpstream.url() + "/echo/hi");
            createMissingTopics(SampleTopics.topics(k.partitions()));
            SchemaRegistryClient sampleRegistry = SchemaRegistryClient.of(registry.url());
            SampleTopics.register(sampleRegistry);
            own(DemoResponder.start(broker.bootstrapServers(), sampleRegistry));
            endpoints.put("sample topics", SampleTopics.ORDERS + " (/events/orders), " + SampleTopics.QUOTE_REQUESTS + " -> demo responder -> "
                    + SampleTopics.QUOTE_REPLIES + " (POST /rpc/quote)");
        }

        if (s.policyStreams() != null) {
            PolicyStreamsApp policy = own(PolicyStreamsApp.start(s.policyStreams().withAddresses(broker.bootstrapServers(), registry.url())));
            endpoints.put("policy-streams", topics.control() + " -> " + topics.policies() + " | " + topics.controlRejections());
            if (policy.metricsPort() >= 0) {
                endpoints.put("policy metrics", "http://127.0.0.1:" + policy.metricsPort() + "/metrics");
            }
        }

        if (s.analyticsStreams() != null) {
            AnalyticsStreamsApp analytics = own(AnalyticsStreamsApp.start(s.analyticsStreams().withAddresses(broker.bootstrapServers(), registry.url())));
            endpoints.put("analytics", topics.requests() + " -> " + topics.routeStats() + " | " + topics.usage());
            endpoints.put("dashboard", "http://" + s.analyticsStreams().query().advertisedHost() + ":" + analytics.queryPort() + "/");
        }

        if (s.anomalyDetector() != null) {
            AnomalyDetectorApp detector = own(AnomalyDetectorApp.start(s.anomalyDetector().withAddresses(broker.bootstrapServers(), registry.url())));
            endpoints.put("anomaly-detector", topics.requests() + " -> " + topics.anomalies() + " | " + topics.limits());
            endpoints.put("anomaly metrics", "http://127.0.0.1:" + detector.metricsPort() + "/metrics");
        }

        if (s.webhookDelivery() != null) {
            WebhookDeliverySettings webhooks = s.webhookDelivery().withAddresses(broker.bootstrapServers(), registry.url());
            own(WebhookDeliveryApp.start(webhooks, System.getenv()));
            endpoints.put("webhook-delivery", "webhook:ID entities on " + topics.policies() + " -> signed POSTs | " + webhooks.deadLetterTopic());
        }

        if (s.edge() != null) {
            edgeSettings = s.edge()
                    .withKafka(s.edge().kafka().withAddresses(broker.bootstrapServers(), registry.url()))
                    .withPools(resolveDemoUpstream(s.edge().pools()));
            edge = own(EdgeServer.start(edgeSettings));
            endpoints.put("edge", "http://" + edgeSettings.server().host() + ":" + edge.port() + "/echo/hi");
            endpoints.put("edge admin", "http://" + edgeSettings.server().adminHost() + ":" + edge.adminPort() + "/observe/health");
        }
    }

    /**
     * Starts one more edge node beside the first, on free ports with its own event journal and policy cache, following
     * the same topics: a cluster of edge nodes in one JVM, as the multi-node tests use it.
     */
    public synchronized EdgeServer addEdgeNode(String nodeId) {
        if (edgeSettings == null) {
            throw new IllegalStateException("the local stack runs no edge node to add another beside");
        }
        return own(EdgeServer.start(edgeSettings.forAnotherNode(nodeId)));
    }

    /** Pool instances on host {@value #DEMO_HOST} point at the demo upstream, wherever it listens (the same name works in docker-compose). */
    private Map<String, PoolSettings> resolveDemoUpstream(Map<String, PoolSettings> pools) {
        Map<String, PoolSettings> resolved = new LinkedHashMap<>();
        pools.forEach((name, pool) -> resolved.put(name, new PoolSettings(pool.instances().stream()
                .map(i -> !i.uri().getHost().equals(DEMO_HOST) || demoUpstream == null ? i
                        : i.uri().getPort() == DEMO_GRPC_PORT ? new PoolSettings.Instance("http://127.0.0.1:" + grpcEcho.port(), i.weight())
                        : new PoolSettings.Instance(demoUpstream.url(), i.weight()))
                .toList(), pool.balancer(), pool.slowStart(), pool.healthCheck(), pool.outlier(), pool.circuitBreaker())));
        return resolved;
    }

    private <T extends AutoCloseable> T own(T part) {
        started.add(part);
        return part;
    }

    /** Creates those of {@code wanted} that do not exist yet, and waits for their leaders. */
    static void createMissingTopics(Admin admin, List<NewTopic> wanted) {
        try {
            Set<String> existing = admin.listTopics().names().get();
            List<NewTopic> missing = wanted.stream().filter(t -> !existing.contains(t.name())).toList();
            if (!missing.isEmpty()) {
                TopicCreation.createAndAwaitLeaders(admin, missing, Duration.ofSeconds(30));
                LOG.info(() -> "created topics " + missing.stream().map(NewTopic::name).toList());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating the contract topics", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot create the contract topics: " + e.getCause().getMessage(), e.getCause());
        }
    }

    private void createMissingTopics(List<NewTopic> wanted) {
        try (Admin admin = broker.admin()) {
            createMissingTopics(admin, wanted);
        }
    }

    /** Registering up front lets any subscriber find every subject before the first event is produced. */
    static void registerContractSchemas(SchemaRegistryClient client, Topics topics) {
        for (Topic topic : Topic.values()) {
            client.register(topics.valueSubject(topic), topic.valueSchema());
        }
    }

    public String bootstrapServers() {
        return broker.bootstrapServers();
    }

    public String registryUrl() {
        return registry.url();
    }

    public Topics topics() {
        return topics;
    }

    /** Where each part listens, in start order. */
    public Map<String, String> endpoints() {
        return Map.copyOf(endpoints);
    }

    public String summary() {
        StringBuilder text = new StringBuilder("eventgate local stack is up:\n");
        endpoints.forEach((name, where) -> text.append(String.format("  %-16s %s%n", name, where)));
        text.append("  topics           ").append(topics.prefix()).append("* (").append(Topic.values().length).append(" contract topics)\n");
        return text.toString();
    }

    @Override
    public synchronized void close() {
        for (int i = started.size() - 1; i >= 0; i--) {
            AutoCloseable part = started.get(i);
            try {
                part.close();
            } catch (Exception e) {
                LOG.log(Level.WARNING, "failed to stop " + part.getClass().getSimpleName() + " cleanly", e);
            }
        }
        started.clear();
    }
}
