package dev.lluvia.memory.report;

import dev.lluvia.memory.Allocation;
import dev.lluvia.memory.Buffer;
import dev.lluvia.memory.Image;
import dev.lluvia.memory.ImageTiling;
import dev.lluvia.memory.MemoryObject;
import dev.lluvia.memory.PageInfo;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * One page cut into consecutive segments that cover it exactly: objects, padding and free ranges,
 * in address order. The dump, the picture and the table all read pages through this, so they
 * agree on what is where.
 *
 * <pre>
 *   page:  | OBJECT | PADDING | OBJECT | PADDING (tail) |   FREE   | OBJECT | FREE |
 *          0                                                                       size
 * </pre>
 *
 * <p>Padding is what an object holds but does not use: its left padding (to reach its alignment)
 * and the tail past its size (to the memory's quantum: nonCoherentAtomSize, or
 * bufferImageGranularity for optimal images). Free is what the page's block allocator can give to
 * the next object.
 *
 * @param page     the snapshot the segments come from
 * @param segments every byte of the page exactly once, in address order
 */
public record PageLayout(PageInfo page, List<Segment> segments) {

    /** What a segment holds. */
    public enum Kind {
        /** A buffer's bytes. */
        BUFFER,
        /** An optimal-tiling image's bytes. */
        IMAGE_OPTIMAL,
        /** A linear-tiling image's bytes. */
        IMAGE_LINEAR,
        /** Bytes an object holds but does not use: left padding or the tail to the quantum. */
        PADDING,
        /** Bytes the page's allocator can give out. */
        FREE;

        /** Whether this is an object's own bytes. */
        public boolean isObject() {
            return this != PADDING && this != FREE;
        }

        /** The kind of an object's bytes. */
        public static Kind of(MemoryObject object) {
            if (object instanceof Buffer) {
                return BUFFER;
            }
            if (object instanceof Allocation a) {
                return switch (a.resourceKind()) {
                    case BUFFER -> BUFFER;
                    case LINEAR_IMAGE -> IMAGE_LINEAR;
                    case OPTIMAL_IMAGE -> IMAGE_OPTIMAL;
                };
            }
            return ((Image) object).descriptor().tiling() == ImageTiling.LINEAR ? IMAGE_LINEAR : IMAGE_OPTIMAL;
        }
    }

    /**
     * A range {@code [start, end)} of a page.
     *
     * @param kind   what the bytes are
     * @param start  first byte
     * @param end    byte after the last
     * @param placed the object the bytes belong to (its own bytes or its padding); null when free
     */
    public record Segment(Kind kind, long start, long end, PageInfo.Placed placed) {

        /** Bytes in the segment. */
        public long size() {
            return end - start;
        }
    }

    public PageLayout {
        segments = Collections.unmodifiableList(segments);
    }

    /** Cuts a page snapshot into segments. */
    public static PageLayout of(PageInfo page) {
        List<Segment> out = new ArrayList<>(page.objects().size() * 3 + 1);
        long cursor = 0;
        for (PageInfo.Placed p : page.objects()) {
            long start = p.reservedStart();
            long offset = p.info().offset();
            long objectEnd = offset + p.info().size();
            long end = Math.max(objectEnd, p.reservedEnd());
            if (start > cursor) {
                out.add(new Segment(Kind.FREE, cursor, start, null));
            }
            if (offset > start) {
                out.add(new Segment(Kind.PADDING, start, offset, p));
            }
            out.add(new Segment(Kind.of(p.object()), offset, objectEnd, p));
            if (end > objectEnd) {
                out.add(new Segment(Kind.PADDING, objectEnd, end, p));
            }
            cursor = Math.max(cursor, end);
        }
        if (cursor < page.size()) {
            out.add(new Segment(Kind.FREE, cursor, page.size(), null));
        }
        return new PageLayout(page, out);
    }

    /** The free segments: the page's allocator's free ranges. */
    public List<Segment> freeRanges() {
        List<Segment> free = new ArrayList<>();
        for (Segment s : segments) {
            if (s.kind() == Kind.FREE) {
                free.add(s);
            }
        }
        return free;
    }

    /**
     * Maximal ranges not covered by an object's own bytes (free and padding merged), as VMA counts
     * its "unused ranges": each is {@code long[]{start, end}}.
     */
    public List<long[]> unusedRanges() {
        List<long[]> unused = new ArrayList<>();
        long[] open = null;
        for (Segment s : segments) {
            if (s.kind().isObject()) {
                open = null;
            } else if (open != null) {
                open[1] = s.end();
            } else {
                open = new long[] {s.start(), s.end()};
                unused.add(open);
            }
        }
        return unused;
    }
}
