package io.eventgate.policy.model;

import java.time.Instant;
import java.util.Locale;

/**
 * An operator's emergency limit on one scope: a rate cap ({@code OPERATOR_LIMIT}) or a block
 * ({@code BLOCK}), always with an expiry so that none outlives the emergency by accident. A rate cap on a
 * consumer may be {@code global}: it then holds for all edge nodes together, divided among them by demand.
 * {@code RESTORE}, on a canary variant's scope ({@code route:ID@variant:POOL}), is an instruction rather than a limit: it
 * lifts the anomaly detector's rollback of that variant, so the route's weights apply again; it has no expiry.
 */
public record OperatorLimitSettings(String kind, Double ratePerSecond, Double burst, String reason, Instant expiresAt, Boolean global) {
    public OperatorLimitSettings {
        global = Boolean.TRUE.equals(global);
        Check.required(kind, "kind");
        kind = kind.toUpperCase(Locale.ROOT);
        if (!kind.equals("OPERATOR_LIMIT") && !kind.equals("BLOCK") && !kind.equals("RESTORE")) {
            throw new IllegalArgumentException("kind must be OPERATOR_LIMIT, BLOCK or RESTORE, was " + kind);
        }
        if (kind.equals("RESTORE") && (ratePerSecond != null || burst != null || global)) {
            throw new IllegalArgumentException("a RESTORE lifts a rollback: it takes no rate, burst or global");
        }
        if (kind.equals("OPERATOR_LIMIT") && (ratePerSecond == null || !(ratePerSecond > 0))) {
            throw new IllegalArgumentException("ratePerSecond must be above 0 for an OPERATOR_LIMIT, was " + ratePerSecond);
        }
        if (kind.equals("BLOCK") && ratePerSecond != null) {
            throw new IllegalArgumentException("ratePerSecond makes no sense for a BLOCK");
        }
        if (burst != null && burst < 1) {
            throw new IllegalArgumentException("burst must be at least 1, was " + burst);
        }
        Check.required(reason, "reason");
        if (!kind.equals("RESTORE")) { // the fields are not assigned yet, so not restores()
            Check.required(expiresAt, "expiresAt");
        }
        if (global && !kind.equals("OPERATOR_LIMIT")) {
            throw new IllegalArgumentException("global applies to an OPERATOR_LIMIT's rate, not to a " + kind);
        }
    }

    /** Whether this lifts a canary's rollback instead of limiting anything. */
    public boolean restores() {
        return kind.equals("RESTORE");
    }
}
