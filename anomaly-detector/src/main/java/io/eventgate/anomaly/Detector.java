package io.eventgate.anomaly;

import io.eventgate.policy.model.DetectorSettings;
import io.eventgate.avro.AnomalyKind;

/**
 * What the detector watches: one measure per scope and window, its baseline, and the response it may take.
 * The settings' keys are the names ({@code consumerRate}, {@code routeErrors}, ...).
 */
public enum Detector {
    /** Requests of one consumer: a spike is throttled to {@code factor} × the baseline rate. */
    CONSUMER_RATE("consumerRate", AnomalyKind.REQUEST_RATE_SPIKE, Response.THROTTLE, "req",
            new DetectorSettings(true, 4.0, 20.0, 6, true, 2.0, null)),
    /** Requests on one route: reported. */
    ROUTE_RATE("routeRate", AnomalyKind.REQUEST_RATE_SPIKE, Response.REPORT, "req",
            new DetectorSettings(true, 4.0, 50.0, 6, false, null, null)),
    /** 5xx responses on one route: the route's traffic is shed to {@code factor} × its current rate, to protect a failing upstream. */
    ROUTE_ERRORS("routeErrors", AnomalyKind.ERROR_RATE, Response.SHED, "5xx",
            new DetectorSettings(true, 4.0, 10.0, 6, false, 0.5, null)),
    /** 5xx responses from one upstream instance: reported (the edge's outlier ejection acts on them). */
    UPSTREAM_ERRORS("upstreamErrors", AnomalyKind.ERROR_RATE, Response.REPORT, "5xx",
            new DetectorSettings(true, 4.0, 10.0, 6, false, null, null)),
    /** Failed authentications from one client address (credential stuffing, key enumeration): the address is blocked. */
    AUTH_FAILURES("authFailures", AnomalyKind.AUTH_FAILURES, Response.BLOCK, "failed authentications",
            new DetectorSettings(true, 4.0, 20.0, 0, true, null, null)),
    /** Failed authentications of one credential from any address (a leaked or guessed credential tried from many places): reported. */
    CREDENTIAL_FAILURES("credentialFailures", AnomalyKind.AUTH_FAILURES, Response.REPORT, "failed authentications",
            new DetectorSettings(true, 4.0, 20.0, 0, false, null, null)),
    /** 404 responses to one client address (scanning): reported, or blocked when acting. */
    SCANNING("scanning", AnomalyKind.SCANNING, Response.BLOCK, "404s",
            new DetectorSettings(true, 4.0, 30.0, 0, false, null, null)),
    /** The 95th percentile of one route's latency: reported. */
    LATENCY("latency", AnomalyKind.LATENCY_REGRESSION, Response.REPORT, "ms p95",
            new DetectorSettings(true, 4.0, 0.0, 6, false, null, 1.5)),
    /**
     * The minority variants of each weighted split against its main variant, window by window: a canary with significantly
     * more 5xx answers or a slower tail is rolled back (weight 0) until an operator restores it.
     */
    CANARY("canary", AnomalyKind.CANARY_REGRESSION, Response.ROLLBACK, "5xx",
            new DetectorSettings(true, 3.0, 2.0, 0, true, null, 1.5, 50));

    /** What acting on an anomaly means. */
    public enum Response { REPORT, THROTTLE, SHED, BLOCK, ROLLBACK }

    private final String settingName;
    private final AnomalyKind kind;
    private final Response response;
    private final String unit;
    private final DetectorSettings defaults;

    Detector(String settingName, AnomalyKind kind, Response response, String unit, DetectorSettings defaults) {
        this.settingName = settingName;
        this.kind = kind;
        this.response = response;
        this.unit = unit;
        this.defaults = defaults;
    }

    public String settingName() {
        return settingName;
    }

    public AnomalyKind kind() {
        return kind;
    }

    public Response response() {
        return response;
    }

    public String unit() {
        return unit;
    }

    public DetectorSettings defaults() {
        return defaults;
    }

    public static Detector named(String name) {
        for (Detector detector : values()) {
            if (detector.settingName.equals(name)) {
                return detector;
            }
        }
        throw new IllegalArgumentException("no detector named '" + name + "'; the detectors are " + java.util.Arrays.stream(values())
                .map(Detector::settingName).toList());
    }
}
