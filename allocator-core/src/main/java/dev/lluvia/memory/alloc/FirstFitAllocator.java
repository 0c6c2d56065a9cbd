package dev.lluvia.memory.alloc;

import java.util.Arrays;

/**
 * Lluvia's allocator: a free list sorted by offset, scanned from the start for the first range
 * that holds the request once aligned. Kept as the Lluvia-compatible choice and as a baseline;
 * its cost grows with the number of free ranges.
 *
 * <h2>Terms</h2>
 * <ul>
 *   <li><b>free range</b>: a maximal run of unreserved units, {@code [freeOffset[i], freeOffset[i] + freeSize[i])};
 *       ranges are kept sorted by offset, never adjacent (they are merged).</li>
 *   <li><b>reserved range</b> of an allocation: {@code [start, offset + size)} where {@code start} is
 *       the beginning of the free range it was cut from and {@code offset = align(start)}; the
 *       difference is the allocation's padding.</li>
 *   <li><b>slot</b>: an allocation's record in the {@link SlotTable}, which also gives the handle
 *       layout (generation and slot); freed slots are reused (a stack).</li>
 * </ul>
 *
 * <h2>Steps</h2>
 * Allocate: scan free ranges in order; for each, {@code offset = align(start)}; if
 * {@code offset + size} fits, cut {@code [start, offset + size)} off the front of the range (or
 * remove the range if nothing is left) and record the allocation in a slot. Free: insert the
 * reserved range back by binary search and merge it with the neighbours it touches.
 */
public final class FirstFitAllocator extends SlotTable implements BlockAllocator {

    private final long capacity;

    // Free ranges sorted by offset.
    private long[] freeOffset = new long[INITIAL_SLOTS];
    private long[] freeSize = new long[INITIAL_SLOTS];
    private int freeCount;

    /**
     * @param capacity units managed, at least 1
     */
    public FirstFitAllocator(long capacity) {
        Checks.checkCapacity(capacity);
        this.capacity = capacity;
        clearFreeList();
    }

    @Override
    public long capacity() {
        return capacity;
    }

    @Override
    public long allocate(long size, long alignment) {
        Checks.checkRequest(size, alignment);
        final long[] offsets = freeOffset;
        final long[] sizes = freeSize;
        final int count = freeCount;
        for (int i = 0; i < count; i++) {
            final long start = offsets[i];
            // The padding to the alignment, computed without forming start + alignment - 1, which
            // overflows when a range starts near Long.MAX_VALUE; every sum below stays inside
            // the range, so inside the capacity.
            final long padding = Align.padding(start, alignment);
            if (padding <= sizes[i] - size) {
                final long aligned = start + padding;
                final long end = aligned + size;
                final long rangeEnd = start + sizes[i];
                if (end == rangeEnd) {
                    removeFreeRange(i);
                } else {
                    offsets[i] = end;
                    sizes[i] = rangeEnd - end;
                }
                return handle(record(start, aligned, size));
            }
        }
        return NO_SPACE;
    }

    @Override
    public void free(long handle) {
        final int slot = slotOf(handle);
        final long start = slotStart[slot];
        final long end = slotOffset[slot] + slotSize[slot];
        release(slot);
        recycle(slot);
        insertFreeRange(start, end - start);
    }

    @Override
    public void clear() {
        clearSlots();
        clearFreeList();
    }

    @Override
    public BlockStatistics statistics() {
        long largest = 0;
        long smallest = freeCount == 0 ? 0 : Long.MAX_VALUE;
        for (int i = 0; i < freeCount; i++) {
            largest = Math.max(largest, freeSize[i]);
            smallest = Math.min(smallest, freeSize[i]);
        }
        return new BlockStatistics(capacity, allocationCount, usedBytes, freeCount, largest, smallest);
    }

    @Override
    public String toString() {
        return "FirstFitAllocator[capacity=" + capacity + ", allocations=" + allocationCount
                + ", used=" + usedBytes + ", freeRanges=" + freeCount + "]";
    }

    private void clearFreeList() {
        freeOffset[0] = 0;
        freeSize[0] = capacity;
        freeCount = 1;
    }

    private void removeFreeRange(int i) {
        final int tail = freeCount - i - 1;
        System.arraycopy(freeOffset, i + 1, freeOffset, i, tail);
        System.arraycopy(freeSize, i + 1, freeSize, i, tail);
        freeCount--;
    }

    /** Inserts {@code [offset, offset + size)} in order, merging with touching neighbours. */
    private void insertFreeRange(long offset, long size) {
        // First range whose offset is above the new one.
        int lo = 0;
        int hi = freeCount;
        while (lo < hi) {
            final int mid = (lo + hi) >>> 1;
            if (freeOffset[mid] < offset) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        final int next = lo;
        final boolean mergePrev = next > 0 && freeOffset[next - 1] + freeSize[next - 1] == offset;
        final boolean mergeNext = next < freeCount && offset + size == freeOffset[next];
        if (mergePrev && mergeNext) {
            freeSize[next - 1] += size + freeSize[next];
            removeFreeRange(next);
        } else if (mergePrev) {
            freeSize[next - 1] += size;
        } else if (mergeNext) {
            freeOffset[next] = offset;
            freeSize[next] += size;
        } else {
            if (freeCount == freeOffset.length) {
                freeOffset = Arrays.copyOf(freeOffset, freeCount * 2);
                freeSize = Arrays.copyOf(freeSize, freeCount * 2);
            }
            System.arraycopy(freeOffset, next, freeOffset, next + 1, freeCount - next);
            System.arraycopy(freeSize, next, freeSize, next + 1, freeCount - next);
            freeOffset[next] = offset;
            freeSize[next] = size;
            freeCount++;
        }
    }
}
