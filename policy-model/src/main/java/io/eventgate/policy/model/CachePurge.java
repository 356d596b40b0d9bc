package io.eventgate.policy.model;

import java.util.regex.Pattern;

/**
 * A purge of the edges' response caches, sent through the control topic: the answers of one route, those whose key
 * starts with {@code key} ({@code "GET host/path"}: a path, or with a trailing part cut off, everything under it), or
 * those an upstream tagged {@code tag} with {@code Surrogate-Key} or {@code Cache-Tag}. Exactly one of the three.
 */
public record CachePurge(String route, String key, String tag) {
    private static final Pattern KEY = Pattern.compile("(GET|HEAD) [^ /]*/\\S*");

    public CachePurge {
        int named = (route == null ? 0 : 1) + (key == null ? 0 : 1) + (tag == null ? 0 : 1);
        if (named != 1) {
            throw new IllegalArgumentException("a purge names exactly one of route, key and tag, not " + named);
        }
        if (key != null && !KEY.matcher(key).matches()) {
            throw new IllegalArgumentException("key: '" + key + "' must be 'GET host/path' or 'HEAD host/path' (a prefix of cache keys)");
        }
        if (tag != null && (tag.isBlank() || tag.contains(" ") || tag.contains(","))) {
            throw new IllegalArgumentException("tag: '" + tag + "' must be one surrogate key, without spaces or commas");
        }
    }
}
