package io.eventgate.bench;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * Offers requests at a constant rate and measures their latency corrected for coordinated omission: each request has
 * an intended start on a fixed schedule, and its latency runs from that intended start, not from when a connection
 * slowed by an earlier answer got round to sending it (which is what wrk and hey measure, hiding a stalled server's
 * queue). Keep-alive HTTP/1.1 GETs over {@code connections} sockets, the schedule interleaved across them; answers must
 * carry a Content-Length. Prints one line: {@code offered achieved p50 p90 p99 p99.9 max errors} (rates in req/s,
 * latencies in ms). Talks only to the address it is given and stops after {@code seconds}.
 *
 * <p>Usage: {@code ConstantRateLoad URL RATE SECONDS [CONNECTIONS] [HEADER: VALUE]}
 */
public final class ConstantRateLoad {
    private ConstantRateLoad() {
    }

    public static void main(String[] args) throws Exception {
        URI url = URI.create(args[0]);
        double rate = Double.parseDouble(args[1]);
        double seconds = Double.parseDouble(args[2]);
        int connections = args.length > 3 ? Integer.parseInt(args[3]) : 32;
        String extraHeader = args.length > 4 ? args[4] + "\r\n" : "";
        byte[] request = ("GET " + url.getRawPath() + (url.getRawQuery() == null ? "" : "?" + url.getRawQuery()) + " HTTP/1.1\r\nHost: "
                + url.getHost() + ":" + url.getPort() + "\r\n" + extraHeader + "\r\n").getBytes(StandardCharsets.US_ASCII);
        long intervalNanos = (long) (1e9 / rate);
        long total = (long) (rate * seconds);
        long start = System.nanoTime() + 100_000_000L; // every connection is open before the schedule starts
        AtomicLong errors = new AtomicLong();
        List<Histogram> histograms = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < connections; c++) {
            Histogram histogram = new Histogram(3_600_000_000_000L, 3);
            histograms.add(histogram);
            int connection = c;
            threads.add(Thread.ofPlatform().start(() -> run(url, request, start, intervalNanos, total, connections, connection, histogram, errors)));
        }
        for (Thread thread : threads) {
            thread.join();
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        Histogram all = new Histogram(3_600_000_000_000L, 3);
        histograms.forEach(all::add);
        System.out.printf(Locale.ROOT, "%.0f %.0f %.3f %.3f %.3f %.3f %.3f %d%n", rate, all.getTotalCount() / elapsed,
                ms(all.getValueAtPercentile(50)), ms(all.getValueAtPercentile(90)), ms(all.getValueAtPercentile(99)),
                ms(all.getValueAtPercentile(99.9)), ms(all.getMaxValue()), errors.get());
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }

    /** One connection's share of the schedule: requests connection, connection + connections, ... */
    private static void run(URI url, byte[] request, long start, long intervalNanos, long total, int connections, int connection,
                            Histogram histogram, AtomicLong errors) {
        Socket socket = null;
        InputStream in = null;
        OutputStream out = null;
        for (long k = connection; k < total; k += connections) {
            long intended = start + k * intervalNanos;
            long wait;
            while ((wait = intended - System.nanoTime()) > 0) {
                LockSupport.parkNanos(wait);
            }
            try {
                if (socket == null) {
                    socket = new Socket();
                    socket.setTcpNoDelay(true);
                    socket.connect(new InetSocketAddress(url.getHost(), url.getPort()), 5_000);
                    socket.setSoTimeout(30_000);
                    in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
                    out = socket.getOutputStream();
                }
                out.write(request);
                out.flush();
                if (!readAnswer(in)) {
                    errors.incrementAndGet();
                }
                histogram.recordValue(Math.max(0, System.nanoTime() - intended));
            } catch (IOException e) {
                errors.incrementAndGet();
                histogram.recordValue(Math.max(0, System.nanoTime() - intended));
                try {
                    if (socket != null) {
                        socket.close();
                    }
                } catch (IOException ignored) {
                    // a broken connection: the next request opens another
                }
                socket = null;
            }
        }
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // done
            }
        }
    }

    /** Reads one answer (status line, headers, Content-Length body); true for a 2xx. */
    private static boolean readAnswer(InputStream in) throws IOException {
        String status = line(in);
        long length = -1;
        String header;
        while (!(header = line(in)).isEmpty()) {
            if (header.regionMatches(true, 0, "content-length:", 0, 15)) {
                length = Long.parseLong(header.substring(15).trim());
            }
        }
        if (length < 0) {
            throw new IOException("an answer without Content-Length: " + status);
        }
        in.skipNBytes(length);
        return status.length() > 9 && status.charAt(9) == '2';
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder(64);
        int b;
        while ((b = in.read()) != '\n') {
            if (b < 0) {
                throw new IOException("connection closed mid-answer");
            }
            if (b != '\r') {
                line.append((char) b);
            }
        }
        return line.toString();
    }
}
