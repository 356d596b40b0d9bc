package io.eventgate.edge.routing;

/** What routing needs to know about a request, independent of the HTTP server. */
public interface RequestView {
    String method();

    /** Host without port, lower-cased; null if the request named none. */
    String host();

    /** The normalised path. */
    String path();

    /** First value of a header (name case-insensitive), or null. */
    String header(String name);
}
