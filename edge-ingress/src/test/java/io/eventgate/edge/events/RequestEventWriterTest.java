package io.eventgate.edge.events;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventgate.avro.RequestEvent;
import io.eventgate.avro.RequestOutcome;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Instant;
import java.util.Random;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.junit.jupiter.api.Test;

/** The edge's RequestEvent writer against Avro's own, byte for byte: every field set and null, every outcome, odd strings. */
class RequestEventWriterTest {
    static {
        io.eventgate.schemas.TrustedContractClasses.install(); // as the edge does before writing with Avro's writer
    }

    final Random random = new Random(11);

    @Test
    void writesWhatAvrosWriterWritesForEveryFieldNullAndSymbol() throws IOException {
        assertThat(RequestEvent.getClassSchema().getFields()).as("a field added to the schema must be added to the writer, and here")
                .hasSize(28);
        for (int i = 0; i < 2_000; i++) {
            RequestEvent event = event(i);
            assertThat(ours(event)).as("event %d: %s", i, event).isEqualTo(avros(event));
        }
    }

    RequestEvent event(int i) {
        boolean nulls = i % 2 == 0;
        RequestOutcome[] outcomes = RequestOutcome.values();
        return RequestEvent.newBuilder()
                .setRequestId("r-" + i).setTraceId("4bf92f3577b34da6a3ce929d0e0e4736").setTimestamp(Instant.ofEpochMilli(1_700_000_000_000L + random.nextInt()))
                .setNode("edge-1").setRouteId(maybe(nulls, "api")).setMethod("GET").setPath("/ünïcode/" + i + "/" + "x".repeat(random.nextInt(200)))
                .setHost(maybe(nulls, "api.example.com")).setStatus(random.nextInt(600)).setGatewayLatencyMicros(random.nextLong())
                .setUpstreamLatencyMicros(nulls ? null : (long) -random.nextInt()).setBytesIn(random.nextInt(Integer.MAX_VALUE)).setBytesOut(Long.MAX_VALUE - i)
                .setConsumerId(i % 3 == 0 ? "" : "acme").setPlan(maybe(nulls, "gold")).setClientAddress("2001:db8::" + i)
                .setUpstreamInstance(maybe(nulls, "10.0.0.1:8080")).setRetries(i % 4).setOutcome(outcomes[i % outcomes.length])
                .setDecision(i % 5 == 0 ? "deny" : "allow").setDecidingPolicy(maybe(i % 3 != 1, "ratelimit:consumer:acme"))
                .setFailedCredential(maybe(nulls, "apikey:0123456789abcdef")).setInjectedFault(maybe(i % 3 != 2, "delay:50ms"))
                .setCache(maybe(nulls, "hit")).setDeprecated(i % 7 == 0).setVariant(maybe(i % 3 == 0, "canary"))
                .setHedged(i % 11 == 0).setGrpcStatus(i % 4 == 0 ? null : i % 17).build();
    }

    static String maybe(boolean absent, String value) {
        return absent ? null : value;
    }

    static byte[] ours(RequestEvent event) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(bytes, null);
        RequestEventWriter.write(event, encoder);
        encoder.flush();
        return bytes.toByteArray();
    }

    static byte[] avros(RequestEvent event) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(bytes, null);
        new SpecificDatumWriter<RequestEvent>(RequestEvent.getClassSchema()).write(event, encoder);
        encoder.flush();
        return bytes.toByteArray();
    }
}
