package io.eventgate.settings;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.function.Function;

/**
 * How every eventgate process runs: settings from the YAML file named by the first argument (or a default)
 * with environment overrides, a clear message and exit code 2 when they are wrong, then the service until
 * Ctrl-C or SIGTERM, which closes it.
 */
public final class ServiceMain {
    private ServiceMain() {
    }

    public static <S> void run(String[] args, String defaultFile, Class<S> type, String envPrefix,
                               Function<S, AutoCloseable> start) throws InterruptedException {
        S settings;
        try {
            settings = SettingsLoader.load(Path.of(args.length > 0 ? args[0] : defaultFile), type, envPrefix, System.getenv());
        } catch (SettingsException e) {
            System.err.println("error: " + e.getMessage());
            System.exit(2);
            return;
        }
        runUntilStopped(start.apply(settings));
    }

    /** Runs until Ctrl-C or SIGTERM, then closes {@code service}: the end of every eventgate process's main. */
    public static void runUntilStopped(AutoCloseable service) throws InterruptedException {
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                service.close();
            } catch (Exception e) {
                System.err.println("error while stopping: " + e);
            }
            stopped.countDown();
        }, "shutdown"));
        stopped.await();
    }

}
