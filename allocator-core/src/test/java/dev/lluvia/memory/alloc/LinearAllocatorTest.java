package dev.lluvia.memory.alloc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The placement rules and out-of-order behaviour stated in {@link LinearAllocator}'s comment. */
class LinearAllocatorTest {

    private static final long NO_SPACE = BlockAllocator.NO_SPACE;

    @Test
    void stackPlacesAfterTheNewestAndKeepsThePadding() {
        final LinearAllocator stack = new LinearAllocator(100, LinearAllocator.Mode.STACK);
        final long a = stack.allocate(10, 1);
        final long b = stack.allocate(5, 16);
        assertEquals(0, stack.offset(a));
        assertEquals(16, stack.offset(b));
        assertEquals(6, stack.padding(b), "units 10..15 belong to b until it is freed");
        assertEquals(21, stack.usedBytes());
        stack.free(b);
        assertEquals(10, stack.offset(stack.allocate(3, 1)), "freeing the newest moves the cursor back");
    }

    @Test
    void stackReusesTheBottomOnlyOnceEmpty() {
        final LinearAllocator stack = new LinearAllocator(100, LinearAllocator.Mode.STACK);
        final long a = stack.allocate(60, 1);
        final long b = stack.allocate(30, 1);
        stack.free(a);
        assertEquals(30, stack.usedBytes());
        assertEquals(NO_SPACE, stack.allocate(20, 1), "a stack does not wrap into the freed bottom");
        stack.free(b);
        assertEquals(0, stack.offset(stack.allocate(100, 1)), "empty: the cursor is back at 0");
    }

    @Test
    void ringWrapsAroundWhenTheOldestAreFreed() {
        final LinearAllocator ring = new LinearAllocator(100, LinearAllocator.Mode.RING);
        final long a = ring.allocate(40, 1);
        final long b = ring.allocate(40, 1);
        ring.free(a);
        final long c = ring.allocate(30, 1);
        assertEquals(0, ring.offset(c), "20 units left at the end, so it wraps to 0");
        final long d = ring.allocate(10, 1);
        assertEquals(30, ring.offset(d));
        assertEquals(NO_SPACE, ring.allocate(1, 1), "wrapped: room only up to the oldest, b at 40");
        ring.free(b);
        assertEquals(40, ring.offset(ring.allocate(60, 1)), "b reclaimed: c is the oldest, no longer wrapped");
    }

    @Test
    void ringOutOfOrderFreeKeepsItsUnitsUntilTheOlderOnesAreFreed() {
        final LinearAllocator ring = new LinearAllocator(100);
        final long a = ring.allocate(30, 1);
        final long b = ring.allocate(30, 1);
        ring.allocate(30, 1);
        ring.free(b);
        assertEquals(60, ring.usedBytes());
        assertEquals(2, ring.statistics().freeRangeCount(), "b's hole is reported as free");
        assertEquals(NO_SPACE, ring.allocate(20, 1), "but it is not reusable while a is live");
        ring.free(a);
        assertEquals(0, ring.offset(ring.allocate(60, 1)), "a and b reclaimed together");
    }

    @Test
    void linearAlgorithmIsARing() {
        final BlockAllocator linear = AllocationAlgorithm.LINEAR.create(10);
        assertEquals(LinearAllocator.Mode.RING, ((LinearAllocator) linear).mode());
    }
}
