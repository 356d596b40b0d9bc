package io.eventgate.anomaly;

import io.eventgate.settings.ServiceMain;

/** Runs the anomaly detector from a YAML file (default {@code config/anomaly-detector.yaml}) with {@code ANOMALY_*} overrides. */
public final class AnomalyDetectorMain {
    private AnomalyDetectorMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        ServiceMain.run(args, "config/anomaly-detector.yaml", AnomalySettings.class, "ANOMALY", AnomalyDetectorApp::start);
    }
}
