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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
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
 * leaves an ADMIT record when it arrives and an EVENT record naming that admission when it completes. Requests
 * still open when a segment fills are copied into the next one, so the newest segment always holds every open
 * admission: after a crash, the admissions in it without a completing event are the requests the crash cut off.
 *
 * <p>One reader (the publisher) follows the records in order and commits a cursor once Kafka has them; segments
 * behind the cursor are deleted. Positions are {@code segment << 32 | offset}, so they compare across segments.
 */
public final class Journal implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Journal.class.getName());
    static final byte START = 1;
    static final byte ADMIT = 2;
    static final byte EVENT = 3;
    private static final int END_MARK = -1;
    private static final int FRAME = 8; // length and CRC
    private static final int HEAD = FRAME + 9; // and sequence and kind
    private static final int MAX_RECORD = 1 << 20;
    private static final String PREFIX = "segment-";
    private static final String SUFFIX = ".journal";
    private static final String CURSOR = "cursor";

    /** What the edge knew of a request when it admitted it: enough for its event if it never completes. */
    public record Admission(long seq, long timestamp, String requestId, String traceId, String method, String path, String host, String clientAddress) {
    }

    /** An event record read back: where it starts and where the next record starts, and what goes to Kafka. */
    public record Event(long seq, long start, long next, String topic, String key, long timestamp, byte[] body) {
    }

    private record Segment(long number, Path path, MappedByteBuffer buffer) {
        int size() {
            return buffer.capacity();
        }
    }

    private final EventSettings.Journal settings;
    private final ReentrantLock lock = new ReentrantLock();
    private final ConcurrentSkipListMap<Long, Segment> segments = new ConcurrentSkipListMap<>();
    /** Open admissions: sequence to the position of their ADMIT record in the active segment. Guarded by {@link #lock}. */
    private final Map<Long, Long> open = new HashMap<>();
    private final List<Admission> interrupted;
    private final MappedByteBuffer cursorFile;
    private final long recoveredEnd;
    private Segment active;
    private ByteBuffer writeView;
    private int writeOffset;
    /** Where the last record written starts. Guarded by {@link #lock}. */
    private int lastWritten;
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
            for (Path file : files.filter(Journal::isSegment).toList()) {
                long number = Long.parseLong(file.getFileName().toString().substring(PREFIX.length(), file.getFileName().toString().length() - SUFFIX.length()));
                segments.put(number, new Segment(number, file, map(file, Files.size(file))));
            }
        }
        long maxSeq = 0;
        int validEnd = 0;
        while (!segments.isEmpty()) {
            Segment last = segments.lastEntry().getValue();
            long[] scan = scanLast(last);
            validEnd = (int) scan[0];
            maxSeq = scan[1];
            if (validEnd > 0) {
                break;
            }
            LOG.warning("event journal: " + last.path() + " holds no record (a crash while it was created); removed");
            segments.remove(last.number());
            Files.deleteIfExists(last.path());
        }
        this.interrupted = readAdmissions();
        this.cursorFile = map(settings.dir().resolve(CURSOR), 8);
        long saved = cursorFile.getLong(0);
        this.nextSeq = Math.max(maxSeq + 1, TimeUnit.MILLISECONDS.toMicros(System.currentTimeMillis()));
        if (segments.isEmpty()) {
            this.recoveredEnd = 0;
            startSegment(1);
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

    /** Journals a request's admission; returns its sequence, or 0 when the disk budget left no room. */
    public long admit(long timestamp, String requestId, String traceId, String method, String path, String host, String clientAddress) {
        byte[][] parts = {utf8(requestId), utf8(traceId), utf8(method), utf8(path), utf8(host), utf8(clientAddress)};
        int payload = 8;
        for (byte[] part : parts) {
            payload += 4 + part.length;
        }
        ByteBuffer record = record(payload).putLong(timestamp);
        for (byte[] part : parts) {
            record.putInt(part.length).put(part);
        }
        acquire();
        try {
            long seq = write(ADMIT, record);
            if (seq != 0) {
                open.put(seq, position(active.number(), lastWritten));
            }
            return seq;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Journals an event; when {@code admission} is not 0 the event completes that admission. False when the disk
     * budget left no room (the event is not stored).
     */
    public boolean append(String topic, String key, long timestamp, long admission, byte[] body, int bodyLength) {
        byte[] topicBytes = utf8(topic);
        byte[] keyBytes = utf8(key);
        int payload = 8 + 8 + 4 + topicBytes.length + 4 + keyBytes.length + 4 + bodyLength;
        ByteBuffer record = record(payload).putLong(admission).putLong(timestamp).putInt(topicBytes.length).put(topicBytes)
                .putInt(keyBytes.length).put(keyBytes).putInt(bodyLength).put(body, 0, bodyLength);
        acquire();
        try {
            if (admission != 0) {
                open.remove(admission); // closed by its event, or, when that is dropped, by its loss: a crash must not make up another
            }
            return write(EVENT, record) != 0;
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
     * as whole. Returns its sequence, or 0 when there is no room.
     */
    private long write(byte kind, ByteBuffer record) {
        int size = record.position();
        if (size > MAX_RECORD) {
            LOG.warning("event journal: a record of " + size + " bytes is over the limit of " + MAX_RECORD + "; not stored");
            return 0;
        }
        if (writeOffset + size + FRAME > active.size()) {
            // a fresh segment starts with the open admissions; if even it has no room, the budget is what is short
            if (size + HEAD + 2 * FRAME > settings.segmentBytes() || !roll(false) || writeOffset + size + FRAME > active.size()) {
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
        lastWritten = at;
        writeOffset = at + size;
        end = position(active.number(), writeOffset);
        return seq;
    }

    /**
     * Starts the next segment: a START record, then a copy of every open admission, then an end mark in the old one
     * (in that order, so a crash at any point leaves the open admissions in the newest segment). Refused, unless at
     * open, when the disk budget has no room for another segment.
     */
    private boolean roll(boolean atOpen) {
        if (!atOpen && (long) (segments.size() + 1) * settings.segmentBytes() > settings.maxBytes()) {
            return false;
        }
        Segment old = active;
        ByteBuffer oldView = writeView;
        int oldEnd = writeOffset;
        startSegment(old.number() + 1);
        Map<Long, Long> copied = new HashMap<>();
        for (Map.Entry<Long, Long> admission : open.entrySet()) {
            int from = offset(admission.getValue());
            int length = FRAME + old.buffer().getInt(from);
            if (writeOffset + length + FRAME > active.size()) {
                LOG.severe("event journal: open admissions do not fit a segment; raise events.journal.segmentBytes");
                break;
            }
            writeView.put(writeOffset, old.buffer(), from, length);
            copied.put(admission.getKey(), position(active.number(), writeOffset));
            writeOffset += length;
        }
        open.putAll(copied);
        end = position(active.number(), writeOffset);
        if (oldEnd + 4 <= old.size()) {
            oldView.putInt(oldEnd, END_MARK);
        }
        return true;
    }

    private void startSegment(long number) {
        Path path = settings.dir().resolve(String.format("%s%020d%s", PREFIX, number, SUFFIX));
        try {
            active = new Segment(number, path, map(path, settings.segmentBytes()));
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
        return new Reader(cursor);
    }

    /** Follows the journal's EVENT records in order, skipping the rest. */
    public final class Reader {
        private long position;

        private Reader(long position) {
            this.position = position;
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
                if (!whole(segment, at, length)) {
                    LOG.severe("event journal " + segment.path() + ": corrupt record at offset " + at + "; skipping the rest of the segment");
                    position = last ? limit : nextSegment(segment.number(), limit);
                    continue;
                }
                long start = position;
                position = position(segment.number(), at + FRAME + length);
                if (buffer.get(at + FRAME + 8) != EVENT) {
                    continue;
                }
                ByteBuffer in = buffer.duplicate().position(at + HEAD);
                in.getLong(); // the admission it completes
                long timestamp = in.getLong();
                String topic = string(in);
                String key = string(in);
                byte[] body = new byte[in.getInt()];
                in.get(body);
                return new Event(buffer.getLong(at + FRAME), start, position, topic, key, timestamp, body);
            }
        }

        private long nextSegment(long number, long limit) {
            Long next = segments.higherKey(number);
            return next == null ? limit : position(next, 0);
        }
    }

    /** Marks every record before {@code position} as delivered; segments wholly behind it are deleted. */
    public void commit(long position) {
        if (position <= cursor) {
            return;
        }
        cursor = position;
        cursorFile.putLong(0, position);
        for (Segment done : segments.headMap(segment(position)).values()) { // never the active one: the cursor is behind the end
            segments.remove(done.number());
            try {
                // the mapping is released when the buffer is collected; Java 21 has no explicit unmap
                Files.deleteIfExists(done.path());
            } catch (IOException e) {
                LOG.warning("event journal: cannot delete " + done.path() + ": " + e);
            }
        }
    }

    /** True once nothing journaled waits for delivery. */
    public boolean drained() {
        return new Reader(cursor).next() == null;
    }

    /** Whether the last append found the disk budget full. */
    public boolean full() {
        return full;
    }

    /** Bytes of segment files on disk. */
    public long bytes() {
        return segments.values().stream().mapToLong(Segment::size).sum();
    }

    /** Forces to disk the pages of the segments written since the last force (older ones are on disk already). */
    public void force() {
        long upTo = segment(end);
        for (Segment segment : segments.tailMap(forcedFrom).values()) {
            segment.buffer().force();
        }
        forcedFrom = upTo;
        cursorFile.force();
    }

    @Override
    public void close() {
        force();
    }

    /** Scans the newest segment: the length of its valid records and the highest sequence; records its open admissions. */
    private long[] scanLast(Segment segment) {
        ByteBuffer buffer = segment.buffer();
        int at = 0;
        long maxSeq = 0;
        open.clear();
        while (at + HEAD <= segment.size()) {
            int length = buffer.getInt(at);
            if (!whole(segment, at, length)) {
                break;
            }
            long seq = buffer.getLong(at + FRAME);
            maxSeq = Math.max(maxSeq, seq);
            byte kind = buffer.get(at + FRAME + 8);
            if (kind == ADMIT) {
                open.put(seq, position(segment.number(), at));
            } else if (kind == EVENT) {
                long admission = buffer.getLong(at + HEAD);
                if (admission != 0) {
                    open.remove(admission);
                }
            }
            at += FRAME + length;
        }
        return new long[] {at, maxSeq};
    }

    private List<Admission> readAdmissions() {
        List<Admission> found = new ArrayList<>();
        for (Map.Entry<Long, Long> admission : open.entrySet()) {
            ByteBuffer in = segments.get(segment(admission.getValue())).buffer().duplicate().position(offset(admission.getValue()) + HEAD);
            found.add(new Admission(admission.getKey(), in.getLong(), string(in), string(in), string(in), string(in), string(in), string(in)));
        }
        found.sort(java.util.Comparator.comparingLong(Admission::seq));
        return List.copyOf(found);
    }

    /** Whether the record at {@code at}, of the given length, is whole: within the segment, and its CRC matches. */
    private static boolean whole(Segment segment, int at, int length) {
        return length >= HEAD - FRAME && at + FRAME + length <= segment.size()
                && crc(segment.buffer(), at + FRAME, length) == segment.buffer().getInt(at + 4);
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

    private static String string(ByteBuffer in) {
        byte[] bytes = new byte[in.getInt()];
        in.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
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
