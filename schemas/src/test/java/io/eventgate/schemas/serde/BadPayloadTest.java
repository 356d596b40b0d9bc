package io.eventgate.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eventgate.avro.RequestEvent;
import io.eventgate.registry.EmbeddedSchemaRegistry;
import io.eventgate.schemas.SampleEvents;
import io.eventgate.schemas.Topic;
import io.eventgate.schemas.registry.SchemaRegistryClient;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class BadPayloadTest {
    static final String TOPIC = "bad.requests";
    static EmbeddedSchemaRegistry registry;
    static SchemaRegistryClient client;
    static AvroDeserializer<RequestEvent> requests;

    @BeforeAll
    static void startRegistry() {
        registry = EmbeddedSchemaRegistry.start("127.0.0.1", 0, null);
        client = SchemaRegistryClient.of(registry.url());
        requests = new AvroDeserializer<>(RequestEvent.getClassSchema(), client);
    }

    @AfterAll
    static void stopRegistry() {
        registry.close();
    }

    byte[] validRequestBytes() {
        return new AvroSerializer<SpecificRecord>(client, new SerdeSettings(registry.url(), true, false, false))
                .serialize(TOPIC, SampleEvents.of(Topic.REQUESTS));
    }

    @Test
    void wrongMagicByteIsNotWireFormat() {
        byte[] bytes = validRequestBytes();
        bytes[0] = 1;
        assertThatThrownBy(() -> requests.deserialize(TOPIC, bytes))
                .isInstanceOfSatisfying(EventDecodingException.class, e -> {
                    assertThat(e.reason()).isEqualTo(EventDecodingException.Reason.NOT_WIRE_FORMAT);
                    assertThat(e.topic()).isEqualTo(TOPIC);
                })
                .hasMessageContaining("bad.requests").hasMessageContaining("0x01");
    }

    @Test
    void plainJsonIsNotWireFormat() {
        assertThatThrownBy(() -> requests.deserialize(TOPIC, "{\"requestId\":\"x\"}".getBytes()))
                .isInstanceOfSatisfying(EventDecodingException.class, e -> assertThat(e.reason()).isEqualTo(EventDecodingException.Reason.NOT_WIRE_FORMAT));
    }

    @Test
    void unknownSchemaIdIsNamed() {
        byte[] bytes = validRequestBytes();
        ByteBuffer.wrap(bytes).put(1, (byte) 0).putInt(1, 987_654);
        assertThatThrownBy(() -> requests.deserialize(TOPIC, bytes))
                .isInstanceOfSatisfying(EventDecodingException.class, e -> {
                    assertThat(e.reason()).isEqualTo(EventDecodingException.Reason.UNKNOWN_SCHEMA_ID);
                    assertThat(e.schemaId()).hasValue(987_654);
                })
                .hasMessageContaining("987654");
    }

    @Test
    void truncatedHeaderAndTruncatedBody() {
        byte[] bytes = validRequestBytes();
        assertThatThrownBy(() -> requests.deserialize(TOPIC, Arrays.copyOf(bytes, 3)))
                .isInstanceOfSatisfying(EventDecodingException.class, e -> assertThat(e.reason()).isEqualTo(EventDecodingException.Reason.TRUNCATED));
        assertThatThrownBy(() -> requests.deserialize(TOPIC, Arrays.copyOf(bytes, bytes.length - 10)))
                .isInstanceOfSatisfying(EventDecodingException.class, e -> assertThat(e.reason()).isIn(
                        EventDecodingException.Reason.TRUNCATED, EventDecodingException.Reason.MALFORMED_BODY));
    }

    @Test
    void bytesOfAnotherSchemaAreRefused() {
        byte[] decision = new AvroSerializer<SpecificRecord>(client, new SerdeSettings(registry.url(), true, false, false))
                .serialize("bad.decisions", SampleEvents.of(Topic.DECISIONS));
        assertThatThrownBy(() -> requests.deserialize(TOPIC, decision))
                .isInstanceOfSatisfying(EventDecodingException.class, e -> assertThat(e.reason()).isEqualTo(EventDecodingException.Reason.INCOMPATIBLE_SCHEMA))
                .hasMessageContaining("DecisionEvent").hasMessageContaining("RequestEvent");
    }

    @Test
    void bodyOfAnotherSchemaUnderTheRightIdIsRefused() {
        byte[] request = validRequestBytes();
        byte[] decision = new AvroSerializer<SpecificRecord>(client, new SerdeSettings(registry.url(), true, false, false))
                .serialize("bad.decisions", SampleEvents.of(Topic.DECISIONS));
        System.arraycopy(request, 1, decision, 1, 4); // RequestEvent's id over a DecisionEvent body
        assertThatThrownBy(() -> requests.deserialize(TOPIC, decision))
                .isInstanceOf(EventDecodingException.class)
                .satisfies(e -> assertThat(((EventDecodingException) e).reason()).isIn(
                        EventDecodingException.Reason.TRUNCATED, EventDecodingException.Reason.MALFORMED_BODY));
    }

    @Test
    void trailingBytesAreRefused() {
        byte[] bytes = validRequestBytes();
        byte[] longer = Arrays.copyOf(bytes, bytes.length + 4);
        assertThatThrownBy(() -> requests.deserialize(TOPIC, longer))
                .isInstanceOfSatisfying(EventDecodingException.class, e -> assertThat(e.reason()).isEqualTo(EventDecodingException.Reason.MALFORMED_BODY))
                .hasMessageContaining("left over");
    }

    @Test
    void unreachableRegistryIsReportedAsSuch() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        var offline = new AvroDeserializer<RequestEvent>(RequestEvent.getClassSchema(), SchemaRegistryClient.of("http://127.0.0.1:" + closedPort));
        assertThatThrownBy(() -> offline.deserialize(TOPIC, validRequestBytes()))
                .isInstanceOfSatisfying(EventDecodingException.class, e -> assertThat(e.reason()).isEqualTo(EventDecodingException.Reason.REGISTRY_UNAVAILABLE))
                .hasMessageContaining("unreachable");
    }

    @Test
    void positionIsAddedWhereTheConsumerKnowsIt() {
        EventDecodingException located = new EventDecodingException(TOPIC, EventDecodingException.Reason.TRUNCATED, 3, "short", null).at(2, 17);
        assertThat(located.partition()).hasValue(2);
        assertThat(located.offset()).hasValue(17);
        assertThat(located).hasMessageContaining("partition 2 offset 17");
    }
}
