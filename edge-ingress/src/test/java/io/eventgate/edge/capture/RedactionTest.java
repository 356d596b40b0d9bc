package io.eventgate.edge.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eventgate.avro.CapturedHeader;
import io.eventgate.policy.model.RoutePolicies;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RedactionTest {
    static Redaction redaction(List<String> headers, List<String> query, List<String> fields) {
        return new Redaction(new RoutePolicies.Capture(100, null, headers, query, fields), "X-API-Key", "key");
    }

    @Test
    void credentialsAndCookiesAreAlwaysTakenOutAndTheRouteNamesMore() {
        Redaction redaction = redaction(List.of("X-Internal"), List.of(), List.of());
        Map<String, List<String>> headers = new LinkedHashMap<>();
        headers.put("Authorization", List.of("Basic abc"));
        headers.put("Cookie", List.of("a=1", "b=2"));
        headers.put("x-api-key", List.of("k"));
        headers.put("X-Internal", List.of("i"));
        headers.put("Accept", List.of("text/plain", "application/json"));
        assertThat(redaction.headers(headers)).extracting(CapturedHeader::getName, CapturedHeader::getValue)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("accept", "text/plain"), org.assertj.core.groups.Tuple.tuple("accept", "application/json"));
        assertThat(redaction.redacted()).containsExactly("header:authorization", "header:cookie", "header:x-api-key", "header:x-internal");
    }

    @Test
    void queryParametersAreMatchedDecodedAndTheOthersKeepTheirEncoding() {
        Redaction redaction = redaction(List.of(), List.of("access token"), List.of());
        assertThat(redaction.query("a=%2F1&access%20token=t&key=k&b")).isEqualTo("a=%2F1&b");
        assertThat(redaction.redacted()).containsExactly("query:access token", "query:key");
        assertThat(redaction(List.of(), List.of(), List.of()).query("key=k")).as("nothing left").isNull();
        assertThat(redaction(List.of(), List.of(), List.of()).query(null)).isNull();
    }

    @Test
    void jsonFieldsAreMaskedByNameAtAnyDepthOrByPointer() {
        Redaction redaction = redaction(List.of(), List.of(), List.of("secret", "/items/1", "/a~1b"));
        byte[] body = "{\"secret\":1,\"items\":[{\"secret\":\"x\"},\"two\"],\"a/b\":true,\"keep\":\"k\"}".getBytes(StandardCharsets.UTF_8);
        assertThat(new String(redaction.body(body, true, null), StandardCharsets.UTF_8))
                .isEqualTo("{\"secret\":\"REDACTED\",\"items\":[{\"secret\":\"REDACTED\"},\"REDACTED\"],\"a/b\":\"REDACTED\",\"keep\":\"k\"}");
        assertThat(redaction.redacted()).containsExactly("json:/secret", "json:/items/0/secret", "json:/items/1", "json:/a~1b");
    }

    @Test
    void aBodyThatCannotBeCheckedIsLeftOutWholeButOnlyWhenFieldsAreNamed() {
        byte[] form = "secret=1".getBytes(StandardCharsets.UTF_8);
        byte[] json = "{\"secret\":1}".getBytes(StandardCharsets.UTF_8);
        assertThat(redaction(List.of(), List.of(), List.of()).body(form, true, null)).as("no fields named: kept as sent").isEqualTo(form);
        for (Redaction redaction : List.of(redaction(List.of(), List.of(), List.of("secret")))) {
            assertThat(redaction.body(form, true, null)).as("not JSON").isNull();
            assertThat(redaction.body(json, false, null)).as("cut at the size limit").isNull();
            assertThat(redaction.body(json, true, "gzip")).as("encoded").isNull();
            assertThat(redaction.body("\"secret\"".getBytes(StandardCharsets.UTF_8), true, null)).as("a JSON scalar").isNull();
            assertThat(redaction.redacted()).containsOnly("body");
        }
    }

    @Test
    void theCapturePolicyRefusesWhatItCannotDo() {
        assertThatThrownBy(() -> new RoutePolicies.Capture(0, null, null, null, null)).hasMessageContaining("capture.percent");
        assertThatThrownBy(() -> new RoutePolicies.Capture(10, 2 << 20, null, null, null)).hasMessageContaining("capture.maxBodyBytes");
        assertThatThrownBy(() -> new RoutePolicies.Capture(10, null, List.of("bad header"), null, null)).hasMessageContaining("capture.redactHeaders");
        assertThatThrownBy(() -> new RoutePolicies.Capture(10, null, null, null, List.of("/"))).hasMessageContaining("capture.redactJsonFields");
    }
}
