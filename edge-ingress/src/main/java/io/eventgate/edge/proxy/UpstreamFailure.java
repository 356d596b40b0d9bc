package io.eventgate.edge.proxy;

import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.channels.ClosedByInterruptException;

/** Why an upstream attempt produced no response, and what the client is told. */
public enum UpstreamFailure {
    /** Refused or unreachable: nothing was sent, safe to retry. */
    CONNECT_FAILED(502, true),
    /** The connection was not established within the connect timeout: safe to retry. */
    CONNECT_TIMEOUT(504, true),
    /** No response headers within the first-byte timeout. */
    FIRST_BYTE_TIMEOUT(504, false),
    /** The upstream went silent longer than the idle timeout. */
    IDLE_TIMEOUT(504, false),
    /** The connection broke after the request was sent. */
    RESET(502, false),
    /** The client went away while its body was being forwarded. */
    CLIENT_ABORTED(499, false),
    /** The client's body went past the size limit while it was being forwarded. */
    BODY_TOO_LARGE(413, false),
    /** The client's encoded body could not be decoded while it was being forwarded (the route decodes request bodies). */
    BODY_UNDECODABLE(400, false),
    /** Another attempt of a hedged request answered first, and this one was called off: no fault of its instance's. */
    CANCELLED(499, false);

    private final int status;
    private final boolean retryable;

    UpstreamFailure(int status, boolean retryable) {
        this.status = status;
        this.retryable = retryable;
    }

    public int status() {
        return status;
    }

    public boolean retryable() {
        return retryable;
    }

    /** Whether the client's side failed, not the upstream: no mark against the instance, no retry. */
    public boolean clientsFault() {
        return this == CLIENT_ABORTED || this == BODY_TOO_LARGE || this == BODY_UNDECODABLE || this == CANCELLED;
    }

    public boolean timeout() {
        return status == 504;
    }

    /** What happened, in words for the client's error body. */
    public String description() {
        return switch (this) {
            case CONNECT_FAILED -> "connection refused or unreachable";
            case CONNECT_TIMEOUT -> "connect timed out";
            case FIRST_BYTE_TIMEOUT -> "no response within the first-byte timeout";
            case IDLE_TIMEOUT -> "no data within the idle timeout";
            case RESET -> "connection broke before a response";
            case CLIENT_ABORTED -> "client went away";
            case BODY_TOO_LARGE -> "request body too large";
            case BODY_UNDECODABLE -> "request body not in its declared Content-Encoding";
            case CANCELLED -> "called off: another attempt answered first";
        };
    }

    /** Classifies an exception from the upstream client, given whether the first-byte timer fired. */
    public static UpstreamFailure classify(Throwable error, boolean firstByteExpired) {
        if (firstByteExpired) {
            return FIRST_BYTE_TIMEOUT;
        }
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof io.eventgate.edge.pipeline.BodyTooLarge) {
                return BODY_TOO_LARGE;
            }
            if (t instanceof io.eventgate.edge.pipeline.BodyUndecodable) {
                return BODY_UNDECODABLE;
            }
            if (t instanceof ClientAbort) {
                return t.getCause() instanceof io.eventgate.edge.pipeline.BodyTooLarge ? BODY_TOO_LARGE
                        : t.getCause() instanceof io.eventgate.edge.pipeline.BodyUndecodable ? BODY_UNDECODABLE : CLIENT_ABORTED;
            }
            if (t instanceof ConnectException || t instanceof NoRouteToHostException || t instanceof UnknownHostException) {
                return CONNECT_FAILED;
            }
            if (t instanceof SocketTimeoutException timeout) {
                String message = String.valueOf(timeout.getMessage()).toLowerCase(java.util.Locale.ROOT);
                return message.contains("connect") ? CONNECT_TIMEOUT : IDLE_TIMEOUT;
            }
            if (t instanceof ClosedByInterruptException || t instanceof InterruptedIOException) {
                return FIRST_BYTE_TIMEOUT;
            }
            if (t.getMessage() != null && t.getMessage().toLowerCase(java.util.Locale.ROOT).contains("connection refused")) {
                return CONNECT_FAILED;
            }
        }
        return RESET;
    }

    /** Marks a failure to read the client's body while forwarding it. */
    public static final class ClientAbort extends RuntimeException {
        public ClientAbort(Throwable cause) {
            super("client closed the connection while sending its body", cause, false, false);
        }
    }
}
