package dev.lluvia.memory;

import java.util.List;

/**
 * A snapshot of one page of a {@link Memory}: what lies where, for dumps, pictures and tests.
 * Bytes not covered by an object's {@code [offset - leftPadding, offset + size)} are free.
 *
 * @param index     the page index objects report in {@link AllocationInfo#page()}
 * @param size      bytes of the page
 * @param dedicated whether the page holds one object and is freed with it
 * @param objects   the objects in the page, by offset, with their allocation info at snapshot time
 */
public record PageInfo(int index, long size, boolean dedicated, List<Placed> objects) {

    public PageInfo {
        objects = List.copyOf(objects);
    }

    /**
     * One object of a page.
     *
     * @param object the object (it may be closed after the snapshot was taken)
     * @param info   where it was when the snapshot was taken
     */
    public record Placed(MemoryObject object, AllocationInfo info) {
    }
}
