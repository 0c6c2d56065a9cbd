package dev.lluvia.memory.benchmarks;

/**
 * The size sequences of VMA's {@code src/Tests.cpp} benchmarks, drawn once with {@link VmaRandom}
 * and shared by every peer, so VMA and ours place exactly the same requests in the same order.
 * Nothing here runs inside a measured method: the benchmarks only read these arrays.
 */
public final class Workloads {

    private Workloads() {
    }

    /** Alignments of the virtual-block benchmark. */
    static final long[] ALIGNMENTS = {1, 16, 64, 256};

    // ---- virtual-block benchmark (TestVirtualBlocksAlgorithmsBenchmark) --------------------------

    static final int VIRTUAL_SEED = 20092010;
    static final int VIRTUAL_COUNT = 7_200;
    static final int VIRTUAL_MAX_SIZE = 2_056;
    static final int VIRTUAL_RANDOM_OPERATIONS = 14_400;
    /**
     * Allocations live after the random phase, so the free-all phase frees this many; a constant
     * because JMH's {@code @OperationsPerInvocation} needs one. {@link VirtualBlock} checks it.
     */
    static final int VIRTUAL_LIVE_AFTER_RANDOM = 7_200;

    /** The virtual-block benchmark's sequence; see {@link #virtualBlock()}. */
    static final class VirtualBlock {
        /** Sizes of the allocate-all phase, in order. */
        final long[] sizes;
        /** Block size: 2.5 x the sum of {@link #sizes}, as VMA's test makes it. */
        final long capacity;
        /**
         * The random phase: {@code op >= 0} allocates {@code op} units and appends the allocation to
         * the live array; {@code op < 0} frees live entry {@code -1 - op} and moves the last live
         * entry into its slot (so indices stay dense, as a {@code std::vector} swap-and-pop).
         */
        final long[] randomOps;

        VirtualBlock(long[] sizes, long capacity, long[] randomOps) {
            this.sizes = sizes;
            this.capacity = capacity;
            this.randomOps = randomOps;
        }
    }

    /**
     * Seed 20092010: 7,200 sizes {@code rand % 2056 + 1}; block 2.5 x their sum; then 14,400
     * random operations, each a coin flip {@code rand % 2}: 0 allocates {@code rand % 2056 + 1}
     * units, 1 frees live entry {@code rand % live} (an allocation when none is live).
     */
    static VirtualBlock virtualBlock() {
        final VmaRandom rand = new VmaRandom(VIRTUAL_SEED);
        final long[] sizes = new long[VIRTUAL_COUNT];
        long sum = 0;
        for (int i = 0; i < VIRTUAL_COUNT; i++) {
            sizes[i] = rand.nextBelow(VIRTUAL_MAX_SIZE) + 1;
            sum += sizes[i];
        }
        final long capacity = (long) (sum * 2.5);
        final long[] ops = new long[VIRTUAL_RANDOM_OPERATIONS];
        int live = VIRTUAL_COUNT;
        for (int i = 0; i < ops.length; i++) {
            if (rand.nextBelow(2) == 0 || live == 0) {
                ops[i] = rand.nextBelow(VIRTUAL_MAX_SIZE) + 1;
                live++;
            } else {
                ops[i] = -1 - rand.nextBelow(live);
                live--;
            }
        }
        if (live != VIRTUAL_LIVE_AFTER_RANDOM) {
            throw new IllegalStateException("random phase leaves " + live + " live, constant says "
                    + VIRTUAL_LIVE_AFTER_RANDOM);
        }
        return new VirtualBlock(sizes, capacity, ops);
    }

    // ---- algorithm benchmark (BenchmarkAlgorithms) ----------------------------------------------

    static final int ALGORITHM_SEED = 16223;
    static final long ALGORITHM_CAPACITY = 10_240_000;
    static final int ALGORITHM_ROUNDS = 10;
    static final int ALGORITHM_COUNT = 3_333;
    /** Operations in one measured pass: every round allocates and frees its 3,333 allocations. */
    static final int ALGORITHM_OPERATIONS = ALGORITHM_ROUNDS * ALGORITHM_COUNT * 2;

    /** The order in which a round of the algorithm benchmark frees its allocations. */
    public enum FreeOrder { FORWARD, BACKWARD, RANDOM }

    /** The algorithm benchmark's sequence; see {@link #algorithm}. */
    static final class Algorithm {
        /** Pre-fill: sizes allocated before measuring (empty when not pre-filled). */
        final long[] prefillSizes;
        /** Pre-fill: indices into {@link #prefillSizes} freed again before measuring. */
        final int[] prefillFrees;
        /** Per round, the sizes it allocates: {@code sizes[round * COUNT + i]}. */
        final long[] sizes;
        /** Per round, the order it frees them in: indices into the round's allocations. */
        final int[] freeOrder;

        Algorithm(long[] prefillSizes, int[] prefillFrees, long[] sizes, int[] freeOrder) {
            this.prefillSizes = prefillSizes;
            this.prefillFrees = prefillFrees;
            this.sizes = sizes;
            this.freeOrder = freeOrder;
        }
    }

    /**
     * Seed 16223, sizes {@code 32 + rand % 992} in a 10,240,000-byte block. Pre-filled: sizes are
     * drawn until they fill a third of the block, then a random half of them is freed (each pick
     * {@code rand % remaining}, swap-and-pop), leaving holes. Then 10 rounds of 3,333 sizes, each
     * freed in the given order (random: a Fisher-Yates shuffle driven by the same generator).
     */
    static Algorithm algorithm(boolean prefilled, FreeOrder order) {
        final VmaRandom rand = new VmaRandom(ALGORITHM_SEED);
        long[] prefill = new long[0];
        int[] prefillFrees = new int[0];
        if (prefilled) {
            final long third = ALGORITHM_CAPACITY / 3;
            long[] grow = new long[1024];
            int n = 0;
            long sum = 0;
            while (true) {
                final long s = 32 + rand.nextBelow(992);
                if (sum + s > third) {
                    break;
                }
                if (n == grow.length) {
                    grow = java.util.Arrays.copyOf(grow, n * 2);
                }
                grow[n++] = s;
                sum += s;
            }
            prefill = java.util.Arrays.copyOf(grow, n);
            final int[] remaining = new int[n];
            for (int i = 0; i < n; i++) {
                remaining[i] = i;
            }
            prefillFrees = new int[n / 2];
            int left = n;
            for (int k = 0; k < prefillFrees.length; k++) {
                final int pick = rand.nextBelow(left);
                prefillFrees[k] = remaining[pick];
                remaining[pick] = remaining[--left];
            }
        }
        final long[] sizes = new long[ALGORITHM_ROUNDS * ALGORITHM_COUNT];
        final int[] freeOrder = new int[ALGORITHM_ROUNDS * ALGORITHM_COUNT];
        for (int round = 0; round < ALGORITHM_ROUNDS; round++) {
            final int base = round * ALGORITHM_COUNT;
            for (int i = 0; i < ALGORITHM_COUNT; i++) {
                sizes[base + i] = 32 + rand.nextBelow(992);
                freeOrder[base + i] = order == FreeOrder.BACKWARD ? ALGORITHM_COUNT - 1 - i : i;
            }
            if (order == FreeOrder.RANDOM) {
                for (int i = ALGORITHM_COUNT - 1; i > 0; i--) {
                    final int j = rand.nextBelow(i + 1);
                    final int t = freeOrder[base + i];
                    freeOrder[base + i] = freeOrder[base + j];
                    freeOrder[base + j] = t;
                }
            }
        }
        return new Algorithm(prefill, prefillFrees, sizes, freeOrder);
    }

    /**
     * The GPU-level benchmarks' buffer sizes ({@code GpuBenchmark}, {@code ThreadBenchmark}): 4 KiB
     * to 256 KiB in powers of two plus up to 4 KiB more, so none is a round number; VMA's generator
     * with seed {@value #ALGORITHM_SEED}, so every run and every peer sees the same sequence.
     */
    static long[] gpuBufferSizes(int count) {
        final long[] sizes = new long[count];
        final VmaRandom rand = new VmaRandom(ALGORITHM_SEED);
        for (int i = 0; i < count; i++) {
            sizes[i] = 4096L << rand.nextBelow(7);
            sizes[i] += rand.nextBelow(4096);
        }
        return sizes;
    }
}
