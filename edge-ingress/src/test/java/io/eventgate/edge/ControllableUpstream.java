package io.eventgate.edge;

import io.helidon.http.Status;
import io.helidon.webserver.WebServer;
import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real upstream whose answers a test sets: the status of its next answers (optionally for only the
 * first N calls), the health endpoint's status, and a delay before answering. Counts calls per method.
 */
public final class ControllableUpstream implements AutoCloseable {
    private final WebServer server;
    private final AtomicInteger calls = new AtomicInteger();
    private final AtomicInteger posts = new AtomicInteger();
    private volatile int status = 200;
    private volatile int failFirst;
    private volatile int failStatus = 503;
    private volatile int healthStatus = 200;

    private ControllableUpstream() {
        this.server = WebServer.builder().host("127.0.0.1").port(0).routing(r -> r
                .get("/health", (req, res) -> res.status(Status.create(healthStatus)).send("health"))
                .get("/stall/{length}", (req, res) -> {
                    res.header("Content-Length", req.path().pathParameters().get("length"));
                    try (OutputStream out = res.outputStream()) {
                        out.write("partial".getBytes());
                        out.flush();
                        Thread.sleep(5_000);
                    } catch (IOException | InterruptedException e) {
                        // the edge gave up on us: expected
                    }
                })
                .any((req, res) -> {
                    int call = calls.incrementAndGet();
                    if (req.prologue().method().text().equals("POST")) {
                        posts.incrementAndGet();
                    }
                    if (req.content().hasEntity()) {
                        req.content().consume();
                    }
                    int answer = call <= failFirst ? failStatus : status;
                    res.status(Status.create(answer)).send("answer " + answer + " to call " + call + " on " + server().port());
                })).build().start();
    }

    private WebServer server() {
        return server;
    }

    public static ControllableUpstream start() {
        return new ControllableUpstream();
    }

    public String url() {
        return "http://127.0.0.1:" + server.port();
    }

    public int calls() {
        return calls.get();
    }

    public int posts() {
        return posts.get();
    }

    /** Answers {@code status} from now on. */
    public ControllableUpstream answer(int status) {
        this.status = status;
        return this;
    }

    /** The first {@code n} calls (counted from the start) answer {@code failStatus}, later ones the normal status. */
    public ControllableUpstream failFirst(int n, int failStatus) {
        this.failFirst = n;
        this.failStatus = failStatus;
        return this;
    }

    public ControllableUpstream health(int status) {
        this.healthStatus = status;
        return this;
    }

    @Override
    public void close() {
        server.stop();
    }
}
