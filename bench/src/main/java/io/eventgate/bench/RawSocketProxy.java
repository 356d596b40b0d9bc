package io.eventgate.bench;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * The floor of the virtual-thread model on this machine, for the proxy benchmark's comparison row: one virtual thread
 * per client connection with its own upstream connection, blocking reads and writes, no HTTP library, no policy. It
 * relays HTTP/1.1 GETs whose answers carry a Content-Length, and nothing else. The distance between it and the edge
 * is what the edge's own path costs.
 *
 * <p>Usage: {@code RawSocketProxy PORT UPSTREAM_PORT} (both on 127.0.0.1).
 */
public final class RawSocketProxy {
    private RawSocketProxy() {
    }

    public static void main(String[] args) throws IOException {
        int port = Integer.parseInt(args[0]);
        int upstreamPort = Integer.parseInt(args[1]);
        try (ServerSocket server = new ServerSocket(port, 1024, InetAddress.getLoopbackAddress())) {
            while (true) {
                Socket client = server.accept();
                Thread.ofVirtual().start(() -> serve(client, upstreamPort));
            }
        }
    }

    private static void serve(Socket client, int upstreamPort) {
        try (client; Socket upstream = new Socket(InetAddress.getLoopbackAddress(), upstreamPort)) {
            client.setTcpNoDelay(true);
            upstream.setTcpNoDelay(true);
            InputStream fromClient = new BufferedInputStream(client.getInputStream(), 16 * 1024);
            OutputStream toClient = client.getOutputStream();
            InputStream fromUpstream = new BufferedInputStream(upstream.getInputStream(), 16 * 1024);
            OutputStream toUpstream = upstream.getOutputStream();
            byte[] buffer = new byte[64 * 1024];
            while (true) {
                int head = readHead(fromClient, buffer);
                if (head < 0) {
                    return;
                }
                toUpstream.write(buffer, 0, head);
                head = readHead(fromUpstream, buffer);
                if (head < 0) {
                    return;
                }
                String text = new String(buffer, 0, head, StandardCharsets.ISO_8859_1).toLowerCase(Locale.ROOT);
                int at = text.indexOf("content-length:");
                int length = at < 0 ? 0 : Integer.parseInt(text.substring(at + 15, text.indexOf('\r', at)).trim());
                int total = head;
                while (total < head + length) {
                    int n = fromUpstream.read(buffer, total, head + length - total);
                    if (n < 0) {
                        return;
                    }
                    total += n;
                }
                toClient.write(buffer, 0, total);
            }
        } catch (IOException e) {
            // either side went away: the session ends
        }
    }

    /** Reads a request or response head into {@code buffer}; its length, or -1 at the end of the stream. */
    private static int readHead(InputStream in, byte[] buffer) throws IOException {
        int n = 0;
        while (n < buffer.length) {
            int b = in.read();
            if (b < 0) {
                return -1;
            }
            buffer[n++] = (byte) b;
            if (n >= 4 && buffer[n - 1] == '\n' && buffer[n - 2] == '\r' && buffer[n - 3] == '\n' && buffer[n - 4] == '\r') {
                return n;
            }
        }
        throw new IOException("a head longer than " + buffer.length + " bytes");
    }
}
