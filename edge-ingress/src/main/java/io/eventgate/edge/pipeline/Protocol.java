package io.eventgate.edge.pipeline;

/** How a request goes on once the pipeline has admitted it: each protocol has one {@link Exit}. */
public enum Protocol {
    /** An HTTP/1.1 or HTTP/2 request and its response. */
    HTTP,
    /** An HTTP/1.1 upgrade to a WebSocket session (RFC 6455), relayed frame by frame once the upstream accepted it. */
    WEBSOCKET,
    /**
     * A gRPC call: an HTTP/2 request of content type {@code application/grpc}, relayed message by message in both
     * directions, its trailers included; the edge's own refusals are answered as gRPC statuses.
     */
    GRPC
}
