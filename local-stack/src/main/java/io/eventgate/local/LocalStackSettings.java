package io.eventgate.local;

import io.eventgate.analytics.AnalyticsSettings;
import io.eventgate.anomaly.AnomalySettings;
import io.eventgate.edge.config.EdgeSettings;
import io.eventgate.policy.PolicyStreamsSettings;
import io.eventgate.webhooks.WebhookDeliverySettings;
import java.nio.file.Path;

/** Settings of the all-in-one local stack (the edge and streams-app sections are optional), read from {@code config/local.yaml} with {@code GATEWAY_*} overrides. */
public record LocalStackSettings(Path dataDir, Kafka kafka, Registry registry, DemoUpstream demoUpstream, EdgeSettings edge,
                                 PolicyStreamsSettings policyStreams, AnalyticsSettings analyticsStreams, AnomalySettings anomalyDetector,
                                 WebhookDeliverySettings webhookDelivery) {
    public LocalStackSettings {
        require(dataDir, "dataDir");
        require(kafka, "kafka");
        require(registry, "registry");
        require(demoUpstream, "demoUpstream");
    }

    public LocalStackSettings(Path dataDir, Kafka kafka, Registry registry, DemoUpstream demoUpstream, EdgeSettings edge,
                              PolicyStreamsSettings policyStreams, AnalyticsSettings analyticsStreams, AnomalySettings anomalyDetector) {
        this(dataDir, kafka, registry, demoUpstream, edge, policyStreams, analyticsStreams, anomalyDetector, null);
    }

    /** The embedded broker and the contract topics it is given. */
    public record Kafka(String host, int port, int controllerPort, int partitions, String topicPrefix) {
        public Kafka {
            require(host, "host");
            checkPort(port, "port");
            checkPort(controllerPort, "controllerPort");
            if (partitions < 1 || partitions > 1000) {
                throw new IllegalArgumentException("partitions must be between 1 and 1000, was " + partitions);
            }
            require(topicPrefix, "topicPrefix");
        }
    }

    /** The embedded schema registry. */
    public record Registry(String host, int port) {
        public Registry {
            require(host, "host");
            checkPort(port, "port");
        }
    }

    /**
     * The demo upstream that makes the first curl work, and its gRPC echo on {@code grpcPort} (8091 by default). Pool
     * instances on host {@code demo-upstream} reach it: port 8091 as written in the file the gRPC echo (wherever
     * {@code grpcPort} puts it), any other the HTTP server.
     */
    public record DemoUpstream(Boolean enabled, String host, int port, Integer grpcPort) {
        public DemoUpstream {
            enabled = enabled == null ? Boolean.TRUE : enabled;
            require(host, "host");
            checkPort(port, "port");
            grpcPort = grpcPort == null ? 8091 : grpcPort;
            checkPort(grpcPort, "grpcPort");
        }
    }

    static void checkPort(int port, String name) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException(name + " must be between 0 (any free port) and 65535, was " + port);
        }
    }

    static void require(Object value, String name) {
        if (value == null || (value instanceof String s && s.isBlank())) {
            throw new IllegalArgumentException(name + " is required");
        }
    }
}
