package io.eventgate.edge.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The request-head parser of the edge's own HTTP/1.1 connection: what it reads, and what it refuses. */
class Http1HeadTest {

    static Http1Head parse(String head) {
        Http1Head parsed = new Http1Head();
        byte[] bytes = head.getBytes(StandardCharsets.ISO_8859_1);
        parsed.parse(bytes, bytes.length, 8192);
        return parsed;
    }

    @Test
    void readsTheRequestLineAndFields() {
        Http1Head head = parse("POST /api/orders?x=1&y=%20 HTTP/1.1\r\nHost: shop.example\r\nX-Multi: a\r\nx-multi:  b \r\n"
                + "Content-Length: 12\r\nConnection: keep-alive, Upgrade\r\nUpgrade: websocket\r\nExpect: 100-continue\r\n\r\n");
        assertThat(head.refusal).isZero();
        assertThat(head.method).isEqualTo("POST");
        assertThat(head.rawPath).isEqualTo("/api/orders");
        assertThat(head.rawQuery).isEqualTo("x=1&y=%20");
        assertThat(head.host).isEqualTo("shop.example");
        assertThat(head.first("X-MULTI")).isEqualTo("a");
        assertThat(head.values[2]).isEqualTo("b");
        assertThat(head.contentLength).isEqualTo(12);
        assertThat(head.keepAlive).isTrue();
        assertThat(head.close).isFalse();
        assertThat(head.upgrade).isTrue();
        assertThat(head.expectContinue).isTrue();
        assertThat(head.http10).isFalse();
    }

    @Test
    void readsChunkedHttp10AndAbsoluteForms() {
        Http1Head chunked = parse("PUT / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: Chunked\r\n\r\n");
        assertThat(chunked.refusal).isZero();
        assertThat(chunked.chunked).isTrue();
        assertThat(chunked.contentLength).isEqualTo(-1);

        Http1Head old = parse("GET /x HTTP/1.0\r\n\r\n");
        assertThat(old.refusal).isZero();
        assertThat(old.http10).isTrue();
        assertThat(old.host).isNull();

        Http1Head absolute = parse("GET http://api.example:8080/v1/items?q=1 HTTP/1.1\r\nHost: other\r\n\r\n");
        assertThat(absolute.refusal).isZero();
        assertThat(absolute.absoluteAuthority).isEqualTo("api.example:8080");
        assertThat(absolute.rawPath).isEqualTo("/v1/items");
        assertThat(absolute.rawQuery).isEqualTo("q=1");

        assertThat(parse("OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n").rawPath).isEqualTo("*");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "no Host|GET / HTTP/1.1\\r\\nX: y\\r\\n\\r\\n|400",
        "two Hosts|GET / HTTP/1.1\\r\\nHost: a\\r\\nHost: b\\r\\n\\r\\n|400",
        "space before colon|GET / HTTP/1.1\\r\\nHost: a\\r\\nX-A : b\\r\\n\\r\\n|400",
        "folded line|GET / HTTP/1.1\\r\\nHost: a\\r\\nX-A: b\\r\\n c\\r\\n\\r\\n|400",
        "control character|GET / HTTP/1.1\\r\\nHost: a\\r\\nX-A: b\\u0001c\\r\\n\\r\\n|400",
        "bare LF|GET / HTTP/1.1\\nHost: a\\r\\n\\r\\n|400",
        "Content-Length and Transfer-Encoding|POST / HTTP/1.1\\r\\nHost: a\\r\\nContent-Length: 3\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n|400",
        "conflicting Content-Length|POST / HTTP/1.1\\r\\nHost: a\\r\\nContent-Length: 3\\r\\nContent-Length: 4\\r\\n\\r\\n|400",
        "signed Content-Length|POST / HTTP/1.1\\r\\nHost: a\\r\\nContent-Length: +3\\r\\n\\r\\n|400",
        "gzip transfer coding|POST / HTTP/1.1\\r\\nHost: a\\r\\nTransfer-Encoding: gzip, chunked\\r\\n\\r\\n|501",
        "identity transfer coding|POST / HTTP/1.1\\r\\nHost: a\\r\\nTransfer-Encoding: identity\\r\\n\\r\\n|400",
        "two Transfer-Encodings|POST / HTTP/1.1\\r\\nHost: a\\r\\nTransfer-Encoding: chunked\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n|501",
        "chunked HTTP/1.0|POST / HTTP/1.0\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n|400",
        "HTTP/2 request line|GET / HTTP/2.0\\r\\nHost: a\\r\\n\\r\\n|505",
        "not HTTP|GET / FTP/1.1\\r\\nHost: a\\r\\n\\r\\n|400",
        "bad method|G(T / HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n|400",
        "relative target|GET foo HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n|400",
        "other expectation|GET / HTTP/1.1\\r\\nHost: a\\r\\nExpect: magic\\r\\n\\r\\n|417",
    })
    void refuses(String what, String head, int status) {
        Http1Head parsed = parse(head.replace("\\r", "\r").replace("\\n", "\n").replace("\\u0001", "\u0001"));
        assertThat(parsed.refusal).as(what + ": " + parsed.reason).isEqualTo(status);
    }

    @Test
    void refusesARequestLineOverItsLimit() {
        Http1Head head = new Http1Head();
        byte[] bytes = ("GET /" + "a".repeat(100) + " HTTP/1.1\r\nHost: a\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
        assertThat(head.parse(bytes, bytes.length, 64)).isFalse();
        assertThat(head.refusal).isEqualTo(414);
    }

    @Test
    void aSelectorSeesAnUpgradeFieldOnAnyLine() {
        byte[] upgrade = "GET /ws HTTP/1.1\r\nHost: a\r\nupGRADE: websocket\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);
        byte[] plain = "GET /ws HTTP/1.1\r\nHost: a\r\nX-Upgrade: no\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);
        assertThat(EdgeHttp1Selector.hasUpgrade(upgrade, upgrade.length)).isTrue();
        assertThat(EdgeHttp1Selector.hasUpgrade(plain, plain.length)).isFalse();
    }
}
