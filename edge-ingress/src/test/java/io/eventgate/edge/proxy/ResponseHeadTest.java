package io.eventgate.edge.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.helidon.common.buffers.DataReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import org.junit.jupiter.api.Test;

class ResponseHeadTest {

    /** A reader over {@code text} delivered {@code chunk} bytes at a time, as a socket might. */
    private static DataReader reader(String text, int chunk) {
        byte[] bytes = text.getBytes(StandardCharsets.ISO_8859_1);
        Deque<byte[]> reads = new ArrayDeque<>();
        for (int i = 0; i < bytes.length; i += chunk) {
            reads.add(Arrays.copyOfRange(bytes, i, Math.min(bytes.length, i + chunk)));
        }
        return DataReader.create(reads::poll);
    }

    private static ResponseHead read(String text, int chunk) {
        return ResponseHead.read(reader(text, chunk), 8 * 1024, 64 * 1024);
    }

    @Test
    void readsStatusAndFieldsWhereverTheReadsSplitThem() {
        String head = "HTTP/1.1 201 Created\r\ncontent-TYPE: application/json\r\nX-Custom:  spaced value \t\r\n"
                + "Set-Cookie: a=1\r\nSet-Cookie: b=2\r\nContent-Length: 2\r\n\r\nok";
        for (int chunk : new int[] {1, 3, 7, 1000}) {
            DataReader reader = reader(head, chunk);
            ResponseHead parsed = ResponseHead.read(reader, 8 * 1024, 64 * 1024);
            assertThat(parsed.status()).isEqualTo(201);
            assertThat(parsed.http10()).isFalse();
            assertThat(parsed.size()).isEqualTo(5);
            assertThat(parsed.name(0)).isEqualTo("Content-Type"); // a known name, from the table
            assertThat(parsed.lowerName(1)).isEqualTo("x-custom");
            assertThat(parsed.name(1)).isEqualTo("X-Custom");
            assertThat(parsed.first("x-custom")).isEqualTo("spaced value");
            assertThat(parsed.first("set-cookie")).isEqualTo("a=1");
            assertThat(parsed.last("set-cookie")).isEqualTo("b=2");
            assertThat(parsed.contentLength()).isEqualTo(2);
            assertThat(parsed.first("etag")).isNull();
            assertThat(reader.readAsciiString(2)).isEqualTo("ok"); // the body is left where it starts
        }
    }

    @Test
    void readsHttp10AndAStatusLineWithoutReason() {
        ResponseHead head = read("HTTP/1.0 204\r\nConnection: Keep-Alive, close\r\n\r\n", 100);
        assertThat(head.status()).isEqualTo(204);
        assertThat(head.http10()).isTrue();
        assertThat(head.all("connection")).containsExactly("Keep-Alive, close");
        assertThat(HeaderHygiene.namedByConnection(head.all("connection"))).contains("close").doesNotContain("upgrade");
        assertThat(head.all("etag")).isEmpty();
        assertThat(head.contentLength()).isEqualTo(-1);
    }

    @Test
    void keepsLatin1BytesAndLongValues() {
        String longValue = "v".repeat(3000); // longer than the line buffer a thread keeps
        ResponseHead head = read("HTTP/1.1 200 OK\r\nX-Name: caf\u00e9\r\nX-Long: " + longValue + "\r\n\r\n", 100);
        assertThat(head.first("x-name")).isEqualTo("caf\u00e9");
        assertThat(head.first("x-long")).isEqualTo(longValue);
    }

    @Test
    void refusesMalformedHeads() {
        assertThatThrownBy(() -> read("HTTP/2 200 OK\r\n\r\n", 100)).hasMessageContaining("status line");
        assertThatThrownBy(() -> read("HTTP/1.1 2x0 OK\r\n\r\n", 100)).hasMessageContaining("status line");
        assertThatThrownBy(() -> read("HTTP/1.1 200OK\r\n\r\n", 100)).hasMessageContaining("status line");
        assertThatThrownBy(() -> read("HTTP/1.1 200 OK\r\nNoColon\r\n\r\n", 100)).hasMessageContaining("colon");
        assertThatThrownBy(() -> read("HTTP/1.1 200 OK\r\n: empty\r\n\r\n", 100)).hasMessageContaining("colon");
        assertThatThrownBy(() -> read("HTTP/1.1 200 OK\r\nBad Name: x\r\n\r\n", 100)).hasMessageContaining("token");
        assertThatThrownBy(() -> read("HTTP/1.1 200 OK\r\nA: b\r\n folded\r\n\r\n", 100)).hasMessageContaining("folding");
        // a bare LF would let the upstream inject a header line into the client's answer
        assertThatThrownBy(() -> read("HTTP/1.1 200 OK\r\nA: b\nC: d\r\n\r\n", 100)).hasMessageContaining("LF");
        assertThatThrownBy(() -> read("HTTP/1.1 200 OK\r\nA: b\u0000c\r\n\r\n", 100)).hasMessageContaining("NUL");
    }

    @Test
    void refusesMalformedOrConflictingLengths() {
        assertThatThrownBy(() -> read("HTTP/1.1 200 OK\r\nContent-Length: 12x\r\n\r\n", 100).contentLength())
                .hasMessageContaining("Content-Length");
        assertThatThrownBy(() -> read("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", 100).contentLength())
                .hasMessageContaining("Content-Length");
        assertThat(read("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\n", 100).contentLength()).isEqualTo(3);
    }

    @Test
    void refusesHeadsPastTheirLimits() {
        String longLine = "HTTP/1.1 200 " + "x".repeat(200) + "\r\n\r\n";
        assertThatThrownBy(() -> ResponseHead.read(reader(longLine, 50), 100, 64 * 1024)).hasMessageContaining("status line is longer");
        String manyFields = "HTTP/1.1 200 OK\r\n" + "X-Filler: 0123456789\r\n".repeat(100) + "\r\n";
        assertThatThrownBy(() -> ResponseHead.read(reader(manyFields, 64), 8 * 1024, 1024)).hasMessageContaining("head is longer");
        ResponseHead many = ResponseHead.read(reader(manyFields, 64), 8 * 1024, 64 * 1024); // more fields than the first array holds
        assertThat(many.size()).isEqualTo(100);
        assertThat(many.value(99)).isEqualTo("0123456789");
    }
}
