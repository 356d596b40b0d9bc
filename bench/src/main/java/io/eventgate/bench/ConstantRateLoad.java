package io.eventgate.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.HdrHistogram.Histogram;

/**
 * Offers requests at a constant rate and measures their latency corrected for coordinated omission: request k has an
 * intended start on a fixed schedule, and its latency runs from that intended start, not from when a connection slowed
 * by an earlier answer got round to sending it (which is what wrk and hey measure, hiding a stalled server's queue).
 * One thread drives every connection through a selector, so the generator itself takes little of the machine it
 * shares with what it measures. Keep-alive HTTP/1.1 GETs, the schedule spread over {@code connections} (request k on
 * connection k mod connections, one at a time on each); answers must carry a Content-Length. The first {@code warmup}
 * seconds run on the same schedule but are not recorded. Prints one line: {@code offered achieved p50 p90 p99 p99.9
 * max errors} (rates in req/s, latencies in ms). Talks only to the address it is given; stops after
 * {@code warmup + seconds}, or 30 s later at the most.
 *
 * <p>Usage: {@code ConstantRateLoad URL RATE SECONDS [CONNECTIONS] [WARMUP] [HEADER: VALUE]}
 */
public final class ConstantRateLoad {
    private ConstantRateLoad() {
    }

    /** One connection: the request it is answering (or will send next), and the answer's bytes so far. */
    private static final class Connection {
        final SocketChannel channel;
        long next;            // index of the request this connection sends next, or is waiting the answer of
        boolean inFlight;
        ByteBuffer received = ByteBuffer.allocate(64 * 1024);

        Connection(SocketChannel channel, long first) {
            this.channel = channel;
            this.next = first;
        }
    }

    public static void main(String[] args) throws IOException {
        URI url = URI.create(args[0]);
        double rate = Double.parseDouble(args[1]);
        double seconds = Double.parseDouble(args[2]);
        int count = args.length > 3 ? Integer.parseInt(args[3]) : 64;
        double warmup = args.length > 4 ? Double.parseDouble(args[4]) : 0;
        String extraHeader = args.length > 5 ? args[5] + "\r\n" : "";
        byte[] request = ("GET " + url.getRawPath() + (url.getRawQuery() == null ? "" : "?" + url.getRawQuery()) + " HTTP/1.1\r\nHost: "
                + url.getHost() + ":" + url.getPort() + "\r\n" + extraHeader + "\r\n").getBytes(StandardCharsets.US_ASCII);
        long interval = (long) (1e9 / rate);
        long warm = (long) (rate * warmup);
        long total = warm + (long) (rate * seconds);
        Histogram histogram = new Histogram(3_600_000_000_000L, 3);
        long errors = 0;
        long recorded = 0;
        long lastAnswer = 0;

        Selector selector = Selector.open();
        List<Connection> connections = new ArrayList<>();
        for (int c = 0; c < count && c < total; c++) {
            SocketChannel channel = SocketChannel.open(new InetSocketAddress(url.getHost(), url.getPort()));
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            channel.configureBlocking(false);
            Connection connection = new Connection(channel, c);
            channel.register(selector, SelectionKey.OP_READ, connection);
            connections.add(connection);
        }
        long start = System.nanoTime() + 50_000_000L;
        long recordFrom = start + warm * interval;
        long giveUp = start + total * interval + 30_000_000_000L;
        long done = 0;
        while (done < connections.size() && System.nanoTime() < giveUp) {
            long now = System.nanoTime();
            long nextDue = Long.MAX_VALUE;
            done = 0;
            for (Connection connection : connections) {
                if (connection.next >= total && !connection.inFlight) {
                    done++;
                    continue;
                }
                if (!connection.inFlight) {
                    long due = start + connection.next * interval;
                    if (due <= now) {
                        ByteBuffer out = ByteBuffer.wrap(request);
                        while (out.hasRemaining()) {
                            connection.channel.write(out);
                        }
                        connection.inFlight = true;
                    } else {
                        nextDue = Math.min(nextDue, due);
                    }
                }
            }
            long waitMillis = nextDue == Long.MAX_VALUE ? 10 : Math.max(0, (nextDue - System.nanoTime()) / 1_000_000);
            if (waitMillis == 0) {
                selector.selectNow();
            } else {
                selector.select(waitMillis);
            }
            for (SelectionKey key : selector.selectedKeys()) {
                Connection connection = (Connection) key.attachment();
                int n = connection.channel.read(connection.received);
                if (n < 0) {
                    throw new IOException("the server closed a connection");
                }
                int status = answered(connection.received);
                if (status != 0) {
                    long intended = start + connection.next * interval;
                    if (intended >= recordFrom) {
                        lastAnswer = System.nanoTime();
                        histogram.recordValue(Math.max(0, lastAnswer - intended));
                        recorded++;
                        if (status / 100 != 2) {
                            errors++;
                        }
                    }
                    connection.received.clear();
                    connection.inFlight = false;
                    connection.next += connections.size();
                }
            }
            selector.selectedKeys().clear();
        }
        // answers per second over the recorded part, until the last answer: below the offered rate when the server fell behind
        double elapsed = Math.max((total - warm) * interval, lastAnswer - recordFrom) / 1e9;
        System.out.printf(Locale.ROOT, "%.0f %.0f %.3f %.3f %.3f %.3f %.3f %d%n", rate, recorded / elapsed,
                ms(histogram.getValueAtPercentile(50)), ms(histogram.getValueAtPercentile(90)), ms(histogram.getValueAtPercentile(99)),
                ms(histogram.getValueAtPercentile(99.9)), ms(histogram.getMaxValue()), errors + (total - warm - recorded));
        for (Connection connection : connections) {
            connection.channel.close();
        }
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }

    /** The status of the answer in {@code received} once it is whole (head and Content-Length body), else 0. */
    private static int answered(ByteBuffer received) throws IOException {
        byte[] bytes = received.array();
        int length = received.position();
        int headEnd = -1;
        for (int i = 3; i < length; i++) {
            if (bytes[i] == '\n' && bytes[i - 1] == '\r' && bytes[i - 2] == '\n' && bytes[i - 3] == '\r') {
                headEnd = i + 1;
                break;
            }
        }
        if (headEnd < 0) {
            return 0;
        }
        String head = new String(bytes, 0, headEnd, StandardCharsets.ISO_8859_1).toLowerCase(Locale.ROOT);
        int at = head.indexOf("\ncontent-length:");
        if (at < 0) {
            throw new IOException("an answer without Content-Length: " + head.lines().findFirst().orElse(""));
        }
        long body = Long.parseLong(head.substring(at + 16, head.indexOf('\r', at + 1)).trim());
        if (length < headEnd + body) {
            return 0;
        }
        return Integer.parseInt(head.substring(9, 12));
    }
}
