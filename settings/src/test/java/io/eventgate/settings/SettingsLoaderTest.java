package io.eventgate.settings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SettingsLoaderTest {
    record Server(String host, int port) {
        Server {
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("must be between 1 and 65535, was " + port);
            }
        }
    }

    record Sample(Server server, Server demoUpstream, List<Server> extra) {
    }

    static final String YAML = """
            server: {host: 127.0.0.1, port: 8080}
            demoUpstream: {host: 127.0.0.1, port: 8090}
            extra:
              - {host: a, port: 1}
            """;

    @Test
    void bindsYamlToRecords() {
        Sample sample = SettingsLoader.parse(YAML, "test.yaml", Sample.class, "GATEWAY", Map.of());
        assertThat(sample.server()).isEqualTo(new Server("127.0.0.1", 8080));
        assertThat(sample.extra()).containsExactly(new Server("a", 1));
    }

    @Test
    void environmentOverridesExistingKeysOnly() {
        Sample sample = SettingsLoader.parse(YAML, "test.yaml", Sample.class, "GATEWAY",
                Map.of("GATEWAY_DEMO_UPSTREAM_PORT", "9999", "GATEWAY_SERVER_HOST", "0.0.0.0", "GATEWAY_SERVER_NOPE", "1"));
        assertThat(sample.demoUpstream().port()).isEqualTo(9999);
        assertThat(sample.server().host()).isEqualTo("0.0.0.0");
    }

    @Test
    void validationErrorsNameTheFieldPath() {
        assertThatThrownBy(() -> SettingsLoader.parse(YAML.replace("port: 8090", "port: 70000"), "test.yaml", Sample.class, null, Map.of()))
                .isInstanceOfSatisfying(SettingsException.class, e -> assertThat(e.path()).isEqualTo("demoUpstream"))
                .hasMessageContaining("test.yaml").hasMessageContaining("between 1 and 65535, was 70000");
        assertThatThrownBy(() -> SettingsLoader.parse(YAML.replace("{host: a, port: 1}", "{host: a, port: 1, prot: 1}"), "test.yaml", Sample.class, null, Map.of()))
                .isInstanceOfSatisfying(SettingsException.class, e -> assertThat(e.path()).isEqualTo("extra[0].prot"))
                .hasMessageContaining("unknown setting 'prot'");
        assertThatThrownBy(() -> SettingsLoader.parse(YAML.replace("port: 8080", "port: eighty"), "test.yaml", Sample.class, null, Map.of()))
                .isInstanceOfSatisfying(SettingsException.class, e -> assertThat(e.path()).isEqualTo("server.port"));
        assertThatThrownBy(() -> SettingsLoader.parse("server: [unclosed", "test.yaml", Sample.class, null, Map.of()))
                .hasMessageContaining("not valid YAML");
    }

    @Test
    void jsonDocumentsSuchAsPolicySpecsBindTheSameWay() {
        assertThat(SettingsLoader.bindJson("{\"host\":\"a\",\"port\":1}", "route:r", Server.class)).isEqualTo(new Server("a", 1));
        assertThatThrownBy(() -> SettingsLoader.bindJson("{\"host\":\"a\",\"port\":1,\"prot\":1}", "route:r", Server.class))
                .isInstanceOfSatisfying(SettingsException.class, e -> assertThat(e.problem()).isEqualTo("unknown setting 'prot'"));
        assertThatThrownBy(() -> SettingsLoader.bindJson("{\"host\":", "route:r", Server.class))
                .isInstanceOf(SettingsException.class).hasMessageContaining("route:r").hasMessageContaining("not valid JSON");
        assertThatThrownBy(() -> SettingsLoader.bindJson("", "route:r", Server.class))
                .isInstanceOf(SettingsException.class).hasMessageContaining("empty");
    }

    @Test
    void envNamesSplitCamelCase() {
        assertThat(EnvironmentOverrides.envName("demoUpstream")).isEqualTo("DEMO_UPSTREAM");
        assertThat(EnvironmentOverrides.envName("data-dir")).isEqualTo("DATA_DIR");
    }

    record Timed(java.time.Duration timeout) {
    }

    @Test
    void durationsAreWrittenAsPeopleWriteThem() {
        assertThat(SettingsLoader.parse("timeout: 250ms", "t", Timed.class, null, Map.of()).timeout()).isEqualTo(java.time.Duration.ofMillis(250));
        assertThat(SettingsLoader.parse("timeout: 5s", "t", Timed.class, null, Map.of()).timeout()).isEqualTo(java.time.Duration.ofSeconds(5));
        assertThat(SettingsLoader.parse("timeout: PT1M", "t", Timed.class, null, Map.of()).timeout()).isEqualTo(java.time.Duration.ofMinutes(1));
        assertThatThrownBy(() -> SettingsLoader.parse("timeout: soon", "t", Timed.class, null, Map.of()))
                .isInstanceOfSatisfying(SettingsException.class, e -> assertThat(e.path()).isEqualTo("timeout"))
                .hasMessageContaining("not a duration");
    }
}
