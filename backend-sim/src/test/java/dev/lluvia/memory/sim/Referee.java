package dev.lluvia.memory.sim;

import dev.lluvia.memory.BackendException;
import dev.lluvia.memory.Buffer;
import dev.lluvia.memory.MappedView;
import dev.lluvia.memory.Memory;
import dev.lluvia.memory.MemoryObject;
import dev.lluvia.memory.OutOfDeviceMemoryException;
import dev.lluvia.memory.OutOfHostMemoryException;
import dev.lluvia.memory.PageInfo;
import dev.lluvia.memory.Session;
import dev.lluvia.memory.Statistics;

import java.nio.ByteBuffer;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Whole-session checks for the reliability tests: what the API reports (statistics, pages,
 * objects) against itself and against the sim device's own counts (live pages, resources, heap
 * bytes). Call it from one thread while nothing else changes the session.
 */
final class Referee {

    private Referee() {
    }

    /** Statistics equal the objects and pages listed; the device has exactly those pages and resources (with their aliases). */
    static void assertConsistent(Session s, String where) {
        SimBackend sim = s.unwrap(SimBackend.class).orElseThrow();
        int pages = 0;
        int objects = 0;
        int aliases = 0;
        long[] heapBytes = new long[s.device().memoryHeaps().size()];
        for (Memory m : s.memories()) {
            Statistics st = m.statistics();
            List<PageInfo> pis = m.pages();
            List<MemoryObject> objs = m.objects();
            long pageBytes = 0;
            int placed = 0;
            for (PageInfo p : pis) {
                pageBytes += p.size();
                placed += p.objects().size();
            }
            long allocationBytes = 0;
            for (MemoryObject o : objs) {
                allocationBytes += o.allocationInfo().size();
                aliases += o.aliases().size();
            }
            assertEquals(pis.size(), st.pageCount(), where + ": pages of " + m);
            assertEquals(pis.size(), m.pageCount(), where + ": pageCount of " + m);
            assertEquals(pageBytes, st.pageBytes(), where + ": page bytes of " + m);
            assertEquals(objs.size(), st.allocationCount(), where + ": objects of " + m);
            assertEquals(objs.size(), placed, where + ": objects in pages of " + m);
            assertEquals(allocationBytes, st.allocationBytes(), where + ": object bytes of " + m);
            pages += pis.size();
            objects += objs.size();
            heapBytes[m.memoryType().heapIndex()] += pageBytes;
        }
        assertEquals(pages, sim.inspect().livePageCount(), where + ": device pages");
        assertEquals(objects + aliases, sim.inspect().liveResourceCount(), where + ": device resources (aliases included)");
        assertEquals(objects, sim.inspect().boundResourceCount(), where + ": resources bound in pages (aliases bind onto their original)");
        for (int h = 0; h < heapBytes.length; h++) {
            assertEquals(heapBytes[h], sim.inspect().heapUsage(h), where + ": device bytes of heap " + h);
        }
    }

    /** Whether {@code e} is what a driver fault turns into: the typed exceptions of the three results. */
    static boolean isDriverFault(RuntimeException e) {
        return e instanceof OutOfDeviceMemoryException || e instanceof OutOfHostMemoryException
                || (e instanceof BackendException b && b.result().equals(FaultResult.DEVICE_LOST.vkResult()));
    }

    /** Writes a pattern of {@code tag} over the whole buffer (and flushes). */
    static void fill(Buffer b, long tag) {
        MappedView v = b.map();
        for (int i = 0; i < v.size(); i++) {
            v.put(i, pattern(tag, i));
        }
        b.flush();
    }

    /** Asserts the pattern of {@link #fill} is intact. */
    static void assertFilled(Buffer b, long tag, String where) {
        b.invalidate();
        MappedView v = b.map();
        for (int i = 0; i < v.size(); i++) {
            if (v.get(i) != pattern(tag, i)) {
                assertEquals(pattern(tag, i), v.get(i), where + ": byte " + i + " of " + b);
            }
        }
    }

    private static byte pattern(long tag, int i) {
        return (byte) (tag * 131 + i * 7 + (i >>> 8));
    }
}
