package io.eventgate.edge.events;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The requests in flight, one fixed slot each in a memory-mapped file beside the journal's segments: what a crash
 * leaves in a slot is a request it cut off. A slot is taken from a lock-free stack, filled, and published by writing
 * its handle last; the journal clears it when the request's event is written. Nothing is copied when segments roll
 * and nothing is locked, so an admission costs a few hundred bytes of stores into the page cache.
 *
 * <p>A slot is {@value #SLOT_BYTES} bytes: {@code [handle][timestamp]} then six length-prefixed UTF-8 fields. Fields
 * are cut to fit (the path last and longest), so the event a crash leaves may carry a shortened path. The stack hands
 * out the slot freed last, so the slots in use, and the pages written, stay as few as the requests in flight.
 *
 * <p>A handle is {@code generation << 24 | slot}: a generation grows with every admission, so a handle names one
 * admission, and the slot it holds, for good.
 */
final class AdmissionSlots {
    static final int SLOT_BYTES = 1024;
    static final String FILE = "admissions";
    private static final int SLOT_BITS = 24;
    private static final int MAX_ID = 128;
    private static final int MAX_TRACE = 64;
    private static final int MAX_METHOD = 32;
    private static final int MAX_HOST = 255;
    private static final int MAX_ADDRESS = 64;
    private static final VarHandle WORD = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    private final MappedByteBuffer table;
    private final int slots;
    /** The free slots as a stack: {@code tag << 32 | (top + 1)}, 0 when empty; the tag makes every change unique. */
    private final AtomicLong free = new AtomicLong();
    private final int[] below;
    private final AtomicLong generation;
    private final List<Journal.Admission> found = new ArrayList<>();

    /** Opens (or creates) the table of {@code slots} slots in {@code dir}, finding the admissions a crash left open. */
    AdmissionSlots(Path dir, int slots) throws IOException {
        Path file = dir.resolve(FILE);
        // a table left by a run with more slots keeps its size, so none of what that run admitted is out of reach
        int existing = Files.exists(file) ? (int) (Files.size(file) / SLOT_BYTES) : 0;
        this.slots = Math.max(slots, existing);
        if (this.slots >= 1 << SLOT_BITS) {
            throw new IllegalArgumentException("at most " + ((1 << SLOT_BITS) - 1) + " admission slots");
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            this.table = channel.map(FileChannel.MapMode.READ_WRITE, 0, (long) this.slots * SLOT_BYTES);
        }
        this.below = new int[this.slots];
        long highest = 0;
        for (int slot = this.slots - 1; slot >= 0; slot--) {
            long handle = (long) WORD.getVolatile(table, slot * SLOT_BYTES);
            if (handle != 0 && slot(handle) == slot) {
                found.add(read(slot, handle));
                highest = Math.max(highest, handle >>> SLOT_BITS);
            } else {
                if (handle != 0) {
                    table.putLong(slot * SLOT_BYTES, 0); // not a handle of this slot: a damaged file
                }
                push(slot);
            }
        }
        this.generation = new AtomicLong(highest + 1);
    }

    /** The admissions a crash left open, as found when the table was opened. */
    List<Journal.Admission> open() {
        return found;
    }

    /** Raises the next generation above {@code handle}'s: handles named by the journal are never given out again. */
    void seen(long handle) {
        generation.accumulateAndGet((handle >>> SLOT_BITS) + 1, Math::max);
    }

    /** Records an admission; returns its handle, or 0 when every slot is taken (the request then has no slot). */
    long admit(long timestamp, String requestId, String traceId, String method, String path, String host, String clientAddress) {
        int slot = pop();
        if (slot < 0) {
            return 0;
        }
        long handle = generation.getAndIncrement() << SLOT_BITS | slot;
        int at = slot * SLOT_BYTES + 16;
        int end = (slot + 1) * SLOT_BYTES;
        table.putLong(slot * SLOT_BYTES + 8, timestamp);
        // the path takes what the other fields leave (at least 450 bytes): they are short, and each has its cap
        at = put(at, requestId, MAX_ID);
        at = put(at, traceId, MAX_TRACE);
        at = put(at, method, MAX_METHOD);
        at = put(at, host, MAX_HOST);
        at = put(at, clientAddress, MAX_ADDRESS);
        put(at, path, end - at - 2);
        WORD.setRelease(table, slot * SLOT_BYTES, handle); // published last: a crash never finds half an admission
        return handle;
    }

    /** Frees the slot of {@code handle} (its event is written); a handle that no longer holds it is ignored. */
    void release(long handle) {
        int slot = slot(handle);
        if (handle != 0 && slot < slots && WORD.compareAndSet(table, slot * SLOT_BYTES, handle, 0L)) {
            push(slot);
        }
    }

    /** Forces the table's pages to disk. */
    void force() {
        table.force();
    }

    private Journal.Admission read(int slot, long handle) {
        ByteBuffer in = table.duplicate().position(slot * SLOT_BYTES + 8);
        long timestamp = in.getLong();
        String requestId = string(in);
        String traceId = string(in);
        String method = string(in);
        String host = string(in);
        String clientAddress = string(in);
        return new Journal.Admission(handle, timestamp, requestId, traceId, method, string(in), host, clientAddress);
    }

    /** Writes {@code value} at {@code at} as {@code [length][bytes]}, cut to {@code max} bytes; returns where it ends. */
    private int put(int at, String value, int max) {
        int length = 0;
        if (value != null) {
            int n = value.length();
            // ASCII straight into the table; anything else through the encoder
            for (int i = 0; i < n && length < max; i++) {
                char c = value.charAt(i);
                if (c >= 0x80) {
                    length = putUtf8(at + 2, value, max);
                    break;
                }
                table.put(at + 2 + length++, (byte) c);
            }
        }
        table.putShort(at, (short) length);
        return at + 2 + length;
    }

    private int putUtf8(int at, String value, int max) {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        int length = Math.min(bytes.length, max);
        while (length < bytes.length && length > 0 && (bytes[length] & 0xC0) == 0x80) {
            length--; // never half a character
        }
        table.put(at, bytes, 0, length);
        return length;
    }

    private static String string(ByteBuffer in) {
        byte[] bytes = new byte[in.getShort() & 0xFFFF];
        in.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private int pop() {
        while (true) {
            long head = free.get();
            int top = (int) head - 1;
            if (top < 0) {
                return -1;
            }
            if (free.compareAndSet(head, next(head, below[top]))) {
                return top;
            }
        }
    }

    private void push(int slot) {
        while (true) {
            long head = free.get();
            below[slot] = (int) head;
            if (free.compareAndSet(head, next(head, slot + 1))) {
                return;
            }
        }
    }

    private static long next(long head, int top) {
        return ((head >>> 32) + 1) << 32 | top;
    }

    static int slot(long handle) {
        return (int) (handle & ((1 << SLOT_BITS) - 1));
    }
}
