package dev.lluvia.memory.sim;

import dev.lluvia.memory.Buffer;
import dev.lluvia.memory.BufferUsage;
import dev.lluvia.memory.ChannelType;
import dev.lluvia.memory.Image;
import dev.lluvia.memory.LeakPolicy;
import dev.lluvia.memory.Memory;
import dev.lluvia.memory.MemoryOptions;
import dev.lluvia.memory.MemoryPropertyFlag;
import dev.lluvia.memory.MemoryUsage;
import dev.lluvia.memory.OutOfDeviceMemoryException;
import dev.lluvia.memory.PageLimitException;
import dev.lluvia.memory.Session;
import dev.lluvia.memory.SessionOptions;
import dev.lluvia.memory.Statistics;
import dev.lluvia.memory.UnsupportedMemoryFlagsException;
import org.junit.jupiter.api.Test;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import static dev.lluvia.memory.MemoryPropertyFlag.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Memory choice as VMA's users know it (preferred flags, a memoryTypeBits mask, the type a request
 * would get, never-allocate), page bounds per Memory, and flush/invalidate of ranges and of several
 * objects at once, on the sim's NVIDIA H100 (five types) and mobile non-coherent profiles.
 */
class SimMemoryChoiceTest {

    private static Session open(String profile) {
        return Session.create(SessionOptions.defaults().withBackend("sim").withDevice(profile)
                .withLeakPolicy(LeakPolicy.IGNORE));
    }

    private static SimInspector inspect(Session s) {
        return s.unwrap(SimBackend.class).orElseThrow().inspect();
    }

    @Test
    void preferredFlagsAndTypeBitsChooseTheTypeThatFindMemoryTypeReportsWithoutAllocating() {
        try (Session session = open("nvidia-h100")) {
            // H100 types: 0 {}, 1 {DL}, 2 {HV,HC}, 3 {HV,HC,HCached}, 4 {DL,HV,HC}.
            MemoryOptions hostVisible = MemoryOptions.of(EnumSet.of(HOST_VISIBLE));
            assertEquals(2, session.findMemoryType(hostVisible).index(), "fewest flags");
            assertEquals(3, session.findMemoryType(hostVisible.withPreferredFlags(EnumSet.of(HOST_CACHED))).index());
            assertEquals(4, session.findMemoryType(hostVisible.withPreferredFlags(EnumSet.of(DEVICE_LOCAL))).index());
            assertEquals(4, session.findMemoryType(MemoryOptions.of(EnumSet.of(DEVICE_LOCAL)).withMemoryTypeBits(1 << 4)).index());
            assertEquals(4, session.findMemoryType(MemoryOptions.of(MemoryUsage.UPLOAD)).index());
            assertEquals(3, session.findMemoryType(MemoryOptions.of(MemoryUsage.UPLOAD)
                    .withPreferredFlags(EnumSet.of(HOST_CACHED))).index(), "a preferred flag outranks the usage's cost");
            assertEquals(1, session.findMemoryType(MemoryOptions.of(MemoryUsage.DEVICE_ONLY).withMemoryTypeBits(0x3)).index());
            // An optimal image's memoryTypeBits (0x3) and host-visible flags: no such type.
            UnsupportedMemoryFlagsException none = assertThrows(UnsupportedMemoryFlagsException.class,
                    () -> session.findMemoryType(hostVisible.withMemoryTypeBits(0x3)));
            assertTrue(none.getMessage().contains("memoryTypeBits 0x3"), none.getMessage());
            assertTrue(session.memories().isEmpty(), "a query creates nothing");
            assertEquals(0, session.statistics().pageCount());
            // createMemory lands where the query said.
            MemoryOptions cached = hostVisible.withPreferredFlags(EnumSet.of(HOST_CACHED));
            assertEquals(session.findMemoryType(cached), session.createMemory(cached).memoryType());
            assertEquals(Set.of(HOST_CACHED), cached.preferredFlags());
            assertThrows(IllegalArgumentException.class, () -> hostVisible.withMemoryTypeBits(0));
        }
    }

    @Test
    void neverAllocateUsesOnlyThePagesThereAre() {
        try (Session session = open("nvidia-h100")) {
            Memory none = session.createMemory(MemoryOptions.of(EnumSet.of(DEVICE_LOCAL)).withNeverAllocate(true));
            PageLimitException refused = assertThrows(PageLimitException.class, () -> none.createBuffer(1024));
            assertTrue(refused.getMessage().contains("never allocates"), refused.getMessage());
            assertEquals(0, none.pageCount());
            assertEquals(0, inspect(session).liveResourceCount(), "the buffer made for it was destroyed");

            Memory one = session.createMemory(MemoryOptions.of(EnumSet.of(DEVICE_LOCAL)).withPageSize(1 << 20)
                    .withPageBounds(1, Integer.MAX_VALUE).withNeverAllocate(true));
            assertEquals(1, one.pageCount());
            List<Buffer> quarters = new java.util.ArrayList<>();
            for (int i = 0; i < 4; i++) {
                quarters.add(one.createBuffer(256 * 1024));
            }
            Statistics before = one.statistics();
            assertThrows(PageLimitException.class, () -> one.createBuffer(900 * 1024), "a dedicated page is a new page too");
            assertThrows(PageLimitException.class, () -> one.createBuffer(1024), "the page is full");
            assertEquals(before, one.statistics(), "nothing changed");
            quarters.get(1).close();
            one.createBuffer(200 * 1024);
            assertEquals(1, one.pageCount());
        }
    }

    @Test
    void pageBoundsKeepTheMinimumAndRefuseBeyondTheMaximum() {
        try (Session session = open("nvidia-h100")) {
            long pageSize = 1 << 20;
            Memory memory = session.createMemory(MemoryOptions.of(EnumSet.of(DEVICE_LOCAL)).withPageSize(pageSize)
                    .withPageBounds(2, 3));
            assertEquals(2, memory.pageCount(), "the minimum is allocated at creation");
            assertEquals(2 * pageSize, memory.statistics().pageBytes());
            assertEquals(0, memory.releaseEmptyPages(), "the minimum is kept");
            List<Buffer> buffers = new java.util.ArrayList<>();
            for (int i = 0; i < 6; i++) {
                buffers.add(memory.createBuffer(pageSize / 2)); // two per page
            }
            assertEquals(3, memory.pageCount());
            Statistics full = memory.statistics();
            int resources = inspect(session).liveResourceCount();
            PageLimitException refused = assertThrows(PageLimitException.class, () -> memory.createBuffer(1024));
            assertTrue(refused.getMessage().contains("maxPages (3)"), refused.getMessage());
            assertThrows(PageLimitException.class, () -> memory.createImage(1024, 1024, ChannelType.UINT8),
                    "a dedicated page counts too");
            assertEquals(full, memory.statistics(), "nothing changed");
            assertEquals(resources, inspect(session).liveResourceCount());
            for (Buffer b : buffers) {
                b.close();
            }
            memory.releaseEmptyPages();
            assertEquals(2, memory.pageCount(), "never below the minimum");
            // Another Memory's need for room does not take the minimum either.
            assertEquals(0, memory.releaseEmptyPages());

            for (int[] bad : new int[][]{{-1, 3}, {3, 2}, {0, 0}}) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> MemoryOptions.of(EnumSet.of(DEVICE_LOCAL)).withPageBounds(bad[0], bad[1]));
                assertTrue(e.getMessage().contains("was " + (bad[0] < 0 ? bad[0] : bad[1])), e.getMessage());
            }
        }
    }

    @Test
    void aMinimumTheHeapCannotGiveCreatesNothing() {
        try (Session session = open("mobile-noncoherent")) {
            // One 4 GiB heap with a 75% budget: three 1 GiB pages fit, the fourth does not.
            long gib = 1L << 30;
            long used = session.heapBudgets().get(0).usage();
            assertThrows(OutOfDeviceMemoryException.class, () -> session.createMemory(
                    MemoryOptions.of(EnumSet.of(DEVICE_LOCAL)).withPageSize(gib).withPageBounds(4, 4)));
            assertTrue(session.memories().isEmpty());
            assertEquals(used, session.heapBudgets().get(0).usage(), "every page made was freed");
            assertEquals(0, inspect(session).livePageCount());
        }
    }

    @Test
    void rangesAreFlushedAndInvalidatedInsideTheObjectAndSeveralObjectsAtOnce() {
        try (Session session = open("mobile-noncoherent")) {
            SimInspector inspect = inspect(session);
            long atom = session.device().limits().nonCoherentAtomSize();
            Memory host = session.createMemory(HOST_VISIBLE, HOST_CACHED);
            assertTrue(host.memoryType().needsFlush());
            Buffer a = host.createBuffer(4 * atom);
            Buffer b = host.createBuffer(4 * atom);
            long page = inspect.livePages().get(0);
            a.mapByteBuffer().put(0, (byte) 1).put((int) (2 * atom), (byte) 2);
            a.flush(1, 0);
            assertEquals(0, device(inspect, a, 0), "an empty range flushes nothing");
            a.flush(0, 1);
            assertEquals(1, device(inspect, a, 0));
            assertEquals(0, device(inspect, a, 2 * atom), "the atom of the other write was not flushed");
            a.flush(2 * atom + 5, 1);
            assertEquals(2, device(inspect, a, 2 * atom), "rounded out to its atom");

            // Device writes reach the host only through an invalidate of their range.
            inspect.writeDeviceBytes(page, b.allocationInfo().offset() + atom, new byte[]{7});
            inspect.writeDeviceBytes(page, b.allocationInfo().offset() + 3 * atom, new byte[]{8});
            b.invalidate(atom, 1);
            assertEquals(7, b.mapByteBuffer().get((int) atom));
            assertEquals(0, b.mapByteBuffer().get((int) (3 * atom)));

            // Several objects in one call.
            a.mapByteBuffer().put((int) (3 * atom), (byte) 3);
            b.mapByteBuffer().put(0, (byte) 4);
            session.flush(List.of(a, b));
            assertEquals(3, device(inspect, a, 3 * atom));
            assertEquals(4, device(inspect, b, 0));
            inspect.writeDeviceBytes(page, b.allocationInfo().offset() + 3 * atom, new byte[]{8});
            session.invalidate(List.of(a, b));
            assertEquals(8, b.mapByteBuffer().get((int) (3 * atom)));

            // Outside the object: named, nothing done.
            IndexOutOfBoundsException out = assertThrows(IndexOutOfBoundsException.class, () -> a.flush(4 * atom - 1, 2));
            assertTrue(out.getMessage().contains("[" + (4 * atom - 1) + ", " + (4 * atom - 1) + " + 2)")
                    && out.getMessage().contains("Buffer#" + a.id()), out.getMessage());
            assertThrows(IndexOutOfBoundsException.class, () -> a.invalidate(-1, 1));
            Memory device = session.createMemory(DEVICE_LOCAL);
            Image image = device.createImage(8, 8, ChannelType.UINT8);
            IllegalArgumentException notMapped = assertThrows(IllegalArgumentException.class,
                    () -> session.flush(List.of(a, image)));
            assertTrue(notMapped.getMessage().contains("Image#" + image.id()), notMapped.getMessage());
            b.close();
            assertThrows(IllegalStateException.class, () -> session.flush(List.of(b)));
            try (Session other = open("mobile-noncoherent")) {
                Buffer foreign = other.createMemory(HOST_VISIBLE, HOST_CACHED).createBuffer(64);
                assertThrows(IllegalArgumentException.class, () -> session.flush(List.of(foreign)));
            }
        }
    }

    private static byte device(SimInspector inspect, Buffer buffer, long offset) {
        return inspect.readDeviceBytes(buffer.pageHandle(), buffer.allocationInfo().offset() + offset, 1)[0];
    }
}
