package io.eventgate.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventgate.registry.EmbeddedSchemaRegistry;
import io.eventgate.schemas.SampleEvents;
import io.eventgate.schemas.Topic;
import io.eventgate.schemas.Topics;
import io.eventgate.schemas.registry.SchemaRegistryClient;
import java.nio.ByteBuffer;
import java.util.Map;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class SerdeRoundTripTest {
    static EmbeddedSchemaRegistry registry;
    static SchemaRegistryClient client;
    final Topics topics = Topics.defaults();

    @BeforeAll
    static void startRegistry() {
        registry = EmbeddedSchemaRegistry.start("127.0.0.1", 0, null);
        client = SchemaRegistryClient.of(registry.url());
    }

    @AfterAll
    static void stopRegistry() {
        registry.close();
    }

    @ParameterizedTest
    @EnumSource(Topic.class)
    void everyContractValueSurvivesARoundTrip(Topic topic) {
        AvroSerde<SpecificRecord> serde = AvroSerde.forTopic(topic, client, new SerdeSettings(registry.url(), true, false, true));
        SpecificRecord sample = SampleEvents.of(topic);

        byte[] bytes = serde.serializer().serialize(topics.name(topic), sample);
        SpecificRecord decoded = serde.deserializer().deserialize(topics.name(topic), bytes);

        assertThat(decoded).isEqualTo(sample);
        assertThat(client.subjects()).contains(topics.valueSubject(topic));
    }

    @Test
    void wireFormatIsMagicByteThenBigEndianIdThenAvroBinary() throws Exception {
        SpecificRecord sample = SampleEvents.of(Topic.REQUESTS);
        AvroSerializer<SpecificRecord> serializer = new AvroSerializer<>(client, new SerdeSettings(registry.url(), true, false, false));

        byte[] bytes = serializer.serialize(topics.requests(), sample);

        int id = client.latest(topics.valueSubject(Topic.REQUESTS)).id();
        assertThat(bytes[0]).isEqualTo((byte) 0);
        assertThat(ByteBuffer.wrap(bytes, 1, 4).getInt()).isEqualTo(id);
        var expectedBody = new java.io.ByteArrayOutputStream();
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(expectedBody, null);
        new SpecificDatumWriter<SpecificRecord>(sample.getSchema()).write(sample, encoder);
        encoder.flush();
        assertThat(java.util.Arrays.copyOfRange(bytes, 5, bytes.length)).isEqualTo(expectedBody.toByteArray());
    }

    @Test
    void configuredLikeConfluentsSerializerWithTheSameKeys() {
        AvroSerializer<SpecificRecord> serializer = new AvroSerializer<>();
        serializer.configure(Map.of("schema.registry.url", registry.url(), "auto.register.schemas", "true"), false);
        AvroDeserializer<Object> genericReader = new AvroDeserializer<>();
        genericReader.configure(Map.of("schema.registry.url", registry.url()), false);
        AvroDeserializer<Object> specificReader = new AvroDeserializer<>();
        specificReader.configure(Map.of("schema.registry.url", registry.url(), "specific.avro.reader", true), false);

        byte[] bytes = serializer.serialize(topics.decisions(), SampleEvents.of(Topic.DECISIONS));

        assertThat(genericReader.deserialize(topics.decisions(), bytes)).isInstanceOf(GenericRecord.class)
                .extracting(r -> ((GenericRecord) r).get("reason").toString()).isEqualTo("10 req/s exceeded");
        assertThat(specificReader.deserialize(topics.decisions(), bytes)).isEqualTo(SampleEvents.of(Topic.DECISIONS));
    }

    @Test
    void useLatestVersionWritesWithTheRegisteredSchemaWithoutRegistering() {
        String topic = "latest-only.requests";
        client.register(topic + "-value", Topic.REQUESTS.valueSchema());
        AvroSerializer<SpecificRecord> serializer = new AvroSerializer<>();
        serializer.configure(Map.of("schema.registry.url", registry.url(), "auto.register.schemas", false, "use.latest.version", true), false);

        byte[] bytes = serializer.serialize(topic, SampleEvents.of(Topic.REQUESTS));

        assertThat(ByteBuffer.wrap(bytes, 1, 4).getInt()).isEqualTo(client.latest(topic + "-value").id());
    }

    @Test
    void tombstonesStayNull() {
        AvroSerde<SpecificRecord> serde = AvroSerde.forTopic(Topic.POLICIES, client, new SerdeSettings(registry.url(), true, false, true));
        assertThat(serde.serializer().serialize(topics.policies(), null)).isNull();
        assertThat(serde.deserializer().deserialize(topics.policies(), null)).isNull();
    }
}
