package io.eventgate.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eventgate.avro.PolicyEntity;
import io.eventgate.avro.RequestEvent;
import io.eventgate.schemas.registry.SchemaRegistryClient;
import io.eventgate.schemas.serde.AvroSerde;
import io.eventgate.schemas.serde.EventDecodingException;
import io.eventgate.schemas.serde.SerdeSettings;
import io.eventgate.testkit.KafkaExtension;
import io.eventgate.testkit.TestKafka;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(KafkaExtension.class)
class ContractTopicsOnBrokerTest {

    @Test
    void everyContractTopicIsCreatedWithItsCleanupPolicy(TestKafka kafka) throws Exception {
        Topics topics = new Topics(kafka.topicPrefix());
        kafka.createTopics(topics.newTopics(3, (short) 1));

        try (Admin admin = kafka.admin()) {
            List<ConfigResource> resources = java.util.Arrays.stream(Topic.values())
                    .map(t -> new ConfigResource(ConfigResource.Type.TOPIC, topics.name(t))).toList();
            Map<ConfigResource, Config> configs = admin.describeConfigs(resources).all().get();
            for (Topic topic : Topic.values()) {
                Config config = configs.get(new ConfigResource(ConfigResource.Type.TOPIC, topics.name(topic)));
                assertThat(config.get("cleanup.policy").value()).as(topics.name(topic)).isEqualTo(topic.cleanup().configValue());
                topic.retention().ifPresent(retention ->
                        assertThat(config.get("retention.ms").value()).as(topics.name(topic)).isEqualTo(Long.toString(retention.toMillis())));
            }
            assertThat(admin.describeTopics(List.of(topics.requests())).allTopicNames().get().get(topics.requests()).partitions()).hasSize(3);
            assertThat(admin.describeTopics(List.of(topics.control())).allTopicNames().get().get(topics.control()).partitions())
                    .as("commands keep one order across entities").hasSize(1);
        }
    }

    @Test
    void requestEventsAreProducedAndConsumedThroughTheRegistry(TestKafka kafka) {
        Topics topics = new Topics(kafka.topicPrefix());
        kafka.createTopics(topics.newTopics(2, (short) 1));
        SchemaRegistryClient registry = SchemaRegistryClient.of(kafka.registryUrl());
        AvroSerde<RequestEvent> serde = AvroSerde.forTopic(Topic.REQUESTS, registry, new SerdeSettings(kafka.registryUrl(), true, false, true));

        try (var producer = new KafkaProducer<>(kafka.producerConfig(Map.of()), new StringSerializer(), serde.serializer())) {
            for (int i = 0; i < 20; i++) {
                producer.send(new ProducerRecord<>(topics.requests(), "c" + (i % 4), SampleEvents.request("r" + i, "c" + (i % 4))));
            }
        }
        List<ConsumerRecord<String, RequestEvent>> records = readUntil(kafka, topics.requests(), serde, 20);

        assertThat(records).extracting(r -> r.value().getRequestId().toString())
                .containsExactlyInAnyOrderElementsOf(java.util.stream.IntStream.range(0, 20).mapToObj(i -> "r" + i).toList());
        assertThat(records).allSatisfy(r -> assertThat(r.key()).isEqualTo(r.value().getConsumerId()));
    }

    @Test
    void compactedTopicCarriesUpdatesAndTombstones(TestKafka kafka) {
        Topics topics = new Topics(kafka.topicPrefix());
        kafka.createTopics(topics.newTopics(1, (short) 1));
        SchemaRegistryClient registry = SchemaRegistryClient.of(kafka.registryUrl());
        AvroSerde<PolicyEntity> serde = AvroSerde.forTopic(Topic.POLICIES, registry, new SerdeSettings(kafka.registryUrl(), true, false, true));
        PolicyEntity v1 = (PolicyEntity) SampleEvents.of(Topic.POLICIES);
        PolicyEntity v2 = PolicyEntity.newBuilder(v1).setVersion(43).setSpec("{\"paths\":[\"/v2/**\"]}").build();

        try (var producer = new KafkaProducer<>(kafka.producerConfig(Map.of()), new StringSerializer(), serde.serializer())) {
            producer.send(new ProducerRecord<>(topics.policies(), "route:api", v1));
            producer.send(new ProducerRecord<>(topics.policies(), "route:api", v2));
            producer.send(new ProducerRecord<>(topics.policies(), "route:old", v1));
            producer.send(new ProducerRecord<>(topics.policies(), "route:old", null));
        }
        Map<String, PolicyEntity> latest = new HashMap<>();
        readUntil(kafka, topics.policies(), serde, 4).forEach(r -> {
            if (r.value() == null) {
                latest.remove(r.key());
            } else {
                latest.put(r.key(), r.value());
            }
        });

        assertThat(latest).containsOnlyKeys("route:api");
        assertThat(latest.get("route:api").getVersion()).isEqualTo(43);
    }

    @Test
    void aPoisonRecordIsReportedWithTopicPartitionAndOffset(TestKafka kafka) {
        String topic = kafka.createTopic("requests", 1, Map.of());
        SchemaRegistryClient registry = SchemaRegistryClient.of(kafka.registryUrl());
        AvroSerde<RequestEvent> serde = AvroSerde.forTopic(Topic.REQUESTS, registry, new SerdeSettings(kafka.registryUrl(), true, false, true));
        try (var producer = new KafkaProducer<>(kafka.producerConfig(Map.of()), new StringSerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(topic, "acme", serde.serializer().serialize(topic, SampleEvents.request("ok", "acme"))));
            producer.send(new ProducerRecord<>(topic, "acme", "not avro".getBytes()));
        }

        assertThatThrownBy(() -> readUntil(kafka, topic, serde, 2))
                .isInstanceOfSatisfying(RecordDeserializationException.class, e -> {
                    assertThat(e.offset()).isEqualTo(1);
                    assertThat(e.topicPartition().partition()).isZero();
                    assertThat(e.getCause()).isInstanceOfSatisfying(EventDecodingException.class,
                            cause -> assertThat(cause.reason()).isEqualTo(EventDecodingException.Reason.NOT_WIRE_FORMAT));
                });
    }

    private static <V> List<ConsumerRecord<String, V>> readUntil(TestKafka kafka, String topic, AvroSerde<? extends V> serde, int count) {
        List<ConsumerRecord<String, V>> records = new ArrayList<>();
        @SuppressWarnings("unchecked")
        org.apache.kafka.common.serialization.Deserializer<V> deserializer = (org.apache.kafka.common.serialization.Deserializer<V>) serde.deserializer();
        try (KafkaConsumer<String, V> consumer = new KafkaConsumer<>(kafka.consumerConfig("reader", Map.of()), new StringDeserializer(), deserializer)) {
            consumer.subscribe(Set.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (records.size() < count && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
        }
        assertThat(records).as("records read from " + topic).hasSize(count);
        return records;
    }

}
