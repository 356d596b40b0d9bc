package io.eventgate.edge.pipeline;

/** The character classes of HTTP's grammar that both the edge's request parser and its upstream-answer parser check. */
public final class HttpSyntax {
    private HttpSyntax() {
    }

    /** RFC 9110 §5.6.2's tchar: the characters of a method or a field name. */
    public static boolean tchar(byte b) {
        return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9'
                || b > 32 && b < 127 && "!#$%&'*+-.^_`|~".indexOf(b) >= 0;
    }
}
