package io.eventgate.edge.routing;

/** A request path that cannot be routed safely; answered with 400 and the reason. */
public final class BadRequestPath extends RuntimeException {
    public BadRequestPath(String reason) {
        super(reason, null, false, false);
    }
}
