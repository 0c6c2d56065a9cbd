package dev.lluvia.memory.alloc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lluvia.memory.alloc.AllocatorModel.Kind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Bad input is refused with an exception that names the value, and changes nothing. */
class BlockAllocatorArgumentsTest {

    @ParameterizedTest
    @EnumSource(Kind.class)
    void badRequestsNameTheValueAndChangeNothing(Kind kind) {
        final BlockAllocator allocator = kind.create(4096);
        final long live = allocator.allocate(100, 16);
        final BlockStatistics before = allocator.statistics();
        assertMessageContains("0", () -> allocator.allocate(0, 1));
        assertMessageContains("-5", () -> allocator.allocate(-5, 1));
        assertMessageContains("3", () -> allocator.allocate(8, 3));
        assertMessageContains("0", () -> allocator.allocate(8, 0));
        assertMessageContains("-16", () -> allocator.allocate(8, -16));
        assertEquals(before, allocator.statistics());
        assertEquals(100, allocator.size(live));
    }

    /**
     * Regression (issue 12): first fit rounded {@code start + alignment - 1}, which overflows near
     * {@code Long.MAX_VALUE}: it returned offset {@code Long.MIN_VALUE}, and freeing afterwards left
     * a free range of negative size. Every algorithm must answer NO_SPACE or a range inside the
     * capacity, and freeing everything must give back one free range of the whole capacity.
     */
    @ParameterizedTest
    @EnumSource(Kind.class)
    void hugeAlignmentsNearLongMaxValueNeverOverflow(Kind kind) {
        final long capacity = Long.MAX_VALUE;
        final long[][] requests = {
                {(1L << 62) + 1, 1}, {1, 1L << 62}, {3, 1}, {8, 1L << 62}, {1L << 62, 1L << 62},
                {1L << 61, 1L << 61}, {(1L << 62) - 9, 1}, {1, 1L << 62}, {Long.MAX_VALUE, 1}};
        final BlockAllocator allocator = kind.create(capacity);
        final java.util.List<Long> live = new java.util.ArrayList<>();
        for (long[] r : requests) {
            final long h = allocator.allocate(r[0], r[1]);
            if (h == BlockAllocator.NO_SPACE) {
                continue;
            }
            final long offset = allocator.offset(h);
            final String what = kind + " allocate(" + r[0] + ", " + r[1] + ") at " + offset;
            assertTrue(offset >= 0 && offset <= capacity - r[0], what + " is outside the capacity");
            assertEquals(0, offset & (r[1] - 1), what + " is not aligned");
            live.add(h);
        }
        if (kind == Kind.FIRST_FIT) {
            final BlockAllocator fresh = kind.create(capacity);
            fresh.allocate((1L << 62) + 1, 1);
            assertEquals(BlockAllocator.NO_SPACE, fresh.allocate(1, 1L << 62), "the issue's case");
        }
        for (long h : live) {
            allocator.free(h);
        }
        final BlockStatistics empty = allocator.statistics();
        assertEquals(0, empty.usedBytes(), kind + " " + empty);
        assertEquals(capacity, empty.largestFreeRange(), kind + " " + empty);
        assertEquals(1, empty.freeRangeCount(), kind + " " + empty);
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void doubleFreeAndForeignHandlesNameTheHandle(Kind kind) {
        final BlockAllocator allocator = kind.create(4096);
        final long keep = allocator.allocate(10, 1);
        final long h = allocator.allocate(10, 1);
        allocator.free(h);
        final BlockStatistics before = allocator.statistics();
        assertMessageContains(Long.toString(h), () -> allocator.free(h));
        assertMessageContains(Long.toString(h), () -> allocator.offset(h));
        assertMessageContains("-1", () -> allocator.free(BlockAllocator.NO_SPACE));
        assertMessageContains("123456789", () -> allocator.size(123456789L));
        assertEquals(before, allocator.statistics());
        assertEquals(0, allocator.offset(keep));
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void handlesAreStaleAfterClear(Kind kind) {
        final BlockAllocator allocator = kind.create(4096);
        final long h = allocator.allocate(10, 1);
        allocator.clear();
        assertMessageContains(Long.toString(h), () -> allocator.free(h));
        assertMessageContains(Long.toString(h), () -> allocator.size(h));
        assertMessageContains(Long.toString(h), () -> allocator.padding(h));
        final long again = allocator.allocate(10, 1);
        assertTrue(again != h, "a new allocation never reuses a cleared handle");
        assertMessageContains(Long.toString(h), () -> allocator.offset(h));
        assertEquals(1, allocator.allocationCount());
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void generationWrapsWithoutEverMakingANegativeHandle(Kind kind) throws ReflectiveOperationException {
        final BlockAllocator allocator = kind.create(64);
        allocator.free(allocator.allocate(8, 1)); // makes record 0 exist
        // Skip the 2^31 frees (TLSF: 2^30 allocations) it would take to reach the last generation.
        final long lastGeneration;
        if (allocator instanceof TlsfAllocator) {
            // TLSF's generation is one serial per allocator, 30 bits.
            final java.lang.reflect.Field field = TlsfAllocator.class.getDeclaredField("serial");
            field.setAccessible(true);
            field.setInt(allocator, TlsfAllocator.SERIAL_MASK);
            lastGeneration = TlsfAllocator.SERIAL_MASK;
        } else {
            // First fit and linear keep their generations in the shared slot table.
            ((SlotTable) allocator).generation[0] = Integer.MAX_VALUE;
            lastGeneration = Integer.MAX_VALUE;
        }
        final long last = allocator.allocate(8, 1);
        assertEquals(lastGeneration << 32, last, "the last generation, record 0");
        allocator.free(last);
        final long wrapped = allocator.allocate(8, 1);
        assertEquals(0L, wrapped, "the generation wraps to 0, not to a negative handle");
        assertMessageContains(Long.toString(last), () -> allocator.free(last));
        assertEquals(0, allocator.offset(wrapped));
    }

    @Test
    void capacityMustBePositive() {
        assertMessageContains("0", () -> new TlsfAllocator(0));
        assertMessageContains("-7", () -> new TlsfAllocator(-7, AllocationStrategy.MIN_MEMORY));
        assertMessageContains("-1", () -> new LinearAllocator(-1));
        assertMessageContains("0", () -> new FirstFitAllocator(0));
        for (AllocationAlgorithm algorithm : AllocationAlgorithm.values()) {
            assertMessageContains("-3", () -> algorithm.create(-3));
            assertNullNamed("strategy", () -> algorithm.create(10, null));
        }
        assertNullNamed("strategy", () -> new TlsfAllocator(10, null));
        assertNullNamed("mode", () -> new LinearAllocator(10, null));
    }

    @Test
    void tlsfIsTheDefaultAlgorithmAndStrategiesReachIt() {
        assertEquals(AllocationAlgorithm.TLSF, AllocationAlgorithm.values()[0]);
        assertInstanceOf(TlsfAllocator.class, AllocationAlgorithm.TLSF.create(10));
        assertInstanceOf(FirstFitAllocator.class, AllocationAlgorithm.FIRST_FIT.create(10, AllocationStrategy.MIN_TIME));
        assertInstanceOf(LinearAllocator.class, AllocationAlgorithm.LINEAR.create(10));
        assertEquals(AllocationStrategy.MIN_MEMORY,
                ((TlsfAllocator) AllocationAlgorithm.TLSF.create(10, AllocationStrategy.MIN_MEMORY)).strategy());
    }

    /** Null arguments are a NullPointerException naming the parameter, everywhere in the library. */
    private static void assertNullNamed(String parameter, org.junit.jupiter.api.function.Executable call) {
        assertEquals(parameter, assertThrows(NullPointerException.class, call).getMessage());
    }

    private static void assertMessageContains(String value, org.junit.jupiter.api.function.Executable call) {
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(value), "message \"" + e.getMessage() + "\" should name " + value);
    }
}
