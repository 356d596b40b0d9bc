package io.eventgate.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;

/**
 * A TCP proxy from a local port to one address that can cut the network between its two sides. While cut, no byte
 * flows either way and new connections are accepted but stay silent: what both ends of a partition see, where
 * packets are dropped and nothing is closed, so clients find out by their own timeouts. Healed, the held bytes flow
 * on, as TCP retransmits them after a real partition ends. Talks to loopback addresses in tests and benchmarks only.
 */
public final class FaultProxy implements AutoCloseable {
    private static final int CHUNK = 64 * 1024;

    private final ServerSocket listener;
    private final InetSocketAddress target;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private volatile CountDownLatch open = new CountDownLatch(0);
    private volatile boolean closed;

    private FaultProxy(ServerSocket listener, InetSocketAddress target) {
        this.listener = listener;
        this.target = target;
        Thread.ofVirtual().name("fault-proxy-accept-" + listener.getLocalPort()).start(this::accept);
    }

    /** Listens on {@code host:port} (0 for any free port) and forwards to {@code targetHost:targetPort}. */
    public static FaultProxy start(String host, int port, String targetHost, int targetPort) throws IOException {
        ServerSocket listener = new ServerSocket();
        listener.setReuseAddress(true);
        listener.bind(new InetSocketAddress(host, port));
        return new FaultProxy(listener, new InetSocketAddress(targetHost, targetPort));
    }

    public int port() {
        return listener.getLocalPort();
    }

    /** From now on nothing flows until {@link #heal()}. */
    public synchronized void cut() {
        if (open.getCount() == 0) {
            open = new CountDownLatch(1);
        }
    }

    /** Bytes flow again, those held during the cut first. */
    public synchronized void heal() {
        open.countDown();
    }

    public boolean isCut() {
        return open.getCount() > 0;
    }

    private void accept() {
        while (!closed) {
            try {
                Socket client = listener.accept();
                sockets.add(client);
                Thread.ofVirtual().start(() -> connect(client));
            } catch (IOException e) {
                if (!closed) {
                    System.err.println("fault proxy on " + port() + ": " + e.getMessage());
                }
            }
        }
    }

    private void connect(Socket client) {
        try {
            awaitOpen();
            Socket upstream = new Socket();
            sockets.add(upstream);
            upstream.setTcpNoDelay(true);
            client.setTcpNoDelay(true);
            upstream.connect(target, 5_000);
            Thread.ofVirtual().start(() -> pump(client, upstream));
            pump(upstream, client);
        } catch (IOException | InterruptedException e) {
            closeQuietly(client);
        }
    }

    /** Copies {@code from} to {@code to} until either closes; each chunk waits at the gate before it is written. */
    private void pump(Socket from, Socket to) {
        byte[] chunk = new byte[CHUNK];
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            for (int n; (n = in.read(chunk)) >= 0; ) {
                awaitOpen();
                out.write(chunk, 0, n);
            }
        } catch (IOException | InterruptedException e) {
            // one side went away: the other goes too
        } finally {
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    private void awaitOpen() throws InterruptedException {
        for (CountDownLatch gate = open; gate.getCount() > 0; gate = open) {
            gate.await();
        }
    }

    private void closeQuietly(Socket socket) {
        sockets.remove(socket);
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        heal();
        listener.close();
        sockets.forEach(this::closeQuietly);
    }
}
