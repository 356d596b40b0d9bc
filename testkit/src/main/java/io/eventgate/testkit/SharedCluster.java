package io.eventgate.testkit;

import io.eventgate.registry.EmbeddedSchemaRegistry;
import java.util.logging.Logger;

/** The broker and schema registry shared by every test of one JVM, started on first use and stopped when JUnit ends. */
final class SharedCluster implements AutoCloseable {
    static final String USE_TESTCONTAINERS = "kafka.testcontainers";
    private static final Logger LOG = Logger.getLogger(SharedCluster.class.getName());

    private final KafkaBackend kafka;
    private final EmbeddedSchemaRegistry registry;

    SharedCluster() {
        this.kafka = chooseBackend();
        this.registry = EmbeddedSchemaRegistry.start("127.0.0.1", 0, null);
        LOG.info(() -> "test cluster: " + kafka.description() + ", schema registry on " + registry.url());
    }

    private static KafkaBackend chooseBackend() {
        if (Boolean.getBoolean(USE_TESTCONTAINERS)) {
            if (ContainerBackend.dockerAvailable()) {
                return new ContainerBackend();
            }
            LOG.warning("-D" + USE_TESTCONTAINERS + "=true but no Docker engine answers: using the embedded broker");
        }
        return new EmbeddedBackend();
    }

    String bootstrapServers() {
        return kafka.bootstrapServers();
    }

    String registryUrl() {
        return registry.url();
    }

    @Override
    public void close() {
        registry.close();
        kafka.close();
    }
}
