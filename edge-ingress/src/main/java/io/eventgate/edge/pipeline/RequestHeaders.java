package io.eventgate.edge.pipeline;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiConsumer;

/** The client's request headers, read-only; names are case-insensitive. */
public interface RequestHeaders {
    /** First value of the header, or null. */
    String first(String name);

    /** Every value of the header, in order (empty if absent). */
    List<String> all(String name);

    /** Visits every header with its values. */
    void forEach(BiConsumer<String, List<String>> visitor);

    /** Headers from a map (tests, tools): keys are matched case-insensitively. */
    static RequestHeaders of(Map<String, List<String>> headers) {
        Map<String, List<String>> lower = new java.util.LinkedHashMap<>();
        headers.forEach((k, v) -> lower.put(k.toLowerCase(Locale.ROOT), List.copyOf(v)));
        return new RequestHeaders() {
            @Override
            public String first(String name) {
                List<String> values = lower.get(name.toLowerCase(Locale.ROOT));
                return values == null || values.isEmpty() ? null : values.get(0);
            }

            @Override
            public List<String> all(String name) {
                return lower.getOrDefault(name.toLowerCase(Locale.ROOT), List.of());
            }

            @Override
            public void forEach(BiConsumer<String, List<String>> visitor) {
                lower.forEach(visitor);
            }
        };
    }
}
