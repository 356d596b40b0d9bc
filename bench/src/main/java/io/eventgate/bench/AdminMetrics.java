package io.eventgate.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Reads metrics from an edge's admin port ({@code /observe/metrics}, Prometheus' text format). */
final class AdminMetrics {
    private AdminMetrics() {
    }

    /** The sum of every series of {@code name}; NaN when the edge does not answer. */
    static double sum(HttpClient http, String admin, String name) {
        String page = scrape(http, admin);
        return page == null ? Double.NaN : sum(page, name);
    }

    /** Events journaled and not yet acknowledged by Kafka, from one scrape; NaN when the edge does not answer. */
    static double backlog(HttpClient http, String admin) {
        String page = scrape(http, admin);
        return page == null ? Double.NaN : sum(page, "edge_events_journaled_total") - sum(page, "edge_events_published_total");
    }

    private static double sum(String page, String name) {
        return page.lines().filter(line -> line.startsWith(name + " ") || line.startsWith(name + "{"))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).sum();
    }

    private static String scrape(HttpClient http, String admin) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(admin + "/observe/metrics")).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
