package io.eventgate.edge.transform;

import com.github.luben.zstd.EndDirective;
import com.github.luben.zstd.ZstdCompressCtx;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * A zstd stream over a pooled native compression context. zstd-jni's ZstdOutputStream creates and frees a native
 * context per stream, which costs more than compressing a small answer; here contexts (with their output buffer) are
 * reset and reused. Level 1, as for gzip.
 */
final class PooledZstd extends OutputStream {
    private static final int LEVEL = 1;
    private static final BlockingQueue<Context> POOL = new ArrayBlockingQueue<>(256);
    private static final ByteBuffer NOTHING = ByteBuffer.allocate(0);

    /** A native context and the buffer its output goes through. */
    private record Context(ZstdCompressCtx zstd, ByteBuffer output) {
        static Context create() {
            return new Context(new ZstdCompressCtx().setLevel(LEVEL), ByteBuffer.allocate(16 * 1024));
        }
    }

    private final OutputStream out;
    private final Context context;
    private boolean closed;

    private PooledZstd(OutputStream out, Context context) {
        this.out = out;
        this.context = context;
    }

    static PooledZstd open(OutputStream out) {
        Context context = POOL.poll();
        return new PooledZstd(out, context != null ? context : Context.create());
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
        ByteBuffer input = ByteBuffer.wrap(bytes, offset, length);
        while (input.hasRemaining()) {
            context.zstd().compressByteBufferStream(context.output(), input, EndDirective.CONTINUE);
            drain();
        }
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void flush() throws IOException {
        finishWith(EndDirective.FLUSH);
        out.flush();
    }

    /** Runs {@code directive} until zstd has nothing left in its buffers. */
    private void finishWith(EndDirective directive) throws IOException {
        boolean done;
        do {
            done = context.zstd().compressByteBufferStream(context.output(), NOTHING, directive);
            drain();
        } while (!done);
    }

    private void drain() throws IOException {
        ByteBuffer output = context.output();
        if (output.position() > 0) {
            out.write(output.array(), 0, output.position());
            output.clear();
        }
    }

    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            finishWith(EndDirective.END);
            out.close();
        } finally {
            // back to the pool whether the frame ended or not: a reset context starts afresh either way
            context.output().clear();
            context.zstd().reset();
            context.zstd().setLevel(LEVEL);
            if (!POOL.offer(context)) {
                context.zstd().close();
            }
        }
    }
}
