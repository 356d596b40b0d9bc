package io.eventgate.anomaly.counts;

import io.eventgate.avro.RequestEvent;
import java.nio.ByteBuffer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/** One scope's requests in one window, and how many of them were 5xx, 401 and 404. */
record Tally(long total, long errors, long unauthenticated, long notFound) {
    static final int ERROR = 1;
    static final int UNAUTHENTICATED = 2;
    static final int NOT_FOUND = 4;

    static Tally empty() {
        return new Tally(0, 0, 0, 0);
    }

    /**
     * What a request adds to its scopes' tallies, as bit flags (the repartition carries 4 bytes, not the event). A request
     * the edge refused for its address's failed logins ({@code route:ID/auth/failures}) is one more failed login: the
     * attacker is still guessing, only the edge no longer checks its guesses.
     */
    static int flags(RequestEvent event) {
        int status = event.getStatus();
        boolean unauthenticated = status == 401 || status == 429 && event.getDecidingPolicy() != null
                && event.getDecidingPolicy().endsWith(AUTH_FAILURES_POLICY);
        return (status >= 500 && status < 600 ? ERROR : 0) | (unauthenticated ? UNAUTHENTICATED : 0) | (status == 404 ? NOT_FOUND : 0);
    }

    /** The policy the edge names when it refuses an address for its failed logins (route:ID/auth/failures). */
    static final String AUTH_FAILURES_POLICY = "/auth/failures";

    Tally add(int flags) {
        return new Tally(total + 1, errors + ((flags & ERROR) != 0 ? 1 : 0), unauthenticated + ((flags & UNAUTHENTICATED) != 0 ? 1 : 0),
                notFound + ((flags & NOT_FOUND) != 0 ? 1 : 0));
    }

    static Serde<Tally> serde() {
        return Serdes.serdeFrom((topic, tally) -> ByteBuffer.allocate(32).putLong(tally.total).putLong(tally.errors)
                        .putLong(tally.unauthenticated).putLong(tally.notFound).array(),
                (topic, bytes) -> {
                    ByteBuffer in = ByteBuffer.wrap(bytes);
                    return new Tally(in.getLong(), in.getLong(), in.getLong(), in.getLong());
                });
    }
}
