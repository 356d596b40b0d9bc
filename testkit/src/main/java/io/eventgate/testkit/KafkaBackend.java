package io.eventgate.testkit;

/** A Kafka cluster the tests of one JVM share. */
interface KafkaBackend extends AutoCloseable {
    String bootstrapServers();

    String description();

    @Override
    void close();
}
