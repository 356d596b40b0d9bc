package io.eventgate.edge.events;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventgate.edge.config.EventSettings;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The journal on its own. A crash is a journal opened again on the same files without the first one being closed:
 * what the first wrote is in the page cache, as it is for a process killed with SIGKILL.
 */
class JournalTest {
    @TempDir
    Path dir;

    EventSettings.Journal settings(long segmentBytes, long maxBytes) {
        return new EventSettings.Journal(dir, segmentBytes, maxBytes, EventSettings.Fsync.NEVER, null);
    }

    static boolean event(Journal journal, int i, long admission) {
        byte[] body = ("body-" + i).getBytes(StandardCharsets.UTF_8);
        return journal.append("requests", "key-" + i % 3, 1_000L + i, admission, body, body.length);
    }

    static long admit(Journal journal, String id) {
        return journal.admit(1_000L, id, "trace-" + id, "GET", "/p/" + id, "example.test", "10.0.0.1");
    }

    static List<Journal.Event> readAll(Journal journal) {
        Journal.Reader reader = journal.reader();
        List<Journal.Event> events = new ArrayList<>();
        for (Journal.Event event = reader.next(); event != null; event = reader.next()) {
            events.add(event);
        }
        return events;
    }

    static List<String> bodies(List<Journal.Event> events) {
        return events.stream().map(e -> new String(e.body(), StandardCharsets.UTF_8)).toList();
    }

    static long segmentFiles(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".journal")).count();
        }
    }

    @Test
    void eventsReadBackInOrderAcrossSegmentsWithGrowingSequences() {
        try (Journal journal = Journal.open(settings(4096, 1 << 20))) {
            for (int i = 0; i < 500; i++) {
                assertThat(event(journal, i, 0)).isTrue();
            }
            List<Journal.Event> events = readAll(journal);
            assertThat(bodies(events)).hasSize(500).startsWith("body-0", "body-1").endsWith("body-499");
            assertThat(events.get(0).topic()).isEqualTo("requests");
            assertThat(new String(events.get(4).key(), StandardCharsets.UTF_8)).isEqualTo("key-1");
            assertThat(events.get(4).timestamp()).isEqualTo(1_004L);
            for (int i = 1; i < events.size(); i++) {
                assertThat(events.get(i).seq()).isGreaterThan(events.get(i - 1).seq());
                assertThat(events.get(i).start()).as("in journal order").isGreaterThanOrEqualTo(events.get(i - 1).next());
            }
        }
    }

    @Test
    void committedSegmentsAreDeletedAndTheCursorSurvivesACrash() throws IOException {
        Journal first = Journal.open(settings(4096, 1 << 20));
        for (int i = 0; i < 500; i++) {
            event(first, i, 0);
        }
        List<Journal.Event> events = readAll(first);
        long before = segmentFiles(dir);
        first.commit(events.get(199).next());
        assertThat(segmentFiles(dir)).as("segments wholly delivered are deleted").isLessThan(before);

        try (Journal reopened = Journal.open(settings(4096, 1 << 20))) {
            List<Journal.Event> rest = readAll(reopened);
            assertThat(bodies(rest)).hasSize(300).startsWith("body-200").endsWith("body-499");
            assertThat(rest).allSatisfy(e -> assertThat(e.start()).as("sent before the crash, maybe").isLessThan(reopened.recoveredEnd()));
            event(reopened, 500, 0);
            Journal.Event fresh = readAll(reopened).get(300);
            assertThat(fresh.start()).as("written after the crash").isGreaterThanOrEqualTo(reopened.recoveredEnd());
            assertThat(fresh.seq()).as("sequences keep growing across restarts").isGreaterThan(rest.get(299).seq());
            reopened.commit(fresh.next());
            assertThat(reopened.drained()).isTrue();
        }
    }

    @Test
    void requestsAdmittedAndNeverCompletedAreFoundAfterACrash() {
        Journal first = Journal.open(settings(64 * 1024, 1 << 20));
        long completed = admit(first, "completed");
        long cutOff = admit(first, "cut-off");
        event(first, 1, completed);

        try (Journal reopened = Journal.open(settings(64 * 1024, 1 << 20))) {
            assertThat(reopened.interrupted()).singleElement().satisfies(a -> {
                assertThat(a.handle()).isEqualTo(cutOff);
                assertThat(a.requestId()).isEqualTo("cut-off");
                assertThat(a.traceId()).isEqualTo("trace-cut-off");
                assertThat(a.method()).isEqualTo("GET");
                assertThat(a.path()).isEqualTo("/p/cut-off");
                assertThat(a.host()).isEqualTo("example.test");
                assertThat(a.clientAddress()).isEqualTo("10.0.0.1");
                assertThat(a.timestamp()).isEqualTo(1_000L);
            });
            // its event closes the admission: a second crash finds nothing open
            event(reopened, 2, cutOff);
        }
        try (Journal again = Journal.open(settings(64 * 1024, 1 << 20))) {
            assertThat(again.interrupted()).isEmpty();
        }
    }

    @Test
    void aLongRequestStaysOpenWhileTheSegmentsAroundItAreDeliveredAndDeleted() throws IOException {
        Journal first = Journal.open(settings(4096, 1 << 20));
        admit(first, "websocket-session");
        for (int i = 0; i < 1_000; i++) {
            long admission = admit(first, "short-" + i);
            event(first, i, admission);
        }
        List<Journal.Event> events = readAll(first);
        first.commit(events.get(events.size() - 1).next());
        assertThat(segmentFiles(dir)).as("the segment of the open admission is gone").isLessThanOrEqualTo(2);

        try (Journal reopened = Journal.open(settings(4096, 1 << 20))) {
            assertThat(reopened.interrupted()).extracting(Journal.Admission::requestId).containsExactly("websocket-session");
            assertThat(readAll(reopened)).as("everything was delivered").isEmpty();
        }
    }

    @Test
    void aTornWriteAtTheTailIsIgnored() throws IOException {
        Journal first = Journal.open(settings(64 * 1024, 1 << 20));
        for (int i = 0; i < 10; i++) {
            event(first, i, 0);
        }
        Path segment;
        try (Stream<Path> files = Files.list(dir)) {
            segment = files.filter(f -> f.getFileName().toString().endsWith(".journal")).sorted().reduce((a, b) -> b).orElseThrow();
        }
        int tail = Journal.offset(readAll(first).get(9).next());
        try (FileChannel channel = FileChannel.open(segment, StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.wrap(new byte[] {0, 0, 0, 90, 1, 2, 3, 4, 5, 6, 7}), tail); // a record cut off mid-write
        }
        try (Journal reopened = Journal.open(settings(64 * 1024, 1 << 20))) {
            assertThat(bodies(readAll(reopened))).hasSize(10).endsWith("body-9");
            event(reopened, 10, 0);
            assertThat(bodies(readAll(reopened))).hasSize(11).endsWith("body-10");
        }
    }

    @Test
    void aFullDiskBudgetRefusesAppendsUntilDeliveryFreesASegment() {
        try (Journal journal = Journal.open(settings(4096, 4 * 4096))) {
            int stored = 0;
            while (event(journal, stored, 0)) {
                stored++;
            }
            assertThat(journal.full()).isTrue();
            long noRoom = admit(journal, "no-room");
            assertThat(noRoom).as("an admission takes a slot, not journal space").isNotZero();
            assertThat(event(journal, stored, noRoom)).as("its event finds no room").isFalse();
            assertThat(journal.bytes()).isLessThanOrEqualTo(4 * 4096);
            List<Journal.Event> events = readAll(journal);
            assertThat(events).hasSize(stored);
            journal.commit(events.get(events.size() - 1).next());
            assertThat(event(journal, stored, 0)).as("delivered segments make room").isTrue();
            assertThat(journal.full()).isFalse();
        }
        try (Journal reopened = Journal.open(settings(4096, 4 * 4096))) {
            assertThat(reopened.interrupted()).as("an admission whose event was dropped is closed by the loss, not made up again").isEmpty();
        }
    }

    @Test
    void deliveredSegmentsAreWrittenAgainAndNothingStaleIsReadFromThem() throws IOException {
        Journal first = Journal.open(settings(4096, 8 * 4096));
        Journal.Reader reader = first.reader();
        List<String> read = new ArrayList<>();
        long spares = 0;
        for (int i = 0; i < 2_000; i++) {
            assertThat(event(first, i, admit(first, "r-" + i))).isTrue();
            if (i % 50 == 49) { // the publisher's pace: read, deliver, commit
                Journal.Event last = null;
                for (Journal.Event event = reader.next(); event != null; event = reader.next()) {
                    read.add(new String(event.body(), StandardCharsets.UTF_8));
                    last = event;
                }
                first.commit(last.next());
                try (Stream<Path> files = Files.list(dir)) {
                    spares += files.filter(f -> f.getFileName().toString().startsWith("spare-")).count();
                }
            }
            assertThat(segmentFiles(dir)).isLessThanOrEqualTo(8);
        }
        assertThat(spares).as("delivered segments were kept to be written again").isPositive();
        assertThat(read).hasSize(2_000).startsWith("body-0").endsWith("body-1999").doesNotHaveDuplicates();
        for (int i = 0; i < 7; i++) {
            event(first, 2_000 + i, 0); // written over a reused segment's zeroed pages, not delivered
        }

        try (Journal reopened = Journal.open(settings(4096, 8 * 4096))) {
            assertThat(bodies(readAll(reopened))).as("only what was not delivered, nothing left over from a segment's earlier use")
                    .containsExactly("body-2000", "body-2001", "body-2002", "body-2003", "body-2004", "body-2005", "body-2006");
            assertThat(reopened.interrupted()).isEmpty();
        }
    }

    @Test
    void anAdmissionWhoseEventTheCrashCaughtBeforeItsSlotWasFreedIsClosed() throws IOException {
        Journal first = Journal.open(settings(64 * 1024, 1 << 20));
        long admission = admit(first, "caught");
        Path table = dir.resolve(AdmissionSlots.FILE);
        byte[] withTheSlotTaken = Files.readAllBytes(table);
        event(first, 1, admission);
        Files.write(table, withTheSlotTaken); // the crash came between the event's write and the slot's release

        try (Journal reopened = Journal.open(settings(64 * 1024, 1 << 20))) {
            assertThat(reopened.interrupted()).as("its event is in the journal").isEmpty();
            assertThat(bodies(readAll(reopened))).containsExactly("body-1");
            long next = admit(reopened, "next");
            assertThat(next).as("handles are never given out again").isNotEqualTo(admission);
        }
        try (Journal again = Journal.open(settings(64 * 1024, 1 << 20))) {
            assertThat(again.interrupted()).extracting(Journal.Admission::requestId).containsExactly("next");
        }
    }

    @Test
    void anAdmissionIsCutToItsSlotAndPastTheLastSlotARequestHasNone() {
        EventSettings.Journal sixteen = new EventSettings.Journal(dir, 64 * 1024, 1 << 20, EventSettings.Fsync.NEVER, null, 16);
        Journal first = Journal.open(sixteen);
        String longPath = "/files/" + "ü".repeat(2_000); // two bytes each in UTF-8
        long cut = first.admit(1_000L, "long", "trace", "GET", longPath, "example.test", "10.0.0.1");
        List<Long> taken = new ArrayList<>();
        for (int i = 1; i < 16; i++) {
            taken.add(admit(first, "r-" + i));
        }
        assertThat(taken).doesNotContain(0L);
        assertThat(admit(first, "seventeenth")).as("every slot is taken").isZero();
        event(first, 1, taken.get(0));
        long reused = admit(first, "after-a-release");
        assertThat(reused).as("a freed slot is taken again").isNotZero();

        try (Journal reopened = Journal.open(sixteen)) {
            assertThat(reopened.interrupted()).hasSize(16);
            Journal.Admission shortened = reopened.interrupted().stream().filter(a -> a.handle() == cut).findFirst().orElseThrow();
            assertThat(shortened.path()).startsWith("/files/üü").hasSizeLessThan(longPath.length());
            assertThat(longPath).startsWith(shortened.path()); // cut between characters, never inside one
            assertThat(shortened.host()).isEqualTo("example.test");
            assertThat(shortened.clientAddress()).isEqualTo("10.0.0.1");
        }
    }
}
