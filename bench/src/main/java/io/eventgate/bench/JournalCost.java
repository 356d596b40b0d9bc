package io.eventgate.bench;

import io.eventgate.avro.RequestEvent;
import io.eventgate.avro.RequestOutcome;
import io.eventgate.edge.config.EventSettings;
import io.eventgate.edge.events.Journal;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;

/**
 * What the event journal adds to a request, on its own: each request encodes its RequestEvent (as the edge did before
 * the journal) and, in the journaled run, also writes its admission and its event to the journal, while one reader
 * thread follows the journal and commits as the publisher does. Request threads run flat out; the CPU per request is
 * the process's CPU time over the requests, and the latency is that of the request thread's event work (encoding,
 * plus the two journal writes when journaled). Both runs in one process, one after the other, after a warm-up.
 *
 * <p>Usage: {@code JournalCost [requests per thread] [threads]} (default 2,000,000 and 2), from the repository root.
 */
public final class JournalCost {
    private JournalCost() {
    }

    private record Result(double cpuMicrosPerRequest, Histogram latency) {
    }

    public static void main(String[] args) throws Exception {
        int perThread = args.length > 0 ? Integer.parseInt(args[0]) : 2_000_000;
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        Path dir = Files.createTempDirectory("eventgate-journal-bench");
        run(dir.resolve("warm-up"), perThread / 4, threads, true);
        run(dir.resolve("warm-up"), perThread / 4, threads, false);
        Result without = run(dir.resolve("without"), perThread, threads, false);
        Result with = run(dir.resolve("with"), perThread, threads, true);
        System.out.printf("%n| run | CPU µs/request | p50 µs | p99 µs | p99.9 µs |%n|---|---:|---:|---:|---:|%n");
        print("event encoded only", without);
        print("encoded and journaled (admission, event, reader)", with);
        System.out.printf("%njournal adds %.2f µs of CPU and %.1f µs of p99 per request (%d threads, %,d requests each)%n",
                with.cpuMicrosPerRequest() - without.cpuMicrosPerRequest(),
                (with.latency().getValueAtPercentile(99) - without.latency().getValueAtPercentile(99)) / 1000.0, threads, perThread);
    }

    static void print(String name, Result result) {
        System.out.printf("| %s | %.2f | %.1f | %.1f | %.1f |%n", name, result.cpuMicrosPerRequest(), result.latency().getValueAtPercentile(50) / 1000.0,
                result.latency().getValueAtPercentile(99) / 1000.0, result.latency().getValueAtPercentile(99.9) / 1000.0);
    }

    static Result run(Path dir, int perThread, int threads, boolean journaled) throws Exception {
        Journal journal = Journal.open(new EventSettings.Journal(dir, 0, 0, EventSettings.Fsync.INTERVAL, null));
        AtomicBoolean done = new AtomicBoolean();
        Thread reader = Thread.ofPlatform().start(() -> {
            Journal.Reader events = journal.reader();
            while (!done.get()) {
                Journal.Event last = null;
                for (Journal.Event event = events.next(); event != null; event = events.next()) {
                    last = event;
                }
                if (last != null) {
                    journal.commit(last.next());
                } else {
                    LockSupport.parkNanos(2_000_000);
                }
            }
        });
        Histogram latency = new Histogram(3_600_000_000L, 3);
        List<Thread> workers = new ArrayList<>();
        long cpuBefore = processCpuNanos();
        for (int t = 0; t < threads; t++) {
            String prefix = "t" + t + "-";
            workers.add(Thread.ofPlatform().start(() -> {
                SpecificDatumWriter<RequestEvent> writer = new SpecificDatumWriter<>(RequestEvent.class);
                ByteArrayOutputStream out = new ByteArrayOutputStream(1024);
                BinaryEncoder encoder = null;
                Histogram mine = new Histogram(3_600_000_000L, 3);
                for (int i = 0; i < perThread; i++) {
                    RequestEvent event = event(prefix + i);
                    long start = System.nanoTime();
                    long admission = journaled ? journal.admit(event.getTimestamp().toEpochMilli(), event.getRequestId(), event.getTraceId(),
                            event.getMethod(), event.getPath(), event.getHost(), event.getClientAddress()) : 0;
                    out.reset();
                    encoder = EncoderFactory.get().directBinaryEncoder(out, encoder);
                    try {
                        writer.write(event, encoder);
                    } catch (IOException e) {
                        throw new IllegalStateException(e);
                    }
                    if (journaled) {
                        journal.append("requests", event.getConsumerId(), event.getTimestamp().toEpochMilli(), admission, out.toByteArray(), out.size());
                    }
                    mine.recordValue(System.nanoTime() - start);
                }
                synchronized (latency) {
                    latency.add(mine);
                }
            }));
        }
        for (Thread worker : workers) {
            worker.join();
        }
        while (journaled && !journal.drained()) {
            LockSupport.parkNanos(1_000_000);
        }
        double cpuMicros = (processCpuNanos() - cpuBefore) / 1000.0 / ((double) perThread * threads);
        done.set(true);
        reader.join();
        journal.close();
        return new Result(cpuMicros, latency);
    }

    static RequestEvent event(String id) {
        return RequestEvent.newBuilder().setRequestId(id).setTraceId("4bf92f3577b34da6a3ce929d0e0e4736").setTimestamp(Instant.now())
                .setNode("edge-1").setRouteId("api").setMethod("GET").setPath("/api/orders/12345").setHost("api.example.com").setStatus(200)
                .setGatewayLatencyMicros(850).setUpstreamLatencyMicros(700L).setBytesIn(0).setBytesOut(1234).setConsumerId("acme")
                .setPlan("gold").setClientAddress("203.0.113.7").setUpstreamInstance("10.0.0.12:8080").setRetries(0).setOutcome(RequestOutcome.PROXIED)
                .setDecision("allow").build();
    }

    static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }
}
