package io.eventgate.edge.upstream;

import io.eventgate.policy.model.PoolSettings;
import io.helidon.http.Method;
import io.helidon.webclient.api.HttpClientResponse;
import io.helidon.webclient.api.WebClient;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Active health checks: every interval, GET the pool's health path on each instance (answers 2xx within the timeout
 * pass), or for gRPC servers ask grpc.health.v1 about the pool's {@code grpcService} (SERVING within the timeout passes);
 * an instance turns unhealthy after {@code unhealthyThreshold} failed checks in a row and healthy again after
 * {@code healthyThreshold} passed ones.
 */
public final class HealthChecker implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(HealthChecker.class.getName());

    private final List<Thread> loops = new ArrayList<>();
    private volatile boolean running = true;

    private final io.eventgate.edge.grpc.GrpcChannels channels;

    public HealthChecker(List<UpstreamPool> pools, io.eventgate.edge.grpc.GrpcChannels channels) {
        this.channels = channels;
        for (UpstreamPool pool : pools) {
            PoolSettings.HealthCheck check = pool.settings().healthCheck();
            if (check != null) {
                loops.add(Thread.ofVirtual().name("health-" + pool.name()).start(() -> run(pool, check)));
            }
        }
    }

    private void run(UpstreamPool pool, PoolSettings.HealthCheck check) {
        WebClient client = WebClient.builder().connectTimeout(check.timeout()).readTimeout(check.timeout()).followRedirects(false)
                .tls(pool.tls()).build();
        Map<Instance, Integer> streak = new HashMap<>(); // > 0 consecutive passes, < 0 consecutive failures
        while (running) {
            for (Instance instance : pool.instances()) {
                boolean passed = check.grpc() ? probeGrpc(instance, check) : probe(client, instance, check);
                int previous = streak.getOrDefault(instance, 0);
                int current = passed ? Math.max(previous, 0) + 1 : Math.min(previous, 0) - 1;
                streak.put(instance, current);
                if (!passed && -current >= check.unhealthyThreshold() && instance.healthy()) {
                    pool.healthChecked(instance, false);
                } else if (passed && current >= check.healthyThreshold() && !instance.healthy()) {
                    pool.healthChecked(instance, true);
                }
            }
            try {
                Thread.sleep(check.interval());
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private static boolean probe(WebClient client, Instance instance, PoolSettings.HealthCheck check) {
        try (HttpClientResponse response = client.method(Method.GET).uri(instance.uri().resolve(check.path())).request()) {
            return response.status().code() / 100 == 2;
        } catch (RuntimeException e) {
            LOG.log(Level.FINE, "health check of " + instance + " failed", e);
            return false;
        }
    }

    private boolean probeGrpc(Instance instance, PoolSettings.HealthCheck check) {
        try {
            return io.grpc.health.v1.HealthGrpc.newBlockingStub(channels.of(instance))
                    .withDeadlineAfter(check.timeout().toNanos(), java.util.concurrent.TimeUnit.NANOSECONDS)
                    .check(io.grpc.health.v1.HealthCheckRequest.newBuilder().setService(check.grpcService()).build())
                    .getStatus() == io.grpc.health.v1.HealthCheckResponse.ServingStatus.SERVING;
        } catch (RuntimeException e) {
            LOG.log(Level.FINE, "gRPC health check of " + instance + " failed", e);
            return false;
        }
    }

    @Override
    public void close() {
        running = false;
        loops.forEach(Thread::interrupt);
    }
}
