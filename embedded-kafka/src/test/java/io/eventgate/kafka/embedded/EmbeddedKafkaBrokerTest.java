package io.eventgate.kafka.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedKafkaBrokerTest {

    @Test
    void restartOnTheSameDirectoryKeepsTopicsAndRecords(@TempDir Path dataDir) throws Exception {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(BrokerSettings.ephemeral(dataDir));
             Admin admin = broker.admin()) {
            admin.createTopics(List.of(new NewTopic("kept", 1, (short) 1))).all().get();
            try (KafkaProducer<String, String> producer = producer(broker.bootstrapServers())) {
                producer.send(new ProducerRecord<>("kept", "k", "before restart")).get();
            }
        }
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(BrokerSettings.ephemeral(dataDir));
             Admin admin = broker.admin()) {
            assertThat(admin.listTopics().names().get()).contains("kept");
            assertThat(readAll(broker.bootstrapServers(), "kept", 1)).extracting(ConsumerRecord::value).containsExactly("before restart");
        }
    }

    @Test
    void settingsRejectNonsense(@TempDir Path dataDir) {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new BrokerSettings("127.0.0.1", 9092, 9092, dataDir, 1, Map.of()))
                .hasMessageContaining("must differ");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new BrokerSettings("127.0.0.1", 70000, 9093, dataDir, 1, Map.of()))
                .hasMessageContaining("between 0 and 65535");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new BrokerSettings("127.0.0.1", 9092, 9093, dataDir, 0, Map.of()))
                .hasMessageContaining("at least 1");
    }

    static KafkaProducer<String, String> producer(String bootstrap) {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap),
                new StringSerializer(), new StringSerializer());
    }

    static List<ConsumerRecord<String, String>> readAll(String bootstrap, String topic, int expected) {
        List<ConsumerRecord<String, String>> records = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, "reader-" + System.nanoTime(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(Set.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (records.size() < expected && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
        }
        return records;
    }
}
