package io.eventgate.local;

import io.eventgate.schemas.registry.SchemaRegistryClient;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.kafka.clients.admin.NewTopic;

/**
 * The sample config's own topic, beside the contract topics: {@code demo.orders}, compacted, whose value schema is
 * registered at start, so that the sample routes can write orders to it and read them back by id.
 */
final class SampleTopics {
    static final String ORDERS = "demo.orders";

    private SampleTopics() {
    }

    static List<NewTopic> topics(int partitions) {
        return List.of(new NewTopic(ORDERS, partitions, (short) 1).configs(Map.of("cleanup.policy", "compact")));
    }

    static void register(SchemaRegistryClient registry) {
        try (InputStream in = SampleTopics.class.getResourceAsStream("demo-order.avsc")) {
            registry.register(ORDERS + "-value", new Schema.Parser().parse(in));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the sample order schema", e);
        }
    }
}
