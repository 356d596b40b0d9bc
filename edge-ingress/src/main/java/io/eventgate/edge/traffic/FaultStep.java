package io.eventgate.edge.traffic;

import io.eventgate.avro.DecisionKind;
import io.eventgate.avro.RequestOutcome;
import io.eventgate.edge.observe.EdgeMetrics;
import io.eventgate.edge.pipeline.Decisions;
import io.eventgate.edge.pipeline.Exchange;
import io.eventgate.edge.pipeline.Replies;
import io.eventgate.edge.pipeline.Step;
import io.eventgate.policy.model.RoutePolicies;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Faults a route injects for chaos tests, after every admission check: a delay before the request goes on, and an
 * error answer in place of the upstream's, each for its share of the requests (only those carrying the configured
 * header, when one is). The RequestEvent names the fault; an abort is also a FAULT_INJECTED decision.
 */
public final class FaultStep implements Step {
    private final String nodeId;
    private final EdgeMetrics metrics;

    public FaultStep(String nodeId, EdgeMetrics metrics) {
        this.nodeId = nodeId;
        this.metrics = metrics;
    }

    @Override
    public void handle(Exchange exchange, Chain next) {
        RoutePolicies.Faults faults = exchange.route().settings().faults();
        if (faults == null || faults.onlyWithHeader() != null && exchange.header(faults.onlyWithHeader()) == null) {
            next.proceed(exchange);
            return;
        }
        ThreadLocalRandom random = ThreadLocalRandom.current();
        if (faults.abort() != null && random.nextDouble(100) < faults.abort().percent()) {
            int status = faults.abort().status();
            exchange.injectedFault("abort:" + status);
            metrics.faultInjected(exchange.route().id(), "abort");
            exchange.decided(Decisions.of(exchange, nodeId, DecisionKind.FAULT_INJECTED, "route:" + exchange.route().id() + "/faults", 0, null, null,
                    null, "fault injection answered " + status + " for " + faults.abort().percent() + " % of requests", false), true);
            Replies.json(exchange, status, RequestOutcome.ANSWERED, "fault_injected", "fault injected by route " + exchange.route().id());
            return;
        }
        if (faults.delay() != null && random.nextDouble(100) < faults.delay().percent()) {
            exchange.injectedFault("delay:" + faults.delay().duration().toMillis() + "ms");
            metrics.faultInjected(exchange.route().id(), "delay");
            try {
                Thread.sleep(faults.delay().duration()); // a virtual thread: the wait holds no carrier
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        next.proceed(exchange);
    }
}
