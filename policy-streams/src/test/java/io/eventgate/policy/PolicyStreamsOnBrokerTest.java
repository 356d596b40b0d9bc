package io.eventgate.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventgate.avro.CommandAction;
import io.eventgate.avro.CommandRejection;
import io.eventgate.avro.EntityType;
import io.eventgate.avro.PolicyCommand;
import io.eventgate.avro.PolicyEntity;
import io.eventgate.schemas.Topic;
import io.eventgate.schemas.Topics;
import io.eventgate.schemas.serde.ContractSerdes;
import io.eventgate.testkit.KafkaExtension;
import io.eventgate.testkit.TestKafka;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The control topology end to end on a real broker, exactly-once, with a poison record in the stream. */
@ExtendWith(KafkaExtension.class)
class PolicyStreamsOnBrokerTest {

    @Test
    void commandsBecomePoliciesOrRejectionsAndPoisonGoesToTheDeadLetterTopic(TestKafka kafka, @TempDir Path state) throws Exception {
        Topics topics = new Topics(kafka.topicPrefix());
        kafka.createTopics(topics.newTopics(2, (short) 1));
        PolicyStreamsSettings settings = new PolicyStreamsSettings(kafka.topicPrefix() + "policy", kafka.bootstrapServers(),
                kafka.registryUrl(), kafka.topicPrefix(), state, true);
        ContractSerdes serdes = ContractSerdes.of(kafka.registryUrl());

        try (PolicyStreamsApp app = PolicyStreamsApp.start(settings);
             var producer = new KafkaProducer<>(kafka.producerConfig(Map.of()), new StringSerializer(), serdes.<PolicyCommand>serde(Topic.CONTROL).serializer());
             var raw = new KafkaProducer<>(kafka.producerConfig(Map.of()), new StringSerializer(), new ByteArraySerializer())) {
            raw.send(new ProducerRecord<>(topics.control(), "pool:users", "poison".getBytes())).get();
            producer.send(new ProducerRecord<>(topics.control(), "pool:users", command("c1", EntityType.UPSTREAM_POOL, "users",
                    "{\"instances\":[{\"url\":\"http://10.0.0.1:8080\"}]}"))).get();
            producer.send(new ProducerRecord<>(topics.control(), "route:api", command("c2", EntityType.ROUTE, "api",
                    "{\"id\":\"api\",\"match\":{\"paths\":[\"/api/**\"]},\"upstreams\":[{\"pool\":\"nope\"}]}"))).get();

            List<ConsumerRecord<String, PolicyEntity>> policies = read(kafka, topics.policies(), serdes.<PolicyEntity>serde(Topic.POLICIES).deserializer(), 1);
            assertThat(policies.get(0).key()).isEqualTo("pool:users");
            assertThat(policies.get(0).value().getVersion()).isEqualTo(1);
            List<ConsumerRecord<String, CommandRejection>> rejected = read(kafka, topics.controlRejections(),
                    serdes.<CommandRejection>serde(Topic.CONTROL_REJECTIONS).deserializer(), 1);
            assertThat(rejected.get(0).value().getField()).isEqualTo("upstreams[0].pool");
            List<ConsumerRecord<String, byte[]>> dead = read(kafka, settings.deadLetterTopic(), new ByteArrayDeserializer(), 1);
            assertThat(new String(dead.get(0).value())).isEqualTo("poison");
        }
    }

    static PolicyCommand command(String id, EntityType type, String entityId, String spec) {
        return PolicyCommand.newBuilder().setCommandId(id).setIssuedAt(Instant.now()).setIssuedBy("test")
                .setAction(CommandAction.UPSERT).setEntityType(type).setEntityId(entityId).setSpec(spec).build();
    }

    static <V> List<ConsumerRecord<String, V>> read(TestKafka kafka, String topic, Deserializer<V> values, int count) {
        List<ConsumerRecord<String, V>> records = new ArrayList<>();
        try (var consumer = new KafkaConsumer<>(kafka.consumerConfig("read-" + topic, Map.of("isolation.level", "read_committed")),
                new StringDeserializer(), values)) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (records.size() < count && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
        }
        assertThat(records).as("records on " + topic).hasSizeGreaterThanOrEqualTo(count);
        return records;
    }
}
