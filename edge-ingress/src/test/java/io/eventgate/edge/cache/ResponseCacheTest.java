package io.eventgate.edge.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventgate.edge.EdgeFixture;
import io.eventgate.edge.server.EdgeServer;
import io.eventgate.policy.model.RoutePolicies;
import io.eventgate.testkit.KafkaExtension;
import io.eventgate.testkit.TestKafka;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.WebServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The response cache between a real client, a real edge and a real upstream that counts what reaches it. */
@ExtendWith(KafkaExtension.class)
class ResponseCacheTest {
    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
    final AtomicBoolean failing = new AtomicBoolean();
    volatile String cacheControl = null;
    final AtomicInteger version = new AtomicInteger(1);
    volatile java.util.concurrent.CountDownLatch hold;
    WebServer upstream;
    EdgeServer edge;

    int calls(String path) {
        return calls.computeIfAbsent(path, p -> new AtomicInteger()).get();
    }

    @BeforeEach
    void start(TestKafka kafka, @TempDir Path dir) {
        upstream = WebServer.builder().host("127.0.0.1").port(0).routing(r -> r.any((req, res) -> {
            String path = req.path().rawPath();
            calls.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
            if (failing.get()) {
                res.status(Status.SERVICE_UNAVAILABLE_503).send("down");
                return;
            }
            if (path.endsWith("/swr")) {
                java.util.concurrent.CountDownLatch held = hold;
                if (held != null) {
                    try {
                        held.await(10, java.util.concurrent.TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                String tag = "\"v" + version.get() + "\"";
                res.header("Cache-Control", "max-age=0, stale-while-revalidate=30").header("ETag", tag);
                if (tag.equals(req.headers().first(HeaderNames.IF_NONE_MATCH).orElse(null))) {
                    res.status(Status.NOT_MODIFIED_304).send();
                } else {
                    res.send("version " + version.get());
                }
                return;
            }
            if (path.endsWith("/slow")) {
                try {
                    Thread.sleep(300);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            String etag = "\"v1\"";
            if (cacheControl != null) {
                res.header("Cache-Control", cacheControl);
            }
            if (etag.equals(req.headers().first(HeaderNames.IF_NONE_MATCH).orElse(null))) {
                res.status(Status.NOT_MODIFIED_304).header("ETag", etag).send();
                return;
            }
            res.header("ETag", etag).header("Surrogate-Key", "products " + (path.contains("tagged") ? "tagged" : "plain"));
            if (path.endsWith("/private")) {
                res.header("Cache-Control", "private");
            }
            if (path.endsWith("/vary")) {
                res.header("Vary", "Accept-Language").send("lang=" + req.headers().first(HeaderNames.ACCEPT_LANGUAGE).orElse("-"));
                return;
            }
            if (path.endsWith("/big")) {
                res.send(new byte[2 << 20]);
                return;
            }
            res.send("body of " + path);
        })).build().start();
        RoutePolicies.Cache cache = new RoutePolicies.Cache(Duration.ofSeconds(30), null, null, null, null, false, null, Duration.ofMinutes(1), null);
        edge = EdgeServer.start(EdgeFixture.settings(kafka, dir.resolve("journal"), Map.of("up", EdgeFixture.pool("http://127.0.0.1:" + upstream.port())),
                List.of(EdgeFixture.route("cached", "/cached/**", "up").withCache(cache))));
    }

    @AfterEach
    void stop() {
        edge.close();
        upstream.stop();
    }

    HttpResponse<String> get(String path, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + edge.port() + path));
        if (headers.length > 0) {
            request.headers(headers);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    static String cacheStatus(HttpResponse<?> response) {
        return response.headers().firstValue("Cache-Status").orElse("");
    }

    @Test
    void aMissIsStoredAndTheNextRequestIsAHitWithItsAge() throws Exception {
        HttpResponse<String> miss = get("/cached/a");
        assertThat(cacheStatus(miss)).isEqualTo("eventgate; fwd=miss");
        HttpResponse<String> hit = get("/cached/a");
        assertThat(hit.statusCode()).isEqualTo(200);
        assertThat(hit.body()).isEqualTo("body of /cached/a");
        assertThat(cacheStatus(hit)).startsWith("eventgate; hit; ttl=");
        assertThat(hit.headers().firstValue("Age")).isPresent();
        assertThat(hit.headers().firstValue("ETag")).hasValue("\"v1\"");
        assertThat(hit.headers().firstValue("X-Request-Id")).isNotEqualTo(miss.headers().firstValue("X-Request-Id"));
        assertThat(calls("/cached/a")).isEqualTo(1);
        assertThat(get("/cached/a?page=2").body()).as("another query is another key").isEqualTo("body of /cached/a");
        assertThat(calls("/cached/a")).isEqualTo(2);
    }

    @Test
    void aStaleAnswerIsRevalidatedAndServedWhileTheUpstreamFails() throws Exception {
        cacheControl = "max-age=0"; // stored, stale at once
        assertThat(get("/cached/b").body()).isEqualTo("body of /cached/b");
        HttpResponse<String> revalidated = get("/cached/b");
        assertThat(revalidated.statusCode()).as("the upstream's 304 answers the cache, not the client").isEqualTo(200);
        assertThat(revalidated.body()).isEqualTo("body of /cached/b");
        assertThat(cacheStatus(revalidated)).isEqualTo("eventgate; fwd=stale; fwd-status=304");
        assertThat(calls("/cached/b")).isEqualTo(2);

        failing.set(true);
        HttpResponse<String> stale = get("/cached/b");
        assertThat(stale.statusCode()).isEqualTo(200);
        assertThat(stale.body()).isEqualTo("body of /cached/b");
        assertThat(cacheStatus(stale)).isEqualTo("eventgate; hit; fwd=stale; fwd-status=503; detail=stale-if-error");

        upstream.stop(); // not even a connection: the edge's own 502 is replaced as well
        HttpResponse<String> down = get("/cached/b");
        assertThat(down.statusCode()).isEqualTo(200);
        assertThat(cacheStatus(down)).contains("detail=stale-if-error");
    }

    @Test
    void withinStaleWhileRevalidateTheStaleAnswerIsServedAtOnceAndRefreshedInTheBackground() throws Exception {
        assertThat(get("/cached/swr").body()).isEqualTo("version 1"); // stored, stale at once, servable stale for 30 s
        version.set(2);
        hold = new java.util.concurrent.CountDownLatch(1); // the upstream answers nothing until released
        HttpResponse<String> stale = get("/cached/swr");
        assertThat(stale.statusCode()).isEqualTo(200);
        assertThat(stale.body()).as("answered while the revalidation waits on the upstream").isEqualTo("version 1");
        assertThat(cacheStatus(stale)).startsWith("eventgate; hit; ttl=").endsWith("; detail=stale-while-revalidate");
        assertThat(get("/cached/swr").body()).as("one revalidation in flight per key").isEqualTo("version 1");
        awaitCalls("/cached/swr", 2);
        hold.countDown();

        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        String body;
        do {
            body = get("/cached/swr").body();
        } while (!body.equals("version 2") && System.nanoTime() < deadline);
        assertThat(body).as("the background request stored the new version").isEqualTo("version 2");
        assertThat(edge.metrics().registry().get("edge.cache.stale_while_revalidate").counter().count()).isGreaterThanOrEqualTo(2);
    }

    void awaitCalls(String path, int count) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (calls(path) < count && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(calls(path)).isEqualTo(count);
    }

    @Test
    void concurrentMissesForOneKeyMakeOneUpstreamRequest() throws Exception {
        try (var clients = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<HttpResponse<String>>> answers = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                answers.add(clients.submit(() -> get("/cached/slow")));
            }
            for (Future<HttpResponse<String>> answer : answers) {
                assertThat(answer.get().body()).isEqualTo("body of /cached/slow");
            }
        }
        assertThat(calls("/cached/slow")).isEqualTo(1);
    }

    @Test
    void answersVaryByTheHeadersTheUpstreamNames() throws Exception {
        assertThat(get("/cached/vary", "Accept-Language", "en").body()).isEqualTo("lang=en");
        assertThat(get("/cached/vary", "Accept-Language", "fr").body()).isEqualTo("lang=fr");
        assertThat(get("/cached/vary", "Accept-Language", "en").body()).isEqualTo("lang=en");
        assertThat(get("/cached/vary", "Accept-Language", "fr").body()).isEqualTo("lang=fr");
        assertThat(calls("/cached/vary")).isEqualTo(2);
    }

    @Test
    void privateAnswersCredentialsNoStoreAndLargeBodiesAreNotShared() throws Exception {
        get("/cached/private");
        assertThat(cacheStatus(get("/cached/private"))).isEqualTo("eventgate; fwd=miss");
        assertThat(calls("/cached/private")).isEqualTo(2);

        get("/cached/c");
        HttpResponse<String> withCredentials = get("/cached/c", "Authorization", "Bearer something");
        assertThat(cacheStatus(withCredentials)).isEqualTo("eventgate; fwd=bypass; detail=credentials");
        assertThat(cacheStatus(get("/cached/c", "Cache-Control", "no-store"))).isEqualTo("eventgate; fwd=bypass; detail=no-store");
        assertThat(calls("/cached/c")).isEqualTo(3);

        assertThat(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + edge.port() + "/cached/big")).build(),
                HttpResponse.BodyHandlers.ofByteArray()).body()).hasSize(2 << 20);
        assertThat(cacheStatus(get("/cached/big"))).as("over maxBodyBytes: streamed, not kept").isEqualTo("eventgate; fwd=miss");
    }

    @Test
    void purgesByRouteKeyAndTagDropTheAnswers() throws Exception {
        get("/cached/p1");
        get("/cached/tagged");
        get("/cached/p2");
        assertThat(edge.cache().purgeTag("tagged")).isEqualTo(1);
        assertThat(cacheStatus(get("/cached/tagged"))).isEqualTo("eventgate; fwd=miss");
        assertThat(cacheStatus(get("/cached/p1"))).startsWith("eventgate; hit");
        assertThat(edge.cache().purgeKey(CacheKeys.prefix("GET", "127.0.0.1", "/cached/p1"))).isEqualTo(1);
        assertThat(cacheStatus(get("/cached/p1"))).isEqualTo("eventgate; fwd=miss");
        assertThat(edge.cache().purgeRoute("cached")).isEqualTo(3);
        assertThat(cacheStatus(get("/cached/p2"))).isEqualTo("eventgate; fwd=miss");
    }
}
