package io.eventgate.testkit;

import org.testcontainers.DockerClientFactory;
import org.testcontainers.kafka.KafkaContainer;

/** Kafka in a container (apache/kafka, KRaft), chosen with -Dkafka.testcontainers=true where a Docker engine runs. */
final class ContainerBackend implements KafkaBackend {
    static final String IMAGE = "apache/kafka:4.1.0";

    private final KafkaContainer container;

    ContainerBackend() {
        this.container = new KafkaContainer(IMAGE);
        container.start();
    }

    static boolean dockerAvailable() {
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }

    @Override
    public String bootstrapServers() {
        return container.getBootstrapServers();
    }

    @Override
    public String description() {
        return "Testcontainers " + IMAGE + " on " + bootstrapServers();
    }

    @Override
    public void close() {
        container.stop();
    }
}
