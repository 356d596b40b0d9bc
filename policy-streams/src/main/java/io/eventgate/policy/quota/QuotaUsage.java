package io.eventgate.policy.quota;

/** A consumer's usage in one day, kept as {@code plan,count} text so the window store needs no extra serde. */
record QuotaUsage(String plan, long count) {
    static String add(String encoded, String plan) {
        long count = encoded.isEmpty() ? 0 : parse(encoded).count();
        return plan + "," + (count + 1);
    }

    static QuotaUsage parse(String encoded) {
        int comma = encoded.lastIndexOf(',');
        return new QuotaUsage(encoded.substring(0, comma), Long.parseLong(encoded.substring(comma + 1)));
    }
}
