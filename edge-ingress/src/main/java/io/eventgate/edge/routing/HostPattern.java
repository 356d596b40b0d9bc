package io.eventgate.edge.routing;

import java.util.Locale;

/** A route's host: exact ({@code api.example.com}), suffix wildcard ({@code *.example.com}), or any host. */
public record HostPattern(String text) {
    public static final HostPattern ANY = new HostPattern(null);

    /** 2 exact, 1 wildcard, 0 any: the higher ranks first. */
    public int rank() {
        if (text == null) {
            return 0;
        }
        return text.startsWith("*.") ? 1 : 2;
    }

    /** Longer wildcard suffixes are more specific. */
    public int length() {
        return text == null ? 0 : text.length();
    }

    /** Matches the request's host, lower-cased and without port. */
    public boolean matches(String host) {
        if (text == null) {
            return true;
        }
        if (host == null) {
            return false;
        }
        if (text.startsWith("*.")) {
            return host.endsWith(text.substring(1)) && host.length() > text.length() - 1;
        }
        return host.equals(text);
    }

    /** The host part of a Host or :authority value, lower-cased, without port (IPv6 literals keep their brackets). */
    public static String hostOf(String authority) {
        if (authority == null || authority.isEmpty()) {
            return null;
        }
        String value = authority.toLowerCase(Locale.ROOT);
        if (value.startsWith("[")) {
            int close = value.indexOf(']');
            return close > 0 ? value.substring(0, close + 1) : value;
        }
        int colon = value.lastIndexOf(':');
        return colon >= 0 ? value.substring(0, colon) : value;
    }
}
