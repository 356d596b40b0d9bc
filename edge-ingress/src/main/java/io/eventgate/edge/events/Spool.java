package io.eventgate.edge.events;

import io.eventgate.edge.config.EventSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.logging.Logger;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * The append-only disk spool that holds events while Kafka is slow or down: numbered segment files of
 * length- and CRC-framed records, a cursor file naming the next unsent record, and a rescue file for
 * events that were in flight when the node stopped (older than anything spooled, so read first).
 * Survives restarts; a torn write at the tail (a crash mid-append) is cut off at open. Appends beyond the
 * disk budget are refused and the caller counts the loss.
 */
public final class Spool implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Spool.class.getName());
    private static final String SEGMENT_PREFIX = "segment-";
    private static final String SEGMENT_SUFFIX = ".spool";
    private static final String RESCUE = "rescue.spool";
    private static final String CURSOR = "cursor";
    private static final int HEADER = 8;
    private static final long RESCUE_SEGMENT = -1;

    /** One spooled event: its topic (without prefix), key, timestamp, and the Avro binary of its value. */
    public record Entry(String topic, String key, long timestamp, byte[] avroBody) {
    }

    /** Where a read record ends: committing it marks everything before as sent. */
    public record Position(long segment, long offset) {
    }

    /** A record read back with the position just after it. */
    public record Read(Entry entry, Position next) {
    }

    private final EventSettings.Spool settings;
    private final Path dir;
    private final TreeMap<Long, Path> segments = new TreeMap<>();
    private FileChannel active;
    private long activeSegment;
    private long activeSize;
    private long totalBytes;
    private Position cursor;
    private long lastFsyncNanos = System.nanoTime();
    private boolean dirty;

    public Spool(EventSettings.Spool settings) {
        this.settings = settings;
        this.dir = settings.dir();
        try {
            Files.createDirectories(dir);
            open();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open event spool in " + dir, e);
        }
    }

    private void open() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            files.filter(p -> p.getFileName().toString().startsWith(SEGMENT_PREFIX)).forEach(p -> {
                String name = p.getFileName().toString();
                segments.put(Long.parseLong(name.substring(SEGMENT_PREFIX.length(), name.length() - SEGMENT_SUFFIX.length())), p);
            });
        }
        if (segments.isEmpty()) {
            segments.put(1L, segmentPath(1));
        }
        activeSegment = segments.lastKey();
        active = FileChannel.open(segments.get(activeSegment), StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        activeSize = validLength(active, activeSegment);
        if (activeSize < active.size()) {
            LOG.warning("event spool " + segments.get(activeSegment) + ": cut " + (active.size() - activeSize) + " bytes of a torn write at its tail");
            active.truncate(activeSize);
        }
        active.position(activeSize);
        cursor = readCursor();
        if (Files.exists(dir.resolve(RESCUE))) {
            cursor = new Position(RESCUE_SEGMENT, 0);
        }
        totalBytes = 0;
        for (Path segment : segments.values()) {
            totalBytes += Files.exists(segment) ? Files.size(segment) : 0;
        }
    }

    private Position readCursor() throws IOException {
        Path file = dir.resolve(CURSOR);
        long first = segments.firstKey();
        if (!Files.exists(file)) {
            return new Position(first, 0);
        }
        String[] parts = Files.readString(file, StandardCharsets.UTF_8).trim().split(" ");
        long segment = Long.parseLong(parts[0]);
        long offset = Long.parseLong(parts[1]);
        if (!segments.containsKey(segment)) {
            return new Position(first, 0);
        }
        return new Position(segment, offset);
    }

    /** Appends an event; false when the disk budget would be exceeded (the event is not stored). */
    public synchronized boolean append(Entry entry) {
        ByteBuffer record = encode(entry);
        int length = record.remaining();
        if (totalBytes + length > settings.maxBytes()) {
            return false;
        }
        try {
            if (activeSize > 0 && activeSize + length > settings.segmentBytes()) {
                roll();
            }
            while (record.hasRemaining()) {
                active.write(record);
            }
            activeSize += length;
            totalBytes += length;
            dirty = true;
            maybeFsync();
            return true;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to event spool segment " + segments.get(activeSegment), e);
        }
    }

    /** Writes events that were in flight at shutdown; they are read back before everything else. */
    public synchronized void rescue(List<Entry> entries) {
        if (entries.isEmpty()) {
            return;
        }
        try (FileChannel out = FileChannel.open(dir.resolve(RESCUE), StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            for (Entry entry : entries) {
                ByteBuffer record = encode(entry);
                while (record.hasRemaining()) {
                    out.write(record);
                }
            }
            out.force(true);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write rescued events to " + dir.resolve(RESCUE), e);
        }
        cursor = new Position(RESCUE_SEGMENT, 0);
    }

    /** Up to {@code max} unsent records from the cursor on, oldest first (the cursor does not move until {@link #commit}). */
    public synchronized List<Read> read(int max) {
        List<Read> out = new ArrayList<>();
        Position at = cursor;
        try {
            while (out.size() < max) {
                Path file = at.segment() == RESCUE_SEGMENT ? dir.resolve(RESCUE) : segments.get(at.segment());
                long end = at.segment() == activeSegment ? activeSize : Files.exists(file) ? Files.size(file) : 0;
                if (at.offset() >= end) {
                    Long next = at.segment() == RESCUE_SEGMENT ? segments.firstKey() : segments.higherKey(at.segment());
                    if (next == null) {
                        break;
                    }
                    at = new Position(next, at.segment() == RESCUE_SEGMENT ? savedSegmentOffset(next) : 0);
                    continue;
                }
                try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
                    long offset = at.offset();
                    while (out.size() < max && offset < end) {
                        ByteBuffer header = ByteBuffer.allocate(HEADER);
                        in.read(header, offset);
                        header.flip();
                        int length = header.getInt();
                        int crc = header.getInt();
                        if (length <= 0 || offset + HEADER + length > end) {
                            LOG.severe("event spool " + file + ": corrupt record at offset " + offset + "; skipping the rest of the segment");
                            offset = end;
                            break;
                        }
                        ByteBuffer payload = ByteBuffer.allocate(length);
                        in.read(payload, offset + HEADER);
                        payload.flip();
                        if (crc(payload) != crc) {
                            LOG.severe("event spool " + file + ": checksum mismatch at offset " + offset + "; skipping the rest of the segment");
                            offset = end;
                            break;
                        }
                        offset += HEADER + length;
                        out.add(new Read(decode(payload), new Position(at.segment(), offset)));
                    }
                    at = new Position(at.segment(), offset);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read event spool in " + dir, e);
        }
        return out;
    }

    private long savedSegmentOffset(long segment) {
        try {
            Position saved = readCursor();
            return saved.segment() == segment ? saved.offset() : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    /** Marks every record before {@code next} as sent; wholly sent segments are deleted. */
    public synchronized void commit(Position next) {
        try {
            if (next.segment() != RESCUE_SEGMENT && cursor.segment() == RESCUE_SEGMENT) {
                Files.deleteIfExists(dir.resolve(RESCUE));
            }
            cursor = next;
            if (next.segment() == RESCUE_SEGMENT) {
                return;
            }
            for (Map.Entry<Long, Path> segment : new ArrayList<>(segments.headMap(next.segment()).entrySet())) {
                totalBytes -= Files.size(segment.getValue());
                Files.deleteIfExists(segment.getValue());
                segments.remove(segment.getKey());
            }
            if (next.segment() == activeSegment && next.offset() >= activeSize && activeSize > 0) {
                roll(); // everything sent: start a fresh segment so the old one can go
                totalBytes -= Files.size(segments.get(next.segment()));
                Files.deleteIfExists(segments.remove(next.segment()));
                cursor = new Position(activeSegment, 0);
            }
            Path temp = dir.resolve(CURSOR + ".tmp");
            Files.writeString(temp, cursor.segment() + " " + cursor.offset(), StandardCharsets.UTF_8);
            Files.move(temp, dir.resolve(CURSOR), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot commit event spool cursor in " + dir, e);
        }
    }

    /** True when every stored record has been committed as sent. */
    public synchronized boolean drained() {
        return cursor.segment() == activeSegment && cursor.offset() >= activeSize;
    }

    /** Bytes on disk in segments (sent or not, until their segment is deleted). */
    public synchronized long bytes() {
        return totalBytes;
    }

    /** Forces appended data to disk if the policy asks for it now. */
    public synchronized void maybeFsync() throws IOException {
        if (!dirty) {
            return;
        }
        boolean due = switch (settings.fsync()) {
            case ALWAYS -> true;
            case INTERVAL -> System.nanoTime() - lastFsyncNanos >= settings.fsyncInterval().toNanos();
            case NEVER -> false;
        };
        if (due) {
            active.force(false);
            lastFsyncNanos = System.nanoTime();
            dirty = false;
        }
    }

    private void roll() throws IOException {
        active.force(false);
        active.close();
        activeSegment++;
        Path path = segmentPath(activeSegment);
        segments.put(activeSegment, path);
        active = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        activeSize = 0;
    }

    private Path segmentPath(long number) {
        return dir.resolve(String.format("%s%020d%s", SEGMENT_PREFIX, number, SEGMENT_SUFFIX));
    }

    /** Length of the valid prefix of a segment: where the first torn or corrupt record starts. */
    private static long validLength(FileChannel channel, long segment) throws IOException {
        long size = channel.size();
        long offset = 0;
        ByteBuffer header = ByteBuffer.allocate(HEADER);
        while (offset + HEADER <= size) {
            header.clear();
            channel.read(header, offset);
            header.flip();
            int length = header.getInt();
            int crc = header.getInt();
            if (length <= 0 || offset + HEADER + length > size) {
                break;
            }
            ByteBuffer payload = ByteBuffer.allocate(length);
            channel.read(payload, offset + HEADER);
            payload.flip();
            if (crc(payload) != crc) {
                break;
            }
            offset += HEADER + length;
        }
        return offset;
    }

    private static ByteBuffer encode(Entry entry) {
        byte[] topic = entry.topic().getBytes(StandardCharsets.UTF_8);
        byte[] key = entry.key().getBytes(StandardCharsets.UTF_8);
        int payloadLength = 2 + topic.length + 4 + key.length + 8 + 4 + entry.avroBody().length;
        ByteBuffer buffer = ByteBuffer.allocate(HEADER + payloadLength);
        buffer.position(HEADER);
        buffer.putShort((short) topic.length).put(topic).putInt(key.length).put(key).putLong(entry.timestamp())
                .putInt(entry.avroBody().length).put(entry.avroBody());
        ByteBuffer payload = buffer.duplicate().position(HEADER).limit(HEADER + payloadLength);
        buffer.putInt(0, payloadLength).putInt(4, crc(payload));
        buffer.position(0);
        return buffer;
    }

    private static Entry decode(ByteBuffer payload) {
        byte[] topic = new byte[payload.getShort()];
        payload.get(topic);
        byte[] key = new byte[payload.getInt()];
        payload.get(key);
        long timestamp = payload.getLong();
        byte[] body = new byte[payload.getInt()];
        payload.get(body);
        return new Entry(new String(topic, StandardCharsets.UTF_8), new String(key, StandardCharsets.UTF_8), timestamp, body);
    }

    private static int crc(ByteBuffer payload) {
        CRC32C crc = new CRC32C();
        crc.update(payload.duplicate());
        return (int) crc.getValue();
    }

    @Override
    public synchronized void close() {
        try {
            if (active.isOpen()) {
                active.force(true);
                active.close();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot close event spool in " + dir, e);
        }
    }
}
