package io.eventgate.edge.transform;

import com.github.luben.zstd.ZstdInputStream;
import io.eventgate.policy.model.RoutePolicies;
import java.util.function.Function;
import java.io.FilterInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.Locale;
import java.util.zip.GZIPInputStream;

/**
 * A route's compression of an upstream's answer: whether this answer may be compressed at all, which encoding the
 * client's {@code Accept-Encoding} prefers, and the streaming encoder (constant memory whatever the body's size); and
 * the decoder of a request body for routes that decode them.
 */
public final class Compression {
    private Compression() {
    }

    /** Whether the answer may be compressed: a full 2xx body of a listed type, not encoded already, big enough, no no-transform. */
    public static boolean eligible(RoutePolicies.Compression policy, String method, int status, Function<String, String> header,
                                   long declaredLength) {
        if (method.equals("HEAD") || status < 200 || status >= 300 || status == 204 || status == 206) {
            return false;
        }
        String encoding = header.apply("content-encoding");
        String cacheControl = header.apply("cache-control");
        return (encoding == null || encoding.equalsIgnoreCase("identity")) && header.apply("content-range") == null
                && (cacheControl == null || !cacheControl.toLowerCase(Locale.ROOT).contains("no-transform"))
                && (declaredLength < 0 || declaredLength >= policy.minBytes())
                && policy.compresses(header.apply("content-type"));
    }

    /**
     * The encoding of {@code offered} (in the route's order of preference) the client accepts with the highest q-value,
     * or null when it accepts none of them (then the body goes as it is).
     */
    public static String negotiate(List<String> offered, String acceptEncoding) {
        if (acceptEncoding == null || acceptEncoding.isBlank()) {
            return null;
        }
        String best = null;
        double bestQ = 0;
        for (String encoding : offered) {
            double q = quality(acceptEncoding, encoding);
            if (q > bestQ) {
                best = encoding;
                bestQ = q;
            }
        }
        return best;
    }

    /** The q-value the header gives {@code encoding}: its own entry, else the {@code *} entry, else 0. */
    static double quality(String acceptEncoding, String encoding) {
        double wildcard = 0;
        for (String entry : acceptEncoding.split(",")) {
            String[] parts = entry.split(";");
            String name = parts[0].trim().toLowerCase(Locale.ROOT);
            double q = 1;
            for (int i = 1; i < parts.length; i++) {
                String parameter = parts[i].trim();
                if (parameter.startsWith("q=") || parameter.startsWith("Q=")) {
                    try {
                        q = Math.max(0, Math.min(1, Double.parseDouble(parameter.substring(2))));
                    } catch (NumberFormatException malformed) {
                        q = 0;
                    }
                }
            }
            if (name.equals(encoding)) {
                return q;
            }
            if (name.equals("*")) {
                wildcard = q;
            }
        }
        return wildcard;
    }

    /** The encoder for {@code encoding} writing to {@code out}; flushing it pushes out what it has compressed so far. */
    public static OutputStream encoder(String encoding, OutputStream out) throws IOException {
        return switch (encoding) {
            // the fastest levels, as proxies default to (nginx's gzip_comp_level 1): most of the size is won there
            case "gzip" -> PooledGzip.open(out);
            case "zstd" -> PooledZstd.open(out);
            default -> throw new IllegalArgumentException("no encoder for " + encoding);
        };
    }

    /** The encodings a request body may come in when its route decodes request bodies. */
    public static final List<String> DECODERS = List.of("gzip", "zstd");

    /**
     * The decoder for a request body in {@code encoding} read from {@code in}. A failure of {@code in} itself (the client
     * went away, its body is too large) passes as it is; a body that is not valid {@code encoding} fails with
     * {@link io.eventgate.edge.pipeline.BodyUndecodable}.
     */
    public static InputStream decoder(String encoding, InputStream in) throws IOException {
        Watched source = new Watched(in);
        try {
            InputStream decoder = switch (encoding) {
                case "gzip" -> new GZIPInputStream(source, 8192);
                case "zstd" -> new ZstdInputStream(source);
                default -> throw new IllegalArgumentException("no decoder for " + encoding);
            };
            return new FilterInputStream(decoder) {
                @Override
                public int read() throws IOException {
                    try {
                        return super.read();
                    } catch (IOException e) {
                        throw source.blame(encoding, e);
                    }
                }

                @Override
                public int read(byte[] bytes, int offset, int length) throws IOException {
                    try {
                        return super.read(bytes, offset, length);
                    } catch (IOException e) {
                        throw source.blame(encoding, e);
                    }
                }
            };
        } catch (IOException e) {
            throw source.blame(encoding, e);
        }
    }

    /** The encoded stream, remembering whether it failed itself, so that only a decoder's failure is put on the body. */
    private static final class Watched extends FilterInputStream {
        private IOException failure;

        Watched(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            try {
                return super.read();
            } catch (IOException e) {
                failure = e;
                throw e;
            }
        }

        @Override
        public int read(byte[] bytes, int offset, int length) throws IOException {
            try {
                return super.read(bytes, offset, length);
            } catch (IOException e) {
                failure = e;
                throw e;
            }
        }

        IOException blame(String encoding, IOException e) {
            return failure != null ? failure : new io.eventgate.edge.pipeline.BodyUndecodable(encoding, e);
        }
    }

    /** Counts the bytes that reach the client (the compressed ones). */
    public static final class Counted extends FilterOutputStream {
        private long count;

        public Counted(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws IOException {
            out.write(bytes, offset, length);
            count += length;
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        public long count() {
            return count;
        }
    }
}
