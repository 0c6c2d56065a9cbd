package dev.lluvia.memory.alloc;

import java.util.ArrayList;
import java.util.Map;
import java.util.TreeMap;

/**
 * A reference model of one block allocator under test: the live allocations' reserved ranges in a
 * {@link TreeMap}, checked against the allocator after every operation. Shared by the seeded model
 * tests and the Jazzer fuzz target. Failures are {@link AssertionError}s whose message starts with
 * the caller's context (seed, step), so a failure can be replayed.
 */
final class AllocatorModel {

    /** What the model may predict about placement, by algorithm. */
    enum Oracle {
        /**
         * Never fails while a gap can hold the aligned request (TLSF, every strategy; first fit).
         */
        COMPLETE,
        /** COMPLETE, and the offset is exactly that of the lowest gap that holds the request. */
        LOWEST_OFFSET,
        /** Exact placement of {@link LinearAllocator} in the given mode, from a simple replay. */
        LINEAR_STACK,
        LINEAR_RING
    }

    /** The allocators under test, by name (parameter of the model tests and selector of the fuzzer). */
    enum Kind {
        TLSF_MIN_TIME(Oracle.COMPLETE),
        TLSF_MIN_MEMORY(Oracle.COMPLETE),
        TLSF_MIN_OFFSET(Oracle.LOWEST_OFFSET),
        FIRST_FIT(Oracle.LOWEST_OFFSET),
        LINEAR_RING(Oracle.LINEAR_RING),
        LINEAR_STACK(Oracle.LINEAR_STACK);

        final Oracle oracle;

        Kind(Oracle oracle) {
            this.oracle = oracle;
        }

        BlockAllocator create(long capacity) {
            return switch (this) {
                case TLSF_MIN_TIME -> new TlsfAllocator(capacity, AllocationStrategy.MIN_TIME);
                case TLSF_MIN_MEMORY -> new TlsfAllocator(capacity, AllocationStrategy.MIN_MEMORY);
                case TLSF_MIN_OFFSET -> new TlsfAllocator(capacity, AllocationStrategy.MIN_OFFSET);
                case FIRST_FIT -> new FirstFitAllocator(capacity);
                case LINEAR_RING -> new LinearAllocator(capacity, LinearAllocator.Mode.RING);
                case LINEAR_STACK -> new LinearAllocator(capacity, LinearAllocator.Mode.STACK);
            };
        }
    }

    /** One live allocation: {@code [start, end)} reserved, {@code offset} aligned. */
    static final class Live {
        final long handle;
        final long start;
        final long offset;
        final long size;
        final long end;

        Live(long handle, long start, long offset, long size) {
            this.handle = handle;
            this.start = start;
            this.offset = offset;
            this.size = size;
            this.end = offset + size;
        }
    }

    final BlockAllocator allocator;
    final Kind kind;
    final long capacity;
    private final TreeMap<Long, Live> byStart = new TreeMap<>();
    /** Live allocations in allocation order (oldest first), for FIFO/LIFO and random frees. */
    final ArrayList<Live> live = new ArrayList<>();
    private long used;
    /** Linear replay: every record not yet reclaimed, in allocation order; freed ones flagged. */
    private final ArrayList<long[]> linearRecords = new ArrayList<>();
    long operations;

    AllocatorModel(Kind kind, long capacity) {
        this.kind = kind;
        this.capacity = capacity;
        this.allocator = kind.create(capacity);
    }

    int liveCount() {
        return live.size();
    }

    /** Allocates through the allocator and checks the answer against the model. */
    long allocate(long size, long alignment, Object context) {
        operations++;
        // COMPLETE allocators may pick any fitting gap, so the scan is needed only on NO_SPACE.
        final boolean exact = kind.oracle != Oracle.COMPLETE;
        final long expected = exact ? expectedOffset(size, alignment) : 0;
        final long handle = allocator.allocate(size, alignment);
        if (handle == BlockAllocator.NO_SPACE) {
            final long hole = exact ? expected : expectedOffset(size, alignment);
            if (hole >= 0) {
                fail(context, "NO_SPACE for size " + size + " alignment " + alignment
                        + " although the model places it at " + hole);
            }
            check(context);
            return handle;
        }
        final long offset = allocator.offset(handle);
        final long padding = allocator.padding(handle);
        if (allocator.size(handle) != size) {
            fail(context, "size " + allocator.size(handle) + " != " + size);
        }
        if ((offset & (alignment - 1)) != 0) {
            fail(context, "offset " + offset + " not aligned to " + alignment);
        }
        if (padding < 0 || padding >= alignment || offset - padding < 0 || offset + size > capacity) {
            fail(context, "range [" + (offset - padding) + ", " + (offset + size) + ") with padding "
                    + padding + " outside [0, " + capacity + ") or padding >= alignment " + alignment);
        }
        final Live a = new Live(handle, offset - padding, offset, size);
        final Map.Entry<Long, Live> below = byStart.floorEntry(a.start);
        if (below != null && below.getValue().end > a.start) {
            fail(context, "[" + a.start + ", " + a.end + ") overlaps [" + below.getKey() + ", "
                    + below.getValue().end + ")");
        }
        final Map.Entry<Long, Live> above = byStart.ceilingEntry(a.start);
        if (above != null && above.getKey() < a.end) {
            fail(context, "[" + a.start + ", " + a.end + ") overlaps [" + above.getKey() + ", "
                    + above.getValue().end + ")");
        }
        if (exact && expected != offset) {
            fail(context, "size " + size + " alignment " + alignment + " placed at " + offset
                    + ", expected " + expected);
        }
        if (kind.oracle == Oracle.LINEAR_RING || kind.oracle == Oracle.LINEAR_STACK) {
            linearRecords.add(new long[] {a.start, a.end, 1, handle});
        }
        byStart.put(a.start, a);
        live.add(a);
        used += a.end - a.start;
        check(context);
        return handle;
    }

    /** Frees the live allocation at {@code index} of {@link #live}. */
    void free(int index, Object context) {
        operations++;
        final Live a = live.get(index);
        // Swap-remove keeps this O(1); linear allocators do not care about this list's order.
        final Live last = live.remove(live.size() - 1);
        if (index < live.size()) {
            live.set(index, last);
        }
        freeLive(a, context);
    }

    /** Frees the oldest live allocation (FIFO); keeps {@link #live} in allocation order. */
    void freeOldest(Object context) {
        operations++;
        freeLive(live.remove(0), context);
    }

    /** Frees the newest live allocation (LIFO). */
    void freeNewest(Object context) {
        operations++;
        freeLive(live.remove(live.size() - 1), context);
    }

    private void freeLive(Live a, Object context) {
        allocator.free(a.handle);
        byStart.remove(a.start);
        used -= a.end - a.start;
        if (!linearRecords.isEmpty()) {
            for (long[] r : linearRecords) {
                if (r[3] == a.handle && r[0] == a.start) {
                    r[2] = 0;
                    break;
                }
            }
            while (!linearRecords.isEmpty() && linearRecords.get(0)[2] == 0) {
                linearRecords.remove(0);
            }
            while (!linearRecords.isEmpty() && linearRecords.get(linearRecords.size() - 1)[2] == 0) {
                linearRecords.remove(linearRecords.size() - 1);
            }
        }
        if ((operations & 15) == 0) { // an exception costs microseconds: sample the double frees
            try {
                allocator.free(a.handle);
                fail(context, "double free of " + a.handle + " was not rejected");
            } catch (IllegalArgumentException expected) {
                // the stale handle is refused
            }
        }
        check(context);
    }

    /**
     * Frees the allocation at {@code index} and asks again for its size and alignment: an allocator
     * that never fails while a gap holds the request must succeed, since the freed range holds it.
     */
    void freeAndReuse(int index, Object context) {
        final Live a = live.get(index);
        final long alignment = Long.lowestOneBit(a.offset | Long.highestOneBit(capacity) << 1);
        final long size = a.size;
        free(index, context);
        final long h = allocate(size, alignment, context);
        if (h == BlockAllocator.NO_SPACE && kind.oracle != Oracle.LINEAR_RING
                && kind.oracle != Oracle.LINEAR_STACK) {
            fail(context, "freed range of " + size + " units at " + a.offset + " is not reusable");
        }
    }

    /** Frees everything through {@link BlockAllocator#clear()} and checks that old handles are stale. */
    void clear(Object context) {
        operations++;
        final Live any = live.isEmpty() ? null : live.get(0);
        allocator.clear();
        byStart.clear();
        live.clear();
        linearRecords.clear();
        used = 0;
        if (any != null) {
            try {
                allocator.offset(any.handle);
                fail(context, "handle " + any.handle + " still valid after clear()");
            } catch (IllegalArgumentException expected) {
                // stale after clear
            }
        }
        checkEmpty(context);
    }

    /** Asserts the allocator holds nothing and reports one free range of the whole capacity. */
    void checkEmpty(Object context) {
        check(context);
        final BlockStatistics s = allocator.statistics();
        if (s.allocationCount() != 0 || s.usedBytes() != 0 || s.freeRangeCount() != 1
                || s.largestFreeRange() != capacity || s.smallestFreeRange() != capacity) {
            fail(context, "empty allocator reports " + s);
        }
        if (kind.oracle != Oracle.LINEAR_RING && kind.oracle != Oracle.LINEAR_STACK) {
            final long h = allocator.allocate(capacity, 1);
            if (h == BlockAllocator.NO_SPACE || allocator.offset(h) != 0) {
                fail(context, "an empty allocator cannot take its whole capacity");
            }
            allocator.free(h);
        }
    }

    /** The cheap checks: counters against the model. */
    void check(Object context) {
        if (allocator.allocationCount() != live.size() || allocator.usedBytes() != used) {
            fail(context, "allocator reports " + allocator.allocationCount() + " allocations, "
                    + allocator.usedBytes() + " used; model " + live.size() + ", " + used);
        }
    }

    /** The walking checks: statistics against the model's gaps, and TLSF's own structure. */
    void checkDeep(Object context) {
        check(context);
        int gaps = 0;
        long largest = 0;
        long smallest = Long.MAX_VALUE;
        long cursor = 0;
        for (Live a : byStart.values()) {
            if (a.start > cursor) {
                gaps++;
                largest = Math.max(largest, a.start - cursor);
                smallest = Math.min(smallest, a.start - cursor);
            }
            cursor = a.end;
        }
        if (capacity > cursor) {
            gaps++;
            largest = Math.max(largest, capacity - cursor);
            smallest = Math.min(smallest, capacity - cursor);
        }
        if (gaps == 0) {
            smallest = 0;
        }
        final BlockStatistics s = allocator.statistics();
        if (s.capacity() != capacity || s.allocationCount() != live.size() || s.usedBytes() != used
                || s.freeBytes() != capacity - used || s.freeRangeCount() != gaps
                || s.largestFreeRange() != largest || s.smallestFreeRange() != smallest) {
            fail(context, "statistics " + s + " but the model has " + gaps + " gaps, largest " + largest
                    + ", smallest " + smallest + ", used " + used);
        }
        if (allocator instanceof TlsfAllocator tlsf) {
            if (tlsf.largestFreeRange() != largest) {
                fail(context, "largestFreeRange() " + tlsf.largestFreeRange() + " != " + largest);
            }
            try {
                tlsf.checkConsistency();
            } catch (IllegalStateException e) {
                fail(context, "TLSF structure: " + e.getMessage());
            }
        }
    }

    /**
     * The offset the model predicts, or -1 for NO_SPACE. COMPLETE: any fitting gap's offset (the
     * lowest), -1 if none. Linear: replays the cursor rule.
     */
    private long expectedOffset(long size, long alignment) {
        final long mask = alignment - 1;
        if (kind.oracle == Oracle.LINEAR_RING || kind.oracle == Oracle.LINEAR_STACK) {
            if (linearRecords.isEmpty()) {
                return size <= capacity ? 0 : -1;
            }
            final long[] oldest = linearRecords.get(0);
            final long[] newest = linearRecords.get(linearRecords.size() - 1);
            final long aligned = (newest[1] + mask) & ~mask;
            final long limit = newest[0] < oldest[0] ? oldest[0] : capacity;
            if (aligned + size <= limit) {
                return aligned;
            }
            if (limit == capacity && kind.oracle == Oracle.LINEAR_RING && size <= oldest[0]) {
                return 0;
            }
            return -1;
        }
        long cursor = 0;
        for (Live a : byStart.values()) {
            final long aligned = (cursor + mask) & ~mask;
            if (aligned + size <= a.start) {
                return aligned;
            }
            cursor = a.end;
        }
        final long aligned = (cursor + mask) & ~mask;
        return aligned + size <= capacity ? aligned : -1;
    }

    static void fail(Object context, String message) {
        throw new AssertionError(context + ": " + message);
    }
}
