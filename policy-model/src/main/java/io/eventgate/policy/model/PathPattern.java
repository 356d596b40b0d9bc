package io.eventgate.policy.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A route's path pattern, matched against normalised paths: exact ({@code /health}), template
 * ({@code /users/{id}}, {@code *} for any one segment), or prefix ({@code /api/**}, which matches
 * {@code /api} and everything below it but not {@code /apis}). Templates may end in {@code /**} too.
 */
public final class PathPattern {
    /** Kinds in order of precedence, most specific last. */
    public enum Kind { PREFIX, TEMPLATE, EXACT }

    private static final Pattern VARIABLE = Pattern.compile("\\{[A-Za-z_][A-Za-z0-9_]*}");

    private final String text;
    private final Kind kind;
    private final List<String> segments;
    private final boolean openEnded;
    private final int literalLength;

    private PathPattern(String text, Kind kind, List<String> segments, boolean openEnded, int literalLength) {
        this.text = text;
        this.kind = kind;
        this.segments = segments;
        this.openEnded = openEnded;
        this.literalLength = literalLength;
    }

    public static PathPattern parse(String text) {
        if (!text.startsWith("/")) {
            throw new IllegalArgumentException("paths: '" + text + "' must start with '/'");
        }
        boolean openEnded = text.equals("/**") || text.endsWith("/**");
        String body = openEnded ? text.substring(0, text.length() - 3) : text;
        List<String> segments = new ArrayList<>();
        boolean template = false;
        int literal = 0;
        for (String segment : body.split("/")) {
            if (segment.isEmpty()) {
                continue;
            }
            if (segment.contains("**")) {
                throw new IllegalArgumentException("path pattern '" + text + "': '**' may only end the pattern");
            }
            if (segment.equals("*") || VARIABLE.matcher(segment).matches()) {
                template = true;
            } else if (segment.contains("{") || segment.contains("}") || segment.contains("*")) {
                throw new IllegalArgumentException("path pattern '" + text + "': segment '" + segment + "' must be a literal, '*' or '{name}'");
            } else {
                literal += segment.length() + 1;
            }
            segments.add(segment);
        }
        Kind kind = template ? Kind.TEMPLATE : openEnded ? Kind.PREFIX : Kind.EXACT;
        return new PathPattern(text, kind, List.copyOf(segments), openEnded, literal);
    }

    /** Matches a normalised path, filling {@code variables} with template values; false if it does not match. */
    public boolean matches(String path, Map<String, String> variables) {
        int position = 1;
        for (String segment : segments) {
            if (position > path.length()) {
                return false;
            }
            int end = path.indexOf('/', position);
            if (end < 0) {
                end = path.length();
            }
            String actual = path.substring(position, end);
            if (segment.equals("*")) {
                if (actual.isEmpty()) {
                    return false;
                }
            } else if (segment.startsWith("{")) {
                if (actual.isEmpty()) {
                    return false;
                }
                variables.put(segment.substring(1, segment.length() - 1), actual);
            } else if (!segment.equals(actual)) {
                return false;
            }
            position = end + 1;
        }
        if (openEnded) {
            return true;
        }
        // nothing may follow the last segment except one trailing slash
        return position >= path.length();
    }

    public Kind kind() {
        return kind;
    }

    /** Characters fixed by the pattern: a longer literal part is more specific. */
    public int literalLength() {
        return literalLength;
    }

    public int segmentCount() {
        return segments.size();
    }

    /** The literal prefix of a prefix pattern (e.g. {@code /api}), used for prefix stripping. */
    public String text() {
        return text;
    }

    @Override
    public String toString() {
        return text;
    }
}
