package io.eventgate.ctl;

import io.eventgate.avro.CapturedHeader;
import io.eventgate.avro.RequestCapture;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

/**
 * Re-sends captured requests to another environment at a fixed rate and compares each answer with the original's:
 * status, and latency (the original's time at the edge against the replay's round trip). Requests whose captured body is
 * incomplete are skipped, not sent truncated. Credentials never reach a capture, so the target's are given as extra headers.
 */
final class Replayer {
    /** Headers that belong to the original connection, or that the HTTP client sets itself. */
    private static final Set<String> NOT_REPLAYED = Set.of("host", "connection", "content-length", "expect", "upgrade", "keep-alive",
            "transfer-encoding", "te", "trailer", "proxy-connection", "http2-settings", "x-request-id");
    static final String REPLAY_OF = "X-Replay-Of";

    /** One replayed request: the original's status and latency, the replay's, or why it could not be sent. */
    record Outcome(RequestCapture original, int status, long latencyMicros, String error) {
        boolean differs() {
            return error == null && status != original.getStatus();
        }
    }

    /** Everything a replay did. */
    record Report(List<RequestCapture> skipped, List<Outcome> outcomes) {
        long sent() {
            return outcomes.stream().filter(o -> o.error() == null).count();
        }

        List<Outcome> differing() {
            return outcomes.stream().filter(Outcome::differs).toList();
        }

        List<Outcome> failed() {
            return outcomes.stream().filter(o -> o.error() != null).toList();
        }
    }

    private final String base;
    private final double rate;
    private final int concurrency;
    private final Duration timeout;
    private final Map<String, String> extraHeaders;
    private final HttpClient http;

    Replayer(URI target, double rate, int concurrency, Duration timeout, Map<String, String> extraHeaders) {
        if (!(rate > 0)) {
            throw new IllegalArgumentException("--rate must be above 0, was " + rate);
        }
        if (target.getScheme() == null || !target.getScheme().matches("https?") || target.getHost() == null) {
            throw new IllegalArgumentException("--target must be an http:// or https:// URL, was " + target);
        }
        String text = target.toString();
        this.base = text.endsWith("/") ? text : text + "/";
        this.rate = rate;
        this.concurrency = concurrency;
        this.timeout = timeout;
        this.extraHeaders = extraHeaders;
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5))
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /** Sends every complete capture, the n-th at n / rate seconds after the start; {@code progress} hears each one done. */
    Report run(List<RequestCapture> captures, IntConsumer progress) throws InterruptedException {
        List<RequestCapture> skipped = captures.stream().filter(c -> !c.getBodyComplete()).toList();
        List<RequestCapture> sendable = captures.stream().filter(RequestCapture::getBodyComplete).toList();
        Outcome[] outcomes = new Outcome[sendable.size()];
        Semaphore inFlight = new Semaphore(concurrency);
        AtomicInteger done = new AtomicInteger();
        long start = System.nanoTime();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < sendable.size(); i++) {
                long due = start + (long) (i * 1e9 / rate);
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
                inFlight.acquire();
                int index = i;
                threads.submit(() -> {
                    try {
                        outcomes[index] = send(sendable.get(index));
                    } finally {
                        inFlight.release();
                        progress.accept(done.incrementAndGet());
                    }
                });
            }
        }
        return new Report(skipped, Arrays.asList(outcomes));
    }

    private Outcome send(RequestCapture capture) {
        HttpRequest request;
        try {
            request = request(capture);
        } catch (IllegalArgumentException e) {
            return new Outcome(capture, 0, 0, "not sendable: " + e.getMessage()); // a path or header the HTTP client refuses
        }
        long sent = System.nanoTime();
        try {
            HttpResponse<Void> response = http.send(request, HttpResponse.BodyHandlers.discarding());
            return new Outcome(capture, response.statusCode(), (System.nanoTime() - sent) / 1_000, null);
        } catch (java.io.IOException e) {
            return new Outcome(capture, 0, (System.nanoTime() - sent) / 1_000, e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Outcome(capture, 0, 0, "interrupted");
        }
    }

    /** The captured request as the target gets it: its own headers but those of the old connection, the extra ones, and its origin. */
    private HttpRequest request(RequestCapture capture) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + pathAndQuery(capture))).timeout(timeout);
        for (CapturedHeader header : capture.getHeaders()) {
            if (!NOT_REPLAYED.contains(header.getName()) && !overridden(header.getName())) {
                request.header(header.getName(), header.getValue());
            }
        }
        extraHeaders.forEach(request::header);
        request.header(REPLAY_OF, capture.getRequestId());
        ByteBuffer body = capture.getBody();
        byte[] bytes = body == null ? new byte[0] : Arrays.copyOfRange(body.array(), body.arrayOffset() + body.position(), body.arrayOffset() + body.limit());
        return request.method(capture.getMethod(), bytes.length == 0 ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(bytes))
                .build();
    }

    private boolean overridden(String name) {
        return extraHeaders.keySet().stream().anyMatch(h -> h.equalsIgnoreCase(name));
    }

    /** The original path and query, relative to the target (whose own path, if any, becomes a prefix). */
    static String pathAndQuery(RequestCapture capture) {
        String path = capture.getPath().startsWith("/") ? capture.getPath().substring(1) : capture.getPath();
        return path + (capture.getQuery() == null ? "" : "?" + capture.getQuery());
    }

    /** The report as the operator reads it. */
    static void print(PrintWriter out, Report report, int showDiffering) {
        List<Outcome> outcomes = report.outcomes();
        out.printf("sent %d, skipped %d (body incomplete in the capture), failed %d%n", report.sent(), report.skipped().size(), report.failed().size());
        out.printf("status: %d the same, %d different%n", report.sent() - report.differing().size(), report.differing().size());
        Map<String, Integer> changes = new TreeMap<>();
        report.differing().forEach(o -> changes.merge(o.original().getStatus() + " -> " + o.status(), 1, Integer::sum));
        changes.forEach((change, count) -> out.printf("  %s: %d%n", change, count));
        List<Outcome> answered = outcomes.stream().filter(o -> o.error() == null).toList();
        if (!answered.isEmpty()) {
            long[] original = answered.stream().mapToLong(o -> o.original().getGatewayLatencyMicros()).sorted().toArray();
            long[] replayed = answered.stream().mapToLong(Outcome::latencyMicros).sorted().toArray();
            out.println("latency (ms)\toriginal\treplay\tdifference");
            for (double q : new double[] {0.5, 0.95, 0.99}) {
                double a = percentile(original, q) / 1000.0;
                double b = percentile(replayed, q) / 1000.0;
                out.printf(Locale.ROOT, "p%s\t%.1f\t%.1f\t%+.1f%n", q == 0.5 ? "50" : q == 0.95 ? "95" : "99", a, b, b - a);
            }
        }
        List<Outcome> notable = new ArrayList<>(report.differing());
        notable.addAll(report.failed());
        notable.stream().limit(showDiffering).forEach(o -> out.printf("  %s %s /%s: %s%n", o.original().getRequestId(), o.original().getMethod(),
                pathAndQuery(o.original()), o.error() != null ? "failed, " + o.error() : o.original().getStatus() + " -> " + o.status()));
        if (notable.size() > showDiffering) {
            out.printf("  ... and %d more%n", notable.size() - showDiffering);
        }
    }

    private static long percentile(long[] sorted, double q) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)];
    }
}
