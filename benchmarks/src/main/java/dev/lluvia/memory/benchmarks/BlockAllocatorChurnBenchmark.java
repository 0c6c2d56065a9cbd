package dev.lluvia.memory.benchmarks;

import dev.lluvia.memory.alloc.AllocationAlgorithm;
import dev.lluvia.memory.alloc.BlockAllocator;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * Steady-state churn of a block allocator: {@link #liveAllocations} allocations stay live, and each
 * operation frees a random one and allocates a new one in its place. This is what a long-running
 * Lluvia program does to a page, and it is where the cost of a first-fit scan grows with the number
 * of free ranges.
 *
 * <p>Sizes and alignments follow VMA's {@code Tests.cpp} algorithm benchmark: sizes
 * {@code 32 + rand % 992} bytes, alignments from {1, 16, 64, 256}, with VMA's generator
 * ({@code s = s * 196314165 + 907633515} in 32-bit arithmetic, {@code next = f() ^ (f() >>> 7)}).
 * Every size, alignment and victim is drawn before measuring, so the benchmark measures the
 * allocator and not the generator. The block holds twice the worst case of the live set, so a
 * request never fails for lack of bytes; a {@link BlockAllocator#NO_SPACE} aborts the run rather than
 * being measured as a fast path.
 *
 * <p>One operation = one {@code free} plus one {@code allocate}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class BlockAllocatorChurnBenchmark {

    /** Seed of VMA's algorithm benchmark. */
    private static final int SEED = 16223;
    /** Pre-drawn operations; a power of two so the cursor wraps with a mask. */
    private static final int OPERATIONS = 1 << 16;
    private static final int MAX_SIZE = 32 + 991;
    private static final int[] ALIGNMENTS = {1, 16, 64, 256};

    /** The block allocator measured; empty means every algorithm the core offers. */
    @Param
    public AllocationAlgorithm algorithm;

    /** Allocations live at any time. */
    @Param({"1000", "10000", "100000"})
    public int liveAllocations;

    private BlockAllocator allocator;
    private long[] handles;
    private long[] opSize;
    private long[] opAlignment;
    private int[] opVictim;
    private int cursor;

    /** Fills the block with the live set and draws the operations. */
    @Setup(Level.Trial)
    public void setUp() {
        final Random random = new Random(SEED);
        allocator = algorithm.create(2L * liveAllocations * (MAX_SIZE + ALIGNMENTS[ALIGNMENTS.length - 1]));
        handles = new long[liveAllocations];
        for (int i = 0; i < liveAllocations; i++) {
            handles[i] = allocateOrFail(random.size(), random.alignment());
        }
        opSize = new long[OPERATIONS];
        opAlignment = new long[OPERATIONS];
        opVictim = new int[OPERATIONS];
        for (int i = 0; i < OPERATIONS; i++) {
            opSize[i] = random.size();
            opAlignment[i] = random.alignment();
            opVictim[i] = Integer.remainderUnsigned(random.next(), liveAllocations);
        }
        cursor = 0;
    }

    /** Frees a random live allocation and allocates a new one; returns the handle so it is not dead code. */
    @Benchmark
    public long freeThenAllocate() {
        final int op = cursor;
        cursor = (op + 1) & (OPERATIONS - 1);
        final int victim = opVictim[op];
        allocator.free(handles[victim]);
        final long handle = allocateOrFail(opSize[op], opAlignment[op]);
        handles[victim] = handle;
        return handle;
    }

    private long allocateOrFail(long size, long alignment) {
        final long handle = allocator.allocate(size, alignment);
        if (handle == BlockAllocator.NO_SPACE) {
            throw new IllegalStateException(algorithm + " found no space for " + size + " bytes aligned to "
                    + alignment + " with " + allocator.allocationCount() + " live in " + allocator.capacity()
                    + " bytes: " + allocator.statistics());
        }
        return handle;
    }

    /** VMA's test generator, so the sequences match those of its own benchmarks. */
    static final class Random {
        private int state;

        Random(int seed) {
            this.state = seed;
        }

        private int step() {
            state = state * 196314165 + 907633515;
            return state;
        }

        /** One 32-bit draw, as VMA's {@code RandomNumberGenerator::Generate}. */
        int next() {
            return step() ^ (step() >>> 7);
        }

        long size() {
            return 32 + Integer.remainderUnsigned(next(), 992);
        }

        long alignment() {
            return ALIGNMENTS[Integer.remainderUnsigned(next(), ALIGNMENTS.length)];
        }
    }
}
