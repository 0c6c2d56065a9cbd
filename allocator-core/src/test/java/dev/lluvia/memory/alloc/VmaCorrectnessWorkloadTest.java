package dev.lluvia.memory.alloc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.lluvia.memory.alloc.AllocatorModel.Kind;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The correctness workload of VMA's {@code src/Tests.cpp} for its block algorithms: a block of
 * 2^11 units filled by one allocation; then for {@code L = 11 .. 1}, free a random allocation of
 * 2^L units and allocate two of 2^(L-1). The only hole is always the range just freed, so an
 * allocator that splits correctly ends with the block exactly full. Linear allocators are left out:
 * their out-of-order frees are not reusable by design.
 */
class VmaCorrectnessWorkloadTest {

    private static final int LEVELS = 11;
    private static final long CAPACITY = 1L << LEVELS;

    @ParameterizedTest
    @EnumSource(value = Kind.class, names = {"TLSF_MIN_TIME", "TLSF_MIN_MEMORY", "TLSF_MIN_OFFSET", "FIRST_FIT"})
    void splittingInHalvesEndsExactlyFull(Kind kind) {
        for (long seed = 1; seed <= 50; seed++) {
            for (boolean naturalAlignment : new boolean[] {false, true}) {
                runOnce(kind, seed, naturalAlignment);
            }
        }
    }

    private static void runOnce(Kind kind, long seed, boolean naturalAlignment) {
        final String where = kind + " seed " + seed + (naturalAlignment ? " aligned to size" : " unaligned");
        final SplittableRandom rnd = new SplittableRandom(seed);
        final BlockAllocator allocator = kind.create(CAPACITY);
        final List<List<Long>> bySize = new ArrayList<>();
        for (int l = 0; l <= LEVELS; l++) {
            bySize.add(new ArrayList<>());
        }
        final long first = allocator.allocate(CAPACITY, naturalAlignment ? CAPACITY : 1);
        assertNotEquals(BlockAllocator.NO_SPACE, first, where);
        bySize.get(LEVELS).add(first);
        for (int l = LEVELS; l >= 1; l--) {
            final List<Long> candidates = bySize.get(l);
            final long victim = candidates.remove(rnd.nextInt(candidates.size()));
            allocator.free(victim);
            final long half = 1L << (l - 1);
            for (int k = 0; k < 2; k++) {
                final long h = allocator.allocate(half, naturalAlignment ? half : 1);
                assertNotEquals(BlockAllocator.NO_SPACE, h, where + ": NO_SPACE for 2^" + (l - 1) + " at level " + l);
                assertEquals(0, allocator.offset(h) % (naturalAlignment ? half : 1), where);
                bySize.get(l - 1).add(h);
            }
        }
        long sum = 0;
        int count = 0;
        for (List<Long> handles : bySize) {
            for (long h : handles) {
                sum += allocator.size(h) + allocator.padding(h);
                count++;
            }
        }
        assertEquals(CAPACITY, sum, where + ": allocation sizes sum to the capacity");
        assertEquals(CAPACITY, allocator.usedBytes(), where);
        assertEquals(count, allocator.allocationCount(), where);
        final BlockStatistics s = allocator.statistics();
        assertEquals(0, s.freeRangeCount(), where + ": " + s);
        assertEquals(BlockAllocator.NO_SPACE, allocator.allocate(1, 1), where + ": a full block takes nothing more");
    }
}
