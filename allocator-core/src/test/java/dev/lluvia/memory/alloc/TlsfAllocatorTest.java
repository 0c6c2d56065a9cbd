package dev.lluvia.memory.alloc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The examples of {@link TlsfAllocator}'s class comment, its index math and its strategies. */
class TlsfAllocatorTest {

    @Test
    void indexMathMatchesTheWorkedExample() {
        assertEquals(2, TlsfAllocator.memoryClass(1000));
        assertEquals(30, TlsfAllocator.secondIndex(1000, 2));
        assertEquals(94, TlsfAllocator.listIndex(1000));
        assertEquals(94, TlsfAllocator.listIndex(992));
        assertEquals(95, TlsfAllocator.listIndex(1008));
        assertEquals(1016, TlsfAllocator.roundUpToNextList(1000));
        assertEquals(12, TlsfAllocator.listIndex(97));
        assertEquals(12, TlsfAllocator.listIndex(104));
        assertEquals(0, TlsfAllocator.listIndex(1));
        assertEquals(31, TlsfAllocator.listIndex(256));
        assertEquals(32, TlsfAllocator.listIndex(257));
        assertEquals(71, TlsfAllocator.listIndex(624));
    }

    @Test
    void listsAreOrderedAndRoundingUpAlwaysReachesALargerList() {
        int previous = 0;
        for (long size = 1; size <= 1 << 20; size++) {
            final int list = TlsfAllocator.listIndex(size);
            assertTrue(list == previous || list == previous + 1, "list of " + size + " jumps to " + list);
            assertEquals(list + 1, TlsfAllocator.listIndex(TlsfAllocator.roundUpToNextList(size)),
                    "rounding up " + size + " must reach the next list, as allocate's fit = list + 1 assumes");
            previous = list;
        }
        // Every size up to 2^62 maps inside the 56 classes that a long bitmap holds.
        final long huge = (1L << 62) + 12345;
        assertTrue(TlsfAllocator.memoryClass(huge) < 64);
        assertTrue(TlsfAllocator.roundUpToNextList(huge) > huge);
    }

    @Test
    void listIndexIsClassTimes32PlusSecondIndexForEverySize() {
        final java.util.function.LongConsumer check = size -> {
            final int cls = TlsfAllocator.memoryClass(size);
            assertEquals(cls * TlsfAllocator.SECOND_LEVEL_COUNT + TlsfAllocator.secondIndex(size, cls),
                    TlsfAllocator.listIndex(size), "list of size " + size);
        };
        for (long size = 1; size <= 1 << 20; size++) {
            check.accept(size);
        }
        final long seed = 24L;
        final java.util.SplittableRandom rnd = new java.util.SplittableRandom(seed);
        for (int i = 0; i < 1_000_000; i++) {
            check.accept(1 + (rnd.nextLong() >>> (1 + rnd.nextInt(63))));
        }
        for (int bit = 0; bit < 63; bit++) {
            check.accept(1L << bit);
            check.accept((1L << bit) + 1);
            check.accept(Math.max(1, (1L << bit) - 1));
        }
        check.accept(Long.MAX_VALUE);
    }

    @Test
    void listStartIsTheSmallestSizeOfEveryList() {
        // allocate and free decide "stays in its list" by one compare with these bounds.
        final int lists = TlsfAllocator.listIndex(Long.MAX_VALUE) + 1;
        for (int list = 0; list < lists; list++) {
            final long first = TlsfAllocator.listStart(list);
            assertEquals(list, TlsfAllocator.listIndex(first), "list of the start of list " + list);
            if (list > 0) {
                assertEquals(list - 1, TlsfAllocator.listIndex(first - 1), "list below the start of list " + list);
            }
        }
        assertEquals(1, TlsfAllocator.listStart(0));
        assertEquals(257, TlsfAllocator.listStart(32));
        assertEquals(992, TlsfAllocator.listStart(94));
        assertEquals(Long.MAX_VALUE, TlsfAllocator.listStart(lists), "the bound after the last list");
    }

    @Test
    void lastBlockTakesBackFreedRangesAcrossItsListBounds() {
        // Freeing backward grows the last block through many lists, and refilling part of the
        // block makes another block the last one: free's "stays in its list" shortcut must relink
        // the last block exactly when its list changes (checkConsistency finds a misfiled block).
        final long seed = 2412L;
        System.out.println("lastBlockTakesBackFreedRangesAcrossItsListBounds seed=" + seed);
        final java.util.SplittableRandom rnd = new java.util.SplittableRandom(seed);
        for (int round = 0; round < 60; round++) {
            final TlsfAllocator tlsf = new TlsfAllocator(1 + rnd.nextLong(1 << 20),
                    round % 2 == 0 ? AllocationStrategy.MIN_TIME : AllocationStrategy.MIN_MEMORY);
            final long[] handles = new long[512];
            int live = 0;
            for (int refill = 0; refill < 4; refill++) {
                live = fill(tlsf, handles, live, rnd, 1 + rnd.nextLong(1 << (1 + rnd.nextInt(14))), 4);
                final int keep = rnd.nextInt(live + 1);
                while (live > keep) {
                    tlsf.free(handles[--live]);
                    tlsf.checkConsistency();
                }
            }
        }
    }

    @Test
    void freeingBackwardIntoHolesRestoresThemExactly() {
        // A block a third full with random holes, filled and freed backward round after round:
        // most frees merge with a free next neighbour that is not the last block while the
        // previous one is taken (the tail a split left behind), free's shortest merge. Each round
        // must give back exactly the holes it found (same free ranges, same sizes).
        final long seed = 5240L;
        System.out.println("freeingBackwardIntoHolesRestoresThemExactly seed=" + seed);
        final java.util.SplittableRandom rnd = new java.util.SplittableRandom(seed);
        for (int trial = 0; trial < 40; trial++) {
            final long capacity = 4096 + rnd.nextLong(1 << 18);
            final TlsfAllocator tlsf = new TlsfAllocator(capacity,
                    trial % 2 == 0 ? AllocationStrategy.MIN_TIME : AllocationStrategy.MIN_MEMORY);
            final java.util.List<Long> prefill = new java.util.ArrayList<>();
            for (long used = 0; ; ) {
                final long size = 1 + rnd.nextLong(1024);
                if (used + size > capacity / 3) {
                    break;
                }
                prefill.add(tlsf.allocate(size, 1));
                used += size;
            }
            java.util.Collections.shuffle(prefill, new java.util.Random(rnd.nextLong()));
            for (int i = 0; i < prefill.size() / 2; i++) {
                tlsf.free(prefill.get(i));
            }
            tlsf.checkConsistency();
            final BlockStatistics before = tlsf.statistics();
            for (int round = 0; round < 3; round++) {
                final long[] handles = new long[200];
                int live = fill(tlsf, handles, 0, rnd, 1024, 3);
                while (live > 0) {
                    tlsf.free(handles[--live]);
                    tlsf.checkConsistency();
                }
                assertEquals(before, tlsf.statistics(), "trial " + trial + " round " + round);
            }
        }
    }

    /**
     * Allocates sizes 1..maxSize with alignments 1..2^(alignments - 1) into {@code handles} from
     * {@code live} on, until it is full or the allocator has no space; returns the new count.
     */
    private static int fill(TlsfAllocator tlsf, long[] handles, int live, java.util.SplittableRandom rnd,
            long maxSize, int alignments) {
        while (live < handles.length) {
            final long h = tlsf.allocate(1 + rnd.nextLong(maxSize), 1L << rnd.nextInt(alignments));
            if (h == BlockAllocator.NO_SPACE) {
                break;
            }
            handles[live++] = h;
        }
        return live;
    }

    @Test
    void firstBlockMergesWithAFreeNextNeighbour() {
        final TlsfAllocator tlsf = new TlsfAllocator(1024);
        final long a = tlsf.allocate(100, 1);
        final long b = tlsf.allocate(200, 1);
        final long c = tlsf.allocate(300, 1);
        tlsf.free(b);
        tlsf.free(a); // the first block, its next neighbour free and not the last block
        tlsf.checkConsistency();
        final BlockStatistics s = tlsf.statistics();
        assertEquals(2, s.freeRangeCount());
        assertEquals(300, s.smallestFreeRange());
        assertEquals(424, s.largestFreeRange());
        assertEquals(300, tlsf.offset(c));
        tlsf.free(c);
        tlsf.checkConsistency();
        assertEquals(1, tlsf.statistics().freeRangeCount());
    }

    @Test
    void picturedBlockSplitsAndMerges() {
        final TlsfAllocator tlsf = new TlsfAllocator(1024);
        final long a = tlsf.allocate(96, 1);
        final long x = tlsf.allocate(16, 1);
        final long b = tlsf.allocate(288, 1);
        assertEquals(0, tlsf.offset(a));
        assertEquals(96, tlsf.offset(x));
        assertEquals(112, tlsf.offset(b));
        tlsf.free(x);
        BlockStatistics s = tlsf.statistics();
        assertEquals(2, s.freeRangeCount());
        assertEquals(624, s.largestFreeRange());
        assertEquals(16, s.smallestFreeRange());
        assertEquals(624, tlsf.largestFreeRange());
        tlsf.checkConsistency();
        tlsf.free(b);
        s = tlsf.statistics();
        assertEquals(1, s.freeRangeCount());
        assertEquals(928, s.largestFreeRange());
        assertEquals(96, s.usedBytes());
        tlsf.checkConsistency();
    }

    @Test
    void alignmentPaddingIsKeptInsideTheAllocationUntilItIsFreed() {
        final TlsfAllocator tlsf = new TlsfAllocator(1024, AllocationStrategy.MIN_MEMORY);
        tlsf.allocate(1, 1);
        final long aligned = tlsf.allocate(10, 256);
        assertEquals(256, tlsf.offset(aligned));
        assertEquals(255, tlsf.padding(aligned), "units 1..255 belong to the aligned allocation");
        assertEquals(10, tlsf.size(aligned));
        assertEquals(266, tlsf.usedBytes(), "the padding is counted as used");
        assertEquals(1, tlsf.statistics().freeRangeCount(), "no free range is split off");
        final long after = tlsf.allocate(255, 1);
        assertEquals(266, tlsf.offset(after), "the padding is not reusable while its allocation lives");
        tlsf.checkConsistency();
        tlsf.free(aligned);
        assertEquals(256, tlsf.usedBytes());
        assertEquals(1, tlsf.offset(tlsf.allocate(255, 1)), "freed with its allocation, the padding is reused");
        tlsf.checkConsistency();
    }

    @Test
    void paddingOfTwoToThe32UnitsOrMoreIsSplitOff() {
        final TlsfAllocator tlsf = new TlsfAllocator(1L << 40);
        tlsf.allocate(1, 1);
        final long far = tlsf.allocate(7, 1L << 35);
        assertEquals(1L << 35, tlsf.offset(far));
        assertEquals(0, tlsf.padding(far), "too large to keep: split off as a free range");
        assertEquals(7, tlsf.size(far));
        assertEquals(8, tlsf.usedBytes());
        assertEquals(2, tlsf.statistics().freeRangeCount());
        assertEquals(1, tlsf.offset(tlsf.allocate(1000, 1)), "the split padding is reusable");
        tlsf.checkConsistency();
        tlsf.free(far);
        assertEquals(1001, tlsf.usedBytes());
        tlsf.checkConsistency();
    }

    @Test
    void strategiesPickDifferentRanges() {
        // Free ranges of 255 units at 1 and 758 units at 266.
        final long[] offsets = new long[3];
        for (AllocationStrategy strategy : AllocationStrategy.values()) {
            final TlsfAllocator tlsf = new TlsfAllocator(1024, strategy);
            tlsf.allocate(1, 1);
            final long hole = tlsf.allocate(255, 1);
            tlsf.allocate(10, 1);
            tlsf.free(hole);
            offsets[strategy.ordinal()] = tlsf.offset(tlsf.allocate(250, 1));
        }
        assertEquals(266, offsets[AllocationStrategy.MIN_TIME.ordinal()],
                "MIN_TIME: lists from list(257) up hold only ranges that fit 250, so the 758-unit range");
        assertEquals(1, offsets[AllocationStrategy.MIN_MEMORY.ordinal()],
                "MIN_MEMORY searches the request's own size class first");
        assertEquals(1, offsets[AllocationStrategy.MIN_OFFSET.ordinal()]);
    }

    @Test
    void minOffsetTakesTheLowestRangeEvenWhenLarger() {
        final TlsfAllocator tlsf = new TlsfAllocator(10_000, AllocationStrategy.MIN_OFFSET);
        final long big = tlsf.allocate(5000, 1);
        final long sep = tlsf.allocate(10, 1);
        final long small = tlsf.allocate(100, 1);
        tlsf.allocate(10, 1);
        tlsf.free(big);
        tlsf.free(small);
        assertNotEquals(sep, big);
        assertEquals(0, tlsf.offset(tlsf.allocate(50, 1)));
    }

    @Test
    void minTimeStillFindsARangeThatOnlyFitsOnceAligned() {
        // The only free range is 300 units at 100: no list guarantees a fit for 200 units aligned
        // to 128, but the range holds it at 128, so the fallback search must find it.
        final TlsfAllocator tlsf = new TlsfAllocator(400);
        final long head = tlsf.allocate(100, 1);
        final long h = tlsf.allocate(200, 128);
        assertNotEquals(BlockAllocator.NO_SPACE, h);
        assertEquals(128, tlsf.offset(h));
        assertEquals(0, tlsf.offset(head));
        tlsf.checkConsistency();
    }

    @Test
    void alignmentLargerThanTheBlockFitsOnlyAtZero() {
        final TlsfAllocator tlsf = new TlsfAllocator(1000);
        final long h = tlsf.allocate(10, 1L << 40);
        assertEquals(0, tlsf.offset(h));
        assertEquals(BlockAllocator.NO_SPACE, tlsf.allocate(10, 1L << 40));
    }

    @Test
    void handleCarriesGenerationAndBlockId() {
        final TlsfAllocator tlsf = new TlsfAllocator(64);
        final long first = tlsf.allocate(64, 1);
        assertEquals(0L, first, "serial 0, block 0");
        tlsf.free(first);
        final long second = tlsf.allocate(64, 1);
        assertEquals(1L << 32, second, "same block, serial 1");
        assertThrows(IllegalArgumentException.class, () -> tlsf.offset(first));
        assertEquals(0, tlsf.offset(second));
    }

    @Test
    void defaultStrategyIsMinTime() {
        assertEquals(AllocationStrategy.MIN_TIME, new TlsfAllocator(1).strategy());
        assertEquals(AllocationStrategy.MIN_TIME,
                ((TlsfAllocator) AllocationAlgorithm.TLSF.create(1)).strategy());
    }
}
