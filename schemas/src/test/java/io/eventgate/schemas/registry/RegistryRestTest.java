package io.eventgate.schemas.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.eventgate.registry.EmbeddedSchemaRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedded registry's REST behaviour, exercised over HTTP both with the client and with raw requests. */
class RegistryRestTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final Schema V1 = SchemaBuilder.record("Thing").namespace("t").fields().requiredString("id").endRecord();
    static final Schema V2_WITH_DEFAULT = SchemaBuilder.record("Thing").namespace("t").fields().requiredString("id")
            .name("size").type().intType().intDefault(0).endRecord();
    static final Schema V2_WITHOUT_DEFAULT = SchemaBuilder.record("Thing").namespace("t").fields().requiredString("id")
            .requiredInt("size").endRecord();

    @TempDir
    Path dir;
    EmbeddedSchemaRegistry registry;
    SchemaRegistryClient client;
    final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() {
        registry = EmbeddedSchemaRegistry.start("127.0.0.1", 0, dir.resolve("schemas.jsonl"));
        client = SchemaRegistryClient.of(registry.url());
    }

    @AfterEach
    void stop() {
        registry.close();
    }

    @Test
    void identicalSchemaGetsTheSameIdAndNoNewVersion() {
        int first = client.register("things-value", V1);
        int again = SchemaRegistryClient.of(registry.url()).register("things-value", V1);
        int elsewhere = client.register("other-value", V1);

        assertThat(again).isEqualTo(first);
        assertThat(elsewhere).isEqualTo(first);
        assertThat(client.latest("things-value").version()).isEqualTo(1);
    }

    @Test
    void backwardCompatibleEvolutionGetsANewVersion() {
        int v1 = client.register("things-value", V1);
        assertThat(client.isCompatible("things-value", V2_WITH_DEFAULT)).isTrue();
        int v2 = client.register("things-value", V2_WITH_DEFAULT);

        assertThat(v2).isNotEqualTo(v1);
        assertThat(client.latest("things-value").version()).isEqualTo(2);
        assertThat(client.schemaById(v2)).isEqualTo(V2_WITH_DEFAULT);
    }

    @Test
    void incompatibleSchemaIsRefusedWith409InConfluentsShape() throws Exception {
        client.register("things-value", V1);
        assertThat(client.isCompatible("things-value", V2_WITHOUT_DEFAULT)).isFalse();

        HttpResponse<String> response = post("/subjects/things-value/versions", V2_WITHOUT_DEFAULT);

        assertThat(response.statusCode()).isEqualTo(409);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/vnd.schemaregistry.v1+json");
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.path("error_code").asInt()).isEqualTo(409);
        assertThat(body.path("message").asText()).contains("incompatible").contains("things-value");
        assertThatThrownBy(() -> client.register("things-value", V2_WITHOUT_DEFAULT))
                .isInstanceOfSatisfying(SchemaRegistryException.class, e -> assertThat(e.httpStatus()).isEqualTo(409));
    }

    @Test
    void noneCompatibilityAcceptsAnything() throws Exception {
        client.register("things-value", V1);
        HttpResponse<String> put = http.send(HttpRequest.newBuilder(URI.create(registry.url() + "/config/things-value"))
                .PUT(HttpRequest.BodyPublishers.ofString("{\"compatibility\":\"NONE\"}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(put.statusCode()).isEqualTo(200);
        assertThat(client.register("things-value", V2_WITHOUT_DEFAULT)).isPositive();
    }

    @Test
    void unknownIdIs404WithConfluentsErrorCode() throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(registry.url() + "/schemas/ids/4242")).build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(JSON.readTree(response.body()).path("error_code").asInt()).isEqualTo(40403);
        assertThatThrownBy(() -> client.schemaById(4242))
                .isInstanceOfSatisfying(SchemaRegistryException.class, e -> assertThat(e.errorCode()).isEqualTo(SchemaRegistryException.SCHEMA_NOT_FOUND));
    }

    @Test
    void unknownSubjectIs404With40401() throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(registry.url() + "/subjects/nope/versions/latest")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(JSON.readTree(response.body()).path("error_code").asInt()).isEqualTo(40401);
    }

    @Test
    void subjectsAreListed() {
        client.register("b-value", V1);
        client.register("a-value", V2_WITH_DEFAULT);
        assertThat(client.subjects()).containsExactly("a-value", "b-value");
    }

    @Test
    void invalidSchemaIs422() throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(registry.url() + "/subjects/x-value/versions"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"schema\":\"{\\\"type\\\":\\\"recordz\\\"}\"}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(422);
        assertThat(JSON.readTree(response.body()).path("error_code").asInt()).isEqualTo(42201);
    }

    @Test
    void idsSurviveARestartThroughTheJournal() {
        int id = client.register("things-value", V1);
        registry.close();
        registry = EmbeddedSchemaRegistry.start("127.0.0.1", 0, dir.resolve("schemas.jsonl"));
        SchemaRegistryClient fresh = SchemaRegistryClient.of(registry.url());

        assertThat(fresh.schemaById(id)).isEqualTo(V1);
        assertThat(fresh.register("things-value", V2_WITH_DEFAULT)).isEqualTo(id + 1);
    }

    private HttpResponse<String> post(String path, Schema schema) throws Exception {
        String body = JSON.createObjectNode().put("schema", schema.toString()).toString();
        return http.send(HttpRequest.newBuilder(URI.create(registry.url() + path))
                .header("Content-Type", "application/vnd.schemaregistry.v1+json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
