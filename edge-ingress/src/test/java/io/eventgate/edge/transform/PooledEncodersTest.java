package io.eventgate.edge.transform;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.luben.zstd.ZstdInputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Random;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The pooled encoders give streams the standard decoders read back, however they are written and reused. */
class PooledEncodersTest {
    static byte[] body(int size, long seed) {
        Random random = new Random(seed);
        byte[] body = new byte[size];
        for (int i = 0; i < size; i++) {
            body[i] = (byte) ('a' + random.nextInt(random.nextBoolean() ? 4 : 26)); // compressible, not trivially
        }
        return body;
    }

    static byte[] encode(String encoding, byte[] body, int writeSize, boolean flushEachWrite) throws Exception {
        ByteArrayOutputStream sent = new ByteArrayOutputStream();
        try (OutputStream out = Compression.encoder(encoding, sent)) {
            for (int offset = 0; offset < body.length; offset += writeSize) {
                out.write(body, offset, Math.min(writeSize, body.length - offset));
                if (flushEachWrite) {
                    out.flush();
                }
            }
        }
        return sent.toByteArray();
    }

    static byte[] decode(String encoding, byte[] encoded) throws Exception {
        try (InputStream in = encoding.equals("gzip") ? new GZIPInputStream(new ByteArrayInputStream(encoded))
                : new ZstdInputStream(new ByteArrayInputStream(encoded))) {
            return in.readAllBytes();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"gzip", "zstd"})
    void streamsOfEverySizeRoundTripThroughReusedEncoders(String encoding) throws Exception {
        int[] sizes = {0, 1, 100, 16 * 1024, 300 * 1024, 3 << 20};
        for (int round = 0; round < 3; round++) { // later rounds run on encoders the pool gave back
            for (int size : sizes) {
                byte[] body = body(size, size + round);
                assertThat(decode(encoding, encode(encoding, body, 8192, false))).as("%s of %d bytes", encoding, size).isEqualTo(body);
                assertThat(decode(encoding, encode(encoding, body, 1000, true))).as("%s of %d bytes, flushed per write", encoding, size).isEqualTo(body);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"gzip", "zstd"})
    void aFlushPushesOutEverythingWrittenSoFar(String encoding) throws Exception {
        byte[] first = body(5000, 1);
        ByteArrayOutputStream sent = new ByteArrayOutputStream();
        OutputStream out = Compression.encoder(encoding, sent);
        out.write(first);
        out.flush();
        byte[] soFar = sent.toByteArray();
        InputStream partial = encoding.equals("gzip") ? new GZIPInputStream(new ByteArrayInputStream(soFar)) : new ZstdInputStream(new ByteArrayInputStream(soFar));
        assertThat(partial.readNBytes(first.length)).as("a reader sees what was flushed before the stream ends").isEqualTo(first);
        out.close();
    }

    @Test
    void anAbandonedStreamLeavesNoStateForTheNextOne() throws Exception {
        OutputStream broken = Compression.encoder("zstd", new OutputStream() {
            @Override
            public void write(int b) throws java.io.IOException {
                throw new java.io.IOException("client gone");
            }

            @Override
            public void write(byte[] b, int off, int len) throws java.io.IOException {
                throw new java.io.IOException("client gone");
            }
        });
        try (broken) {
            broken.write(body(200_000, 3));
        } catch (java.io.IOException expected) {
            // the client went away mid-answer
        }
        byte[] body = body(50_000, 4);
        assertThat(decode("zstd", encode("zstd", body, 4096, false))).isEqualTo(body);
    }
}
