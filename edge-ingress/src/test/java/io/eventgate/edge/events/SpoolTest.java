package io.eventgate.edge.events;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventgate.edge.config.EventSettings;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpoolTest {
    @TempDir
    Path dir;

    EventSettings.Spool settings(long segmentBytes, long maxBytes) {
        return new EventSettings.Spool(dir, segmentBytes, maxBytes, EventSettings.Fsync.ALWAYS, null);
    }

    static Spool.Entry entry(int i) {
        return new Spool.Entry("requests", "key-" + (i % 3), 1_000L + i, ("body-" + i).getBytes());
    }

    static List<String> keysAndBodies(List<Spool.Read> reads) {
        return reads.stream().map(r -> r.entry().key() + "/" + new String(r.entry().avroBody())).toList();
    }

    @Test
    void readsBackInAppendOrderAcrossSegments() {
        try (Spool spool = new Spool(settings(4096, 1 << 20))) {
            IntStream.range(0, 500).forEach(i -> assertThat(spool.append(entry(i))).isTrue());
            List<Spool.Read> reads = spool.read(1000);
            assertThat(reads).hasSize(500);
            assertThat(reads.get(0).entry().timestamp()).isEqualTo(1000);
            assertThat(new String(reads.get(499).entry().avroBody())).isEqualTo("body-499");
            assertThat(spool.drained()).isFalse();
            spool.commit(reads.get(reads.size() - 1).next());
            assertThat(spool.drained()).isTrue();
        }
    }

    @Test
    void committedSegmentsAreDeletedAndTheCursorSurvivesARestart() throws IOException {
        try (Spool spool = new Spool(settings(4096, 1 << 20))) {
            IntStream.range(0, 500).forEach(i -> spool.append(entry(i)));
            List<Spool.Read> first = spool.read(200);
            spool.commit(first.get(199).next());
        }
        try (Spool reopened = new Spool(settings(4096, 1 << 20))) {
            List<Spool.Read> rest = reopened.read(1000);
            assertThat(rest).hasSize(300);
            assertThat(new String(rest.get(0).entry().avroBody())).isEqualTo("body-200");
            reopened.commit(rest.get(299).next());
            assertThat(reopened.drained()).isTrue();
        }
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.filter(f -> f.toString().endsWith(".spool")).count()).as("only the fresh active segment is left").isLessThanOrEqualTo(1);
        }
    }

    @Test
    void aTornWriteAtTheTailIsCutOffAtOpen() throws IOException {
        try (Spool spool = new Spool(settings(1 << 20, 1 << 20))) {
            IntStream.range(0, 10).forEach(i -> spool.append(entry(i)));
        }
        Path segment;
        try (Stream<Path> files = Files.list(dir)) {
            segment = files.filter(f -> f.getFileName().toString().startsWith("segment-")).findFirst().orElseThrow();
        }
        try (FileChannel channel = FileChannel.open(segment, StandardOpenOption.WRITE)) {
            channel.truncate(channel.size() - 5); // the crash cut the last record short
        }
        try (Spool reopened = new Spool(settings(1 << 20, 1 << 20))) {
            assertThat(keysAndBodies(reopened.read(100))).hasSize(9).last().isEqualTo("key-2/body-8");
            assertThat(reopened.append(entry(10))).isTrue();
            assertThat(keysAndBodies(reopened.read(100))).hasSize(10).last().isEqualTo("key-1/body-10");
        }
    }

    @Test
    void appendsBeyondTheDiskBudgetAreRefused() {
        try (Spool spool = new Spool(settings(4096, 8192))) {
            int stored = 0;
            for (int i = 0; i < 1000; i++) {
                if (spool.append(entry(i))) {
                    stored++;
                }
            }
            assertThat(stored).isBetween(100, 400);
            assertThat(spool.bytes()).isLessThanOrEqualTo(8192);
            List<Spool.Read> reads = spool.read(1000);
            spool.commit(reads.get(reads.size() - 1).next());
            assertThat(spool.append(entry(1000))).as("room again once sent segments are gone").isTrue();
        }
    }

    @Test
    void rescuedEventsAreReadBeforeSpooledOnes() {
        try (Spool spool = new Spool(settings(4096, 1 << 20))) {
            spool.append(entry(100));
            spool.append(entry(101));
            spool.rescue(List.of(entry(1), entry(2)));
        }
        try (Spool reopened = new Spool(settings(4096, 1 << 20))) {
            List<Spool.Read> reads = reopened.read(10);
            assertThat(keysAndBodies(reads)).containsExactly("key-1/body-1", "key-2/body-2", "key-1/body-100", "key-2/body-101");
            reopened.commit(reads.get(3).next());
            assertThat(reopened.drained()).isTrue();
        }
    }
}
