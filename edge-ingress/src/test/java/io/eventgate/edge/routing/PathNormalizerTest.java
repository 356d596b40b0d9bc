package io.eventgate.edge.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class PathNormalizerTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
            "/, /",
            "'', /",
            "/a/b, /a/b",
            "/a//b, /a/b",
            "//a///b//, /a/b/",
            "/a/./b, /a/b",
            "/a/../b, /b",
            "/../../etc/passwd, /etc/passwd",
            "/public/../admin, /admin",
            "/public/%2e%2e/admin, /admin",
            "/public/%2E%2E/admin, /admin",
            "/public/.%2e/admin, /admin",
            "/public/%2e/admin, /public/admin",
            "/%61dmin, /admin",
            "/a%20b, /a%20b",
            "/a%3fb, /a%3Fb",
            "/a/b/.., /a/",
            "/a/b/., /a/b/",
            "/api/%252e%252e/x, /api/%252e%252e/x"
    })
    void normalisesTheWayRoutingAndTheUpstreamSeeIt(String raw, String normalized) {
        assertThat(PathNormalizer.normalize(raw)).isEqualTo(normalized);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/a%2fb", "/a%2F..%2Fadmin", "/a%5cb", "/a\\..\\b", "/a%00b", "/a%zz", "/a%2", "relative", "/a\tb"})
    void refusesEncodingTricks(String raw) {
        assertThatThrownBy(() -> PathNormalizer.normalize(raw)).isInstanceOf(BadRequestPath.class);
    }
}
