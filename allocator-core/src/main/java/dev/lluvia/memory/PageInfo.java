package dev.lluvia.memory;

import java.util.List;

/**
 * A snapshot of one page of a {@link Memory}: what lies where, for dumps, pictures and tests.
 * Bytes not covered by an object's {@link Placed#reservedStart()} to {@link Placed#reservedEnd()}
 * are free: the page's block allocator can give them to the next object.
 *
 * @param index     the page index objects report in {@link AllocationInfo#page()}
 * @param size      bytes of the page
 * @param dedicated whether the page holds one object and is freed with it
 * @param objects   the objects in the page, by offset, with their allocation info at snapshot time
 */
public record PageInfo(int index, long size, boolean dedicated, List<Placed> objects) {

    /**
     * Copies the objects (unmodifiable).
     *
     * @param index the page index objects report in {@link AllocationInfo#page()}
     * @param size bytes of the page
     * @param dedicated whether the page holds one object and is freed with it
     * @param objects the objects in the page, by offset, with their allocation info at snapshot time
     */
    public PageInfo {
        objects = List.copyOf(objects);
    }

    /**
     * One object of a page.
     *
     * <pre>
     *   | leftPadding | size (info.size())  | tail |
     *   ^             ^                            ^
     *   reservedStart offset                       reservedEnd = offset + reservedSize
     * </pre>
     *
     * @param object       the object (it may be closed after the snapshot was taken)
     * @param info         where it was when the snapshot was taken
     * @param reservedSize bytes from {@code info.offset()} that the page holds for the object: its
     *                     size rounded up to the memory's quantum (nonCoherentAtomSize on a
     *                     non-coherent type, bufferImageGranularity for an optimal image), so at
     *                     least {@code info.size()}. The tail past the size is padding: not the
     *                     object's bytes, and not free until the object is closed.
     */
    public record Placed(MemoryObject object, AllocationInfo info, long reservedSize) {

        /** Snapshot of a live object, taken by its Memory under its lock. */
        Placed(MemoryObject object, AllocationInfo info) {
            this(object, info, object.reservedSizeLocked());
        }

        /** {@return the first byte the object holds: its offset less its left padding} */
        public long reservedStart() {
            return info.offset() - info.leftPadding();
        }

        /** {@return the byte after the last one the object holds: where the next free range or object may start} */
        public long reservedEnd() {
            return info.offset() + reservedSize;
        }
    }
}
