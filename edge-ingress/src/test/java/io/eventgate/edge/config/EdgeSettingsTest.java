package io.eventgate.edge.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eventgate.policy.model.PoolSettings;
import io.eventgate.policy.model.RouteSettings;
import io.eventgate.settings.SettingsException;
import io.eventgate.settings.SettingsLoader;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EdgeSettingsTest {
    static final String VALID = """
            nodeId: edge-1
            server: {port: 8080, adminPort: 9901}
            kafka: {bootstrapServers: "127.0.0.1:9092", schemaRegistryUrl: "http://127.0.0.1:8081"}
            events: {journal: {dir: /tmp/journal}}
            pools:
              demo: {instances: [{url: "http://127.0.0.1:8090"}]}
            routes:
              - {id: echo, match: {paths: ["/echo/**"]}, upstreams: [{pool: demo}]}
            """;

    static EdgeSettings parse(String yaml) {
        return SettingsLoader.parse(yaml, "edge.yaml", EdgeSettings.class, "EDGE", Map.of());
    }

    @Test
    void theSampleInTheLocalConfigIsValid() {
        var local = SettingsLoader.load(Path.of("..", "config", "local.yaml"), com.fasterxml.jackson.databind.JsonNode.class, null, Map.of());
        EdgeSettings edge = SettingsLoader.bind(local.path("edge"), "config/local.yaml#edge", EdgeSettings.class);
        assertThat(edge.routes()).extracting(RouteSettings::id).containsExactly("echo", "cached", "hello-v0", "people", "maintenance", "chaos", "grpc", "ws", "api", "orders-in", "orders-latest",
                "orders-stream", "quote");
    }

    @Test
    void theContainerConfigIsValid() {
        EdgeSettings edge = SettingsLoader.load(Path.of("..", "config", "edge.yaml"), EdgeSettings.class, "EDGE", Map.of());
        assertThat(edge.kafka().bootstrapServers()).isEqualTo("kafka:9092");
        assertThat(edge.routes()).filteredOn(route -> route.kafka() != null).extracting(route -> route.kafka().mode())
                .as("the sample Kafka targets, one of each mode").containsExactly("produce", "latest", "stream", "request-reply");
    }

    @Test
    void defaultsFillWhatIsLeftOut() {
        EdgeSettings settings = parse(VALID);
        assertThat(settings.server().maxHeaderBytes()).isEqualTo(16 * 1024);
        assertThat(settings.events().enabled()).as("events are on unless switched off").isTrue();
        assertThat(settings.events().compression()).as("the event batches' codec").isEqualTo("lz4");
        assertThat(settings.policies().follow()).isTrue();
        assertThat(settings.routes().get(0).timeouts().firstByte()).hasSeconds(30);
        assertThat(settings.pools().get("demo").balancer()).isEqualTo(PoolSettings.Balancer.ROUND_ROBIN);
    }

    @Test
    void badFieldsFailWithTheirPath() {
        assertThatThrownBy(() -> parse(VALID.replace("{pool: demo}", "{pool: nope}")))
                .isInstanceOf(SettingsException.class).hasMessageContaining("routes[0].upstreams[0].pool 'nope' is not a configured pool");
        assertThatThrownBy(() -> parse(VALID.replace("http://127.0.0.1:8090", "ftp://x")))
                .isInstanceOfSatisfying(SettingsException.class, e -> assertThat(e.path()).isEqualTo("pools.demo.instances[0]"))
                .hasMessageContaining("must be http://host:port");
        assertThatThrownBy(() -> parse(VALID.replace("adminPort: 9901", "adminPort: 8080")))
                .hasMessageContaining("adminPort must differ from port");
        assertThatThrownBy(() -> parse(VALID.replace("paths: [\"/echo/**\"]", "paths: [\"echo\"]")))
                .hasMessageContaining("must start with '/'");
        assertThatThrownBy(() -> parse(VALID.replace("{id: echo,", "{id: echo, retries: {attempts: 99},")))
                .hasMessageContaining("attempts must be between 0 and 10, was 99");
        assertThatThrownBy(() -> parse(VALID.replace("nodeId: edge-1", "nodeId: edge-1\nsurprise: 1")))
                .hasMessageContaining("unknown setting 'surprise'");
        assertThat(parse(VALID.replace("events: {journal:", "events: {compression: ZSTD, journal:")).events().compression()).isEqualTo("zstd");
        assertThatThrownBy(() -> parse(VALID.replace("events: {journal:", "events: {compression: brotli, journal:")))
                .hasMessageContaining("compression must be one of [gzip, lz4, none, snappy, zstd], not 'brotli'");
    }

    @Test
    void credentialSettingsRefuseWhatWouldWeakenThem() {
        String jwt = "nodeId: edge-1\nauth: {jwt: {algorithms: [RS256], issuer: https://issuer.test, audiences: [api], jwksUrl: \"https://127.0.0.1:1/jwks\"}}";
        assertThat(parse(VALID.replace("nodeId: edge-1", jwt)).auth().jwt().consumerClaim()).isEqualTo("sub");
        assertThatThrownBy(() -> parse(VALID.replace("nodeId: edge-1", jwt.replace("[RS256]", "[RS256, none]"))))
                .hasMessageContaining("'none' would accept unsigned tokens");
        assertThatThrownBy(() -> parse(VALID.replace("nodeId: edge-1", jwt.replace("[RS256]", "[HS256]"))))
                .hasMessageContaining("HS256 needs jwt.hsSecrets");
        assertThatThrownBy(() -> parse(VALID.replace("nodeId: edge-1", jwt.replace("audiences: [api], ", ""))))
                .hasMessageContaining("jwt.audiences is required");
        assertThatThrownBy(() -> parse(VALID + "plans: {gold: {ratePerSecond: 1, burst: 1}}\nconsumers: {acme: {plan: gold, passwordHash: hunter2}}\n"))
                .hasMessageContaining("never a password in plain text");
        assertThatThrownBy(() -> parse(VALID.replace("nodeId: edge-1", "nodeId: edge-1\nauth: {introspection: {url: \"https://x\", clientId: gw, clientSecret: s, cacheTtl: 1h}}")))
                .hasMessageContaining("cacheTtl must be at most 5m");
        assertThatThrownBy(() -> parse(VALID.replace("nodeId: edge-1", jwt.replace("https://127.0.0.1", "http://127.0.0.1")))).as("keys over plain http")
                .hasMessageContaining("jwt.jwksUrl must be https");
        assertThat(parse(VALID.replace("nodeId: edge-1", jwt.replace("https://127.0.0.1", "http://127.0.0.1").replace("}}", ", allowInsecureHttp: true}}")))
                .auth().jwt().allowInsecureHttp()).isTrue();
        assertThatThrownBy(() -> parse(VALID.replace("nodeId: edge-1", "nodeId: edge-1\nauth: {introspection: {url: \"http://x\", clientId: gw, clientSecret: s}}")))
                .hasMessageContaining("introspection.url must be https");
    }
}
