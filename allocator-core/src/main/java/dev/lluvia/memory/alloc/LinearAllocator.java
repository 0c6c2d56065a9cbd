package dev.lluvia.memory.alloc;

/**
 * A linear allocator, like VMA's linear algorithm: each allocation is placed right after the
 * newest one, so allocating is a bump of a cursor and a page fills in address order. Meant for
 * short-lived data freed in the order it was made: per-frame uploads and staging buffers
 * ({@link Mode#RING}), or scratch memory released newest first ({@link Mode#STACK}).
 *
 * <h2>Terms</h2>
 * <ul>
 *   <li><b>record</b>: one allocation, kept in a queue in allocation order, oldest first. Its
 *       <b>reserved range</b> is {@code [start, offset + size)}: {@code start} is the end of the
 *       allocation made just before it (or 0), {@code offset = align(start)}, and the difference is
 *       its padding, which stays reserved until the record is reclaimed (Lluvia's leftPadding).</li>
 *   <li><b>released</b> record: freed by the user but not yet reclaimed, because it is neither the
 *       oldest nor the newest record; its units are not reusable yet.</li>
 *   <li><b>reclaim</b>: after each free, released records are dropped from both ends of the queue;
 *       when the queue empties, the next allocation starts at offset 0 again.</li>
 *   <li><b>wrapped</b> (ring mode only): the newest record lies below the oldest one in address,
 *       because an allocation that did not fit before the end of the block was placed at 0.</li>
 * </ul>
 *
 * <h2>Placement</h2>
 * <pre>
 *   not wrapped:  0      oldest                 newest  end
 *                 [ free | A | B | (released) | C | D | ..free.. ]   next goes at align(end of D);
 *                                                                  RING: if it does not fit before
 *                                                                  capacity, at 0 if it fits below A
 *   wrapped:      0             end            oldest
 *                 [ E | F | ..free.. | A | B | C | D | unused tail ]  next goes between F and A
 * </pre>
 * {@link Mode#STACK} never wraps: the units below the oldest record are reused only once every
 * record is reclaimed.
 *
 * <h2>Out-of-order frees</h2>
 * Any live allocation may be freed at any time; nothing throws for the order. A record freed out
 * of order (not the oldest, not the newest) keeps its units until the records between it and an
 * end of the queue are freed too; only then is its space reused. So a long-lived allocation left in
 * the middle of a ring blocks the reuse of everything made after it (ring) or below it (stack),
 * and allocations then fail with {@link #NO_SPACE} although {@link #usedBytes()} is low.
 * {@link #statistics()} counts released units as free (they are not reserved by a live allocation)
 * and reports the gaps between live allocations as free ranges, even those not reusable yet.
 *
 * <h2>Handles</h2>
 * A slot of the {@link SlotTable} holds one record (and gives the handle layout); slots are
 * recycled once their record is reclaimed, and a handle goes stale when its allocation is freed or
 * cleared, so a stale handle or a double free throws {@link IllegalArgumentException}.
 *
 * <h2>Cost</h2>
 * Allocate is O(1); free is O(1) amortized (each record is reclaimed once). State is primitive
 * arrays; after warm-up neither call allocates objects.
 */
public final class LinearAllocator extends SlotTable implements BlockAllocator {

    /** How the cursor behaves when it reaches the end of the block. */
    public enum Mode {
        /** Stop: allocations fail until the newest records are freed (or all are). */
        STACK,
        /**
         * Wrap around to offset 0 when there is room below the oldest live record: a ring buffer,
         * for data freed first-in, first-out. Freeing newest first works too, as in a stack.
         */
        RING
    }

    private final long capacity;
    private final Mode mode;

    // Slots in allocation order: a circular queue, oldest at queueHead; length a power of two.
    private int[] queue = new int[INITIAL_SLOTS];
    private int queueHead;
    private int queueCount;

    /**
     * A ring-mode linear allocator.
     *
     * @param capacity units to manage, at least 1
     */
    public LinearAllocator(long capacity) {
        this(capacity, Mode.RING);
    }

    /**
     * @param capacity units managed, at least 1
     * @param mode     what happens at the end of the block; not null
     */
    public LinearAllocator(long capacity, Mode mode) {
        Checks.checkCapacity(capacity);
        java.util.Objects.requireNonNull(mode, "mode");
        this.capacity = capacity;
        this.mode = mode;
    }

    /** {@return the mode chosen at construction} */
    public Mode mode() {
        return mode;
    }

    @Override
    public long capacity() {
        return capacity;
    }

    @Override
    public long allocate(long size, long alignment) {
        Checks.checkRequest(size, alignment);
        if (queueCount == 0) {
            return size <= capacity ? push(0, 0, size) : NO_SPACE;
        }
        final int qmask = queue.length - 1;
        final int oldest = queue[queueHead];
        final int newest = queue[(queueHead + queueCount - 1) & qmask];
        final long end = slotOffset[newest] + slotSize[newest];
        final long oldestStart = slotStart[oldest];
        final long aligned = Align.align(end, alignment);
        if (slotStart[newest] < oldestStart) {
            // Wrapped: the room is between the newest and the oldest record.
            if (aligned <= oldestStart && size <= oldestStart - aligned) {
                return push(end, aligned, size);
            }
            return NO_SPACE;
        }
        if (aligned <= capacity && size <= capacity - aligned) {
            return push(end, aligned, size);
        }
        if (mode == Mode.RING && size <= oldestStart) {
            return push(0, 0, size);
        }
        return NO_SPACE;
    }

    /** Frees an allocation in any order; see the class comment for when its units are reused. */
    @Override
    public void free(long handle) {
        final int slot = slotOf(handle);
        release(slot);
        final int qmask = queue.length - 1;
        while (queueCount > 0 && state[queue[queueHead]] == RELEASED) {
            recycle(queue[queueHead]);
            queueHead = (queueHead + 1) & qmask;
            queueCount--;
        }
        while (queueCount > 0 && state[queue[(queueHead + queueCount - 1) & qmask]] == RELEASED) {
            recycle(queue[(queueHead + queueCount - 1) & qmask]);
            queueCount--;
        }
        if (queueCount == 0) {
            queueHead = 0;
        }
    }

    @Override
    public void clear() {
        clearSlots();
        queueHead = 0;
        queueCount = 0;
    }

    /** Walks the records; free ranges are the gaps between live allocations' reserved ranges. */
    @Override
    public BlockStatistics statistics() {
        final int qmask = queue.length - 1;
        // Address order starts at the first record of the wrapped part, if any.
        int first = 0;
        for (int i = 1; i < queueCount; i++) {
            if (slotStart[queue[(queueHead + i) & qmask]] < slotStart[queue[(queueHead + i - 1) & qmask]]) {
                first = i;
                break;
            }
        }
        long cursor = 0;
        int ranges = 0;
        long largest = 0;
        long smallest = Long.MAX_VALUE;
        for (int k = 0; k < queueCount; k++) {
            final int slot = queue[(queueHead + (first + k) % queueCount) & qmask];
            if (state[slot] != LIVE) {
                continue;
            }
            final long gap = slotStart[slot] - cursor;
            if (gap > 0) {
                ranges++;
                largest = Math.max(largest, gap);
                smallest = Math.min(smallest, gap);
            }
            cursor = slotOffset[slot] + slotSize[slot];
        }
        if (capacity > cursor) {
            ranges++;
            largest = Math.max(largest, capacity - cursor);
            smallest = Math.min(smallest, capacity - cursor);
        }
        return new BlockStatistics(capacity, allocationCount, usedBytes, ranges, largest,
                ranges == 0 ? 0 : smallest);
    }

    @Override
    public String toString() {
        return "LinearAllocator[capacity=" + capacity + ", mode=" + mode + ", allocations="
                + allocationCount + ", used=" + usedBytes + ", records=" + queueCount + "]";
    }

    private long push(long start, long offset, long size) {
        final int slot = record(start, offset, size);
        if (queueCount == queue.length) {
            growQueue();
        }
        queue[(queueHead + queueCount) & (queue.length - 1)] = slot;
        queueCount++;
        return handle(slot);
    }

    private void growQueue() {
        final int[] grown = new int[queue.length * 2];
        for (int i = 0; i < queueCount; i++) {
            grown[i] = queue[(queueHead + i) & (queue.length - 1)];
        }
        queue = grown;
        queueHead = 0;
    }
}
