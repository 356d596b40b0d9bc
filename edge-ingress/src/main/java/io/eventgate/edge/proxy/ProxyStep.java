package io.eventgate.edge.proxy;

import io.eventgate.avro.DecisionKind;
import io.eventgate.avro.RequestOutcome;
import io.eventgate.policy.model.RouteSettings;
import io.eventgate.edge.observe.EdgeMetrics;
import io.eventgate.edge.observe.EdgeTracing;
import io.eventgate.edge.pipeline.ClientConnection;
import io.eventgate.edge.pipeline.Decisions;
import io.eventgate.edge.pipeline.Exchange;
import io.eventgate.edge.transform.Compression;
import io.eventgate.policy.model.RoutePolicies;
import io.eventgate.edge.pipeline.Replies;
import io.eventgate.edge.pipeline.Admitted;
import io.eventgate.edge.pipeline.Exit;
import io.eventgate.edge.routing.Route;
import io.eventgate.edge.upstream.Instance;
import io.eventgate.edge.upstream.LoadReport;
import io.eventgate.edge.upstream.UpstreamPool;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * The HTTP exit of the pipeline: sends an admitted exchange to an instance of the route's pool and streams the answer back. Idempotent requests
 * are retried on connect failures and the route's retry statuses, with exponential backoff and full
 * jitter, within the route's retry budget; an open breaker or an empty pool answers 503 with Retry-After;
 * timeouts answer 504. Bodies stream in both directions, so their size does not change memory use.
 */
public final class ProxyStep implements Exit {
    static final Set<String> IDEMPOTENT = Set.of("GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE");
    /** Bodies up to this size are kept so an idempotent request can be retried; larger ones stream once. */
    private static final int REPLAYABLE_BODY_BYTES = 64 * 1024;
    private static final int COPY_BUFFER = 16 * 1024;
    /** Bodies up to this size (with a declared length) are relayed in one write instead of streamed. */
    private static final int SMALL_BODY_BYTES = 64 * 1024;


    private final String nodeId;
    private final UpstreamClients clients;
    private final UpstreamWatchdog watchdog;
    private final EdgeTracing tracing;
    private final EdgeMetrics metrics;
    private final Mirroring mirroring;
    private final io.eventgate.edge.routing.Variants variants;
    private final Map<String, RetryBudget> budgets = new ConcurrentHashMap<>();
    private final Map<String, Hedging> hedging = new ConcurrentHashMap<>();

    public ProxyStep(String nodeId, UpstreamClients clients, UpstreamWatchdog watchdog, EdgeTracing tracing, EdgeMetrics metrics, Mirroring mirroring,
                     io.eventgate.edge.routing.Variants variants) {
        this.nodeId = nodeId;
        this.clients = clients;
        this.watchdog = watchdog;
        this.tracing = tracing;
        this.metrics = metrics;
        this.mirroring = mirroring;
        this.variants = variants;
    }

    /** A route's hedging: its policy, the budget hedges spend, and its recent latencies for a learned delay. */
    private record Hedging(RoutePolicies.Hedge policy, RetryBudget budget, LatencyWindow latencies) {
        /** No answer within this long sends a hedge; learned delays start at 100 ms, until enough answers were seen. */
        long delayNanos() {
            return policy.learned()
                    ? Math.max(TimeUnit.MILLISECONDS.toNanos(1), latencies.quantileOr(TimeUnit.MILLISECONDS.toNanos(100)))
                    : policy.delay().toNanos();
        }
    }

    /** One attempt's result: a response whose body is still to be read, or a failure; and the instance it went to. */
    private record Attempt(Instance instance, UpstreamExchange response, UpstreamWatchdog.Guard guard, UpstreamFailure failure, long latencyNanos) {
        /** Gives up on a response that will not be relayed (a retry follows): its connection closes, its guard stops. */
        void abandon() {
            response.close();
            guard.stop();
        }

        int status() {
            return response == null ? failure.status() : response.status();
        }

        boolean failedForPool() {
            return response == null
                    ? !failure.clientsFault()
                    : response.status() >= 500;
        }
    }

    @Override
    public void serve(Admitted admitted) {
        Exchange exchange = admitted.exchange();
        Route route = exchange.route();
        RouteSettings settings = route.settings();
        String poolName = variants.choose(exchange);
        UpstreamPool pool = exchange.snapshot().pool(poolName);
        RetryBudget budget = budgets.computeIfAbsent(route.id(), id -> new RetryBudget(settings.retries().budgetPercent()));
        budget.requested();

        ClientConnection client = exchange.client();
        boolean idempotent = IDEMPOTENT.contains(exchange.method());
        Hedging hedge = idempotent ? hedging(route) : null;
        RoutePolicies.Mirror mirror = settings.mirror();
        boolean mirrored = Mirroring.sampled(mirror);
        byte[] bufferedBody = null;
        boolean streamBody = false;
        if (client.hasRequestBody()) {
            long length = client.requestContentLength();
            boolean replayable = idempotent && (settings.retries().attempts() > 0 || hedge != null) && length <= REPLAYABLE_BODY_BYTES;
            if (length >= 0 && (replayable || mirrored && length <= mirror.maxBodyBytes())) {
                try {
                    bufferedBody = client.requestBody().readNBytes((int) length); // its size, where readAllBytes takes 16 kB
                } catch (io.eventgate.edge.pipeline.BodyTooLarge e) {
                    Replies.json(exchange, 413, RequestOutcome.REJECTED, "body_too_large", e.getMessage());
                    return;
                } catch (IOException | UncheckedIOException e) {
                    exchange.ended(499, RequestOutcome.CLIENT_ABORT);
                    return;
                }
                exchange.addBytesIn(bufferedBody.length);
            } else {
                streamBody = true;
            }
        }
        boolean retryable = idempotent && !streamBody;
        Mirroring.Copy copy = null;
        if (mirrored) {
            copy = streamBody ? mirroring.notCopied(route.id()) : mirroring.send(exchange, poolName, bufferedBody);
        }
        try {
            proxy(exchange, route, poolName, pool, budget, bufferedBody, streamBody, retryable, hedge != null && retryable ? hedge : null, copy);
        } finally {
            if (copy != null) {
                copy.primaryEnded(exchange.status());
            }
        }
    }

    private Hedging hedging(Route route) {
        RoutePolicies.Hedge policy = route.settings().hedge();
        if (policy == null) {
            return null;
        }
        Hedging current = hedging.get(route.id());
        if (current == null || !current.policy().equals(policy)) {
            current = new Hedging(policy, new RetryBudget(policy.budgetPercent()), new LatencyWindow(policy.percentile()));
            hedging.put(route.id(), current);
        }
        current.budget().requested();
        return current;
    }

    /** Attempts, retries and hedges until an answer is relayed or the request refused; {@code copy} learns the primary's answer. */
    private void proxy(Exchange exchange, Route route, String poolName, UpstreamPool pool, RetryBudget budget, byte[] bufferedBody, boolean streamBody,
                       boolean retryable, Hedging hedge, Mirroring.Copy copy) {
        RouteSettings settings = route.settings();
        Instance previous = null;
        String hashKey = HashKey.of(exchange, pool.settings());
        int breakerRefusals = 0;
        int attempts = 0;
        while (true) {
            Optional<Instance> chosen = pool.choose(previous, hashKey);
            if (chosen.isEmpty()) {
                Optional<Instance> tripped = pool.instances().stream()
                        .filter(i -> i.breaker() != null && i.breaker().getState() == CircuitBreaker.State.OPEN).findFirst();
                if (tripped.isPresent()) {
                    circuitOpen(exchange, tripped.get(), tripped.get().breaker());
                } else {
                    UpstreamReplies.noInstance(exchange, poolName);
                }
                return;
            }
            Instance instance = chosen.get();
            CircuitBreaker breaker = instance.breaker();
            if (breaker != null && !breaker.tryAcquirePermission()) {
                breakerRefusals++;
                if (breakerRefusals >= pool.instances().size()) {
                    circuitOpen(exchange, instance, breaker);
                    return;
                }
                previous = instance;
                continue;
            }
            exchange.upstreamInstance(instance.address());
            Attempt attempt;
            if (hedge != null) {
                attempt = hedged(exchange, settings, route, instance, pool, bufferedBody, hashKey, hedge); // each attempt tells its breaker
                exchange.upstreamInstance(attempt.instance().address());
                instance = attempt.instance();
            } else {
                attempt = call(exchange, settings, route, instance, pool, bufferedBody, streamBody, retryable, false, null);
                recordOnBreaker(breaker, attempt);
            }
            exchange.addUpstreamLatency(attempt.latencyNanos());
            if (hedge != null && attempt.response() != null && attempt.status() < 500) {
                hedge.latencies().record(attempt.latencyNanos());
            }
            if (attempt.failure() == UpstreamFailure.CLIENT_ABORTED) {
                exchange.ended(499, RequestOutcome.CLIENT_ABORT);
                return;
            }
            if (attempt.failure() == UpstreamFailure.BODY_TOO_LARGE) {
                Replies.json(exchange, 413, RequestOutcome.REJECTED, "body_too_large", "the request body exceeds the configured limit");
                return;
            }
            if (attempt.failure() == UpstreamFailure.BODY_UNDECODABLE) {
                Replies.json(exchange, 400, RequestOutcome.REJECTED, "body_undecodable", "the request body is not valid "
                        + exchange.header("content-encoding"));
                return;
            }
            boolean worthRetrying = attempt.response() == null
                    ? attempt.failure().retryable()
                    : settings.retries().onStatus().contains(attempt.status());
            if (retryable && worthRetrying && attempts < settings.retries().attempts() && budget.tryRetry()) {
                if (attempt.response() != null) {
                    attempt.abandon();
                }
                attempts++;
                exchange.retried();
                metrics.retried(route.id());
                previous = instance;
                backoff(settings.retries(), attempts);
                continue;
            }
            if (attempt.response() == null) {
                UpstreamReplies.failed(exchange, attempt.failure(), instance);
                return;
            }
            if (copy != null) {
                copy.primaryAnswered(attempt.response().head(), attempt.latencyNanos());
            }
            relay(exchange, attempt.response(), attempt.guard(), settings.timeouts().idle().toNanos(), copy);
            return;
        }
    }

    /**
     * The first attempt, and when it has not answered within the route's hedging delay a second one to another instance,
     * within the hedging budget: the first good answer wins and the other attempt is cancelled. Each attempt runs on a
     * virtual thread of its own and reports to its instance's breaker; the winner's body is relayed on this thread,
     * under a guard of its own.
     */
    private Attempt hedged(Exchange exchange, RouteSettings settings, Route route, Instance first, UpstreamPool pool, byte[] body, String hashKey,
                           Hedging hedge) {
        long started = System.nanoTime();
        HedgeRace<Attempt> race = new HedgeRace<>(a -> a.response() != null && a.status() < 500, a -> {
            if (a.response() != null) {
                a.response().close();
            }
        });
        race.start(() -> raced(exchange, settings, route, first, pool, body, race));
        Attempt winner;
        boolean sent = false;
        try {
            winner = race.first(hedge.delayNanos());
            if (winner == null) {
                Instance second = pool.choose(first, hashKey).filter(i -> i != first).orElse(null);
                if (second == null || second.breaker() != null && !second.breaker().tryAcquirePermission()) {
                    metrics.hedge(route.id(), "no_instance");
                } else if (!hedge.budget().tryRetry()) {
                    if (second.breaker() != null) {
                        second.breaker().releasePermission();
                    }
                    metrics.hedge(route.id(), "over_budget");
                } else {
                    exchange.hedged();
                    sent = true;
                    race.start(() -> raced(exchange, settings, route, second, pool, body, race));
                }
                winner = race.firstGood();
            }
        } catch (InterruptedException e) {
            race.close(null); // the server interrupts the handler when its client leaves
            return new Attempt(first, null, null, UpstreamFailure.CLIENT_ABORTED, System.nanoTime() - started);
        }
        race.close(winner);
        if (sent) {
            metrics.hedge(route.id(), winner.instance() == first ? "first_won" : "hedge_won");
        }
        long waited = System.nanoTime() - started;
        return winner.response() == null
                ? new Attempt(winner.instance(), null, null, winner.failure(), waited)
                : new Attempt(winner.instance(), winner.response(), watchdog.start(settings.timeouts().idle().toNanos()), null, waited);
    }

    /** One attempt of a hedged request, on its own thread: its breaker told, its guard stopped (the body is read elsewhere). */
    private Attempt raced(Exchange exchange, RouteSettings settings, Route route, Instance instance, UpstreamPool pool, byte[] body,
                          HedgeRace<Attempt> race) {
        Attempt attempt = call(exchange, settings, route, instance, pool, body, false, true, false, race);
        recordOnBreaker(instance.breaker(), attempt);
        if (attempt.guard() != null) {
            attempt.guard().stop();
        }
        return attempt;
    }

    private Attempt call(Exchange exchange, RouteSettings settings, Route route, Instance instance, UpstreamPool pool,
                         byte[] bufferedBody, boolean streamBody, boolean replayable, boolean newConnection, HedgeRace<Attempt> race) {
        String target = route.upstreamTarget(exchange.path(), exchange.pathVariables(), exchange.rawQuery());
        Span span = tracing.startUpstreamSpan(exchange.span(), exchange.method() + " " + pool.name());
        UpstreamRequestHead head = UpstreamHeaders.write(exchange, instance, tracing, span, new UpstreamRequestHead(exchange.method(), target));
        boolean chunkedBody = streamBody && exchange.client().requestContentLength() < 0;
        if (chunkedBody) {
            head.header("Transfer-Encoding", "chunked");
        }

        pool.started(instance);
        long started = System.nanoTime();
        UpstreamWatchdog.Guard guard = watchdog.start(settings.timeouts().firstByte().toNanos());
        UpstreamExchange response;
        io.helidon.webclient.api.ClientConnection kept = newConnection ? null : clients.kept(instance);
        io.helidon.webclient.api.ClientConnection connection = kept;
        try {
            if (connection == null) {
                connection = clients.open(instance, settings.timeouts().connect());
            }
            response = UpstreamExchange.send(connection, head, bufferedBody);
            if (streamBody) {
                try {
                    forwardBody(exchange, response.requestBody(chunkedBody));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            response.receive(exchange.method().equals("HEAD"));
        } catch (RuntimeException e) {
            if (connection != null) {
                connection.closeResource(); // it may hold part of this exchange, so it can carry no other
            }
            boolean expired = guard.stop();
            long latency = System.nanoTime() - started;
            UpstreamFailure failure = race != null && race.cancelled() ? UpstreamFailure.CANCELLED : UpstreamFailure.classify(e, expired);
            if (kept != null && failure == UpstreamFailure.RESET && replayable) {
                // the upstream closed the kept connection just as it was reused (its keep-alive ran out): no fault of the
                // instance's, and an idempotent request may be sent again, on a new connection
                pool.finished(instance, latency, false);
                span.end();
                return call(exchange, settings, route, instance, pool, bufferedBody, false, true, true, race);
            }
            pool.finished(instance, latency, !failure.clientsFault());
            span.setStatus(StatusCode.ERROR, failure.name());
            span.end();
            return new Attempt(instance, null, null, failure, latency);
        }
        if (!guard.renew(settings.timeouts().idle().toNanos())) {
            // the headers arrived just as the timer fired; the socket may be closed, so treat it as the timeout and close
            // the connection, which a bodiless answer has not given back yet
            guard.stop();
            response.close();
            long latency = System.nanoTime() - started;
            pool.finished(instance, latency, true);
            span.setStatus(StatusCode.ERROR, UpstreamFailure.FIRST_BYTE_TIMEOUT.name());
            span.end();
            return new Attempt(instance, null, null, UpstreamFailure.FIRST_BYTE_TIMEOUT, latency);
        }
        response.answered();
        long latency = System.nanoTime() - started;
        int status = response.status();
        String load = response.head().first(LoadReport.HEADER);
        if (load != null) {
            instance.reportLoad(LoadReport.utilization(load), System.nanoTime());
        }
        pool.finished(instance, latency, status >= 500);
        metrics.upstreamLatency(pool.name(), latency);
        span.setAttribute("http.response.status_code", status);
        if (status >= 500) {
            span.setStatus(StatusCode.ERROR);
        }
        span.end();
        return new Attempt(instance, response, guard, null, latency); // the guard goes on, as the idle timeout of the body
    }

    private static void forwardBody(Exchange exchange, OutputStream upstream) throws IOException {
        InputStream body = exchange.client().requestBody();
        byte[] buffer = new byte[COPY_BUFFER];
        while (true) {
            int n;
            try {
                n = body.read(buffer);
            } catch (IOException | UncheckedIOException e) {
                throw new UpstreamFailure.ClientAbort(e);
            }
            if (n < 0) {
                break;
            }
            upstream.write(buffer, 0, n);
            exchange.addBytesIn(n);
        }
        upstream.close();
    }

    private void relay(Exchange exchange, UpstreamExchange response, UpstreamWatchdog.Guard guard, long idleNanos, Mirroring.Copy copy) {
        try {
            relayAnswer(exchange, response, guard, idleNanos, copy);
        } finally {
            guard.stop();
        }
    }

    private void relayAnswer(Exchange exchange, UpstreamExchange response, UpstreamWatchdog.Guard guard, long idleNanos, Mirroring.Copy copy) {
        ClientConnection client = exchange.client();
        int status = response.status();
        client.status(status);
        long declared = response.head().contentLength();
        String encoding = compression(exchange, response, status, declared);
        response.relayHeaders(exchange);
        boolean noBody = exchange.method().equals("HEAD") || status == 204 || status == 304 || status / 100 == 1;
        if (noBody) {
            response.close();
            client.send(new byte[0]);
            exchange.ended(status, RequestOutcome.PROXIED);
            if (copy != null) {
                copy.primaryWhole();
            }
            return;
        }
        if (encoding == null && declared >= 0 && declared <= SMALL_BODY_BYTES) {
            relaySmall(exchange, response, guard, status, (int) declared, copy);
            return;
        }
        if (encoding == null && declared >= 0) {
            client.contentLength(declared);
        }
        byte[] buffer = new byte[COPY_BUFFER];
        Compression.Counted counted = null;
        long fromUpstream = 0;
        try (response; InputStream in = response.body()) {
            OutputStream out = client.responseBody();
            if (encoding != null) {
                counted = new Compression.Counted(out);
                out = Compression.encoder(encoding, counted); // chunked: the compressed length is known only at the end
            }
            while (true) {
                int n;
                try {
                    n = in.read(buffer);
                } catch (IOException | UncheckedIOException e) {
                    if (!guard.expired() && interruptedByServer(e)) {
                        // the server interrupts the handler when the client's connection closes: the client left
                        exchange.ended(499, RequestOutcome.CLIENT_ABORT);
                        return;
                    }
                    // the upstream broke or went idle mid-body: the status is gone, so cut the client connection
                    exchange.ended(status, guard.expired() ? RequestOutcome.TIMEOUT : RequestOutcome.UPSTREAM_FAILURE);
                    throw new UncheckedIOException("upstream body interrupted", e instanceof IOException io ? io : new IOException(e));
                }
                if (n < 0) {
                    break;
                }
                try {
                    out.write(buffer, 0, n);
                    if (counted != null && declared < 0 && in.available() == 0) {
                        // a stream of unknown length (server-sent events): what is compressed goes out now; a body of
                        // known length is flushed once, at its end, which keeps the compressor's blocks whole
                        out.flush();
                    }
                } catch (IOException | RuntimeException e) {
                    // any failure to write to the client means it is gone (the server reports it in its own exception types)
                    exchange.ended(499, RequestOutcome.CLIENT_ABORT);
                    return; // closing the upstream response (try-with-resources) cancels the upstream call
                }
                if (counted == null) {
                    exchange.addBytesOut(n);
                }
                if (copy != null) {
                    copy.primaryBody(buffer, 0, n);
                }
                fromUpstream += n;
                guard.renew(idleNanos);
            }
            try {
                out.close();
            } catch (IOException | RuntimeException e) {
                exchange.ended(499, RequestOutcome.CLIENT_ABORT);
                return;
            }
            if (counted != null) {
                exchange.addBytesOut(counted.count());
                metrics.compressed(encoding, fromUpstream, counted.count());
            }
            if (copy != null) {
                copy.primaryWhole();
            }
            exchange.ended(status, RequestOutcome.PROXIED);
        } catch (IOException e) {
            exchange.ended(499, RequestOutcome.CLIENT_ABORT);
        }
    }

    /**
     * The encoding this answer is compressed with under the route's {@code compression}, or null; sets the headers that
     * say so: {@code Content-Encoding}, {@code Vary: Accept-Encoding} (on every answer that could have been compressed),
     * and a weak ETag, since the bytes are no longer the upstream's.
     */
    private static String compression(Exchange exchange, UpstreamExchange response, int status, long declared) {
        RoutePolicies.Compression policy = exchange.route().settings().compression();
        if (policy == null || !Compression.eligible(policy, exchange.method(), status, response.head()::first, declared)) {
            return null;
        }
        exchange.addResponseHeader("Vary", "Accept-Encoding");
        String encoding = Compression.negotiate(policy.encodings(), exchange.header("accept-encoding"));
        if (encoding != null) {
            exchange.responseHeader("Content-Encoding", encoding);
            String etag = response.head().first("etag");
            if (etag != null && !etag.startsWith("W/")) {
                exchange.responseHeader("ETag", "W/" + etag);
            }
        }
        return encoding;
    }

    private static boolean interruptedByServer(Throwable error) {
        boolean interrupted = Thread.interrupted();
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof java.nio.channels.ClosedByInterruptException || t instanceof java.io.InterruptedIOException && !(t instanceof java.net.SocketTimeoutException)) {
                return true;
            }
        }
        return interrupted;
    }

    /** A small body of known length is read whole and sent with the headers in one write. */
    private static void relaySmall(Exchange exchange, UpstreamExchange response, UpstreamWatchdog.Guard guard, int status, int length,
                                   Mirroring.Copy copy) {
        byte[] body;
        try (response; InputStream in = response.body()) {
            body = in.readNBytes(length);
        } catch (IOException | UncheckedIOException e) {
            boolean timeout = guard.stop(); // clears the watchdog's interrupt, so the answer below can still be written
            Replies.json(exchange, timeout ? 504 : 502, timeout ? RequestOutcome.TIMEOUT : RequestOutcome.UPSTREAM_FAILURE,
                    timeout ? "idle_timeout" : "upstream_body", "the upstream's response body " + (timeout ? "stalled" : "broke off"));
            return;
        }
        try {
            exchange.client().contentLength(body.length);
            exchange.client().send(body);
            exchange.addBytesOut(body.length);
            exchange.ended(status, RequestOutcome.PROXIED);
            if (copy != null) {
                copy.primaryBody(body, 0, body.length);
                copy.primaryWhole();
            }
        } catch (UncheckedIOException e) {
            exchange.ended(499, RequestOutcome.CLIENT_ABORT);
        }
    }

    private void circuitOpen(Exchange exchange, Instance instance, CircuitBreaker breaker) {
        long retryAfter = Math.max(1, breakerWaitSeconds(breaker));
        exchange.decided(Decisions.of(exchange, nodeId, DecisionKind.CIRCUIT_OPEN, "circuit-breaker:" + instance.pool(),
                exchange.snapshot().version(), null, null, retryAfter,
                "circuit breaker of every instance of pool " + instance.pool() + " is open", false), true);
        exchange.client().header("Retry-After", Long.toString(retryAfter));
        Replies.json(exchange, 503, RequestOutcome.UPSTREAM_FAILURE, "circuit_open", "upstream pool " + instance.pool() + " is failing; retry later");
    }

    private static long breakerWaitSeconds(CircuitBreaker breaker) {
        return (long) Math.ceil(breaker.getCircuitBreakerConfig().getWaitIntervalFunctionInOpenState().apply(1) / 1000.0);
    }

    private static void recordOnBreaker(CircuitBreaker breaker, Attempt attempt) {
        if (breaker == null) {
            return;
        }
        if (attempt.failure() != null && attempt.failure().clientsFault()) {
            breaker.releasePermission();
        } else if (attempt.failedForPool()) {
            breaker.onError(attempt.latencyNanos(), TimeUnit.NANOSECONDS, new IOException("upstream answered " + attempt.status()));
        } else {
            breaker.onSuccess(attempt.latencyNanos(), TimeUnit.NANOSECONDS);
        }
    }

    private static void backoff(RouteSettings.Retries retries, int attempt) {
        long ceiling = Math.min(retries.maxBackoff().toNanos(), retries.backoff().toNanos() << Math.min(attempt - 1, 20));
        long sleep = ThreadLocalRandom.current().nextLong(ceiling + 1);
        try {
            TimeUnit.NANOSECONDS.sleep(sleep);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
