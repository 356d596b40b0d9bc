package io.eventgate.edge.routing;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventgate.policy.model.RouteSettings;
import io.eventgate.policy.model.RouteSettings.Destination;
import io.eventgate.policy.model.RouteSettings.Match;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RouteTableTest {
    record Req(String method, String host, String path, Map<String, String> headers) implements RequestView {
        Req(String method, String host, String path) {
            this(method, host, path, Map.of());
        }

        @Override
        public String header(String name) {
            return headers.get(name.toLowerCase());
        }
    }

    static RouteSettings route(String id, List<String> hosts, List<String> paths, List<String> methods, Map<String, String> headers) {
        return new RouteSettings(id, new Match(hosts, paths, methods, headers), List.of(new Destination("p", 100)), null, null, null, null, null);
    }

    static RouteSettings route(String id, String... paths) {
        return route(id, null, List.of(paths), null, null);
    }

    static String routed(RouteTable table, Req request) {
        return table.match(request).map(m -> m.route().id()).orElse("404");
    }

    @Test
    void exactBeatsTemplateBeatsPrefixAndLongerPrefixBeatsShorter() {
        RouteTable table = RouteTable.of(List.of(
                route("catch-all", "/**"),
                route("api", "/api/**"),
                route("api-v2", "/api/v2/**"),
                route("user", "/api/users/{id}"),
                route("me", "/api/users/me")));

        assertThat(routed(table, new Req("GET", null, "/api/users/me"))).isEqualTo("me");
        assertThat(routed(table, new Req("GET", null, "/api/users/42"))).isEqualTo("user");
        assertThat(routed(table, new Req("GET", null, "/api/users/42/orders"))).isEqualTo("api");
        assertThat(routed(table, new Req("GET", null, "/api/v2/things"))).isEqualTo("api-v2");
        assertThat(routed(table, new Req("GET", null, "/api"))).isEqualTo("api");
        assertThat(routed(table, new Req("GET", null, "/apis"))).isEqualTo("catch-all");
    }

    @Test
    void templateVariablesAreCaptured() {
        RouteTable table = RouteTable.of(List.of(route("order", "/users/{user}/orders/{order}")));
        Map<String, String> variables = table.match(new Req("GET", null, "/users/7/orders/99")).orElseThrow().pathVariables();
        assertThat(variables).containsEntry("user", "7").containsEntry("order", "99");
        assertThat(table.match(new Req("GET", null, "/users/7/orders"))).isEmpty();
        assertThat(table.match(new Req("GET", null, "/users//orders/1"))).isEmpty();
    }

    @Test
    void exactHostBeatsWildcardBeatsAnyHost() {
        RouteTable table = RouteTable.of(List.of(
                route("any", null, List.of("/**"), null, null),
                route("wild", List.of("*.example.com"), List.of("/**"), null, null),
                route("deep-wild", List.of("*.eu.example.com"), List.of("/**"), null, null),
                route("exact", List.of("api.example.com"), List.of("/**"), null, null)));

        assertThat(routed(table, new Req("GET", "api.example.com", "/x"))).isEqualTo("exact");
        assertThat(routed(table, new Req("GET", "www.example.com", "/x"))).isEqualTo("wild");
        assertThat(routed(table, new Req("GET", "api.eu.example.com", "/x"))).isEqualTo("deep-wild");
        assertThat(routed(table, new Req("GET", "example.com", "/x"))).isEqualTo("any");
        assertThat(routed(table, new Req("GET", "other.org", "/x"))).isEqualTo("any");
    }

    @Test
    void hostOutranksPathSpecificity() {
        RouteTable table = RouteTable.of(List.of(
                route("exact-path-any-host", null, List.of("/login"), null, null),
                route("host-prefix", List.of("admin.example.com"), List.of("/**"), null, null)));
        assertThat(routed(table, new Req("GET", "admin.example.com", "/login"))).isEqualTo("host-prefix");
        assertThat(routed(table, new Req("GET", "www.example.com", "/login"))).isEqualTo("exact-path-any-host");
    }

    @Test
    void methodAndHeaderConditionsNarrowAndOutrank() {
        RouteTable table = RouteTable.of(List.of(
                route("all", null, List.of("/items/**"), null, null),
                route("writes", null, List.of("/items/**"), List.of("POST", "PUT"), null),
                route("beta-writes", null, List.of("/items/**"), List.of("POST"), Map.of("X-Beta", "1"))));

        assertThat(routed(table, new Req("GET", null, "/items/1"))).isEqualTo("all");
        assertThat(routed(table, new Req("PUT", null, "/items/1"))).isEqualTo("writes");
        assertThat(routed(table, new Req("POST", null, "/items/1"))).isEqualTo("writes");
        assertThat(routed(table, new Req("POST", null, "/items/1", Map.of("x-beta", "1")))).isEqualTo("beta-writes");
        assertThat(routed(table, new Req("POST", null, "/items/1", Map.of("x-beta", "2")))).isEqualTo("writes");
    }

    @Test
    void declarationOrderBreaksTies() {
        RouteTable table = RouteTable.of(List.of(route("first", "/same/**"), route("second", "/same/**")));
        assertThat(routed(table, new Req("GET", null, "/same/x"))).isEqualTo("first");
    }

    @Test
    void noMatchIsEmpty() {
        RouteTable table = RouteTable.of(List.of(route("api", "/api/**")));
        assertThat(table.match(new Req("GET", null, "/other"))).isEmpty();
    }

    @Test
    void weightedSplitFollowsTheWeights() {
        RouteSettings canary = new RouteSettings("canary", new Match(null, List.of("/**"), null, null),
                List.of(new Destination("stable", 90), new Destination("canary", 10)), null, null, null, null, null);
        Route route = new Route(canary);
        Map<String, Integer> counts = new HashMap<>();
        int n = 20_000;
        for (int i = 0; i < n; i++) {
            counts.merge(route.choosePool(), 1, Integer::sum);
        }
        // 10 % of 20,000: sd ≈ 42, so ±300 is more than 7 sd
        assertThat(counts.get("canary")).isBetween(1_700, 2_300);
        assertThat(counts.get("stable")).isBetween(17_700, 18_300);
    }

    @Test
    void zeroWeightGroupGetsNothing() {
        Route route = new Route(new RouteSettings("blue-green", new Match(null, List.of("/**"), null, null),
                List.of(new Destination("blue", 0), new Destination("green", 100)), null, null, null, null, null));
        for (int i = 0; i < 1000; i++) {
            assertThat(route.choosePool()).isEqualTo("green");
        }
    }

    @Test
    void stripAndAddPrefixRewriteThePath() {
        Route api = new Route(new RouteSettings("api", new Match(null, List.of("/api/**"), null, null),
                List.of(new Destination("p", 1)), "/api", "/echo", null, null, null));
        assertThat(api.upstreamPath("/api/x")).isEqualTo("/echo/x");
        assertThat(api.upstreamPath("/api")).isEqualTo("/echo");
        assertThat(api.upstreamPath("/api/")).isEqualTo("/echo/");
        assertThat(api.upstreamPath("/apix")).isEqualTo("/echo/apix");
    }

    @Test
    void aVersionIsSelectedByAMediaTypeParameter() {
        assertThat(Route.matchesValue(";version=2", "application/vnd.shop+json; version=2")).isTrue();
        assertThat(Route.matchesValue(";version=2", "text/html, application/vnd.shop+json;Version=\"2\";q=0.9")).isTrue();
        assertThat(Route.matchesValue(";version=2", "application/vnd.shop+json; version=21")).isFalse();
        assertThat(Route.matchesValue(";version=2", "application/json")).isFalse();
        assertThat(Route.matchesValue("*", "anything")).isTrue();
        assertThat(Route.matchesValue("exact", "exact")).isTrue();
        RouteTable table = RouteTable.of(List.of(route("orders-v1", null, List.of("/orders/**"), null, null),
                route("orders-v2", null, List.of("/orders/**"), null, Map.of("Accept", ";version=2"))));
        assertThat(routed(table, new Req("GET", "h", "/orders/7", Map.of("accept", "application/vnd.shop+json; version=2")))).isEqualTo("orders-v2");
        assertThat(routed(table, new Req("GET", "h", "/orders/7", Map.of("accept", "application/json")))).isEqualTo("orders-v1");
    }
}
