package io.eventgate.ctl;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ctl lint: a policy file checked offline, with no cluster at all. */
class LintTest {
    static final String GLOBAL = """
            global:
              governance: {routesAuthenticate: true, routesRateLimited: true, routesOwned: true, apiPrefixes: {orders: /api}}
            """;

    static CtlTest.Result lint(Path file) {
        StringWriter out = new StringWriter();
        int code = Ctl.run(new String[] {"lint", "-f", file.toString()}, new PrintWriter(out, true), new PrintWriter(out, true));
        return new CtlTest.Result(code, out.toString());
    }

    @Test
    void aFileThatKeepsTheRulesHasNoFindings(@TempDir Path dir) throws Exception {
        Path good = dir.resolve("good.yaml");
        Files.writeString(good, GLOBAL + """
                pools:
                  orders: {instances: [{url: "http://10.0.0.1:8080"}]}
                routes:
                  - id: orders
                    match: {paths: ["/api/**"]}
                    upstreams: [{pool: orders}]
                    anonymous: false
                    rateLimits: {route: {ratePerSecond: 100}}
                    info: {owner: team-orders, api: orders}
                    contract: {openapi: ../config/openapi/demo-orders.yaml}
                """);
        CtlTest.Result result = lint(good);
        assertThat(result.code()).as(result.out()).isEqualTo(0);
        assertThat(result.out()).contains("3 entities, no findings");
        CtlTest.Result example = lint(Path.of("..", "config", "example-policy.yaml"));
        assertThat(example.code()).as("the README lints the example policy: " + example.out()).isEqualTo(0);
    }

    @Test
    void everyFindingIsNamedAndTheExitCodeSaysSo(@TempDir Path dir) throws Exception {
        Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, GLOBAL + """
                routes:
                  - id: open
                    match: {paths: ["/admin/**"]}
                    upstreams: [{pool: orders}]
                    info: {owner: ops, api: orders}
                  - id: broken
                    match: {paths: ["/api/b"]}
                    upstreams: [{pool: orders}]
                    timeouts: {connect: -1s}
                  - id: narrow
                    match: {paths: ["/api/orders"]}
                    upstreams: [{pool: orders}]
                    anonymous: false
                    rateLimits: {route: {ratePerSecond: 1}}
                    info: {owner: team-orders, api: orders}
                    contract: {openapi: ../config/openapi/demo-orders.yaml}
                  - id: missing
                    match: {paths: ["/api/m/**"]}
                    upstreams: [{pool: orders}]
                    anonymous: false
                    rateLimits: {route: {ratePerSecond: 1}}
                    info: {owner: team-orders, api: orders}
                    contract: {openapi: nowhere.yaml}
                """);
        CtlTest.Result result = lint(bad);
        assertThat(result.code()).isEqualTo(1);
        assertThat(result.out())
                .contains("route:open breaks rule 'route-authenticates' (anonymous)")
                .contains("route:open breaks rule 'route-rate-limited' (rateLimits)")
                .contains("route:open breaks rule 'route-within-api-prefix' (match.paths[0]): '/admin/**' lies outside API 'orders''s prefix /api")
                .contains("route:broken: ").contains("timeouts")
                .contains("route:narrow: contract path /api/orders/{orderId} is outside the route's paths [/api/orders]")
                .contains("route:missing: contract.openapi: cannot read nowhere.yaml")
                .doesNotContain("route:narrow breaks");
    }
}
