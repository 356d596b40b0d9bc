package io.eventgate.edge.contract;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.eventgate.edge.EdgeFixture;
import io.eventgate.edge.server.EdgeServer;
import io.eventgate.policy.model.RoutePolicies;
import io.eventgate.testkit.KafkaExtension;
import io.eventgate.testkit.TestKafka;
import io.helidon.webserver.WebServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Requests checked against OpenAPI documents (the local stack's sample, 3.0, and a 3.1 one) by a real edge in front of a
 * real upstream that records what reaches it: valid requests pass whole, invalid ones are refused naming every failing
 * location, and none of them reaches the upstream.
 */
@ExtendWith(KafkaExtension.class)
class ContractTest {
    static final ObjectMapper JSON = new ObjectMapper();
    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    final List<String> reached = new CopyOnWriteArrayList<>();
    WebServer upstream;
    EdgeServer edge;
    TestKafka kafka;

    @BeforeEach
    void start(TestKafka kafka, @TempDir Path dir) throws Exception {
        upstream = WebServer.builder().host("127.0.0.1").port(0).routing(r -> r.any((req, res) -> {
            String body = req.content().hasEntity() ? req.content().as(String.class) : "";
            reached.add(req.prologue().method().text() + " " + req.path().rawPath() + " " + body);
            switch (req.path().rawPath()) {
                case "/drift/good" -> res.header("Content-Type", "application/json").send("{\"id\":\"a\"}");
                case "/drift/bad" -> res.header("Content-Type", "application/json").send("{\"id\":5}");
                default -> res.send("ok");
            }
        })).build().start();
        Path v31 = dir.resolve("things.yaml");
        Files.writeString(v31, """
                openapi: 3.1.0
                info: {title: Things, version: "1"}
                paths:
                  /things:
                    put:
                      requestBody:
                        required: true
                        content:
                          application/json:
                            schema:
                              type: object
                              required: [name]
                              properties:
                                name: {type: string}
                                note: {type: ["string", "null"]}
                                size: {type: integer, exclusiveMinimum: 0}
                      responses: {"204": {description: stored}}
                """);
        Path drift = dir.resolve("drift.yaml");
        Files.writeString(drift, """
                openapi: 3.0.3
                info: {title: Drift, version: "1"}
                paths:
                  /drift/{name}:
                    get:
                      parameters: [{name: name, in: path, required: true, schema: {type: string}}]
                      responses:
                        "200":
                          description: an item
                          content:
                            application/json:
                              schema: {type: object, required: [id], properties: {id: {type: string}}}
                  /drift/other/status:
                    get:
                      responses: {"201": {description: created}}
                """);
        edge = EdgeServer.start(EdgeFixture.settings(kafka, dir.resolve("journal"), Map.of("up", EdgeFixture.pool("http://127.0.0.1:" + upstream.port())),
                List.of(EdgeFixture.route("api", "/api/**", "up").withContract(new RoutePolicies.Contract("../config/openapi/demo-orders.yaml", null, 4096)),
                        EdgeFixture.route("things", "/things", "up").withContract(new RoutePolicies.Contract(v31.toString(), null, null)),
                        EdgeFixture.route("loose", "/loose/**", "up").withContract(new RoutePolicies.Contract(v31.toString(), "pass", null)),
                        new io.eventgate.policy.model.RouteSettings("prefixed", new io.eventgate.policy.model.RouteSettings.Match(null, List.of("/shop/**"), null, null),
                                List.of(new io.eventgate.policy.model.RouteSettings.Destination("up", 100)), "/shop", null, null, null, null)
                                .withContract(new RoutePolicies.Contract(v31.toString(), null, null)),
                        EdgeFixture.route("drift", "/drift/**", "up").withContract(new RoutePolicies.Contract(drift.toString(), null, null, "shadow")))));
        this.kafka = kafka;
    }

    @AfterEach
    void stop() {
        edge.close();
        upstream.stop();
    }

    HttpResponse<String> send(String method, String path, String contentType, String body, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + edge.port() + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        if (headers.length > 0) {
            request.headers(headers);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    static List<String> pointers(HttpResponse<String> response) throws Exception {
        List<String> pointers = new ArrayList<>();
        JSON.readTree(response.body()).path("errors").forEach(e -> pointers.add(e.path("pointer").asText()));
        return pointers;
    }

    @Test
    void validRequestsReachTheUpstreamWhole() throws Exception {
        String order = "{\"orderId\":\"o-1\",\"amount\":9.5,\"currency\":\"EUR\"}";
        assertThat(send("POST", "/api/orders", "application/json; charset=utf-8", order).statusCode()).isEqualTo(200);
        assertThat(send("GET", "/api/orders?limit=10", null, null).statusCode()).isEqualTo(200);
        assertThat(send("GET", "/api/orders/o-7", null, null, "X-Tenant", "acme").statusCode()).isEqualTo(200);
        assertThat(send("GET", "/api/hi", null, null).statusCode()).as("a path variable of another operation").isEqualTo(200);
        assertThat(send("PUT", "/things", "application/json", "{\"name\":\"n\",\"note\":null,\"size\":1}").statusCode()).as("3.1: null as a type")
                .isEqualTo(200);
        assertThat(reached).containsExactly("POST /api/orders " + order, "GET /api/orders ", "GET /api/orders/o-7 ", "GET /api/hi ",
                "PUT /things {\"name\":\"n\",\"note\":null,\"size\":1}");
    }

    @Test
    void invalidRequestsAreRefusedNamingEveryFailingLocationAndReachNothing() throws Exception {
        HttpResponse<String> body = send("POST", "/api/orders", "application/json", "{\"amount\":0,\"currency\":\"euro\",\"extra\":1}");
        assertThat(body.statusCode()).isEqualTo(400);
        assertThat(body.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        JsonNode problem = JSON.readTree(body.body());
        assertThat(problem.path("type").asText()).isEqualTo("urn:eventgate:problem:contract_violation");
        assertThat(pointers(body)).as(body.body()).contains("/body", "/body/amount", "/body/currency");
        assertThat(body.body()).contains("orderId").contains("extra");

        HttpResponse<String> params = send("GET", "/api/orders/42", null, null);
        assertThat(params.statusCode()).isEqualTo(400);
        assertThat(pointers(params)).as(params.body()).containsExactlyInAnyOrder("/path/orderId", "/header/x-tenant");
        assertThat(pointers(send("GET", "/api/orders?limit=many", null, null))).containsExactly("/query/limit");
        assertThat(pointers(send("GET", "/api/orders?limit=1000", null, null))).containsExactly("/query/limit");
        assertThat(pointers(send("POST", "/api/orders", "application/json", "{not json"))).containsExactly("/body");
        assertThat(pointers(send("POST", "/api/orders", "application/json", null))).as("a required body").containsExactly("/body");
        assertThat(pointers(send("PUT", "/things", "application/json", "{\"name\":\"n\",\"size\":0}"))).containsExactly("/body/size");

        HttpResponse<String> media = send("POST", "/api/orders", "text/plain", "orderId=o-1");
        assertThat(media.statusCode()).isEqualTo(415);
        assertThat(JSON.readTree(media.body()).path("detail").asText()).contains("application/json");
        HttpResponse<String> method = send("DELETE", "/api/orders", null, null);
        assertThat(method.statusCode()).isEqualTo(405);
        assertThat(method.headers().firstValue("Allow")).hasValue("GET, POST");
        HttpResponse<String> undeclared = send("GET", "/api/a/b", null, null);
        assertThat(undeclared.statusCode()).isEqualTo(404);
        assertThat(JSON.readTree(undeclared.body()).path("type").asText()).isEqualTo("urn:eventgate:problem:not_in_contract");
        HttpResponse<String> large = send("POST", "/api/orders", "application/json", "{\"orderId\":\"" + "x".repeat(5000) + "\"}");
        assertThat(large.statusCode()).as("past the route's 4 kB to check").isEqualTo(413);

        assertThat(reached).as("nothing invalid reached the upstream").isEmpty();
        assertThat(send("GET", "/loose/anything", null, null).statusCode()).as("undeclared: pass").isEqualTo(200);
        assertThat(reached).containsExactly("GET /loose/anything ");
        assertThat(pointers(send("PUT", "/shop/things", "application/json", "{}"))).as("a document of the upstream's paths, under the stripped prefix")
                .containsExactly("/body");
        assertThat(send("PUT", "/shop/things", "application/json", "{\"name\":\"n\"}").statusCode()).isEqualTo(200);
        assertThat(reached).containsExactly("GET /loose/anything ", "PUT /things {\"name\":\"n\"}");
    }

    @Test
    void answersThatDriftFromTheContractPassAndAreReported() throws Exception {
        HttpResponse<String> good = send("GET", "/drift/good", null, null);
        HttpResponse<String> bad = send("GET", "/drift/bad", null, null);
        HttpResponse<String> status = send("GET", "/drift/other/status", null, null);
        assertThat(List.of(good.statusCode(), bad.statusCode(), status.statusCode())).as("never blocked").containsExactly(200, 200, 200);
        assertThat(bad.body()).isEqualTo("{\"id\":5}");
        assertThat(send("POST", "/api/orders", "application/json", "{}").statusCode()).isEqualTo(400);

        String metrics = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + edge.adminPort() + "/observe/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        assertThat(metrics).contains("edge_contract_drift_total{kind=\"body\",operation=\"GET /drift/{name}\",route=\"drift\"} 1.0")
                .contains("edge_contract_drift_total{kind=\"status\",operation=\"GET /drift/other/status\",route=\"drift\"} 1.0")
                .doesNotContain("operation=\"GET /drift/{name}\",route=\"drift\"} 2.0");
        List<io.eventgate.avro.DecisionEvent> decisions = io.eventgate.edge.RequestEventsOnTopic.decisions(kafka.bootstrapServers(), kafka.registryUrl(),
                new io.eventgate.schemas.Topics(kafka.topicPrefix()).decisions(), d -> d.size() >= 3, java.time.Duration.ofSeconds(30));
        assertThat(decisions).extracting(d -> d.getKind() + " " + d.getReason())
                .anySatisfy(text -> assertThat(text).startsWith("CONTRACT_DRIFT GET /drift/other/status answered 200: /status status 200 is not a declared response"))
                .anySatisfy(text -> assertThat(text).startsWith("CONTRACT_VIOLATION POST /api/orders: /body"));
        assertThat(decisions).filteredOn(d -> d.getKind() == io.eventgate.avro.DecisionKind.CONTRACT_DRIFT)
                .allSatisfy(d -> assertThat(d.getShadow()).isTrue()).hasSize(2)
                .anySatisfy(d -> assertThat(d.getReason()).startsWith("GET /drift/{name} answered 200: /body/id"));
    }
}
