package io.eventgate.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Keeps asyncapi.yaml true to the code: every topic, its cleanup policy, and the schema the serdes use. */
class AsyncApiDocumentTest {
    static final JsonNode DOCUMENT = read();

    static JsonNode read() {
        try {
            return new ObjectMapper(new YAMLFactory()).readTree(Path.of("asyncapi.yaml").toFile());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @ParameterizedTest
    @EnumSource(Topic.class)
    void everyTopicIsDescribedWithItsCleanupPolicyAndSchema(Topic topic) throws Exception {
        JsonNode channel = null;
        for (JsonNode c : DOCUMENT.path("channels")) {
            if (c.path("address").asText().equals(Topics.defaults().name(topic))) {
                channel = c;
            }
        }
        assertThat(channel).as("channel for " + Topics.defaults().name(topic)).isNotNull();
        assertThat(channel.path("x-cleanup-policy").asText()).isEqualTo(topic.cleanup().configValue());
        assertThat(channel.path("bindings").path("kafka").path("topicConfiguration").path("cleanup.policy").get(0).asText())
                .isEqualTo(topic.cleanup().configValue());
        JsonNode retention = channel.path("bindings").path("kafka").path("topicConfiguration").path("retention.ms");
        assertThat(retention.isMissingNode() ? null : retention.asLong()).as("retention.ms")
                .isEqualTo(topic.retention().map(java.time.Duration::toMillis).orElse(null));
        assertThat(channel.path("x-written-by").asText()).isNotBlank();
        assertThat(channel.path("x-read-by").asText()).isNotBlank();

        String name = topic.valueSchema().getName();
        JsonNode message = DOCUMENT.path("components").path("messages").path(name);
        String schemaRef = message.path("payload").path("schema").path("$ref").asText();
        Schema documented = new Schema.Parser().parse(Files.readString(Path.of(schemaRef)));
        assertThat(SchemaNormalization.toParsingForm(documented)).isEqualTo(SchemaNormalization.toParsingForm(topic.valueSchema()));
        assertThat(message.path("bindings").path("kafka").path("schemaIdPayloadEncoding").asText()).isEqualTo("confluent");
    }

    /** The compose files create the topics with a shell loop of their own: it must name every contract topic and its cleanup. */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"../docker-compose.yml", "../docker-compose.cluster.yml"})
    void theComposeFilesCreateEveryContractTopic(String file) throws Exception {
        String compose = Files.readString(Path.of(file));
        for (Topic topic : Topic.values()) {
            assertThat(compose).as(file).containsPattern("\\s" + topic.suffix() + ":" + topic.cleanup().configValue() + "[\\s;]");
            topic.retention().ifPresent(retention -> assertThat(compose).as(file)
                    .contains(topic.suffix() + ") retention=\"--config retention.ms=" + retention.toMillis() + "\""));
        }
    }

    @org.junit.jupiter.api.Test
    void everyMessageNamesASchemaFileThatParsesAndEveryChannelRefersToAMessage() throws Exception {
        for (var message : DOCUMENT.path("components").path("messages")) {
            Path file = Path.of(message.path("payload").path("schema").path("$ref").asText());
            assertThat(Files.exists(file)).as("schema of %s at %s", message.path("name").asText(), file).isTrue();
            new Schema.Parser().parse(Files.readString(file));
        }
        for (var channel : DOCUMENT.path("channels")) {
            channel.path("messages").forEach(m -> assertThat(DOCUMENT.at(m.path("$ref").asText().substring(1)).isMissingNode())
                    .as("%s names a message of components", m.path("$ref").asText()).isFalse());
        }
    }
}
