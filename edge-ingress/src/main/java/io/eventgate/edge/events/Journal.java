package io.eventgate.edge.events;

import io.eventgate.edge.config.EventSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Logger;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * The edge's journal on local disk: every admitted request and every event pass through it before anything else
 * sees them, so a killed process loses nothing it had accepted.
 *
 * <p>Fixed-size segment files are mapped into memory: an append is a copy into the page cache under a short lock,
 * with no system call, and the page cache outlives a killed process (the fsync policy is for power loss). Each
 * record is length- and CRC32C-framed with a sequence number: {@code [length][crc][seq][kind][payload]}. A request
 * takes a slot in the {@link AdmissionSlots} table when it arrives and leaves an EVENT record naming that admission
 * when it completes; the event's append frees the slot before a reader can see the event. After a crash, the
 * admissions still in the table are the requests the crash cut off (less any whose event the crash caught between
 * the two, found in the newest segment).
 *
 * <p>One reader (the publisher) follows the records in order and commits a cursor once Kafka has them. A segment
 * behind the cursor is zeroed and kept as the next one to write: its pages stay in the page cache, so writing does
 * not fault in fresh file pages. Positions are {@code segment << 32 | offset}, so they compare across segments.
 */
public final class Journal implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Journal.class.getName());
    static final byte START = 1;
    static final byte EVENT = 3; // 2 was an admission record, now a slot in AdmissionSlots
    private static final int END_MARK = -1;
    private static final int FRAME = 8; // length and CRC
    private static final int HEAD = FRAME + 9; // and sequence and kind
    private static final int MAX_RECORD = 1 << 20;
    private static final String PREFIX = "segment-";
    private static final String SUFFIX = ".journal";
    private static final String CURSOR = "cursor";
    private static final String SPARE = "spare-";
    private static final byte[] ZEROS = new byte[64 * 1024];

    /** What the edge knew of a request when it admitted it: enough for its event if it never completes. */
    public record Admission(long handle, long timestamp, String requestId, String traceId, String method, String path, String host, String clientAddress) {
    }

    /**
     * An event record read back: where it starts and where the next record starts, and what goes to Kafka. The body
     * starts after the reader's headroom in its array.
     */
    public record Event(long seq, long start, long next, String topic, byte[] key, long timestamp, byte[] body) {
    }

    private record Segment(long number, Path path, MappedByteBuffer buffer) {
        int size() {
            return buffer.capacity();
        }
    }

    private final EventSettings.Journal settings;
    private final ReentrantLock lock = new ReentrantLock();
    private final ConcurrentSkipListMap<Long, Segment> segments = new ConcurrentSkipListMap<>();
    /** A delivered segment, zeroed, for the next roll to write again. */
    private final AtomicReference<Segment> spare = new AtomicReference<>();
    private final AdmissionSlots admissions;
    private final List<Admission> interrupted;
    private final MappedByteBuffer cursorFile;
    private final long recoveredEnd;
    private Segment active;
    private ByteBuffer writeView;
    private int writeOffset;
    private long nextSeq;
    private volatile long end;
    private volatile boolean full;
    private volatile long cursor;
    /** The first segment the next {@link #force()} syncs. Touched by the publisher's thread only. */
    private long forcedFrom;

    private Journal(EventSettings.Journal settings) throws IOException {
        this.settings = settings;
        Files.createDirectories(settings.dir());
        try (Stream<Path> files = Files.list(settings.dir())) {
            for (Path file : files.toList()) {
                String name = file.getFileName().toString();
                if (name.startsWith(SPARE)) {
                    Files.delete(file); // a spare holds only delivered records, zeroed or not
                } else if (isSegment(file)) {
                    long number = Long.parseLong(name.substring(PREFIX.length(), name.length() - SUFFIX.length()));
                    segments.put(number, new Segment(number, file, map(file, Files.size(file))));
                }
            }
        }
        long maxSeq = 0;
        int validEnd = 0;
        Set<Long> closed = new HashSet<>();
        while (!segments.isEmpty()) {
            Segment last = segments.lastEntry().getValue();
            long[] scan = scanLast(last, closed);
            validEnd = (int) scan[0];
            maxSeq = scan[1];
            if (validEnd > 0) {
                break;
            }
            LOG.warning("event journal: " + last.path() + " holds no record (a crash while it was created); removed");
            segments.remove(last.number());
            Files.deleteIfExists(last.path());
        }
        this.admissions = new AdmissionSlots(settings.dir(), settings.admissionSlots());
        // an admission whose event the crash caught before its slot was freed is closed: the event is in the newest segment
        closed.forEach(admissions::seen);
        closed.forEach(admissions::release);
        this.interrupted = admissions.open().stream().filter(a -> !closed.contains(a.handle()))
                .sorted(Comparator.comparingLong(Admission::timestamp)).toList();
        this.cursorFile = map(settings.dir().resolve(CURSOR), 8);
        long saved = cursorFile.getLong(0);
        this.nextSeq = Math.max(maxSeq + 1, TimeUnit.MILLISECONDS.toMicros(System.currentTimeMillis()));
        if (segments.isEmpty()) {
            this.recoveredEnd = 0;
            startSegment(1, null);
            this.end = position(1, writeOffset);
            this.cursor = position(1, 0);
        } else {
            Segment last = segments.lastEntry().getValue();
            this.recoveredEnd = position(last.number(), validEnd);
            long first = segments.firstKey();
            this.cursor = saved != 0 && segments.containsKey(segment(saved)) && saved <= recoveredEnd ? saved : position(first, 0);
            // a fresh segment for this run: whatever a crash left past the last valid record is never written over
            this.active = last;
            this.writeView = last.buffer().duplicate();
            this.writeOffset = validEnd;
            roll(true);
        }
        if (!interrupted.isEmpty()) {
            LOG.warning("event journal: " + interrupted.size() + " requests were admitted and never completed before the last stop");
        }
    }

    public static Journal open(EventSettings.Journal settings) {
        try {
            return new Journal(settings);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the event journal in " + settings.dir(), e);
        }
    }

    /** The requests admitted before the last stop that never completed; still open until an event names them. */
    public List<Admission> interrupted() {
        return interrupted;
    }

    /** Where this run's records begin: records before it may have reached Kafka before a crash. */
    public long recoveredEnd() {
        return recoveredEnd;
    }

    /**
     * Records a request's admission in its slot, without the journal's lock; returns its handle, or 0 when every slot
     * is taken (a crash would then leave no event for it).
     */
    public long admit(long timestamp, String requestId, String traceId, String method, String path, String host, String clientAddress) {
        return admissions.admit(timestamp, requestId, traceId, method, path, host, clientAddress);
    }

    /**
     * Journals an event; when {@code admission} is not 0 the event completes that admission and frees its slot. False
     * when the disk budget left no room (the event is not stored; the admission is closed all the same, so that a
     * crash does not make up another event for it).
     */
    public boolean append(String topic, String key, long timestamp, long admission, byte[] body, int bodyLength) {
        byte[] topicBytes = utf8(topic);
        byte[] keyBytes = utf8(key);
        int payload = 8 + 8 + 4 + topicBytes.length + 4 + keyBytes.length + 4 + bodyLength;
        ByteBuffer record = record(payload).putLong(admission).putLong(timestamp).putInt(topicBytes.length).put(topicBytes)
                .putInt(keyBytes.length).put(keyBytes).putInt(bodyLength).put(body, 0, bodyLength);
        acquire();
        try {
            boolean stored = write(EVENT, record) != 0;
            // freed before the event is published to the reader: its segment cannot be delivered and reused before then
            admissions.release(admission);
            end = position(active.number(), writeOffset);
            return stored;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Takes the lock, spinning a little first: it is held for a copy of a few hundred bytes, so a waiter spinning is
     * cheaper than one that parks its virtual thread and must be woken.
     */
    private void acquire() {
        for (int spins = 0; !lock.tryLock(); spins++) {
            if (spins == 100) {
                lock.lock();
                return;
            }
            Thread.onSpinWait();
        }
    }

    /** A buffer for a record of {@code payload} bytes, positioned at the payload; the frame is filled in under the lock. */
    private static ByteBuffer record(int payload) {
        return ByteBuffer.allocate(HEAD + payload).position(HEAD);
    }

    /**
     * Writes a record built outside the lock into the active segment, rolling when it does not fit: its sequence,
     * kind and CRC, then all but its length, and the length last, so a reader (or a crash) never sees half a record
     * as whole. Returns its sequence, or 0 when there is no room. The caller publishes the new {@link #end}.
     */
    private long write(byte kind, ByteBuffer record) {
        int size = record.position();
        if (size > MAX_RECORD) {
            LOG.warning("event journal: a record of " + size + " bytes is over the limit of " + MAX_RECORD + "; not stored");
            return 0;
        }
        if (writeOffset + size + FRAME > active.size()) {
            if (size + HEAD + 2 * FRAME > settings.segmentBytes() || !roll(false)) {
                full = true;
                return 0;
            }
        }
        full = false;
        long seq = nextSeq++;
        int length = size - FRAME;
        record.putLong(FRAME, seq).put(FRAME + 8, kind);
        record.putInt(4, crc(record, FRAME, length));
        int at = writeOffset;
        writeView.put(at + 4, record, 4, size - 4);
        writeView.putInt(at, length);
        writeOffset = at + size;
        return seq;
    }

    /**
     * Starts the next segment with a START record, then marks the end of the old one. Refused, unless at open, when
     * the disk budget has no room for another segment (a spare is room already counted).
     */
    private boolean roll(boolean atOpen) {
        Segment reused = spare.getAndSet(null);
        if (reused == null && !atOpen && (long) (segments.size() + 1) * settings.segmentBytes() > settings.maxBytes()) {
            return false;
        }
        Segment old = active;
        ByteBuffer oldView = writeView;
        int oldEnd = writeOffset;
        startSegment(old.number() + 1, reused);
        end = position(active.number(), writeOffset);
        if (oldEnd + 4 <= old.size()) {
            oldView.putInt(oldEnd, END_MARK);
        }
        return true;
    }

    private void startSegment(long number, Segment reused) {
        Path path = settings.dir().resolve(String.format("%s%020d%s", PREFIX, number, SUFFIX));
        try {
            if (reused != null) {
                Files.move(reused.path(), path, StandardCopyOption.ATOMIC_MOVE);
                active = new Segment(number, path, reused.buffer());
            } else {
                active = new Segment(number, path, map(path, settings.segmentBytes()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create event journal segment " + path, e);
        }
        segments.put(number, active);
        writeView = active.buffer().duplicate();
        writeOffset = 0;
        write(START, record(0));
    }

    /** A reader from the committed cursor on. One reader at a time: the publisher. */
    public Reader reader() {
        return reader(0);
    }

    /**
     * A reader whose events' bodies start {@code headroom} bytes into their arrays, so that the caller can put a header
     * before a body without copying it.
     */
    public Reader reader(int headroom) {
        return new Reader(cursor, headroom);
    }

    /** Follows the journal's EVENT records in order, skipping the rest. */
    public final class Reader {
        private final int headroom;
        private long position;
        private String topic = "";
        private byte[] topicBytes = new byte[0];

        private Reader(long position, int headroom) {
            this.position = position;
            this.headroom = headroom;
        }

        /** Moves back to {@code position} (a record's start) to read from there again. */
        public void rewind(long to) {
            position = to;
        }

        /** The next event, or null when every complete record has been read. */
        public Event next() {
            while (true) {
                long limit = end;
                if (position >= limit) {
                    return null;
                }
                Segment segment = segments.get(segment(position));
                int at = offset(position);
                if (segment == null) {
                    position = nextSegment(segment(position), limit);
                    continue;
                }
                ByteBuffer buffer = segment.buffer();
                int length = at + FRAME <= segment.size() ? buffer.getInt(at) : END_MARK;
                boolean last = segment.number() == segment(limit);
                if (length == END_MARK || length == 0 && !last) {
                    position = nextSegment(segment.number(), limit);
                    continue;
                }
                // this run's records are read from memory whole (the reader stops at the end published after them):
                // only a crash can tear a record, so only the records found at open are checked against their CRC
                if (position < recoveredEnd ? !whole(segment, at, length) : !framed(segment, at, length)) {
                    LOG.severe("event journal " + segment.path() + ": corrupt record at offset " + at + "; skipping the rest of the segment");
                    position = last ? limit : nextSegment(segment.number(), limit);
                    continue;
                }
                long start = position;
                position = position(segment.number(), at + FRAME + length);
                if (buffer.get(at + FRAME + 8) != EVENT) {
                    continue;
                }
                int field = at + HEAD + 8; // past the admission it completes
                long timestamp = buffer.getLong(field);
                field += 8;
                String name = topic(buffer, field);
                field += 4 + buffer.getInt(field);
                byte[] key = new byte[buffer.getInt(field)];
                buffer.get(field + 4, key);
                field += 4 + key.length;
                byte[] body = new byte[headroom + buffer.getInt(field)];
                buffer.get(field + 4, body, headroom, body.length - headroom);
                return new Event(buffer.getLong(at + FRAME), start, position, name, key, timestamp, body);
            }
        }

        /** The topic at {@code at}: the last one read again when the bytes are the same, as they nearly always are. */
        private String topic(ByteBuffer buffer, int at) {
            int length = buffer.getInt(at);
            if (!same(buffer, at + 4, length, topicBytes)) {
                topicBytes = new byte[length];
                buffer.get(at + 4, topicBytes);
                topic = new String(topicBytes, StandardCharsets.UTF_8);
            }
            return topic;
        }

        private static boolean same(ByteBuffer buffer, int at, int length, byte[] bytes) {
            if (length != bytes.length) {
                return false;
            }
            for (int i = 0; i < length; i++) {
                if (buffer.get(at + i) != bytes[i]) {
                    return false;
                }
            }
            return true;
        }

        private long nextSegment(long number, long limit) {
            Long next = segments.higherKey(number);
            return next == null ? limit : position(next, 0);
        }
    }

    /**
     * Marks every record before {@code position} as delivered. A segment wholly behind it becomes the spare (zeroed
     * here, on the reader's thread, not on a request's) when there is none and it has the current size; the others
     * are deleted.
     */
    public void commit(long position) {
        if (position <= cursor) {
            return;
        }
        cursor = position;
        cursorFile.putLong(0, position);
        for (Segment done : segments.headMap(segment(position)).values()) { // never the active one: the cursor is behind the end
            segments.remove(done.number());
            try {
                if (spare.get() == null && done.size() == settings.segmentBytes()) {
                    // a name of its own: a roll may be moving the last spare away at this moment
                    Path path = done.path().resolveSibling(SPARE + done.path().getFileName());
                    Files.move(done.path(), path, StandardCopyOption.ATOMIC_MOVE);
                    zero(done.buffer());
                    spare.set(new Segment(0, path, done.buffer()));
                } else {
                    // the mapping is released when the buffer is collected; Java 21 has no explicit unmap
                    Files.deleteIfExists(done.path());
                }
            } catch (IOException e) {
                LOG.warning("event journal: cannot remove " + done.path() + ": " + e);
            }
        }
    }

    private static void zero(ByteBuffer buffer) {
        for (int at = 0; at < buffer.capacity(); at += ZEROS.length) {
            buffer.put(at, ZEROS, 0, Math.min(ZEROS.length, buffer.capacity() - at));
        }
    }

    /** True once nothing journaled waits for delivery. */
    public boolean drained() {
        return new Reader(cursor, 0).next() == null;
    }

    /** Whether the last append found the disk budget full. */
    public boolean full() {
        return full;
    }

    /** Bytes of segment files on disk, the spare included. */
    public long bytes() {
        Segment reusable = spare.get();
        return segments.values().stream().mapToLong(Segment::size).sum() + (reusable == null ? 0 : reusable.size());
    }

    /** Forces to disk the pages of the segments written since the last force (older ones are on disk already). */
    public void force() {
        long upTo = segment(end);
        for (Segment segment : segments.tailMap(forcedFrom).values()) {
            segment.buffer().force();
        }
        forcedFrom = upTo;
        admissions.force();
        cursorFile.force();
    }

    @Override
    public void close() {
        force();
    }

    /** Scans the newest segment: the length of its valid records and the highest sequence; adds the admissions its events close. */
    private static long[] scanLast(Segment segment, Set<Long> closed) {
        ByteBuffer buffer = segment.buffer();
        int at = 0;
        long maxSeq = 0;
        closed.clear();
        while (at + HEAD <= segment.size()) {
            int length = buffer.getInt(at);
            if (!whole(segment, at, length)) {
                break;
            }
            long seq = buffer.getLong(at + FRAME);
            maxSeq = Math.max(maxSeq, seq);
            if (buffer.get(at + FRAME + 8) == EVENT) {
                long admission = buffer.getLong(at + HEAD);
                if (admission != 0) {
                    closed.add(admission);
                }
            }
            at += FRAME + length;
        }
        return new long[] {at, maxSeq};
    }

    /** Whether the record at {@code at}, of the given length, is whole: within the segment, and its CRC matches. */
    private static boolean whole(Segment segment, int at, int length) {
        return framed(segment, at, length) && crc(segment.buffer(), at + FRAME, length) == segment.buffer().getInt(at + 4);
    }

    private static boolean framed(Segment segment, int at, int length) {
        return length >= HEAD - FRAME && at + FRAME + length <= segment.size();
    }

    private static MappedByteBuffer map(Path file, long size) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            return channel.map(FileChannel.MapMode.READ_WRITE, 0, size);
        }
    }

    private static boolean isSegment(Path file) {
        String name = file.getFileName().toString();
        return name.startsWith(PREFIX) && name.endsWith(SUFFIX);
    }

    private static int crc(ByteBuffer buffer, int from, int length) {
        CRC32C crc = new CRC32C();
        crc.update(buffer.slice(from, length));
        return (int) crc.getValue();
    }

    private static byte[] utf8(String value) {
        return value == null ? new byte[0] : value.getBytes(StandardCharsets.UTF_8);
    }

    static long position(long segment, int offset) {
        return segment << 32 | offset;
    }

    static long segment(long position) {
        return position >>> 32;
    }

    static int offset(long position) {
        return (int) position;
    }
}
