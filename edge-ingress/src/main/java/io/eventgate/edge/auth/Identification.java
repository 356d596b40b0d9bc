package io.eventgate.edge.auth;

/** What one way of authenticating finds in a request. */
public sealed interface Identification {
    Absent ABSENT = new Absent();

    /** No credential of this kind in the request. */
    record Absent() implements Identification {
    }

    /** The credential is good and names this consumer; a token may also carry scopes. */
    record Identified(String consumerId, java.util.Set<String> scopes) implements Identification {
        public Identified(String consumerId) {
            this(consumerId, java.util.Set.of());
        }
    }

    /**
     * A credential of this kind is there but is not good: why (for the DecisionEvent, never for the client), the
     * status (401, or 503 when it cannot be checked right now), and what events may say of the credential.
     */
    record Refused(String reason, int status, String fingerprint) implements Identification {
        static Refused unauthenticated(String reason, String fingerprint) {
            return new Refused(reason, 401, fingerprint);
        }
    }
}
