package io.eventgate.edge.pipeline;

import com.google.protobuf.Any;
import com.google.rpc.RetryInfo;
import io.grpc.Status;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The edge's own refusal of a gRPC call, as a gRPC client reads one: HTTP 200, {@code application/grpc}, no message, and
 * the status in the trailers: {@code grpc-status}, {@code grpc-message} (percent-encoded), and for a limit with a
 * Retry-After, {@code grpc-retry-pushback-ms} and a {@code google.rpc.RetryInfo} in {@code grpc-status-details-bin}.
 * (Helidon's server ends a stream with its body, so the status goes in trailers after an empty body rather than in a
 * single header block; gRPC clients read both alike.) The RequestEvent keeps the HTTP status the edge would
 * have answered (429, 401...) beside the gRPC code, so analytics and billing read refusals alike for every protocol.
 */
public final class GrpcReplies {
    private GrpcReplies() {
    }

    /** The gRPC code of what the edge would have answered with {@code status}. */
    public static Status.Code code(int status) {
        return switch (status) {
            case 400, 415 -> Status.Code.INVALID_ARGUMENT;
            case 401 -> Status.Code.UNAUTHENTICATED;
            case 403 -> Status.Code.PERMISSION_DENIED;
            case 404, 405 -> Status.Code.UNIMPLEMENTED;
            case 408, 504 -> Status.Code.DEADLINE_EXCEEDED;
            case 410 -> Status.Code.NOT_FOUND;
            case 413, 429, 431 -> Status.Code.RESOURCE_EXHAUSTED;
            case 499 -> Status.Code.CANCELLED;
            case 502, 503 -> Status.Code.UNAVAILABLE;
            default -> status >= 500 ? Status.Code.INTERNAL : Status.Code.FAILED_PRECONDITION;
        };
    }

    static void refuse(Exchange exchange, int status, String error, String message) {
        Status.Code code = code(status);
        exchange.grpcStatus(code.value());
        ClientConnection client = exchange.client();
        String retryAfter = client.responseHeader("Retry-After");
        end(exchange, code.value(), error + ": " + message, (trailer) -> {
            if (retryAfter != null && !retryAfter.isEmpty() && retryAfter.chars().allMatch(Character::isDigit)) {
                long seconds = Long.parseLong(retryAfter);
                trailer.accept("grpc-retry-pushback-ms", Long.toString(seconds * 1000));
                com.google.rpc.Status details = com.google.rpc.Status.newBuilder().setCode(code.value()).setMessage(message)
                        .addDetails(Any.pack(RetryInfo.newBuilder().setRetryDelay(com.google.protobuf.Duration.newBuilder().setSeconds(seconds)).build()))
                        .build();
                trailer.accept("grpc-status-details-bin", Base64.getEncoder().withoutPadding().encodeToString(details.toByteArray()));
            }
        });
    }

    /**
     * Ends a call that sent no message: headers (200, {@code application/grpc}), an empty body, and the status with
     * {@code more} trailers.
     */
    public static void end(Exchange exchange, int code, String message, java.util.function.Consumer<java.util.function.BiConsumer<String, String>> more) {
        headers(exchange, header -> { });
        try {
            trailers(exchange, exchange.client().responseBody(), code, message, more);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** A call's answer headers: 200, the request's gRPC content type, {@code more} headers, and the request id. */
    public static void headers(Exchange exchange, java.util.function.Consumer<java.util.function.BiConsumer<String, String>> more) {
        ClientConnection client = exchange.client();
        client.status(200);
        String asked = exchange.header("content-type");
        client.header("Content-Type", asked != null && asked.startsWith("application/grpc") ? asked : "application/grpc");
        more.accept(client::header);
        client.header("X-Request-Id", exchange.requestId());
        exchange.writeResponseHeaders();
    }

    /**
     * A call's status and {@code more} trailers after its messages, then the end of {@code body}, the stream the answer's
     * messages went to (Helidon takes trailers once the body is under way).
     */
    public static void trailers(Exchange exchange, java.io.OutputStream body, int code, String message,
                                java.util.function.Consumer<java.util.function.BiConsumer<String, String>> more) throws java.io.IOException {
        ClientConnection client = exchange.client();
        client.trailer("grpc-status", Integer.toString(code));
        if (message != null) {
            client.trailer("grpc-message", percentEncoded(message));
        }
        more.accept(client::trailer);
        body.close();
    }

    /** A {@code grpc-message} value: printable ASCII but '%' as is, everything else percent-encoded as UTF-8. */
    public static String percentEncoded(String message) {
        StringBuilder encoded = new StringBuilder(message.length());
        for (byte b : message.getBytes(StandardCharsets.UTF_8)) {
            if (b >= 0x20 && b < 0x7f && b != '%') {
                encoded.append((char) b);
            } else {
                encoded.append('%').append(Character.toUpperCase(Character.forDigit((b >> 4) & 0xf, 16)))
                        .append(Character.toUpperCase(Character.forDigit(b & 0xf, 16)));
            }
        }
        return encoded.toString();
    }
}
