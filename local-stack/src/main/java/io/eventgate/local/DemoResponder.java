package io.eventgate.local;

import io.eventgate.schemas.registry.SchemaRegistryClient;
import io.eventgate.schemas.serde.WireRecords;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The sample request-reply service: reads orders from {@code demo.quote-requests} (in a consumer group, as a real
 * service would) and answers each with a quote on the topic its {@code eventgate-reply-to} header names, with its
 * {@code eventgate-correlation-id}, so that {@code POST /rpc/quote} gets the quote as its answer.
 */
final class DemoResponder implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(DemoResponder.class.getName());
    private static final double TAX = 0.2;

    private final Thread thread;
    private volatile boolean running = true;

    private DemoResponder(String bootstrapServers, SchemaRegistryClient registry) {
        int quoteId = registry.latest(SampleTopics.QUOTE_REPLIES + "-value").id();
        this.thread = Thread.ofPlatform().daemon().name("demo-responder").start(() -> serve(bootstrapServers, registry, quoteId));
    }

    static DemoResponder start(String bootstrapServers, SchemaRegistryClient registry) {
        return new DemoResponder(bootstrapServers, registry);
    }

    private void serve(String bootstrapServers, SchemaRegistryClient registry, int quoteId) {
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.GROUP_ID_CONFIG, "demo-responder", ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
             KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers", bootstrapServers, "linger.ms", 0),
                     new ByteArraySerializer(), new ByteArraySerializer())) {
            consumer.subscribe(List.of(SampleTopics.QUOTE_REQUESTS));
            while (running) {
                for (ConsumerRecord<byte[], byte[]> request : consumer.poll(Duration.ofMillis(200))) {
                    Header replyTo = request.headers().lastHeader("eventgate-reply-to");
                    Header correlation = request.headers().lastHeader("eventgate-correlation-id");
                    if (replyTo == null || correlation == null || request.value() == null) {
                        continue; // not a request from a request-reply route
                    }
                    try {
                        ProducerRecord<byte[], byte[]> reply = new ProducerRecord<>(new String(replyTo.value(), java.nio.charset.StandardCharsets.UTF_8),
                                request.key(), quote(registry, request.value(), quoteId));
                        reply.headers().add(correlation);
                        producer.send(reply);
                    } catch (RuntimeException e) {
                        LOG.log(Level.WARNING, "demo responder cannot answer a request", e);
                    }
                }
            }
        } catch (RuntimeException e) {
            if (running) {
                LOG.log(Level.WARNING, "demo responder stopped", e);
            }
        }
    }

    private static byte[] quote(SchemaRegistryClient registry, byte[] request, int quoteId) {
        GenericRecord order = (GenericRecord) WireRecords.decode(request, SampleTopics.QUOTE_REQUESTS, registry);
        GenericRecord quote = new GenericData.Record(SampleTopics.quoteSchema());
        quote.put("orderId", order.get("orderId").toString());
        quote.put("total", Math.round((double) order.get("amount") * (1 + TAX) * 100) / 100.0);
        quote.put("currency", order.get("currency").toString());
        return WireRecords.encode(quote, quoteId);
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join(Duration.ofSeconds(5));
    }
}
