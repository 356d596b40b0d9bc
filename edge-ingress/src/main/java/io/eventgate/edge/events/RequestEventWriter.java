package io.eventgate.edge.events;

import io.eventgate.avro.RequestEvent;
import java.io.IOException;
import org.apache.avro.io.Encoder;

/**
 * Writes a RequestEvent in Avro's binary encoding, field by field in the schema's order, as Avro's own writer would,
 * byte for byte ({@code RequestEventWriterTest} holds it to that for every field, null and symbol). Every request
 * encodes one, and Avro's generic writer spends most of that time resolving each of the fourteen unions by looking at
 * the value (the generated class has no custom coders: its timestamp's logical type rules them out). Here each union's
 * branch is known from null, so a request's event costs a fraction of it. A field added to the schema must be added
 * here too, which the test shows.
 */
final class RequestEventWriter {
    private RequestEventWriter() {
    }

    static void write(RequestEvent event, Encoder out) throws IOException {
        out.writeString(event.getRequestId());
        out.writeString(event.getTraceId());
        out.writeLong(event.getTimestamp().toEpochMilli());
        out.writeString(event.getNode());
        nullable(out, event.getRouteId());
        out.writeString(event.getMethod());
        out.writeString(event.getPath());
        nullable(out, event.getHost());
        out.writeInt(event.getStatus());
        out.writeLong(event.getGatewayLatencyMicros());
        nullable(out, event.getUpstreamLatencyMicros());
        out.writeLong(event.getBytesIn());
        out.writeLong(event.getBytesOut());
        out.writeString(event.getConsumerId());
        nullable(out, event.getPlan());
        out.writeString(event.getClientAddress());
        nullable(out, event.getUpstreamInstance());
        out.writeInt(event.getRetries());
        out.writeEnum(event.getOutcome().ordinal()); // the Java enum is generated from the symbols, in their order
        out.writeString(event.getDecision());
        nullable(out, event.getDecidingPolicy());
        nullable(out, event.getFailedCredential());
        nullable(out, event.getInjectedFault());
        nullable(out, event.getCache());
        out.writeBoolean(event.getDeprecated());
        nullable(out, event.getVariant());
        out.writeBoolean(event.getHedged());
        nullable(out, event.getGrpcStatus());
    }

    /** A {@code ["null", "string"]} union: branch 0 for null, else branch 1 and the string. */
    private static void nullable(Encoder out, String value) throws IOException {
        if (value == null) {
            out.writeIndex(0);
        } else {
            out.writeIndex(1);
            out.writeString(value);
        }
    }

    private static void nullable(Encoder out, Long value) throws IOException {
        if (value == null) {
            out.writeIndex(0);
        } else {
            out.writeIndex(1);
            out.writeLong(value);
        }
    }

    private static void nullable(Encoder out, Integer value) throws IOException {
        if (value == null) {
            out.writeIndex(0);
        } else {
            out.writeIndex(1);
            out.writeInt(value);
        }
    }
}
