package dev.lluvia.memory;

import dev.lluvia.memory.alloc.Align;
import dev.lluvia.memory.spi.MemoryBackend;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * The debug margins of one {@link Memory}: VMA's {@code VMA_DEBUG_MARGIN} with
 * {@code VMA_DEBUG_DETECT_CORRUPTION}. An object of a regular page gets a block of
 * {@code align(DEBUG_MARGIN, alignment) + size + roundUp(DEBUG_MARGIN, quantum)} bytes; both
 * margins are filled with {@link #MARGIN_MAGIC}, by page offset, and scanned when the object is
 * closed or its memory checked. A Memory has an instance only when margins are on (debug mode, a
 * host-visible type), so the off path is one null check and costs no bytes.
 *
 * <p>Not thread-safe: every call is made under the Memory's lock.
 */
final class DebugMargins {

    /** VMA's corruption-detection value, repeated little-endian over every margin byte by page offset. */
    private static final int MARGIN_MAGIC = 0x7F84E666;

    private final MemoryBackend backend;
    private final MemoryType type;
    /** Alignment and size quantum of objects: nonCoherentAtomSize on non-coherent types, else 1. */
    private final long atom;

    DebugMargins(MemoryBackend backend, MemoryType type, long atom) {
        this.backend = backend;
        this.type = type;
        this.atom = atom;
    }

    /** The margin before an object: {@link Memory#DEBUG_MARGIN} rounded up to its alignment, which the offset keeps. */
    static long frontMargin(long alignment) {
        return Align.align(Memory.DEBUG_MARGIN, alignment);
    }

    /** The block an object of {@code size} bytes takes with both margins. */
    static long blockSize(long frontMargin, long size, long quantum) {
        return frontMargin + size + Align.roundUp(Memory.DEBUG_MARGIN, quantum);
    }

    /** The magic byte at page offset {@code at}: position-based, so any range can be checked alone. */
    private static byte magic(long at) {
        return (byte) (MARGIN_MAGIC >>> (8 * (int) (at & 3)));
    }

    /** Fills the margins of a freshly placed object and, on non-coherent types, flushes them. */
    void fill(Page page, long block, long offset, long size) {
        final long start = page.allocator.offset(block);
        final long end = start + page.allocator.size(block);
        final long back = offset + Align.roundUp(size, atom);
        fill(page, start, offset);
        fill(page, back, end);
        if (type.needsFlush()) {
            backend.flush(page.handle, start, offset - start);
            backend.flush(page.handle, back, end - back);
        }
    }

    private void fill(Page page, long from, long to) {
        ByteBuffer v = backend.map(page.handle, from, to - from);
        for (int i = 0, n = (int) (to - from); i < n; i++) {
            v.put(i, magic(from + i));
        }
    }

    /**
     * The report of an object's first damaged margin byte, or {@code null}: the host side first,
     * then, on non-coherent types, the device side (after invalidating the margins only, which
     * belong to no object, so the object's unflushed host bytes are kept).
     */
    String report(MemoryObject object) {
        Page page = object.page();
        if (page.dedicated) {
            return null;
        }
        final long start = page.allocator.offset(object.block());
        final long end = start + page.allocator.size(object.block());
        final AllocationInfo info = object.infoLocked();
        final long offset = info.offset();
        final long back = offset + Align.roundUp(info.size(), atom);
        long bad = scan(page, start, offset);
        if (bad < 0) {
            bad = scan(page, back, end);
        }
        String side = "";
        if (bad < 0 && type.needsFlush()) {
            backend.invalidate(page.handle, start, offset - start);
            backend.invalidate(page.handle, back, end - back);
            bad = scan(page, start, offset);
            if (bad < 0) {
                bad = scan(page, back, end);
            }
            side = " (device side)";
        }
        if (bad < 0) {
            return null;
        }
        byte found = backend.map(page.handle, bad, 1).get(0);
        String where = bad < offset ? (offset - bad) + " byte(s) before its start"
                : (bad - (offset + info.size())) + " byte(s) past its end";
        return object.describe() + " at " + info + ": margin byte at page offset " + bad + " (" + where
                + ") was 0x" + Integer.toHexString(found & 0xff) + ", expected 0x"
                + Integer.toHexString(magic(bad) & 0xff) + side;
    }

    /** The page offset of the first byte of {@code [from, to)} that is not the magic value, or -1. */
    private long scan(Page page, long from, long to) {
        ByteBuffer v = backend.map(page.handle, from, to - from);
        for (int i = 0, n = (int) (to - from); i < n; i++) {
            if (v.get(i) != magic(from + i)) {
                return from + i;
            }
        }
        return -1;
    }

    /** Adds a line per damaged margin of {@code live}'s objects in regular pages; returns how many were checked. */
    int check(Iterable<MemoryObject> live, List<String> corruptions) {
        int checked = 0;
        for (MemoryObject o : live) {
            if (!o.page().dedicated) {
                checked++;
                String c = report(o);
                if (c != null) {
                    corruptions.add(c);
                }
            }
        }
        return checked;
    }
}
