package dev.lluvia.memory;

import dev.lluvia.memory.alloc.AllocationStrategy;
import org.junit.jupiter.api.Test;

import java.util.EnumSet;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Regressions of issue 22 items 1-4, the core's rules, on the {@link FakeBackend}: what
 * defragmentation, views and aliases promise in their Javadoc.
 */
class DefragmentationPromisesTest {

    private static final long PAGE = 1 << 20;

    private static Session open() {
        return FakeBackend.session(FakeBackend.Config.discrete(),
                SessionOptions.defaults().withLeakPolicy(LeakPolicy.IGNORE));
    }

    private static Memory memory(Session s, MemoryPropertyFlag... flags) {
        return s.createMemory(MemoryOptions.of(EnumSet.of(flags[0], flags)).withPageSize(PAGE)
                .withStrategy(AllocationStrategy.MIN_OFFSET));
    }

    /** Three 4 KiB buffers, the first two closed: the third can move from 8192 to 0. */
    private static Buffer thirdOfThree(Memory m) {
        Buffer a = m.createBuffer(4096);
        Buffer b = m.createBuffer(4096);
        Buffer x = m.createBuffer(4096);
        assertEquals(8192, x.allocationInfo().offset());
        a.close();
        b.close();
        return x;
    }

    /** Item 1: an object marked not movable after the start used to move anyway. */
    @Test
    void anObjectMarkedNotMovableAfterTheStartStaysWhereItIs() {
        try (Session s = open()) {
            Memory m = memory(s, MemoryPropertyFlag.DEVICE_LOCAL);
            Buffer x = thirdOfThree(m);
            try (Defragmentation d = m.beginDefragmentation(PAGE, 100)) {
                x.setMovable(false);
                assertEquals(List.of(), d.pass());
                assertTrue(d.isDone());
            }
            assertEquals(8192, x.allocationInfo().offset());
            assertEquals(0, x.moveCount());

            x.setMovable(true);
            try (Defragmentation d = m.beginDefragmentation(PAGE, 100)) {
                assertEquals(1, d.pass().size(), "movable again, it moves");
            }
            assertEquals(0, x.allocationInfo().offset());
        }
    }

    /** Item 2: a view of a moved buffer said it was valid though every access threw. */
    @Test
    void aViewOfAMovedBufferIsNoLongerValid() {
        try (Session s = open()) {
            Memory m = memory(s, MemoryPropertyFlag.HOST_VISIBLE, MemoryPropertyFlag.HOST_COHERENT);
            Buffer x = thirdOfThree(m);
            MappedView view = x.map();
            view.putInt(0, 42);
            assertTrue(view.isValid());
            try (Defragmentation d = m.beginDefragmentation(PAGE, 100)) {
                assertEquals(1, d.pass().size());
            }
            assertFalse(view.isValid());
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> view.getInt(0));
            assertTrue(e.getMessage().contains("moved by defragmentation"), e.getMessage());
            MappedView again = x.map();
            assertTrue(again.isValid());
            assertEquals(42, again.getInt(0), "the contents moved with the buffer");
            x.close();
            assertFalse(again.isValid());
        }
    }

    /**
     * Item 3: between shutting the old place's views and making room for new ones, a move left an
     * open buffer whose views said it "is closed". The gate shut by a move is what a view sees in
     * that window; the message must say the buffer moved.
     */
    @Test
    void aViewShutByAMoveInProgressSaysTheBufferMoved() {
        try (Session s = open()) {
            Memory m = memory(s, MemoryPropertyFlag.HOST_VISIBLE, MemoryPropertyFlag.HOST_COHERENT);
            Buffer x = m.createBuffer(4096);
            MappedView view = x.map();
            synchronized (m.lock()) {
                x.closeAccesses(); // what a move does first, before it gives the buffer a new gate
            }
            assertFalse(x.isClosed());
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> view.get(0));
            assertTrue(e.getMessage().contains("moved by defragmentation"), e.getMessage());
            assertFalse(view.isValid());

            Buffer y = m.createBuffer(4096);
            MappedView yView = y.map();
            m.close();
            IllegalStateException closed = assertThrows(IllegalStateException.class, () -> yView.get(0));
            assertTrue(closed.getMessage().contains("is closed (its memory was closed)"), closed.getMessage());
        }
    }

    /** Item 4: an alias onto an object in a dedicated page was bound into memory allocated for it alone. */
    @Test
    void anObjectInADedicatedPageIsNotAliased() {
        try (Session s = open()) {
            Memory m = memory(s, MemoryPropertyFlag.HOST_VISIBLE, MemoryPropertyFlag.HOST_COHERENT);
            Buffer big = m.createBuffer(700 << 10);
            Statistics before = m.statistics();
            int resources = FakeBackend.of(s).liveResourceCount();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> m.createAliasingBuffer(big, 0, 256, BufferUsage.DEFAULT));
            assertTrue(e.getMessage().contains("Buffer#" + big.id()), e.getMessage());
            assertEquals(before, m.statistics());
            assertEquals(resources, FakeBackend.of(s).liveResourceCount(), "no driver object is left behind");
            assertTrue(big.aliases().isEmpty());
        }
    }
}
