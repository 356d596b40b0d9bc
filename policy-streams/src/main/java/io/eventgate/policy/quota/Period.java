package io.eventgate.policy.quota;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZonedDateTime;

/** A quota period: a calendar day or month in the quota time zone, so resets fall at local midnight. */
enum Period {
    DAY("daily"),
    MONTH("monthly");

    private final String adjective;

    Period(String adjective) {
        this.adjective = adjective;
    }

    String adjective() {
        return adjective;
    }

    /** The start of the period that holds {@code at}. */
    Instant start(Instant at, ZoneId zone) {
        LocalDate date = at.atZone(zone).toLocalDate();
        return (this == DAY ? date : date.withDayOfMonth(1)).atStartOfDay(zone).toInstant();
    }

    /** The end (exclusive) of the period that starts at {@code start}: the next reset. */
    Instant end(Instant start, ZoneId zone) {
        ZonedDateTime local = start.atZone(zone);
        return (this == DAY ? local.plusDays(1) : local.plusMonths(1)).toInstant();
    }
}
