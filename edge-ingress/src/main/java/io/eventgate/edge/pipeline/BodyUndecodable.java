package io.eventgate.edge.pipeline;

import java.io.IOException;

/** The client's body is not in the encoding its {@code Content-Encoding} declares (a step was decoding it). */
public final class BodyUndecodable extends IOException {
    public BodyUndecodable(String encoding, Throwable cause) {
        super("the request body is not valid " + encoding + ": " + cause.getMessage(), cause);
    }
}
