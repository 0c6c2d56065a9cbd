package dev.lluvia.memory.contract;

import dev.lluvia.memory.AllocationInfo;
import dev.lluvia.memory.Buffer;
import dev.lluvia.memory.BufferUsage;
import dev.lluvia.memory.ChannelType;
import dev.lluvia.memory.Defragmentation;
import dev.lluvia.memory.DetailedStatistics;
import dev.lluvia.memory.Image;
import dev.lluvia.memory.ImageDescriptor;
import dev.lluvia.memory.MappedView;
import dev.lluvia.memory.Memory;
import dev.lluvia.memory.MemoryObject;
import dev.lluvia.memory.MemoryOptions;
import dev.lluvia.memory.MemoryPropertyFlag;
import dev.lluvia.memory.PageInfo;
import dev.lluvia.memory.Session;
import dev.lluvia.memory.SessionListener;
import dev.lluvia.memory.alloc.AllocationAlgorithm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Defragmentation through the public API, the same on every backend: a fragmented Memory is
 * compacted with every byte of every buffer and image kept (read back through the transfer queue),
 * passes keep to their limits, kept empty pages are freed, views made before a move throw, debug
 * margins move with their objects, bad input is refused naming the value, and objects that cannot
 * move stay. The sim runs it under its referee, the Vulkan module under validation.
 */
public abstract class DefragmentationContract extends DeviceContract {

    private static Memory deviceLocal(Session session, long pageSize) {
        return session.createMemory(MemoryOptions.of(EnumSet.of(MemoryPropertyFlag.DEVICE_LOCAL)).withPageSize(pageSize));
    }

    private static Memory hostCoherent(Session session, long pageSize) {
        return session.createMemory(MemoryOptions.of(EnumSet.of(MemoryPropertyFlag.HOST_VISIBLE,
                MemoryPropertyFlag.HOST_COHERENT)).withPageSize(pageSize));
    }

    /**
     * Creates {@code count} objects (an image one time in {@code imageEvery} where the Memory takes
     * images, else buffers of up to {@code maxBufferBytes}), writes random bytes into each and closes
     * 60% of them at random; returns the live ones with their bytes.
     */
    public static Map<MemoryObject, byte[]> fragment(Memory memory, Random random, int count, int imageEvery, int maxBufferBytes) {
        Map<MemoryObject, byte[]> live = new IdentityHashMap<>();
        List<MemoryObject> all = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            MemoryObject o;
            byte[] bytes;
            if (imageEvery > 0 && random.nextInt(imageEvery) == 0) {
                Image im = memory.createImage(ImageDescriptor.of(1 + random.nextInt(40), 1 + random.nextInt(40), ChannelType.UINT8, 4));
                bytes = new byte[(int) im.descriptor().byteSize()];
                random.nextBytes(bytes);
                im.write(ByteBuffer.allocateDirect(bytes.length).put(bytes).flip());
                o = im;
            } else {
                Buffer b = memory.createBuffer(1 + random.nextInt(maxBufferBytes));
                bytes = new byte[(int) b.size()];
                random.nextBytes(bytes);
                b.write(0, ByteBuffer.allocateDirect(bytes.length).put(bytes).flip());
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

    /** Reads every live object back through the transfer queue and compares it with its bytes. */
    public static void assertContents(Map<MemoryObject, byte[]> live, String when) {
        for (Map.Entry<MemoryObject, byte[]> e : live.entrySet()) {
            ByteBuffer back = ByteBuffer.allocateDirect(e.getValue().length);
            if (e.getKey() instanceof Buffer b) {
                b.read(0, back);
            } else {
                ((Image) e.getKey()).read(back);
            }
            byte[] got = new byte[e.getValue().length];
            back.flip().get(got);
            assertArrayEquals(e.getValue(), got, e.getKey() + " moved " + e.getKey().moveCount() + " time(s), " + when);
        }
    }

    /** Runs passes until the defragmentation is done; returns every move. */
    private static List<Defragmentation.Move> runToEnd(Defragmentation d) {
        List<Defragmentation.Move> moves = new ArrayList<>();
        for (int pass = 0; !d.isDone(); pass++) {
            assertTrue(pass < 1000, "defragmentation ends");
            moves.addAll(d.pass());
        }
        return moves;
    }

    @ParameterizedTest(name = "{0} seed {1}")
    @CsvSource({"DEVICE_LOCAL, 1", "HOST_VISIBLE, 2", "DEVICE_LOCAL, 3"})
    void aFragmentedMemoryIsCompactedWithEveryByteKept(MemoryPropertyFlag flag, long seed) {
        Session session = open();
        Memory memory = session.createMemory(MemoryOptions.of(EnumSet.of(flag)).withPageSize(256 * 1024));
        Map<MemoryObject, byte[]> live = fragment(memory, new Random(seed), 120, memory.isMappable() ? 0 : 4, 20_000);
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

    /** Buffers move with a buffer copy and images with an image copy, one image in three, in passes of 256 KiB. */
    @Test
    void buffersAndImagesMoveWithTheirContents() {
        Session session = open();
        Memory memory = deviceLocal(session, 512 * 1024);
        Map<MemoryObject, byte[]> live = fragment(memory, new Random(15), 60, 3, 40_000);
        assertTrue(live.keySet().stream().anyMatch(o -> o instanceof Image), "images among the live objects");
        int pagesBefore = memory.pageCount();
        Defragmentation.Totals totals;
        try (Defragmentation d = memory.beginDefragmentation(256 * 1024, 8)) {
            runToEnd(d);
            totals = d.end();
        }
        assertTrue(totals.objectsMoved() > 0, totals.toString());
        assertTrue(live.keySet().stream().anyMatch(o -> o instanceof Image && o.moveCount() > 0), "an image moved");
        assertTrue(memory.pageCount() < pagesBefore, pagesBefore + " -> " + memory.pageCount());
        assertContents(live, "after the end");
    }

    @Test
    void aPassMovesAtMostTheBytesAndObjectsAskedFor() {
        Memory memory = deviceLocal(open(), 256 * 1024);
        Map<MemoryObject, byte[]> live = fragment(memory, new Random(7), 100, 0, 20_000);
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

    /**
     * A defragmentation gives memory back: the empty pages the Memory kept within its empty-page
     * budget are freed with those the passes emptied, and counted in {@code pagesFreed}.
     */
    @Test
    void keptEmptyPagesAreFreedByADefragmentation() {
        Memory memory = deviceLocal(open(), 256 * 1024);
        List<Buffer> spare = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            spare.add(memory.createBuffer(128 * 1024));
        }
        Buffer stays = memory.createBuffer(1024);
        for (Buffer b : spare) {
            b.close();
        }
        int kept = memory.pageCount();
        assertTrue(kept > 1, "empty pages kept beside the one in use: " + kept);
        try (Defragmentation d = memory.beginDefragmentation(1 << 20, 100)) {
            runToEnd(d);
            assertEquals(kept - 1, d.end().pagesFreed());
        }
        assertEquals(1, memory.pageCount());
        assertEquals(memory.pageSize(), memory.statistics().pageBytes());
        assertEquals(stays.allocationInfo().page(), memory.pages().get(0).index());
    }

    /**
     * A checked view made before a pass must not write into the old place (where another object
     * may go) nor touch the old page after it is freed: it throws, saying the buffer moved, and a
     * new map() sees the moved bytes.
     */
    @Test
    void viewsMadeBeforeAMoveThrowAndANewViewSeesTheMovedBytes() {
        Memory memory = hostCoherent(open(), 64 * 1024);
        List<Buffer> buffers = new ArrayList<>();
        List<MappedView> views = new ArrayList<>();
        for (int i = 0; i < 12; i++) {       // three or four a page
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
            runToEnd(d).forEach(m -> moved.add(m.object()));
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

    @Test
    void debugMarginsAreKeptAroundMovedObjects() {
        Session session = open(device().options().withDebug(true).withLeakPolicy(dev.lluvia.memory.LeakPolicy.IGNORE));
        Memory memory = session.createMemory(MemoryOptions.of(EnumSet.of(MemoryPropertyFlag.HOST_VISIBLE,
                MemoryPropertyFlag.HOST_COHERENT)).withPageSize(128 * 1024).withAlgorithm(AllocationAlgorithm.FIRST_FIT));
        Map<MemoryObject, byte[]> live = fragment(memory, new Random(11), 60, 0, 20_000);
        try (Defragmentation d = memory.beginDefragmentation(Long.MAX_VALUE, 1000)) {
            runToEnd(d);
            assertTrue(d.statistics().objectsMoved() > 0);
        }
        assertEquals(live.size(), memory.checkCorruption(), "every moved object has intact margins");
        assertContents(live, "after moving with margins");
    }

    @Test
    void badInputIsRefusedNamingTheValueAndChangesNothing() {
        Memory memory = deviceLocal(open(), 256 * 1024);
        fragment(memory, new Random(3), 40, 0, 20_000);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> memory.beginDefragmentation(0, 1));
        assertTrue(e.getMessage().contains("maxBytesPerPass") && e.getMessage().contains("was 0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> memory.beginDefragmentation(1, -2));
        assertTrue(e.getMessage().contains("maxObjectsPerPass") && e.getMessage().contains("was -2"), e.getMessage());

        MemoryObject pinned = memory.objects().get(3);
        pinned.setMovable(false);
        pinned.setName("font atlas");
        List<PageInfo> layout = memory.pages();
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

    @Test
    void objectsWithAliasesOrWithoutTransferUsageStayWhereTheyAre() {
        Memory memory = deviceLocal(open(), 64 * 1024);
        Buffer gap = memory.createBuffer(30_000);
        Buffer aliased = memory.createBuffer(1000);
        Buffer vertexOnly = memory.createBuffer(1000, EnumSet.of(BufferUsage.VERTEX_BUFFER));
        Buffer movable = memory.createBuffer(1000);
        memory.createAliasingBuffer(aliased, 0, 100, BufferUsage.DEFAULT);
        long gapStart = gap.allocationInfo().offset();
        gap.close();
        try (Defragmentation d = memory.beginDefragmentation(Long.MAX_VALUE, 100)) {
            runToEnd(d);
        }
        assertEquals(0, aliased.moveCount());
        assertEquals(0, vertexOnly.moveCount());
        assertEquals(1, movable.moveCount());
        assertEquals(gapStart, movable.allocationInfo().offset(), "moved into the gap at the start");
    }
}
