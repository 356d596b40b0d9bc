package io.eventgate.policy.model;

import java.net.URI;
import java.time.Duration;
import java.util.List;

/**
 * An upstream pool: its instances, how requests are balanced over them, how failing instances are detected, and for
 * {@code https://} instances which certificate authorities to trust ({@code tls}; the JVM's own when unset).
 */
public record PoolSettings(List<Instance> instances, Balancer balancer, Duration slowStart, HealthCheck healthCheck,
                           Outlier outlier, CircuitBreaker circuitBreaker, Tls tls, String hashOn) {
    public PoolSettings(List<Instance> instances, Balancer balancer, Duration slowStart, HealthCheck healthCheck,
                        Outlier outlier, CircuitBreaker circuitBreaker) {
        this(instances, balancer, slowStart, healthCheck, outlier, circuitBreaker, null, null);
    }

    public PoolSettings(List<Instance> instances, Balancer balancer, Duration slowStart, HealthCheck healthCheck,
                        Outlier outlier, CircuitBreaker circuitBreaker, Tls tls) {
        this(instances, balancer, slowStart, healthCheck, outlier, circuitBreaker, tls, null);
    }

    public PoolSettings {
        Check.required(instances, "instances");
        if (instances.isEmpty()) {
            throw new IllegalArgumentException("instances must list at least one upstream instance");
        }
        instances = List.copyOf(instances);
        balancer = Check.orDefault(balancer, Balancer.ROUND_ROBIN);
        hashOn = Check.requestKey(Check.orDefault(hashOn, "client"), "hashOn");
        slowStart = Check.orDefault(slowStart, Duration.ZERO);
        outlier = Check.orDefault(outlier, new Outlier(0, null));
        circuitBreaker = Check.orDefault(circuitBreaker, new CircuitBreaker(0, 0, 0, null, 0));
        boolean secure = instances.getFirst().secure();
        if (instances.stream().anyMatch(i -> i.secure() != secure)) {
            throw new IllegalArgumentException("instances must all be http:// or all be https://");
        }
        if (tls != null && !secure) {
            throw new IllegalArgumentException("tls applies to https:// instances only");
        }
    }

    /**
     * TLS to the pool's instances: the certificate authorities (PEM, one or more certificates) that sign their
     * certificates. The instances' names (or IP addresses) are always verified against their certificates.
     */
    public record Tls(String caCertificates) {
        public Tls {
            Check.required(caCertificates, "tls.caCertificates");
            if (!caCertificates.contains("-----BEGIN CERTIFICATE-----")) {
                throw new IllegalArgumentException("tls.caCertificates must hold PEM certificates (-----BEGIN CERTIFICATE-----)");
            }
        }
    }

    /**
     * Load-balancing algorithms. {@code MAGLEV} is consistent hashing on {@code hashOn} (the client's address, the consumer,
     * a header or a cookie): one key goes to one instance, and adding or removing one of N instances moves about 1/N of the keys.
     * {@code LOAD_REPORT} weighs instances by the utilization they report in their answers' {@code endpoint-load-metrics}.
     */
    public enum Balancer { ROUND_ROBIN, LEAST_REQUEST, PEAK_EWMA, MAGLEV, LOAD_REPORT }

    /**
     * One upstream instance: an http or https URL (scheme, host, port), a relative weight, its priority (0, the default,
     * first: traffic stays on the best priority while enough of it is healthy, and spills to the next as it is not) and
     * its zone (an edge node prefers instances of its own zone within a priority).
     */
    public record Instance(String url, int weight, Integer priority, String zone) {
        public Instance(String url, int weight) {
            this(url, weight, null, null);
        }

        public Instance {
            Check.required(url, "url");
            URI uri;
            try {
                uri = URI.create(url);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("url '" + url + "' is not a URI: " + e.getMessage());
            }
            if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null || uri.getPort() < 1) {
                throw new IllegalArgumentException("url '" + url + "' must be http://host:port or https://host:port");
            }
            weight = weight == 0 ? 1 : Check.range(weight, 1, 1000, "weight");
            priority = Check.range(Check.orDefault(priority, 0), 0, 9, "priority");
            if (zone != null && !zone.matches("[A-Za-z0-9._-]{1,64}")) {
                throw new IllegalArgumentException("zone '" + zone + "' must be 1-64 letters, digits, '.', '_' or '-'");
            }
        }

        public URI uri() {
            return URI.create(url);
        }

        /** Whether the instance is reached over TLS. */
        public boolean secure() {
            return url.startsWith("https:");
        }

        public String address() {
            return uri().getHost() + ":" + uri().getPort();
        }
    }

    /**
     * Active health checking: GET {@code path} every {@code interval} (2xx passes), or for a pool of gRPC servers
     * grpc.health.v1's {@code Check} of {@code grpcService} ("" asks about the server as a whole; SERVING passes); flips
     * after consecutive results.
     */
    public record HealthCheck(String path, Duration interval, Duration timeout, int healthyThreshold, int unhealthyThreshold, String grpcService) {
        public HealthCheck(String path, Duration interval, Duration timeout, int healthyThreshold, int unhealthyThreshold) {
            this(path, interval, timeout, healthyThreshold, unhealthyThreshold, null);
        }

        public HealthCheck {
            if (grpcService != null && path != null) {
                throw new IllegalArgumentException("a health check is an HTTP GET of path or a gRPC check of grpcService, not both");
            }
            if (grpcService == null) {
                Check.required(path, "path");
                if (!path.startsWith("/")) {
                    throw new IllegalArgumentException("path must start with '/', was '" + path + "'");
                }
            }
            interval = Check.positive(Check.orDefault(interval, Duration.ofSeconds(5)), "interval");
            timeout = Check.positive(Check.orDefault(timeout, Duration.ofSeconds(1)), "timeout");
            healthyThreshold = healthyThreshold == 0 ? 2 : Check.range(healthyThreshold, 1, 100, "healthyThreshold");
            unhealthyThreshold = unhealthyThreshold == 0 ? 3 : Check.range(unhealthyThreshold, 1, 100, "unhealthyThreshold");
        }

        /** Whether the check is grpc.health.v1's Check of {@code grpcService} ("" for the server as a whole) rather than an HTTP GET. */
        public boolean grpc() {
            return grpcService != null;
        }
    }

    /** Passive outlier ejection: after {@code consecutiveFailures} 5xx or connect failures, an instance sits out {@code ejectionTime}. 0 disables. */
    public record Outlier(int consecutiveFailures, Duration ejectionTime) {
        public Outlier {
            Check.range(consecutiveFailures, 0, 10_000, "consecutiveFailures");
            ejectionTime = Check.positive(Check.orDefault(ejectionTime, Duration.ofSeconds(30)), "ejectionTime");
        }
    }

    /** Circuit breaker per instance: opens when the failure rate over the last {@code window} calls reaches the threshold. 0 disables. */
    public record CircuitBreaker(float failureRatePercent, int window, int minimumCalls, Duration openFor, int halfOpenCalls) {
        public CircuitBreaker {
            if (failureRatePercent < 0 || failureRatePercent > 100) {
                throw new IllegalArgumentException("failureRatePercent must be between 0 (off) and 100, was " + failureRatePercent);
            }
            window = window == 0 ? 20 : Check.range(window, 1, 100_000, "window");
            minimumCalls = minimumCalls == 0 ? Math.min(10, window) : Check.range(minimumCalls, 1, window, "minimumCalls");
            openFor = Check.positive(Check.orDefault(openFor, Duration.ofSeconds(10)), "openFor");
            halfOpenCalls = halfOpenCalls == 0 ? 3 : Check.range(halfOpenCalls, 1, 1000, "halfOpenCalls");
        }

        public boolean enabled() {
            return failureRatePercent > 0;
        }
    }
}
