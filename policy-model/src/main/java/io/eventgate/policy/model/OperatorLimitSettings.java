package io.eventgate.policy.model;

import java.time.Instant;
import java.util.Locale;

/**
 * An operator's emergency limit on one scope: a rate cap ({@code OPERATOR_LIMIT}) or a block
 * ({@code BLOCK}), always with an expiry so that none outlives the emergency by accident.
 */
public record OperatorLimitSettings(String kind, Double ratePerSecond, Double burst, String reason, Instant expiresAt) {
    public OperatorLimitSettings {
        Check.required(kind, "kind");
        kind = kind.toUpperCase(Locale.ROOT);
        if (!kind.equals("OPERATOR_LIMIT") && !kind.equals("BLOCK")) {
            throw new IllegalArgumentException("kind must be OPERATOR_LIMIT or BLOCK, was " + kind);
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
        Check.required(expiresAt, "expiresAt");
    }
}
