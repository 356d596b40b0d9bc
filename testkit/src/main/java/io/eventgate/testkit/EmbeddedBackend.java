package io.eventgate.testkit;

import io.eventgate.kafka.embedded.BrokerSettings;
import io.eventgate.kafka.embedded.EmbeddedKafkaBroker;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** The default backend: a real KRaft broker in this JVM, in a temporary directory removed at the end. */
final class EmbeddedBackend implements KafkaBackend {
    private final Path dataDir;
    private final EmbeddedKafkaBroker broker;

    EmbeddedBackend() {
        try {
            this.dataDir = Files.createTempDirectory("eventgate-test-kafka");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a directory for the test broker", e);
        }
        this.broker = EmbeddedKafkaBroker.start(BrokerSettings.ephemeral(dataDir));
    }

    @Override
    public String bootstrapServers() {
        return broker.bootstrapServers();
    }

    @Override
    public String description() {
        return "embedded KRaft broker on " + broker.bootstrapServers();
    }

    @Override
    public void close() {
        broker.close();
        deleteRecursively(dataDir);
    }

    static void deleteRecursively(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + dir, e);
        }
    }
}
