package io.eventgate.edge.policy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.eventgate.avro.NodeConfig;
import io.eventgate.avro.StaticEntity;
import io.eventgate.edge.config.EdgeSettings;
import io.eventgate.policy.model.ConsumerSettings;
import io.eventgate.policy.model.PlanSettings;
import io.eventgate.policy.model.PoolSettings;
import io.eventgate.policy.model.RouteSettings;
import io.eventgate.settings.SettingsLoader;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The static entities an edge publishes on gateway.node-config: specs a control command could carry, binding back to the same settings. */
class StaticEntitiesTest {
    static final Instant T = Instant.parse("2026-11-30T12:00:00Z");

    static EdgeSettings localSample() {
        JsonNode local = SettingsLoader.load(Path.of("..", "config", "local.yaml"), JsonNode.class, null, Map.of());
        return SettingsLoader.bind(local.path("edge"), "config/local.yaml#edge", EdgeSettings.class);
    }

    @Test
    void everyEntityOfTheSampleConfigurationRoundTripsThroughItsSpec() {
        EdgeSettings settings = localSample();
        NodeConfig config = StaticEntities.of(settings, T);

        assertThat(config.getNodeId()).isEqualTo(settings.nodeId());
        assertThat(config.getEntities()).hasSize(settings.pools().size() + settings.routes().size() + settings.plans().size() + settings.consumers().size());
        for (StaticEntity entity : config.getEntities()) {
            String source = entity.getEntityKey();
            switch (entity.getEntityType()) {
                case "UPSTREAM_POOL" -> assertThat(SettingsLoader.bindJson(entity.getSpec(), source, PoolSettings.class)).as(source)
                        .isEqualTo(settings.pools().get(entity.getEntityId()));
                case "ROUTE" -> assertThat(SettingsLoader.bindJson(entity.getSpec(), source, RouteSettings.class)).as(source)
                        .isEqualTo(settings.routes().stream().filter(r -> r.id().equals(entity.getEntityId())).findFirst().orElseThrow());
                case "PLAN" -> assertThat(SettingsLoader.bindJson(entity.getSpec(), source, PlanSettings.class)).as(source)
                        .isEqualTo(settings.plans().get(entity.getEntityId()));
                case "CONSUMER" -> assertThat(SettingsLoader.bindJson(entity.getSpec(), source, ConsumerSettings.class)).as(source)
                        .isEqualTo(settings.consumers().get(entity.getEntityId()));
                default -> throw new AssertionError("unexpected type " + entity.getEntityType());
            }
        }
        assertThat(config.getEntities()).extracting(StaticEntity::getEntityKey).contains("pool:demo", "route:echo", "route:api");
    }

    @Test
    void theChecksumFollowsTheEntitiesAndNotTheTime() {
        EdgeSettings settings = localSample();
        assertThat(StaticEntities.of(settings, T).getChecksum()).isEqualTo(StaticEntities.of(settings, T.plusSeconds(60)).getChecksum());
        assertThat(StaticEntities.of(settings.withPolicies(settings.pools(), settings.routes().subList(1, settings.routes().size())), T).getChecksum())
                .isNotEqualTo(StaticEntities.of(settings, T).getChecksum());
    }

    @Test
    void consumersAreSharedAsKeyHashesOnly() {
        for (StaticEntity entity : StaticEntities.of(localSample(), T).getEntities()) {
            if (entity.getEntityType().equals("CONSUMER")) {
                assertThat(entity.getSpec()).doesNotContain("demo-key").containsPattern("sha256:[0-9a-f]{64}");
            }
        }
    }
}
