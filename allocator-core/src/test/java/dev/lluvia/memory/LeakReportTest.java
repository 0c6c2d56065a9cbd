package dev.lluvia.memory;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Leak reports: closing a Memory or Session with live objects frees every page and resource (the
 * fake backend's counters say so) and reports each object with its kind, id, the user's name, size, page
 * and offset, and in debug mode the line of the caller that created it; {@link LeakPolicy}
 * decides whether that is thrown, logged or ignored.
 */
class LeakReportTest {

    private static Session open(boolean debug, LeakPolicy policy) {
        return FakeBackend.session(FakeBackend.Config.cpu(), SessionOptions.defaults()
                .withDebug(debug).withLeakPolicy(policy));
    }

    private static FakeBackend sim(Session s) {
        return FakeBackend.of(s);
    }

    @Test
    void closingAMemoryWithLiveObjectsFreesThemAndThrowsTheReport() {
        try (Session s = open(true, LeakPolicy.THROW)) {
            Memory m = s.createMemory(EnumSet.of(MemoryPropertyFlag.DEVICE_LOCAL), 64 * 1024);
            Memory other = s.createMemory(EnumSet.of(MemoryPropertyFlag.DEVICE_LOCAL), 64 * 1024);
            Buffer keep = other.createBuffer(256);
            Buffer vertices = m.createBuffer(1024);
            vertices.setName("vertices");
            Image lut = m.createImage(32, 32, ChannelType.UINT8);
            lut.setName("lut");
            Buffer big = m.createBuffer(100_000); // a dedicated page
            Buffer closed = m.createBuffer(64);
            closed.close();
            AllocationInfo vi = vertices.allocationInfo();
            assertTrue(vertices.toString().contains("\"vertices\""), vertices.toString());

            MemoryLeakException e = assertThrows(MemoryLeakException.class, m::close);
            assertEquals(3, e.leaks().size(), e.getMessage());
            String v = e.leaks().get(0);
            assertTrue(v.startsWith("Buffer#" + vertices.id() + " \"vertices\" (1024 bytes) at "), v);
            assertTrue(v.contains("page=" + vi.page()) && v.contains("offset=" + vi.offset())
                    && v.contains("size=" + vi.size()), v);
            assertTrue(v.contains("LeakReportTest.closingAMemoryWithLiveObjectsFreesThemAndThrowsTheReport"),
                    "debug mode names the creating method: " + v);
            assertTrue(v.contains("in thread \"" + Thread.currentThread().getName() + "\""), v);
            assertTrue(e.leaks().get(1).startsWith("Image#" + lut.id() + " \"lut\" (32x32x1 UINT8x1 OPTIMAL)"), e.leaks().get(1));
            assertTrue(e.leaks().get(2).contains("Buffer#" + big.id() + " (100000 bytes)"), e.leaks().get(2));
            assertFalse(e.getMessage().contains("Buffer#" + closed.id() + " "), "a closed object is no leak");
            assertTrue(e.getMessage().contains("freed 3 live objects"), e.getMessage());

            // Freed before the throw: only the other memory's page and buffer are left on the device.
            assertTrue(m.isClosed() && vertices.isClosed() && lut.isClosed() && big.isClosed());
            assertEquals(1, sim(s).livePageCount());
            assertEquals(1, sim(s).liveResourceCount());
            assertEquals(other.statistics().pageBytes(), sim(s).heapUsage(0));
            m.close(); // idempotent, reports nothing again
            keep.close();
        }
    }

    /**
     * The creation site sits beside an object's other rarely set data (its minimum alignment, its
     * views' gate) in one side object: asking for an alignment after the site was taken, and mapping
     * the object, must keep each of them. (Aliases, kept there too, are covered by the backends'
     * alias contract: this fake backend refuses overlapping binds.)
     */
    @Test
    void theCreationSiteSurvivesAMinimumAlignmentAndAView() {
        try (Session s = open(true, LeakPolicy.THROW)) {
            Memory m = s.createMemory(EnumSet.of(MemoryPropertyFlag.HOST_VISIBLE, MemoryPropertyFlag.HOST_COHERENT), 64 * 1024);
            Buffer aligned = m.createBuffer(BufferDescriptor.of(1000).withMinAlignment(4096).withName("aligned"));
            assertEquals(4096, aligned.minAlignment());
            assertEquals(0, aligned.allocationInfo().offset() % 4096, aligned.allocationInfo().toString());
            MappedView view = aligned.map();
            view.putInt(0, 42);
            assertEquals(42, view.getInt(0));
            assertEquals(4096, aligned.minAlignment(), "the view kept the alignment");
            assertEquals(null, aligned.aliasOf());
            assertEquals(List.of(), aligned.aliases());
            Buffer plain = m.createBuffer(64);
            assertEquals(1, plain.minAlignment());

            MemoryLeakException e = assertThrows(MemoryLeakException.class, m::close);
            assertEquals(2, e.leaks().size(), e.getMessage());
            for (String leak : e.leaks()) {
                assertTrue(leak.contains("LeakReportTest.theCreationSiteSurvivesAMinimumAlignmentAndAView")
                        && leak.contains("in thread \"" + Thread.currentThread().getName() + "\""), leak);
            }
            assertTrue(e.leaks().get(0).startsWith("Buffer#" + aligned.id() + " \"aligned\""), e.leaks().get(0));
            assertThrows(IllegalStateException.class, () -> view.getInt(0), "the close shut the view's gate");
        }
    }

    @Test
    void closingTheSessionReportsEveryMemorysObjectsAfterFreeingAll() {
        Session s = open(true, LeakPolicy.THROW);
        FakeBackend sim = sim(s);
        Memory a = s.createMemory(EnumSet.of(MemoryPropertyFlag.DEVICE_LOCAL));
        Memory b = s.createMemory(EnumSet.of(MemoryPropertyFlag.HOST_VISIBLE));
        a.createBuffer(10).setName("a0");
        b.createBuffer(20).setName("b0");
        b.createBuffer(30);
        MemoryLeakException e = assertThrows(MemoryLeakException.class, s::close);
        assertEquals(3, e.leaks().size(), e.getMessage());
        assertTrue(e.leaks().get(0).startsWith(a + ": Buffer#1 \"a0\" (10 bytes)"), e.leaks().get(0));
        // Each Memory numbers its objects from a block of ids of its own: b's first is the second block's first.
        assertTrue(e.leaks().get(1).startsWith(b + ": Buffer#" + (1 + Memory.OBJECT_ID_BLOCK) + " \"b0\" (20 bytes)"),
                e.leaks().get(1));
        assertTrue(e.leaks().get(2).contains("closingTheSessionReportsEveryMemorysObjectsAfterFreeingAll"), e.leaks().get(2));
        assertTrue(s.isClosed() && a.isClosed() && b.isClosed());
        assertEquals(0, sim.livePageCount());
        assertEquals(0, sim.liveResourceCount());
        assertEquals(0, sim.heapUsage(0));
        s.close(); // idempotent
    }

    @Test
    void withoutDebugTheReportHasNoCreationSite() {
        try (Session s = open(false, LeakPolicy.THROW)) {
            Memory m = s.createMemory(EnumSet.of(MemoryPropertyFlag.DEVICE_LOCAL));
            m.createBuffer(64).setName("plain");
            MemoryLeakException e = assertThrows(MemoryLeakException.class, m::close);
            assertTrue(e.leaks().get(0).contains("\"plain\"") && !e.leaks().get(0).contains("created at"), e.leaks().get(0));
            assertEquals(0, sim(s).livePageCount());
        }
    }

    @Test
    void logPolicyLogsAWarningAndIgnoreSaysNothingBothFreeEverything() {
        Logger logger = Logger.getLogger("dev.lluvia.memory");
        List<LogRecord> records = new ArrayList<>();
        Handler handler = new Handler() {
            @Override
            public void publish(LogRecord r) {
                records.add(r);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        logger.addHandler(handler);
        // Asserted here, not printed: a green build is quiet.
        logger.setUseParentHandlers(false);
        try {
            for (LeakPolicy policy : new LeakPolicy[]{LeakPolicy.LOG, LeakPolicy.IGNORE}) {
                records.clear();
                Session s = open(true, policy);
                FakeBackend sim = sim(s);
                Memory m = s.createMemory(EnumSet.of(MemoryPropertyFlag.DEVICE_LOCAL));
                m.createBuffer(4096).setName("logged");
                m.close();
                assertEquals(0, sim.livePageCount(), policy + " frees the pages");
                assertEquals(0, sim.liveResourceCount(), policy + " destroys the objects");
                if (policy == LeakPolicy.LOG) {
                    assertEquals(1, records.size());
                    String msg = records.get(0).getMessage();
                    assertTrue(msg.contains("\"logged\" (4096 bytes)") && msg.contains("created at"), msg);
                    assertEquals(java.util.logging.Level.WARNING, records.get(0).getLevel());
                } else {
                    assertTrue(records.isEmpty(), "IGNORE logs nothing: " + records);
                }
                s.close();
            }
        } finally {
            logger.removeHandler(handler);
            logger.setUseParentHandlers(true);
        }
    }

    @Test
    void namesShowInPagesAndToStringAndCanBeRemoved() {
        try (Session s = open(false, LeakPolicy.IGNORE)) {
            Memory m = s.createMemory(EnumSet.of(MemoryPropertyFlag.DEVICE_LOCAL));
            Buffer b = m.createBuffer(64);
            b.setName("weights");
            assertEquals("weights", b.name());
            assertTrue(m.pages().get(0).objects().get(0).object().toString().contains("\"weights\""));
            b.setName(null);
            assertFalse(b.toString().contains("\""), b.toString());
            b.close();
            assertTrue(b.toString().contains("closed"), b.toString());
        }
    }
}
