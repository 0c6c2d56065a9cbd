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
 *   <li><b>slot</b>: an index into the allocation arrays; freed slots are reused (a stack).</li>
 * </ul>
 *
 * <h2>Handle layout</h2>
 * <pre>
 *   63  62           32 31             0
 *   [0 | generation(31) |      slot      ]
 * </pre>
 * The generation of a slot is bumped (modulo 2^31) when it is freed, so a stale handle (double
 * free) is caught.
 *
 * <h2>Steps</h2>
 * Allocate: scan free ranges in order; for each, {@code offset = align(start)}; if
 * {@code offset + size} fits, cut {@code [start, offset + size)} off the front of the range (or
 * remove the range if nothing is left) and record the allocation in a slot. Free: insert the
 * reserved range back by binary search and merge it with the neighbours it touches.
 */
public final class FirstFitAllocator implements BlockAllocator {

    private static final int INITIAL_SLOTS = 16;
    private static final long SLOT_MASK = 0xFFFF_FFFFL;
    /** Generations wrap within 31 bits so that a handle is never negative (never NO_SPACE). */
    private static final int GENERATION_MASK = 0x7FFF_FFFF;

    private final long capacity;

    // Free ranges sorted by offset.
    private long[] freeOffset = new long[INITIAL_SLOTS];
    private long[] freeSize = new long[INITIAL_SLOTS];
    private int freeCount;

    // Allocations by slot; allocSize == 0 marks a free slot.
    private long[] allocStart = new long[INITIAL_SLOTS];
    private long[] allocOffset = new long[INITIAL_SLOTS];
    private long[] allocSize = new long[INITIAL_SLOTS];
    private int[] generation = new int[INITIAL_SLOTS];
    private int[] freeSlots = new int[INITIAL_SLOTS];
    private int freeSlotCount;
    private int slotHighWater;

    private int allocationCount;
    private long usedBytes;

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
        final long mask = alignment - 1;
        final long[] offsets = freeOffset;
        final long[] sizes = freeSize;
        final int count = freeCount;
        for (int i = 0; i < count; i++) {
            final long start = offsets[i];
            // The padding to the alignment, computed without forming start + mask, which
            // overflows when a range starts near Long.MAX_VALUE; every sum below stays inside
            // the range, so inside the capacity.
            final long padding = -start & mask;
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
                return record(start, aligned, size);
            }
        }
        return NO_SPACE;
    }

    @Override
    public void free(long handle) {
        final int slot = slotOf(handle);
        final long start = allocStart[slot];
        final long end = allocOffset[slot] + allocSize[slot];
        release(slot);
        insertFreeRange(start, end - start);
    }

    @Override
    public long offset(long handle) {
        return allocOffset[slotOf(handle)];
    }

    @Override
    public long size(long handle) {
        return allocSize[slotOf(handle)];
    }

    @Override
    public long padding(long handle) {
        final int slot = slotOf(handle);
        return allocOffset[slot] - allocStart[slot];
    }

    @Override
    public void clear() {
        for (int s = 0; s < slotHighWater; s++) {
            if (allocSize[s] != 0) {
                allocSize[s] = 0;
                generation[s] = (generation[s] + 1) & GENERATION_MASK;
            }
        }
        freeSlotCount = 0;
        slotHighWater = 0;
        allocationCount = 0;
        usedBytes = 0;
        clearFreeList();
    }

    @Override
    public int allocationCount() {
        return allocationCount;
    }

    @Override
    public long usedBytes() {
        return usedBytes;
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

    private long record(long start, long offset, long size) {
        final int slot;
        if (freeSlotCount > 0) {
            slot = freeSlots[--freeSlotCount];
        } else {
            slot = slotHighWater++;
            if (slot == allocSize.length) {
                growSlots();
            }
        }
        allocStart[slot] = start;
        allocOffset[slot] = offset;
        allocSize[slot] = size;
        allocationCount++;
        usedBytes += offset + size - start;
        return ((long) generation[slot] << 32) | slot;
    }

    private void release(int slot) {
        usedBytes -= allocOffset[slot] + allocSize[slot] - allocStart[slot];
        allocationCount--;
        allocSize[slot] = 0;
        generation[slot] = (generation[slot] + 1) & GENERATION_MASK;
        if (freeSlotCount == freeSlots.length) {
            freeSlots = Arrays.copyOf(freeSlots, freeSlots.length * 2);
        }
        freeSlots[freeSlotCount++] = slot;
    }

    private int slotOf(long handle) {
        final long slotBits = handle & SLOT_MASK;
        if (handle < 0 || slotBits >= slotHighWater) {
            throw new IllegalArgumentException("not a live allocation handle: " + handle);
        }
        final int slot = (int) slotBits;
        if (allocSize[slot] == 0 || generation[slot] != (int) (handle >>> 32)) {
            throw new IllegalArgumentException("not a live allocation handle (freed or stale): " + handle);
        }
        return slot;
    }

    private void growSlots() {
        final int n = allocSize.length * 2;
        allocStart = Arrays.copyOf(allocStart, n);
        allocOffset = Arrays.copyOf(allocOffset, n);
        allocSize = Arrays.copyOf(allocSize, n);
        generation = Arrays.copyOf(generation, n);
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
