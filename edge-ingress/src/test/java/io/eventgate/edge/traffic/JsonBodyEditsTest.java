package io.eventgate.edge.traffic;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.eventgate.demo.DemoUpstream;
import io.eventgate.edge.EdgeFixture;
import io.eventgate.edge.server.EdgeServer;
import io.eventgate.policy.model.RoutePolicies;
import io.eventgate.testkit.KafkaExtension;
import io.eventgate.testkit.TestKafka;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** JSON fields removed, moved and set in request and response bodies on their way through; other bodies untouched. */
@ExtendWith(KafkaExtension.class)
class JsonBodyEditsTest {
    static final ObjectMapper JSON = new ObjectMapper();
    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    DemoUpstream upstream;
    EdgeServer edge;

    @BeforeEach
    void start(TestKafka kafka, @TempDir Path dir) {
        upstream = DemoUpstream.start("127.0.0.1", 0);
        RoutePolicies.Transform transform = new RoutePolicies.Transform(null, null, null, null,
                new RoutePolicies.JsonEdits(List.of("/user/secret"), Map.of("/old", "/renamed/new"), Map.of("/source", "gateway")),
                new RoutePolicies.JsonEdits(List.of("/headers"), null, Map.of("/edited", true)), 2048);
        edge = EdgeServer.start(EdgeFixture.settings(kafka, dir.resolve("journal"), Map.of("demo", EdgeFixture.pool(upstream.url())),
                List.of(EdgeFixture.route("json", "/echo/**", "demo").withPolicies(null, null, null, transform))));
    }

    @AfterEach
    void stop() {
        edge.close();
        upstream.close();
    }

    HttpResponse<String> post(String contentType, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + edge.port() + "/echo/json")).header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void requestAndResponseFieldsAreEdited() throws Exception {
        HttpResponse<String> response = post("application/json", "{\"user\":{\"id\":7,\"secret\":\"s3\"},\"old\":1}");
        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode answer = JSON.readTree(response.body());
        assertThat(answer.has("headers")).as("removed from the answer").isFalse();
        assertThat(answer.path("edited").asBoolean()).isTrue();
        assertThat(response.headers().firstValueAsLong("Content-Length")).hasValue(response.body().getBytes().length);
        JsonNode sent = JSON.readTree(answer.path("body").asText());
        assertThat(sent.path("user").path("id").asInt()).isEqualTo(7);
        assertThat(sent.path("user").has("secret")).isFalse();
        assertThat(sent.has("old")).isFalse();
        assertThat(sent.path("renamed").path("new").asInt()).isEqualTo(1);
        assertThat(sent.path("source").asText()).isEqualTo("gateway");
    }

    @Test
    void otherBodiesPassUntouched() throws Exception {
        JsonNode text = JSON.readTree(post("text/plain", "{\"user\":{\"secret\":\"s3\"}}").body());
        assertThat(text.path("body").asText()).as("not JSON by its type").isEqualTo("{\"user\":{\"secret\":\"s3\"}}");
        String large = "{\"user\":{\"secret\":\"" + "x".repeat(4096) + "\"}}";
        JsonNode big = JSON.readTree(post("application/json", large).body());
        assertThat(big.path("body").asText()).as("over maxBodyBytes").isEqualTo(large);
        JsonNode broken = JSON.readTree(post("application/json", "{not json").body());
        assertThat(broken.path("body").asText()).isEqualTo("{not json");
    }
}
