package io.eventgate.anomaly;

import io.eventgate.settings.SettingsException;
import io.eventgate.settings.SettingsLoader;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/** Runs the anomaly detector from a YAML file (default {@code config/anomaly-detector.yaml}) with {@code ANOMALY_*} overrides. */
public final class AnomalyDetectorMain {
    private AnomalyDetectorMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        AnomalySettings settings;
        try {
            settings = SettingsLoader.load(Path.of(args.length > 0 ? args[0] : "config/anomaly-detector.yaml"),
                    AnomalySettings.class, "ANOMALY", System.getenv());
        } catch (SettingsException e) {
            System.err.println("error: " + e.getMessage());
            System.exit(2);
            return;
        }
        AnomalyDetectorApp app = AnomalyDetectorApp.start(settings);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            app.close();
            stopped.countDown();
        }, "anomaly-detector-shutdown"));
        stopped.await();
    }
}
