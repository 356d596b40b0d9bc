package io.eventgate.anomaly.counts;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventgate.avro.RequestEvent;
import io.eventgate.avro.RequestOutcome;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Which requests count as failed logins, errors and misses. */
class TallyTest {
    static RequestEvent event(int status, String decidingPolicy) {
        return RequestEvent.newBuilder().setRequestId("r").setTraceId("0".repeat(32)).setTimestamp(Instant.EPOCH).setNode("edge-1")
                .setRouteId("api").setMethod("GET").setPath("/api").setStatus(status).setGatewayLatencyMicros(100).setBytesIn(0).setBytesOut(10)
                .setConsumerId("anonymous").setClientAddress("198.51.100.7").setOutcome(RequestOutcome.DENIED).setDecidingPolicy(decidingPolicy).build();
    }

    @Test
    void anAddressRefusedForItsFailedLoginsKeepsCountingAsFailing() {
        assertThat(Tally.flags(event(401, "route:api/auth"))).isEqualTo(Tally.UNAUTHENTICATED);
        assertThat(Tally.flags(event(429, "route:api/auth/failures"))).as("the edge's own limit on failed logins").isEqualTo(Tally.UNAUTHENTICATED);
        assertThat(Tally.flags(event(429, "plan:gold/rate"))).as("a plan's rate limit is no login").isZero();
        assertThat(Tally.flags(event(503, null))).isEqualTo(Tally.ERROR);
        assertThat(Tally.flags(event(404, null))).isEqualTo(Tally.NOT_FOUND);
    }
}
