package dev.lluvia.memory.alloc;

import java.util.Arrays;

/**
 * The allocation records of {@link FirstFitAllocator} and {@link LinearAllocator}: one slot per
 * allocation, holding its reserved range, and the handle that names it.
 *
 * <h2>Terms</h2>
 * <ul>
 *   <li><b>slot</b>: an index into the record arrays. A slot is {@link #UNUSED}, {@link #LIVE}
 *       (its allocation may be read and freed) or {@link #RELEASED} (freed by the user but still
 *       holding its range, which the linear allocator reclaims later). Unused slots are reused
 *       newest first (a stack), so the arrays stay as large as the peak number of records.</li>
 *   <li><b>reserved range</b>: {@code [start, offset + size)}; {@code offset - start} is the
 *       allocation's padding, counted in {@link #usedBytes()}.</li>
 * </ul>
 *
 * <h2>Handle layout</h2>
 * <pre>
 *   63  62           32 31        0
 *   [0 | generation(31) |  slot(32) ]
 * </pre>
 * The generation of a slot is bumped (modulo 2^31, so that a handle is never negative, never
 * {@link BlockAllocator#NO_SPACE}) when its allocation is freed or cleared, so a stale handle or a
 * double free throws {@link IllegalArgumentException}.
 *
 * <p>A superclass rather than a field, so the allocators reach the arrays as directly as their own
 * fields on their hot paths; every method here is final and small enough to inline.
 */
abstract class SlotTable {

    static final int INITIAL_SLOTS = 16;
    static final byte UNUSED = 0;
    static final byte LIVE = 1;
    static final byte RELEASED = 2;
    private static final long SLOT_MASK = 0xFFFF_FFFFL;
    private static final int GENERATION_MASK = 0x7FFF_FFFF;

    // Records by slot.
    long[] slotStart = new long[INITIAL_SLOTS];
    long[] slotOffset = new long[INITIAL_SLOTS];
    long[] slotSize = new long[INITIAL_SLOTS];
    int[] generation = new int[INITIAL_SLOTS];
    byte[] state = new byte[INITIAL_SLOTS];
    private int[] freeSlots = new int[INITIAL_SLOTS];
    private int freeSlotCount;
    int slotHighWater;

    int allocationCount;
    long usedBytes;

    /** Records a live allocation reserving {@code [start, offset + size)}; returns its slot. */
    final int record(long start, long offset, long size) {
        final int slot;
        if (freeSlotCount > 0) {
            slot = freeSlots[--freeSlotCount];
        } else {
            slot = slotHighWater++;
            if (slot == slotSize.length) {
                growSlots();
            }
        }
        slotStart[slot] = start;
        slotOffset[slot] = offset;
        slotSize[slot] = size;
        state[slot] = LIVE;
        allocationCount++;
        usedBytes += offset + size - start;
        return slot;
    }

    /** The handle of a live slot. */
    final long handle(int slot) {
        return ((long) generation[slot] << 32) | slot;
    }

    /** The slot of a live allocation's handle; throws for anything else. */
    final int slotOf(long handle) {
        final long slotBits = handle & SLOT_MASK;
        if (handle < 0 || slotBits >= slotHighWater) {
            throw new IllegalArgumentException("not a live allocation handle: " + handle);
        }
        final int slot = (int) slotBits;
        if (state[slot] != LIVE || generation[slot] != (int) (handle >>> 32)) {
            throw new IllegalArgumentException("not a live allocation handle (freed or stale): " + handle);
        }
        return slot;
    }

    /**
     * Frees a live slot's allocation: its handle goes stale and its units stop counting as used;
     * the slot keeps its range ({@link #RELEASED}) until {@link #recycle}.
     */
    final void release(int slot) {
        usedBytes -= slotOffset[slot] + slotSize[slot] - slotStart[slot];
        allocationCount--;
        state[slot] = RELEASED;
        generation[slot] = (generation[slot] + 1) & GENERATION_MASK;
    }

    /** Makes a released slot reusable. */
    final void recycle(int slot) {
        state[slot] = UNUSED;
        if (freeSlotCount == freeSlots.length) {
            freeSlots = Arrays.copyOf(freeSlots, freeSlots.length * 2);
        }
        freeSlots[freeSlotCount++] = slot;
    }

    /** Drops every record; the handles of live allocations go stale. */
    final void clearSlots() {
        for (int s = 0; s < slotHighWater; s++) {
            if (state[s] == LIVE) {
                generation[s] = (generation[s] + 1) & GENERATION_MASK;
            }
            state[s] = UNUSED;
        }
        freeSlotCount = 0;
        slotHighWater = 0;
        allocationCount = 0;
        usedBytes = 0;
    }

    /**
     * See {@link BlockAllocator#offset}.
     *
     * @param handle a live allocation
     * @return the aligned offset
     */
    public final long offset(long handle) {
        return slotOffset[slotOf(handle)];
    }

    /**
     * See {@link BlockAllocator#size}.
     *
     * @param handle a live allocation
     * @return the size asked for
     */
    public final long size(long handle) {
        return slotSize[slotOf(handle)];
    }

    /**
     * See {@link BlockAllocator#padding}.
     *
     * @param handle a live allocation
     * @return the units before the offset that belong to the allocation
     */
    public final long padding(long handle) {
        final int slot = slotOf(handle);
        return slotOffset[slot] - slotStart[slot];
    }

    /**
     * See {@link BlockAllocator#allocationCount}.
     *
     * @return the number of live allocations
     */
    public final int allocationCount() {
        return allocationCount;
    }

    /**
     * See {@link BlockAllocator#usedBytes}.
     *
     * @return units reserved by live allocations, padding included
     */
    public final long usedBytes() {
        return usedBytes;
    }

    private void growSlots() {
        final int n = slotSize.length * 2;
        slotStart = Arrays.copyOf(slotStart, n);
        slotOffset = Arrays.copyOf(slotOffset, n);
        slotSize = Arrays.copyOf(slotSize, n);
        generation = Arrays.copyOf(generation, n);
        state = Arrays.copyOf(state, n);
    }
}
