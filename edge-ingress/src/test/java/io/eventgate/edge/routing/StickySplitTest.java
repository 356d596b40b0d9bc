package io.eventgate.edge.routing;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventgate.avro.RequestEvent;
import io.eventgate.edge.EdgeFixture;
import io.eventgate.edge.RequestEventsOnTopic;
import io.eventgate.edge.server.EdgeServer;
import io.eventgate.policy.model.RouteSettings;
import io.eventgate.schemas.Topics;
import io.eventgate.testkit.KafkaExtension;
import io.eventgate.testkit.TestKafka;
import io.helidon.webserver.WebServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** A canary split that keeps each caller on one variant, and RequestEvents that name the variant. */
@ExtendWith(KafkaExtension.class)
class StickySplitTest {
    static WebServer answering(String name) {
        return WebServer.builder().host("127.0.0.1").port(0).routing(r -> r.any((req, res) -> res.send(name))).build().start();
    }

    @Test
    void eachCallerStaysOnOneVariantAndEveryEventNamesIt(TestKafka kafka, @TempDir Path dir) throws Exception {
        WebServer stable = answering("stable");
        WebServer canary = answering("canary");
        RouteSettings split = new RouteSettings("orders", new RouteSettings.Match(null, List.of("/orders/**"), null, null),
                List.of(new RouteSettings.Destination("stable", 80), new RouteSettings.Destination("canary", 20)), null, null, null, null, null)
                .withStickyOn("header:X-User");
        try (EdgeServer edge = EdgeServer.start(EdgeFixture.settings(kafka, dir, Map.of("stable", EdgeFixture.pool("http://127.0.0.1:" + stable.port()),
                "canary", EdgeFixture.pool("http://127.0.0.1:" + canary.port())), List.of(split)))) {
            HttpClient http = HttpClient.newHttpClient();
            Map<String, String> variantOf = new HashMap<>();
            Map<String, String> answeredBy = new HashMap<>();
            for (int user = 0; user < 100; user++) {
                for (int call = 0; call < 3; call++) {
                    HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + edge.port() + "/orders/" + call))
                            .header("X-User", "user-" + user).build(), HttpResponse.BodyHandlers.ofString());
                    String previous = variantOf.putIfAbsent("user-" + user, answer.body());
                    assertThat(previous == null ? answer.body() : previous).as("user-" + user + " stays on its variant").isEqualTo(answer.body());
                    answeredBy.put(answer.headers().firstValue("X-Request-Id").orElseThrow(), answer.body());
                }
            }
            long onCanary = variantOf.values().stream().filter("canary"::equals).count();
            assertThat(onCanary).as("about a fifth of the users").isBetween(8L, 35L);

            List<RequestEvent> events = RequestEventsOnTopic.read(kafka.bootstrapServers(), kafka.registryUrl(), new Topics(kafka.topicPrefix()).requests(),
                    e -> e.size() >= 300, Duration.ofSeconds(30));
            assertThat(events).hasSize(300).allSatisfy(e -> assertThat(e.getVariant()).isEqualTo(answeredBy.get(e.getRequestId())));
        } finally {
            stable.stop();
            canary.stop();
        }
    }
}
