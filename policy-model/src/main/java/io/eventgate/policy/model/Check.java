package io.eventgate.policy.model;

import java.time.Duration;

/** Validation helpers for settings records: each failure names the field and the offending value. */
public final class Check {
    private Check() {
    }

    public static <T> T required(T value, String field) {
        if (value == null || (value instanceof String s && s.isBlank())) {
            throw new IllegalArgumentException(field + " is required");
        }
        return value;
    }

    public static int range(int value, int min, int max, String field) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(field + " must be between " + min + " and " + max + ", was " + value);
        }
        return value;
    }

    public static long range(long value, long min, long max, String field) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(field + " must be between " + min + " and " + max + ", was " + value);
        }
        return value;
    }

    public static Duration positive(Duration value, String field) {
        if (value == null || value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(field + " must be a positive duration, was " + value);
        }
        return value;
    }

    public static <T> T orDefault(T value, T fallback) {
        return value == null ? fallback : value;
    }

    private static final java.util.regex.Pattern REQUEST_KEY = java.util.regex.Pattern.compile("client|consumer|(header|cookie):[!#$%&'*+.^_`|~0-9A-Za-z-]+");

    /** What a request is hashed on (a pool's {@code hashOn}, a split's {@code stickyOn}): client, consumer, header:NAME or cookie:NAME. */
    public static String requestKey(String value, String field) {
        if (!REQUEST_KEY.matcher(value).matches()) {
            throw new IllegalArgumentException(field + " must be client, consumer, header:NAME or cookie:NAME, was '" + value + "'");
        }
        return value;
    }
}
