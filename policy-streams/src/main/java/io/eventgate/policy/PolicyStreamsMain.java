package io.eventgate.policy;

import io.eventgate.settings.ServiceMain;

/** Runs policy-streams from a YAML file (default {@code config/policy-streams.yaml}) with {@code POLICY_*} overrides. */
public final class PolicyStreamsMain {
    private PolicyStreamsMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        ServiceMain.run(args, "config/policy-streams.yaml", PolicyStreamsSettings.class, "POLICY", PolicyStreamsApp::start);
    }
}
