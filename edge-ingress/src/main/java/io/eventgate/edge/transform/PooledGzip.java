package io.eventgate.edge.transform;

import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;

/**
 * A gzip stream (RFC 1952) over a pooled {@link Deflater}. The JDK's GZIPOutputStream makes a new deflater for every
 * stream, and setting one up (zlib's window and hash tables) costs more than compressing a small answer; here
 * deflaters are reset and reused. Level 1, as proxies default to: most of the size is won there.
 */
final class PooledGzip extends DeflaterOutputStream {
    private static final BlockingQueue<Deflater> POOL = new ArrayBlockingQueue<>(256);
    private static final byte[] HEADER = {0x1f, (byte) 0x8b, Deflater.DEFLATED, 0, 0, 0, 0, 0, 0, (byte) 0xff};

    private final CRC32 crc = new CRC32();
    private boolean closed;

    private PooledGzip(OutputStream out, Deflater deflater) throws IOException {
        super(out, deflater, 16 * 1024, true);
        out.write(HEADER);
    }

    static PooledGzip open(OutputStream out) throws IOException {
        Deflater deflater = POOL.poll();
        return new PooledGzip(out, deflater != null ? deflater : new Deflater(Deflater.BEST_SPEED, true));
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
        super.write(bytes, offset, length);
        crc.update(bytes, offset, length);
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void finish() throws IOException {
        if (!def.finished()) {
            super.finish();
            int check = (int) crc.getValue();
            int size = (int) def.getBytesRead();
            out.write(new byte[] {(byte) check, (byte) (check >> 8), (byte) (check >> 16), (byte) (check >> 24),
                    (byte) size, (byte) (size >> 8), (byte) (size >> 16), (byte) (size >> 24)});
        }
    }

    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            finish();
            out.close();
        } finally {
            def.reset();
            if (!POOL.offer(def)) {
                def.end();
            }
        }
    }
}
