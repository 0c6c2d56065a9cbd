package dev.lluvia.memory.sim;

import dev.lluvia.memory.MappedView;
import dev.lluvia.memory.AllocationInfo;
import dev.lluvia.memory.Buffer;
import dev.lluvia.memory.BufferUsage;
import dev.lluvia.memory.ChannelType;
import dev.lluvia.memory.Defragmentation;
import dev.lluvia.memory.DetailedStatistics;
import dev.lluvia.memory.Image;
import dev.lluvia.memory.ImageDescriptor;
import dev.lluvia.memory.LeakPolicy;
import dev.lluvia.memory.Memory;
import dev.lluvia.memory.MemoryObject;
import dev.lluvia.memory.MemoryOptions;
import dev.lluvia.memory.MemoryPropertyFlag;
import dev.lluvia.memory.Session;
import dev.lluvia.memory.SessionListener;
import dev.lluvia.memory.SessionOptions;
import dev.lluvia.memory.alloc.AllocationAlgorithm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.HashSet;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Defragmentation on the sim: the referee checks every bind of a moved object, and every object's
 * contents are compared bit for bit after the moves.
 */
class SimDefragmentationTest {

    private static Session open(String profile, boolean debug) {
        return Session.create(SessionOptions.defaults().withBackend("sim").withDevice(profile).withDebug(debug)
                .withLeakPolicy(LeakPolicy.IGNORE));
    }

    /** Creates objects filling several pages, writes a pattern into each, closes some at random. */
    static Map<MemoryObject, byte[]> fragment(Memory memory, Random random, int count) {
        Map<MemoryObject, byte[]> live = new IdentityHashMap<>();
        List<MemoryObject> all = new ArrayList<>();
        boolean images = memory.memoryType().index() <= 1 || memory.session().device().limits().bufferImageGranularity() < 1024;
        for (int i = 0; i < count; i++) {
            MemoryObject o;
            byte[] bytes;
            if (images && random.nextInt(4) == 0 && !memory.isMappable()) {
                Image im = memory.createImage(ImageDescriptor.of(1 + random.nextInt(40), 1 + random.nextInt(40), ChannelType.UINT8, 4));
                bytes = new byte[(int) im.descriptor().byteSize()];
                random.nextBytes(bytes);
                im.write(ByteBuffer.wrap(bytes));
                o = im;
            } else {
                Buffer b = memory.createBuffer(1 + random.nextInt(20_000));
                bytes = new byte[(int) b.size()];
                random.nextBytes(bytes);
                b.write(0, ByteBuffer.wrap(bytes));
                o = b;
            }
            all.add(o);
            live.put(o, bytes);
        }
        for (MemoryObject o : all) {
            if (random.nextInt(100) < 60) {
                o.close();
                live.remove(o);
            }
        }
        return live;
    }

    static void assertContents(Map<MemoryObject, byte[]> live, String when) {
        for (Map.Entry<MemoryObject, byte[]> e : live.entrySet()) {
            ByteBuffer back = ByteBuffer.allocate(e.getValue().length);
            if (e.getKey() instanceof Buffer b) {
                b.read(0, back);
            } else {
                ((Image) e.getKey()).read(back);
            }
            assertArrayEquals(e.getValue(), back.array(), e.getKey() + " " + when);
        }
    }

    @ParameterizedTest(name = "{0} {1} seed {2}")
    @CsvSource({"nvidia-h100, DEVICE_LOCAL, 1", "nvidia-h100, HOST_VISIBLE, 2", "llvmpipe, DEVICE_LOCAL, 3",
            "mobile-noncoherent, DEVICE_LOCAL, 4", "nvidia-h100, DEVICE_LOCAL, 5"})
    void aFragmentedMemoryIsCompactedWithEveryByteKept(String profile, MemoryPropertyFlag flag, long seed) {
        try (Session session = open(profile, false)) {
            Memory memory = session.createMemory(MemoryOptions.of(EnumSet.of(flag)).withPageSize(256 * 1024));
            Map<MemoryObject, byte[]> live = fragment(memory, new Random(seed), 120);
            List<MemoryObject> before = memory.objects();
            DetailedStatistics start = memory.detailedStatistics();
            Map<MemoryObject, Integer> told = new IdentityHashMap<>();
            session.addListener(new SessionListener() {
                @Override
                public void objectMoved(MemoryObject object, AllocationInfo from) {
                    told.merge(object, 1, Integer::sum);
                    assertNotEquals(from, object.allocationInfo());
                }
            });
            List<Defragmentation.Move> moves = new ArrayList<>();
            Defragmentation.Totals totals;
            try (Defragmentation d = memory.beginDefragmentation(Long.MAX_VALUE, 10)) {
                for (int pass = 0; !d.isDone(); pass++) {
                    assertTrue(pass < 200, "defragmentation ends");
                    List<Defragmentation.Move> m = d.pass();
                    assertTrue(m.size() <= 10, "at most 10 objects per pass");
                    moves.addAll(m);
                    assertContents(live, "after pass " + pass);
                }
                totals = d.end();
            }
            DetailedStatistics end = memory.detailedStatistics();
            assertEquals(before, memory.objects(), "the same Java objects, in the same order");
            assertEquals(start.totals().allocationBytes(), end.totals().allocationBytes());
            assertTrue(end.totals().pageCount() < start.totals().pageCount(),
                    "pages " + start.totals().pageCount() + " -> " + end.totals().pageCount());
            long freeBefore = start.totals().pageBytes() - start.totals().allocationBytes();
            long freeAfter = end.totals().pageBytes() - end.totals().allocationBytes();
            assertTrue(freeAfter < freeBefore, "unused page bytes " + freeBefore + " -> " + freeAfter);
            assertEquals(moves.size(), totals.objectsMoved());
            assertEquals(moves.stream().mapToLong(m -> m.to().size()).sum(), totals.bytesMoved());
            for (Defragmentation.Move m : moves) {
                assertTrue(told.containsKey(m.object()));
            }
            for (MemoryObject o : live.keySet()) {
                assertEquals(told.getOrDefault(o, 0), o.moveCount(), o.toString());
            }
            assertContents(live, "after the end");
        }
    }

    @Test
    void aPassMovesAtMostTheBytesAndObjectsAskedFor() {
        try (Session session = open("nvidia-h100", false)) {
            Memory memory = session.createMemory(MemoryOptions.of(EnumSet.of(MemoryPropertyFlag.DEVICE_LOCAL))
                    .withPageSize(256 * 1024));
            Map<MemoryObject, byte[]> live = fragment(memory, new Random(7), 100);
            try (Defragmentation d = memory.beginDefragmentation(30_000, 3)) {
                while (!d.isDone()) {
                    List<Defragmentation.Move> m = d.pass();
                    assertTrue(m.size() <= 3);
                    assertTrue(m.stream().mapToLong(x -> x.to().size()).sum() <= 30_000);
                }
                assertTrue(d.statistics().objectsMoved() > 0);
            }
            assertContents(live, "after small passes");
        }
    }

    /**
     * A defragmentation gives memory back: the empty pages the Memory kept within its empty-page
     * budget are freed with those the passes emptied, and counted in {@code pagesFreed}.
     */
    @Test
    void keptEmptyPagesAreFreedByADefragmentation() {
        try (Session session = open("nvidia-h100", false)) {
            Memory memory = session.createMemory(MemoryOptions.of(EnumSet.of(MemoryPropertyFlag.DEVICE_LOCAL))
                    .withPageSize(256 * 1024));
            List<Buffer> spare = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                spare.add(memory.createBuffer(128 * 1024));
            }
            Buffer stays = memory.createBuffer(1024);
            for (Buffer b : spare) {
                b.close();
            }
            assertEquals(4, memory.pageCount(), "three empty pages kept beside the one in use");
            try (Defragmentation d = memory.beginDefragmentation(1 << 20, 100)) {
                while (!d.isDone()) {
                    d.pass();
                }
                assertEquals(3, d.end().pagesFreed());
            }
            assertEquals(1, memory.pageCount());
            assertEquals(memory.pageSize(), memory.statistics().pageBytes());
            assertEquals(stays.allocationInfo().page(), memory.pages().get(0).index());
        }
    }

    /**
     * A checked view made before a pass must not write into the old place (where another object
     * may go) nor touch the old page after it is freed: it throws, saying the buffer moved, and a
     * new map() sees the moved bytes.
     */
    @Test
    void viewsMadeBeforeAMoveThrowAndANewViewSeesTheMovedBytes() {
        try (Session session = open("nvidia-h100", false)) {
            Memory memory = session.createMemory(MemoryOptions.of(EnumSet.of(MemoryPropertyFlag.HOST_VISIBLE,
                    MemoryPropertyFlag.HOST_COHERENT)).withPageSize(64 * 1024));
            List<Buffer> buffers = new ArrayList<>();
            List<MappedView> views = new ArrayList<>();
            for (int i = 0; i < 12; i++) {       // three pages of four
                Buffer b = memory.createBuffer(16 * 1024);
                MappedView v = b.map();
                v.putLong(8, 1000L + i);
                buffers.add(b);
                views.add(v);
            }
            for (int i = 0; i < 12; i++) {
                if (i % 4 != 3) {
                    buffers.get(i).close();
                }
            }
            Set<MemoryObject> moved = new HashSet<>();
            try (Defragmentation d = memory.beginDefragmentation(Long.MAX_VALUE, 10)) {
                while (!d.isDone()) {
                    d.pass().forEach(m -> moved.add(m.object()));
                }
            }
            assertFalse(moved.isEmpty(), "something moved");
            for (int i = 3; i < 12; i += 4) {
                Buffer b = buffers.get(i);
                MappedView old = views.get(i);
                if (moved.contains(b)) {
                    IllegalStateException e = assertThrows(IllegalStateException.class, () -> old.getLong(8));
                    assertTrue(e.getMessage().contains("Buffer#" + b.id()) && e.getMessage().contains("moved"), e.getMessage());
                    assertThrows(IllegalStateException.class, () -> old.putLong(0, 1L));
                } else {
                    assertEquals(1000L + i, old.getLong(8), "a buffer that stayed keeps its view");
                }
                assertEquals(1000L + i, b.map().getLong(8), "a new view is of the new place");
            }
        }
    }

    @Test
    void debugMarginsAreKeptAroundMovedObjects() {
        try (Session session = open("mobile-noncoherent", true)) {
            Memory memory = session.createMemory(MemoryOptions.of(EnumSet.of(MemoryPropertyFlag.HOST_VISIBLE,
                    MemoryPropertyFlag.HOST_COHERENT)).withPageSize(128 * 1024).withAlgorithm(AllocationAlgorithm.FIRST_FIT));
            Map<MemoryObject, byte[]> live = fragment(memory, new Random(11), 60);
            try (Defragmentation d = memory.beginDefragmentation(Long.MAX_VALUE, 1000)) {
                while (!d.isDone()) {
                    d.pass();
                }
                assertTrue(d.statistics().objectsMoved() > 0);
            }
            assertEquals(live.size(), memory.checkCorruption(), "every moved object has intact margins");
            assertContents(live, "after moving with margins");
        }
    }

    @Test
    void badInputIsRefusedNamingTheValueAndChangesNothing() {
        try (Session session = open("nvidia-h100", false)) {
            Memory memory = session.createMemory(MemoryOptions.of(EnumSet.of(MemoryPropertyFlag.DEVICE_LOCAL))
                    .withPageSize(256 * 1024));
            fragment(memory, new Random(3), 40);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> memory.beginDefragmentation(0, 1));
            assertTrue(e.getMessage().contains("maxBytesPerPass") && e.getMessage().contains("was 0"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> memory.beginDefragmentation(1, -2));
            assertTrue(e.getMessage().contains("maxObjectsPerPass") && e.getMessage().contains("was -2"), e.getMessage());

            MemoryObject pinned = memory.objects().get(3);
            pinned.setMovable(false);
            pinned.setName("font atlas");
            List<dev.lluvia.memory.PageInfo> layout = memory.pages();
            IllegalStateException s = assertThrows(IllegalStateException.class, () -> memory.beginDefragmentation(1 << 20, 10));
            assertTrue(s.getMessage().contains("\"font atlas\"") && s.getMessage().contains("not movable"), s.getMessage());
            assertEquals(layout, memory.pages(), "nothing moved");
            pinned.setMovable(true);

            Defragmentation d = memory.beginDefragmentation(1 << 20, 10);
            s = assertThrows(IllegalStateException.class, () -> memory.beginDefragmentation(1 << 20, 10));
            assertTrue(s.getMessage().contains("running"), s.getMessage());
            d.end();
            assertThrows(IllegalStateException.class, d::pass);
            d.end(); // idempotent

            memory.close();
            s = assertThrows(IllegalStateException.class, () -> memory.beginDefragmentation(1 << 20, 10));
            assertTrue(s.getMessage().contains("closed") && s.getMessage().contains(memory.toString().substring(0, 10)),
                    s.getMessage());
        }
    }

    @Test
    void aFailedCopyLeavesTheObjectWhereItWasWithItsContents() {
        try (Session session = open("nvidia-h100", false)) {
            SimBackend sim = session.unwrap(SimBackend.class).orElseThrow();
            Memory memory = session.createMemory(MemoryOptions.of(EnumSet.of(MemoryPropertyFlag.DEVICE_LOCAL))
                    .withPageSize(256 * 1024));
            Map<MemoryObject, byte[]> live = fragment(memory, new Random(5), 80);
            List<dev.lluvia.memory.PageInfo> layout = memory.pages();
            int resources = sim.inspect().liveResourceCount();
            sim.inspect().injectFault(FaultPoint.TRANSFER, FaultRule.parse("next:1"));
            try (Defragmentation d = memory.beginDefragmentation(Long.MAX_VALUE, 1)) {
                assertThrows(dev.lluvia.memory.OutOfDeviceMemoryException.class, d::pass);
                assertEquals(resources, sim.inspect().liveResourceCount(), "the replacement was destroyed");
                assertEquals(layout, memory.pages(), "nothing moved");
                for (MemoryObject o : live.keySet()) {
                    assertEquals(0, o.moveCount());
                }
                assertFalse(d.pass().isEmpty(), "the next pass moves");
            }
            assertContents(live, "after a failed and a good pass");
        }
    }

    @Test
    void objectsWithAliasesOrWithoutTransferUsageStayWhereTheyAre() {
        try (Session session = open("nvidia-h100", false)) {
            Memory memory = session.createMemory(MemoryOptions.of(EnumSet.of(MemoryPropertyFlag.DEVICE_LOCAL))
                    .withPageSize(64 * 1024));
            Buffer gap = memory.createBuffer(30_000);
            Buffer aliased = memory.createBuffer(1000);
            Buffer vertexOnly = memory.createBuffer(1000, EnumSet.of(BufferUsage.VERTEX_BUFFER));
            Buffer movable = memory.createBuffer(1000);
            memory.createAliasingBuffer(aliased, 0, 100, BufferUsage.DEFAULT);
            gap.close();
            try (Defragmentation d = memory.beginDefragmentation(Long.MAX_VALUE, 100)) {
                while (!d.isDone()) {
                    d.pass();
                }
            }
            assertEquals(0, aliased.moveCount());
            assertEquals(0, vertexOnly.moveCount());
            assertEquals(1, movable.moveCount());
            assertEquals(0, movable.allocationInfo().offset(), "moved into the gap at the start");
        }
    }
}
