package io.eventgate.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Reads one metric from an edge's admin port ({@code /observe/metrics}, Prometheus' text format). */
final class AdminMetrics {
    private AdminMetrics() {
    }

    /** The sum of every series of {@code name}; NaN when the edge does not answer. */
    static double sum(HttpClient http, String admin, String name) {
        try {
            String body = http.send(HttpRequest.newBuilder(URI.create(admin + "/observe/metrics")).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            return body.lines().filter(line -> line.startsWith(name + " ") || line.startsWith(name + "{"))
                    .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).sum();
        } catch (IOException e) {
            return Double.NaN;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Double.NaN;
        }
    }
}
