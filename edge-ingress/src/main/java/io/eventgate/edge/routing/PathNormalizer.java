package io.eventgate.edge.routing;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Brings a raw request path to the one form that routing matches and the upstream receives, so no
 * encoding trick can reach an upstream path that a route's policy would not have matched:
 * percent-encoded unreserved characters are decoded (so {@code %2e} is a dot), dot segments are
 * resolved (RFC 3986 §5.2.4), repeated slashes are merged, and encoded slashes or backslashes, raw
 * backslashes, NUL and malformed escapes are refused.
 */
public final class PathNormalizer {
    private PathNormalizer() {
    }

    public static String normalize(String rawPath) {
        if (rawPath == null || rawPath.isEmpty()) {
            return "/";
        }
        if (rawPath.charAt(0) != '/') {
            throw new BadRequestPath("the request path must start with '/'");
        }
        if (alreadyNormal(rawPath)) {
            return rawPath;
        }
        String decoded = decodeUnreserved(rawPath);
        return removeDotSegments(decoded);
    }

    /** The common case, checked in one pass: no escapes, no dot segments, no empty segments, nothing refused. */
    private static boolean alreadyNormal(String path) {
        char previous = 0;
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c == '%' || c == '\\' || c < 0x20 || c == 0x7f || (c == '/' && previous == '/') || (c == '.' && previous == '/')) {
                return false;
            }
            previous = c;
        }
        return true;
    }

    private static String decodeUnreserved(String raw) {
        StringBuilder out = new StringBuilder(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '\\') {
                throw new BadRequestPath("backslashes are not allowed in the path");
            }
            if (c < 0x20 || c == 0x7f) {
                throw new BadRequestPath("control characters are not allowed in the path");
            }
            if (c != '%') {
                out.append(c);
                continue;
            }
            if (i + 2 >= raw.length() || hex(raw.charAt(i + 1)) < 0 || hex(raw.charAt(i + 2)) < 0) {
                throw new BadRequestPath("malformed percent-escape in the path");
            }
            int value = hex(raw.charAt(i + 1)) * 16 + hex(raw.charAt(i + 2));
            if (value == '/' || value == '\\') {
                throw new BadRequestPath("encoded slashes are not allowed in the path");
            }
            if (value == 0) {
                throw new BadRequestPath("NUL is not allowed in the path");
            }
            if (unreserved(value)) {
                out.append((char) value);
            } else {
                out.append('%').append(Character.toUpperCase(raw.charAt(i + 1))).append(Character.toUpperCase(raw.charAt(i + 2)));
            }
            i += 2;
        }
        return out.toString();
    }

    private static String removeDotSegments(String path) {
        Deque<String> segments = new ArrayDeque<>();
        String[] parts = path.split("/", -1);
        for (int i = 1; i < parts.length; i++) {
            String part = parts[i];
            boolean last = i == parts.length - 1;
            switch (part) {
                case "", "." -> {
                    if (last) {
                        segments.addLast("");
                    }
                }
                case ".." -> {
                    if (!segments.isEmpty()) {
                        segments.removeLast();
                    }
                    if (last) {
                        segments.addLast("");
                    }
                }
                default -> segments.addLast(part);
            }
        }
        if (segments.isEmpty()) {
            return "/";
        }
        return "/" + String.join("/", segments);
    }

    private static boolean unreserved(int c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~';
    }

    private static int hex(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }
}
