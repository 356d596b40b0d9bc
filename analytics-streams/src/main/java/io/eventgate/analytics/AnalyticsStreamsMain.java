package io.eventgate.analytics;

import io.eventgate.settings.ServiceMain;

/** Runs analytics-streams from a YAML file (default {@code config/analytics-streams.yaml}) with {@code ANALYTICS_*} overrides. */
public final class AnalyticsStreamsMain {
    private AnalyticsStreamsMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        ServiceMain.run(args, "config/analytics-streams.yaml", AnalyticsSettings.class, "ANALYTICS", AnalyticsStreamsApp::start);
    }
}
