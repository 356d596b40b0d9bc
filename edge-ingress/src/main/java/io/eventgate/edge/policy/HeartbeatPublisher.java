package io.eventgate.edge.policy;

import io.eventgate.avro.NodeHeartbeat;
import io.eventgate.edge.events.EventPublisher;
import io.eventgate.edge.limits.GlobalDemandStep;
import io.eventgate.edge.observe.EdgeMetrics;
import io.eventgate.edge.snapshot.Snapshot;
import io.eventgate.edge.snapshot.SnapshotHolder;
import java.time.Duration;
import java.time.Instant;
import java.util.function.BooleanSupplier;

/**
 * Tells the cluster every interval that this node is alive, which policy version it applies, whether it
 * is ready, how loaded it is and what its consumers on global plans ask of it: a NodeHeartbeat on
 * {@code gateway.nodes}, keyed by node id. A new policy version is reported at once, not at the next beat,
 * so operators see it applied everywhere within moments.
 */
public final class HeartbeatPublisher implements AutoCloseable {
    private final String nodeId;
    private final SnapshotHolder snapshots;
    private final EdgeMetrics metrics;
    private final EventPublisher events;
    private final BooleanSupplier ready;
    private final GlobalDemandStep demand;
    private final Duration interval;
    private final Instant startedAt = Instant.now();
    private final Thread thread;
    private volatile boolean running = true;

    public HeartbeatPublisher(String nodeId, SnapshotHolder snapshots, EdgeMetrics metrics, EventPublisher events, BooleanSupplier ready,
                              GlobalDemandStep demand, Duration interval) {
        this.nodeId = nodeId;
        this.snapshots = snapshots;
        this.metrics = metrics;
        this.events = events;
        this.ready = ready;
        this.demand = demand;
        this.interval = interval;
        this.thread = Thread.ofVirtual().name("heartbeat").start(this::beat);
    }

    private void beat() {
        Snapshot sent;
        long lastCount = metrics.requestsFinished();
        long lastNanos = System.nanoTime();
        while (running) {
            long count = metrics.requestsFinished();
            long now = System.nanoTime();
            double seconds = Math.max(1e-9, (now - lastNanos) / 1e9);
            double rate = (count - lastCount) / seconds;
            GlobalDemandStep.Sample offered = demand.sample(seconds);
            lastCount = count;
            lastNanos = now;
            Snapshot snapshot = snapshots.get();
            sent = snapshot;
            events.publish(NodeHeartbeat.newBuilder()
                    .setNodeId(nodeId)
                    .setStartedAt(startedAt)
                    .setSentAt(Instant.now())
                    .setAppliedPolicyVersion(snapshot.version())
                    .setAppliedLimitsOffset(-1)
                    .setConfigChecksum(snapshot.checksum())
                    .setReady(ready.getAsBoolean())
                    .setRequestsPerSecond(rate)
                    .setInFlight(metrics.active())
                    .setDemand(offered.demand())
                    .setGlobalLimits(offered.limits())
                    .setIntervalMillis(interval.toMillis())
                    .setSoftwareVersion(EdgeMetrics.class.getPackage().getImplementationVersion() == null
                            ? "dev" : EdgeMetrics.class.getPackage().getImplementationVersion())
                    .build());
            try {
                snapshots.awaitOther(sent, interval);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
    }
}
