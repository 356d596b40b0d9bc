package io.eventgate.demo;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class DemoUpstreamTest {
    static DemoUpstream upstream;
    final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() {
        upstream = DemoUpstream.start("127.0.0.1", 0);
    }

    @AfterAll
    static void stop() {
        upstream.close();
    }

    HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void echoReturnsMethodPathQueryHeadersAndBody() throws Exception {
        HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(upstream.url() + "/echo/a/b?x=1&y=2"))
                .header("X-Test", "yes").POST(HttpRequest.BodyPublishers.ofString("hello")));

        JsonNode echo = new ObjectMapper().readTree(response.body());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(echo.path("method").asText()).isEqualTo("POST");
        assertThat(echo.path("path").asText()).isEqualTo("/echo/a/b");
        assertThat(echo.path("query").asText()).isEqualTo("x=1&y=2");
        assertThat(echo.path("headers").path("x-test").get(0).asText()).isEqualTo("yes");
        assertThat(echo.path("body").asText()).isEqualTo("hello");
    }

    @Test
    void statusDelayAndBytes() throws Exception {
        assertThat(send(HttpRequest.newBuilder(URI.create(upstream.url() + "/status/503"))).statusCode()).isEqualTo(503);
        assertThat(send(HttpRequest.newBuilder(URI.create(upstream.url() + "/status/99"))).statusCode()).isEqualTo(400);
        assertThat(send(HttpRequest.newBuilder(URI.create(upstream.url() + "/status/204"))).statusCode()).isEqualTo(204);
        assertThat(send(HttpRequest.newBuilder(URI.create(upstream.url() + "/delay/20"))).body()).contains("20");
        assertThat(send(HttpRequest.newBuilder(URI.create(upstream.url() + "/bytes/100000"))).body()).hasSize(100_000);
        assertThat(send(HttpRequest.newBuilder(URI.create(upstream.url() + "/bytes/-1"))).statusCode()).isEqualTo(400);
    }
}
