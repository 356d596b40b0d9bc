package io.eventgate.edge.transform;

import io.eventgate.policy.model.RoutePolicies;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.StringJoiner;

/**
 * A route's query edits applied to the raw query the client sent: parameters it names are removed or replaced, the
 * others pass byte for byte; names and values it adds are percent-encoded (a space as {@code %20}).
 */
public final class QueryEditor {
    private QueryEditor() {
    }

    /** The query to send upstream (null for none). */
    public static String apply(String rawQuery, RoutePolicies.QueryEdits edits) {
        if (edits.isEmpty()) {
            return rawQuery;
        }
        StringJoiner out = new StringJoiner("&");
        if (rawQuery != null && !rawQuery.isEmpty()) {
            for (String pair : rawQuery.split("&")) {
                String name = decode(pair.indexOf('=') < 0 ? pair : pair.substring(0, pair.indexOf('=')));
                if (!edits.remove().contains(name) && !edits.set().containsKey(name)) {
                    out.add(pair);
                }
            }
        }
        for (Map<String, String> added : java.util.List.of(edits.set(), edits.add())) {
            added.forEach((name, value) -> out.add(encode(name) + "=" + encode(value)));
        }
        return out.length() == 0 ? null : out.toString();
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String decode(String text) {
        try {
            return java.net.URLDecoder.decode(text, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException malformed) {
            return text;
        }
    }
}
