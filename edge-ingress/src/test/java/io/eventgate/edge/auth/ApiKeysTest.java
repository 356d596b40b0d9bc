package io.eventgate.edge.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eventgate.policy.model.ConsumerSettings;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ApiKeysTest {
    @Test
    void keysAreFoundByTheirHashAndTwoMayBeActiveForRotation() {
        ApiKeys keys = ApiKeys.of(Map.of("acme", new ConsumerSettings("gold", List.of(ApiKeys.hash("old-key"), ApiKeys.hash("new-key")), null),
                "other", new ConsumerSettings("gold", List.of(ApiKeys.hash("other-key")), null)));
        assertThat(keys.consumerOf("old-key")).hasValue("acme");
        assertThat(keys.consumerOf("new-key")).hasValue("acme");
        assertThat(keys.consumerOf("other-key")).hasValue("other");
        assertThat(keys.consumerOf("guess")).isEmpty();
    }

    @Test
    void keysInPlainTextOrMoreThanTwoAreRefused() {
        assertThatThrownBy(() -> new ConsumerSettings("gold", List.of("demo-key"), null)).hasMessageContaining("never a key in plain text");
        assertThatThrownBy(() -> new ConsumerSettings("gold", List.of(ApiKeys.hash("a"), ApiKeys.hash("b"), ApiKeys.hash("c")), null))
                .hasMessageContaining("at most two keys");
    }

    @Test
    void aKeySharedByTwoConsumersIsRefused() {
        assertThatThrownBy(() -> ApiKeys.of(Map.of("a", new ConsumerSettings("p", List.of(ApiKeys.hash("k")), null),
                "b", new ConsumerSettings("p", List.of(ApiKeys.hash("k")), null)))).hasMessageContaining("shared");
    }
}
