package io.eventgate.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import org.junit.jupiter.api.Test;

class FaultProxyTest {

    /** An echo server on loopback: what it reads it writes back. */
    private static ServerSocket echoServer() throws IOException {
        ServerSocket server = new ServerSocket(0);
        Thread.ofVirtual().start(() -> {
            while (!server.isClosed()) {
                try {
                    Socket socket = server.accept();
                    Thread.ofVirtual().start(() -> {
                        try (socket; InputStream in = socket.getInputStream(); OutputStream out = socket.getOutputStream()) {
                            in.transferTo(out);
                        } catch (IOException ignored) {
                            // the client went away
                        }
                    });
                } catch (IOException closed) {
                    return;
                }
            }
        });
        return server;
    }

    private static String roundTrip(Socket socket, String text) throws IOException {
        socket.getOutputStream().write(text.getBytes());
        byte[] answer = socket.getInputStream().readNBytes(text.length());
        return new String(answer);
    }

    @Test
    void holdsEveryByteWhileCutAndDeliversThemWhenHealed() throws Exception {
        try (ServerSocket echo = echoServer();
             FaultProxy proxy = FaultProxy.start("127.0.0.1", 0, "127.0.0.1", echo.getLocalPort());
             Socket client = new Socket("127.0.0.1", proxy.port())) {
            assertThat(roundTrip(client, "before")).isEqualTo("before");

            proxy.cut();
            assertThat(proxy.isCut()).isTrue();
            client.getOutputStream().write("during".getBytes());
            client.setSoTimeout(300);
            assertThatThrownBy(() -> client.getInputStream().read()).as("nothing flows while cut").isInstanceOf(SocketTimeoutException.class);

            proxy.heal();
            client.setSoTimeout(0);
            assertThat(new String(client.getInputStream().readNBytes(6))).as("the held bytes arrive, in order").isEqualTo("during");
            assertThat(roundTrip(client, "after")).isEqualTo("after");
        }
    }

    @Test
    void aConnectionOpenedDuringTheCutStaysSilentUntilHealed() throws Exception {
        try (ServerSocket echo = echoServer(); FaultProxy proxy = FaultProxy.start("127.0.0.1", 0, "127.0.0.1", echo.getLocalPort())) {
            proxy.cut();
            try (Socket client = new Socket("127.0.0.1", proxy.port())) {
                client.getOutputStream().write("hello".getBytes());
                client.setSoTimeout(300);
                assertThatThrownBy(() -> client.getInputStream().read()).isInstanceOf(SocketTimeoutException.class);
                proxy.heal();
                client.setSoTimeout(0);
                assertThat(new String(client.getInputStream().readNBytes(5))).isEqualTo("hello");
            }
        }
    }

    @Test
    void closingTheProxyClosesItsConnections() throws Exception {
        try (ServerSocket echo = echoServer()) {
            FaultProxy proxy = FaultProxy.start("127.0.0.1", 0, "127.0.0.1", echo.getLocalPort());
            try (Socket client = new Socket("127.0.0.1", proxy.port())) {
                assertThat(roundTrip(client, "x")).isEqualTo("x");
                proxy.close();
                assertThat(client.getInputStream().read()).as("end of stream").isEqualTo(-1);
            }
        }
    }
}
