package dev.lluvia.memory.benchmarks;

import dev.lluvia.memory.alloc.AllocationAlgorithm;
import dev.lluvia.memory.alloc.BlockAllocator;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
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

/**
 * How the cost of one free + allocate pair grows with the number of live allocations in a block:
 * TLSF should stay flat (O(1)); first fit grows with the number of free ranges, which random frees
 * make proportional to the live count.
 *
 * <p>Setup makes 1.5 x {@code liveAllocations} allocations of {@code 32 + rand % 992} units (the
 * sizes of VMA's algorithm benchmark), alignments {1, 16, 64, 256}, in a block 1.25 x their sum,
 * then frees a random third, so the block is fragmented (about one free range per two live
 * allocations) before measuring. Each
 * measured operation frees a random live allocation and allocates a new random size in its place;
 * the live count stays constant. If the new size does not fit, the old size is allocated again (it
 * always fits where it was freed), so the state never drifts.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class BlockAllocatorScalingBenchmark {

    private static final int RANDOM_TABLE = 1 << 16;
    private static final long[] ALIGNMENTS = {1, 16, 64, 256};

    /** Live allocations held in the block while measuring. */
    @Param({"1000", "100000", "1000000"})
    public int liveAllocations;

    /** An {@link AllocationAlgorithm} constant. */
    @Param({"TLSF", "FIRST_FIT"})
    public String algorithm;

    private BlockAllocator allocator;
    private long[] handles;
    private long[] sizes;
    private long[] alignments;
    // Pre-drawn random victims, sizes and alignments, so the measured loop draws no random numbers.
    private int[] victims;
    private long[] newSizes;
    private long[] newAlignments;
    private int cursor;

    @Setup(Level.Trial)
    public void fill() {
        final SplittableRandom rnd = new SplittableRandom(16223);
        final int n = liveAllocations;
        final int made = n + n / 2;
        final long[] madeSizes = new long[made];
        final long[] madeAlignments = new long[made];
        long sum = 0;
        for (int i = 0; i < made; i++) {
            madeSizes[i] = 32 + rnd.nextInt(992);
            madeAlignments[i] = ALIGNMENTS[rnd.nextInt(ALIGNMENTS.length)];
            sum += madeSizes[i] + madeAlignments[i];
        }
        allocator = AllocationAlgorithm.valueOf(algorithm).create(sum + sum / 4);
        final long[] madeHandles = new long[made];
        for (int i = 0; i < made; i++) {
            madeHandles[i] = allocateOrFail(madeSizes[i], madeAlignments[i]);
        }
        // Fragment: free a random third. In index (= address) order, so that first fit's sorted
        // free list grows at its end and setup stays O(n) for it too.
        final boolean[] freed = new boolean[made];
        for (int k = 0; k < made - n; ) {
            final int i = rnd.nextInt(made);
            if (!freed[i]) {
                freed[i] = true;
                k++;
            }
        }
        handles = new long[n];
        sizes = new long[n];
        alignments = new long[n];
        int live = 0;
        for (int i = 0; i < made; i++) {
            if (freed[i]) {
                allocator.free(madeHandles[i]);
            } else {
                handles[live] = madeHandles[i];
                sizes[live] = madeSizes[i];
                alignments[live] = madeAlignments[i];
                live++;
            }
        }
        victims = new int[RANDOM_TABLE];
        newSizes = new long[RANDOM_TABLE];
        newAlignments = new long[RANDOM_TABLE];
        for (int i = 0; i < RANDOM_TABLE; i++) {
            victims[i] = rnd.nextInt(n);
            newSizes[i] = 32 + rnd.nextInt(992);
            newAlignments[i] = ALIGNMENTS[rnd.nextInt(ALIGNMENTS.length)];
        }
    }

    private long allocateOrFail(long size, long alignment) {
        final long h = allocator.allocate(size, alignment);
        if (h == BlockAllocator.NO_SPACE) {
            throw new IllegalStateException(algorithm + ": setup could not place " + size + " units");
        }
        return h;
    }

    /** One free and one allocate at a constant live count; returns the new offset. */
    @Benchmark
    public long freeThenAllocate() {
        final int k = cursor;
        cursor = (k + 1) & (RANDOM_TABLE - 1);
        final int victim = victims[k];
        final BlockAllocator a = allocator;
        a.free(handles[victim]);
        long h = a.allocate(newSizes[k], newAlignments[k]);
        if (h == BlockAllocator.NO_SPACE) {
            h = a.allocate(sizes[victim], alignments[victim]);
        } else {
            sizes[victim] = newSizes[k];
            alignments[victim] = newAlignments[k];
        }
        handles[victim] = h;
        return a.offset(h);
    }
}
