package dev.lluvia.memory;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Debug margins (VMA's corruption detection): an out-of-bounds write next to an object is found
 * on close and on demand, named with the object and the byte offset; without debug mode the
 * margins cost nothing. The out-of-bounds writes are made through the device side of the fake
 * backend's page ({@link FakeBackend#writeDeviceBytes}), as a shader writing past a buffer would.
 */
class DebugMarginTest {

    private static final Set<MemoryPropertyFlag> HOST = EnumSet.of(MemoryPropertyFlag.HOST_VISIBLE);

    private static Session open(FakeBackend.Config device, boolean debug) {
        return FakeBackend.session(device, SessionOptions.defaults().withDebug(debug).withLeakPolicy(LeakPolicy.IGNORE));
    }

    static java.util.stream.Stream<FakeBackend.Config> devices() {
        return PlacementTest.devices();
    }

    private static FakeBackend sim(Session s) {
        return FakeBackend.of(s);
    }

    /** The backend handle of an object's page (pages of one memory are allocated in index order here). */
    private static long pageHandle(Session s, Buffer b) {
        return sim(s).livePages().get(b.allocationInfo().page());
    }

    /**
     * Regression (issue 12): the reserved size of a placed object included the front margin, so
     * {@code reservedEnd()} ran past the next object's {@code reservedStart()} and past the page
     * end (two 1-byte buffers on the H100: reservedEnd 64, next reservedStart 48).
     */
    @ParameterizedTest
    @MethodSource("devices")
    void pageSnapshotsOfObjectsWithMarginsNeitherOverlapNorLeaveThePage(FakeBackend.Config profile) {
        try (Session s = open(profile, true)) {
            Memory m = s.createMemory(profile.types().size() == 3
                    ? EnumSet.of(MemoryPropertyFlag.HOST_VISIBLE, MemoryPropertyFlag.HOST_CACHED) : HOST, 4096);
            for (int i = 0; i < 64; i++) {
                try {
                    m.createBuffer(1 + i % 5);
                } catch (dev.lluvia.memory.OutOfDeviceMemoryException full) {
                    break;
                }
            }
            for (dev.lluvia.memory.PageInfo page : m.pages()) {
                long previousEnd = 0;
                for (dev.lluvia.memory.PageInfo.Placed p : page.objects()) {
                    String what = profile + " page " + page.index() + " " + p.object() + " reserved ["
                            + p.reservedStart() + ", " + p.reservedEnd() + ")";
                    assertTrue(p.reservedStart() >= previousEnd, what + " overlaps the object before, which ends at " + previousEnd);
                    assertTrue(p.reservedStart() + Memory.DEBUG_MARGIN <= p.info().offset(), what + ": no front margin");
                    assertTrue(p.info().offset() + p.info().size() + Memory.DEBUG_MARGIN <= p.reservedEnd(), what + ": no back margin");
                    assertTrue(p.reservedEnd() <= page.size(), what + " runs past the page end " + page.size());
                    previousEnd = p.reservedEnd();
                }
            }
            Buffer a = (Buffer) m.objects().get(0);
            Buffer b = (Buffer) m.objects().get(1);
            dev.lluvia.memory.PageInfo.Placed first = m.pages().get(0).objects().get(0);
            assertEquals(a, first.object());
            assertEquals(b.allocationInfo().offset() - b.allocationInfo().leftPadding(), first.reservedEnd(),
                    profile + ": the first object's block ends where the second's starts");
        }
    }

    @ParameterizedTest
    @MethodSource("devices")
    void aWriteOneBytePastTheEndIsReportedOnCloseWithObjectAndOffset(FakeBackend.Config profile) {
        try (Session s = open(profile, true)) {
            Memory m = s.createMemory(profile.types().size() == 3
                    ? EnumSet.of(MemoryPropertyFlag.HOST_VISIBLE, MemoryPropertyFlag.HOST_CACHED) : HOST, 1 << 20);
            assertTrue(m.hasDebugMargins());
            Buffer before = m.createBuffer(100);
            Buffer victim = m.createBuffer(1000);
            victim.setName("vertices");
            Buffer after = m.createBuffer(100);
            fill(before, 1);
            fill(victim, 2);
            fill(after, 3);
            assertEquals(3, m.checkCorruption(), "three objects checked, all intact");
            AllocationInfo info = victim.allocationInfo();
            long past = info.offset() + info.size();
            sim(s).writeDeviceBytes(pageHandle(s, victim), past, new byte[]{0x55});

            MemoryCorruptionException onDemand = assertThrows(MemoryCorruptionException.class, m::checkCorruption);
            assertEquals(1, onDemand.corruptions().size(), onDemand.getMessage());
            String line = onDemand.corruptions().get(0);
            assertTrue(line.contains("Buffer#" + victim.id()) && line.contains("\"vertices\""), line);
            assertTrue(line.contains("page offset " + past) && line.contains("0 byte(s) past its end"), line);
            assertThrows(MemoryCorruptionException.class, s::checkCorruption, "the session finds it too");

            MemoryCorruptionException onClose = assertThrows(MemoryCorruptionException.class, victim::close);
            assertTrue(onClose.getMessage().contains("page offset " + past), onClose.getMessage());
            assertTrue(victim.isClosed(), "the object is destroyed anyway");
            assertEquals(2, m.statistics().allocationCount());
            assertEquals(2, sim(s).liveResourceCount());
            // The neighbours are intact and keep their bytes.
            assertEquals(2, m.checkCorruption());
            check(before, 1);
            check(after, 3);
            before.close();
            after.close();
        }
    }

    @Test
    void aWriteBeforeTheStartIsReportedWithItsDistance() {
        try (Session s = open(FakeBackend.Config.cpu(), true)) {
            Memory m = s.createMemory(HOST);
            Buffer a = m.createBuffer(64);
            Buffer b = m.createBuffer(64);
            long start = b.allocationInfo().offset();
            sim(s).writeDeviceBytes(pageHandle(s, b), start - 3, new byte[]{1});
            MemoryCorruptionException e = assertThrows(MemoryCorruptionException.class, m::checkCorruption);
            String line = e.corruptions().get(0);
            assertTrue(line.contains("Buffer#" + b.id()) && line.contains("page offset " + (start - 3))
                    && line.contains("3 byte(s) before its start"), line);
            a.close();
            assertThrows(MemoryCorruptionException.class, b::close);
            assertEquals(0, m.pageCount() - 1, "the kept empty page only");
        }
    }

    @Test
    void closingTheMemoryReportsCorruptionAfterFreeingEverything() {
        Session s = open(FakeBackend.Config.cpu(), true);
        FakeBackend sim = sim(s);
        Memory m = s.createMemory(HOST);
        Image img = m.createImage(16, 16, ChannelType.UINT8);
        img.setName("lut");
        AllocationInfo info = img.allocationInfo();
        sim.writeDeviceBytes(sim.livePages().get(0), info.offset() + info.size() + 5, new byte[]{9});
        MemoryCorruptionException e = assertThrows(MemoryCorruptionException.class, m::close);
        assertTrue(e.getMessage().contains("Image#" + img.id()) && e.getMessage().contains("\"lut\""), e.getMessage());
        assertTrue(m.isClosed());
        assertEquals(0, sim.livePageCount());
        assertEquals(0, sim.liveResourceCount());
        s.close();
    }

    @Test
    void hostSideWritesIntoTheMarginOfANonCoherentPageAreFoundToo() {
        try (Session s = open(FakeBackend.Config.nonCoherent(), true)) {
            Memory m = s.createMemory(EnumSet.of(MemoryPropertyFlag.HOST_VISIBLE, MemoryPropertyFlag.HOST_CACHED));
            Buffer b = m.createBuffer(256);
            fill(b, 7);
            // An unflushed host write to the object itself is not disturbed by the check.
            b.map().put(0, (byte) 42);
            assertEquals(1, m.checkCorruption());
            assertEquals(42, b.map().get(0));
            AllocationInfo info = b.allocationInfo();
            sim(s).writeDeviceBytes(pageHandle(s, b), info.offset() - 1, new byte[]{0});
            MemoryCorruptionException e = assertThrows(MemoryCorruptionException.class, m::checkCorruption);
            assertTrue(e.corruptions().get(0).contains("device side"), e.getMessage());
            assertThrows(MemoryCorruptionException.class, b::close);
        }
    }

    @Test
    void randomObjectsKeepIntactMarginsAndAllocationsStayAligned() {
        long seed = 4242;
        try (Session s = open(FakeBackend.Config.nonCoherent(), true)) {
            List<Memory> memories = new ArrayList<>();
            for (Set<MemoryPropertyFlag> flags : s.supportedMemoryPropertyFlags()) {
                memories.add(s.createMemory(flags, 256 << 10, true));
            }
            Random rnd = new Random(seed);
            List<Buffer> live = new ArrayList<>();
            for (int step = 0; step < 1500; step++) {
                if (live.isEmpty() || rnd.nextInt(100) < 55) {
                    Memory m = memories.get(rnd.nextInt(memories.size()));
                    Buffer b = m.createBuffer(1 + rnd.nextInt(5000));
                    assertEquals(0, b.allocationInfo().offset() % 64, "seed " + seed + ": aligned " + b);
                    if (m.isMappable()) {
                        fill(b, step);
                    }
                    live.add(b);
                } else {
                    live.remove(rnd.nextInt(live.size())).close(); // would throw on a damaged margin
                }
            }
            assertTrue(s.checkCorruption() > 0);
        }
    }

    @Test
    void withoutDebugThereAreNoMarginsAndPlacementIsUnchanged() {
        List<AllocationInfo> plain = placements(false);
        List<AllocationInfo> debug = placements(true);
        assertEquals(plain.size(), debug.size());
        for (int i = 0; i < plain.size(); i++) {
            AllocationInfo p = plain.get(i);
            AllocationInfo d = debug.get(i);
            assertEquals(p.size(), d.size());
            assertTrue(d.offset() > p.offset() || i > 0, "debug places after a front margin: " + d);
            assertTrue(d.leftPadding() >= Memory.DEBUG_MARGIN, "front margin counted as padding: " + d);
        }
        // Without debug mode the first object sits at offset 0, the second right after it.
        assertEquals(0, plain.get(0).offset());
        assertEquals(0, plain.get(0).leftPadding());
        assertEquals(plain.get(0).size(), plain.get(1).offset());
        try (Session s = open(FakeBackend.Config.cpu(), false)) {
            Memory m = s.createMemory(HOST);
            assertFalse(m.hasDebugMargins());
            m.createBuffer(64);
            assertEquals(0, m.checkCorruption());
            assertEquals(0, s.checkCorruption());
        }
        try (Session s = open(FakeBackend.Config.discrete(), true)) {
            assertFalse(s.createMemory(EnumSet.of(MemoryPropertyFlag.DEVICE_LOCAL)).hasDebugMargins(),
                    "device-only memory cannot be checked, so it has no margins");
        }
    }

    private static List<AllocationInfo> placements(boolean debug) {
        try (Session s = open(FakeBackend.Config.cpu(), debug)) {
            Memory m = s.createMemory(HOST);
            List<AllocationInfo> out = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                out.add(m.createBuffer(4096).allocationInfo());
            }
            return out;
        }
    }

    private static void fill(Buffer b, int seed) {
        MappedView v = b.map();
        for (int i = 0; i < v.size(); i++) {
            v.put(i, (byte) (seed * 31 + i));
        }
        b.flush();
    }

    private static void check(Buffer b, int seed) {
        b.invalidate();
        MappedView v = b.map();
        for (int i = 0; i < v.size(); i++) {
            assertEquals((byte) (seed * 31 + i), v.get(i), b + " byte " + i);
        }
    }
}
