package io.eventgate.edge.pipeline;

import java.io.IOException;

/** The client's body went past the configured limit while it was being read. */
public final class BodyTooLarge extends IOException {
    public BodyTooLarge(long limit) {
        super("the request body exceeds the limit of " + limit + " bytes");
    }
}
