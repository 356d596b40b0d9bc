package io.eventgate.schemas;

/**
 * Keys of {@code gateway.limits}: one record per scope and source ({@code consumer:acme|operator}), so directives of
 * different sources on one scope stand side by side, the edge enforces the strictest in force, and each source
 * replaces or lifts (tombstones) only its own. The source part is the directive's source up to its first ':', so every
 * operator writes under {@code operator} and any operator can lift what another set.
 */
public final class LimitKeys {
    public static final String SEPARATOR = "|";
    /** The sources that write to gateway.limits. */
    public static final String POLICY_STREAMS = "policy-streams";
    public static final String ANOMALY_DETECTOR = "anomaly-detector";
    public static final String OPERATOR = "operator";

    private LimitKeys() {
    }

    /** The key of {@code source}'s directive on {@code scope}. */
    public static String of(String scope, String source) {
        int colon = source.indexOf(':');
        return scope + SEPARATOR + (colon < 0 ? source : source.substring(0, colon));
    }

    /** The scope a key is about; a key written before sources had keys of their own is the scope itself. */
    public static String scopeOf(String key) {
        int separator = key.lastIndexOf(SEPARATOR);
        return separator < 0 ? key : key.substring(0, separator);
    }
}
