package dev.lluvia.memory;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Memory#beginDefragmentation(DefragmentationDescriptor)} on the core's {@link FakeBackend}
 * (whose device copy is a plain copy of the page bytes): the algorithm, which objects may move, the
 * break callback and the checks of the limits.
 *
 * <p>Each test starts from two 64 KiB pages of four 16 KiB buffers, then closes two buffers of the
 * first page and three of the second: the first page (half full) is the destination, the second
 * (one buffer) the source.
 */
class DefragmentationDescriptorTest {

    private static final long KIB = 1024;

    private record Layout(Session session, Memory memory, Buffer lone, List<Buffer> first) {
    }

    private static Layout layout() {
        Session s = FakeBackend.session(FakeBackend.Config.cpu(), SessionOptions.defaults().withLeakPolicy(LeakPolicy.IGNORE));
        Memory m = s.createMemory(MemoryOptions.of(EnumSet.of(MemoryPropertyFlag.DEVICE_LOCAL)).withPageSize(64 * KIB));
        List<Buffer> all = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            all.add(m.createBuffer(16 * KIB));
        }
        assertEquals(2, m.pageCount());
        int firstPage = all.get(0).allocationInfo().page();
        List<Buffer> first = new ArrayList<>();
        List<Buffer> second = new ArrayList<>();
        for (Buffer b : all) {
            (b.allocationInfo().page() == firstPage ? first : second).add(b);
        }
        first.remove(0).close();
        first.remove(0).close();
        Buffer lone = second.remove(0);
        for (Buffer b : second) {
            b.close();
        }
        return new Layout(s, m, lone, first);
    }

    private static List<Defragmentation.Move> runAll(Defragmentation d) {
        List<Defragmentation.Move> moves = new ArrayList<>();
        while (!d.isDone()) {
            moves.addAll(d.pass());
        }
        return moves;
    }

    @Test
    void fastMovesOnlyIntoFullerPagesAndFullAlsoLowerInTheSamePage() {
        Layout fast = layout();
        try (Session s = fast.session()) {
            List<Defragmentation.Move> moves;
            try (Defragmentation d = fast.memory().beginDefragmentation(
                    DefragmentationDescriptor.DEFAULT.withAlgorithm(DefragmentationDescriptor.Algorithm.FAST))) {
                moves = runAll(d);
            }
            assertEquals(1, moves.size(), moves.toString());
            for (Defragmentation.Move m : moves) {
                assertNotEquals(m.from().page(), m.to().page(), "FAST never moves within a page: " + m);
            }
            assertEquals(1, fast.memory().pageCount());
        }
        Layout full = layout();
        try (Session s = full.session()) {
            List<Defragmentation.Move> moves;
            try (Defragmentation d = full.memory().beginDefragmentation(DefragmentationDescriptor.DEFAULT)) {
                moves = runAll(d);
            }
            assertTrue(moves.stream().anyMatch(m -> m.from().page() == m.to().page()),
                    "FULL also moves an object lower in its own page: " + moves);
            assertEquals(1, full.memory().pageCount());
        }
    }

    @Test
    void objectsTheFilterRejectsStayWhileTheStartIsNotRefused() {
        Layout l = layout();
        try (Session s = l.session()) {
            Buffer lone = l.lone();
            AllocationInfo before = lone.allocationInfo();
            try (Defragmentation d = l.memory().beginDefragmentation(DefragmentationDescriptor.DEFAULT
                    .withAlgorithm(DefragmentationDescriptor.Algorithm.FAST).withMovable(o -> o != lone))) {
                assertEquals(List.of(), runAll(d));
            }
            assertEquals(before, lone.allocationInfo());
            assertEquals(0, lone.moveCount());
            assertEquals(2, l.memory().pageCount());
        }
    }

    @Test
    void theBreakCallbackEndsAPassEarlyWithoutEndingTheWork() {
        Layout l = layout();
        try (Session s = l.session()) {
            boolean[] stop = {true};
            try (Defragmentation d = l.memory().beginDefragmentation(DefragmentationDescriptor.DEFAULT
                    .withShouldBreak(() -> stop[0]))) {
                assertEquals(List.of(), d.pass());
                assertFalse(d.isDone(), "a pass stopped by the callback is not the end");
                assertEquals(0, d.statistics().objectsMoved());
                stop[0] = false;
                assertFalse(runAll(d).isEmpty());
            }
            assertEquals(1, l.memory().pageCount());
        }
    }

    @Test
    void badLimitsAreRefusedNamingTheValue() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DefragmentationDescriptor.DEFAULT.withLimits(0, 1));
        assertTrue(e.getMessage().contains("maxBytesPerPass") && e.getMessage().contains("0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> DefragmentationDescriptor.DEFAULT.withLimits(1, -2));
        assertTrue(e.getMessage().contains("maxObjectsPerPass") && e.getMessage().contains("-2"), e.getMessage());
        assertThrows(NullPointerException.class, () -> DefragmentationDescriptor.DEFAULT.withMovable(null));
    }
}
