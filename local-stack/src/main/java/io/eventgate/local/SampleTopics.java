package io.eventgate.local;

import io.eventgate.schemas.registry.SchemaRegistryClient;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.avro.Schema;
import org.apache.kafka.clients.admin.NewTopic;

/**
 * The sample config's own topics, beside the contract topics, with their value schemas registered at start:
 * {@code demo.orders} (compacted), which the sample routes write orders to, read back by id and stream, and
 * {@code demo.quote-requests} / {@code demo.quote-replies}, between the request-reply route and {@link DemoResponder}.
 */
final class SampleTopics {
    static final String ORDERS = "demo.orders";
    static final String QUOTE_REQUESTS = "demo.quote-requests";
    static final String QUOTE_REPLIES = "demo.quote-replies";

    private SampleTopics() {
    }

    static List<NewTopic> topics(int partitions) {
        Optional<Integer> count = Optional.of(partitions);
        Optional<Short> brokerDefault = Optional.empty(); // one replica on a single broker, three on a cluster
        return List.of(new NewTopic(ORDERS, count, brokerDefault).configs(Map.of("cleanup.policy", "compact")),
                new NewTopic(QUOTE_REQUESTS, count, brokerDefault).configs(Map.of("retention.ms", "3600000")),
                new NewTopic(QUOTE_REPLIES, count, brokerDefault).configs(Map.of("retention.ms", "3600000")));
    }

    static void register(SchemaRegistryClient registry) {
        registry.register(ORDERS + "-value", schema("demo-order.avsc"));
        registry.register(QUOTE_REQUESTS + "-value", schema("demo-order.avsc"));
        registry.register(QUOTE_REPLIES + "-value", quoteSchema());
    }

    static Schema quoteSchema() {
        return schema("demo-quote.avsc");
    }

    static Schema orderSchema() {
        return schema("demo-order.avsc");
    }

    private static Schema schema(String resource) {
        try (InputStream in = SampleTopics.class.getResourceAsStream(resource)) {
            return new Schema.Parser().parse(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the sample schema " + resource, e);
        }
    }
}
