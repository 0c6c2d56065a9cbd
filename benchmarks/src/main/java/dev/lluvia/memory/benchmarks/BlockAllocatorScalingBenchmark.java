package dev.lluvia.memory.benchmarks;

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
import org.openjdk.jmh.annotations.TearDown;
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
 * the live count stays constant. The block has room to spare (1.25 x the sum of the sizes made),
 * so a request never fails; one that did would abort the run.
 *
 * <h2>Two kinds of victim</h2>
 * <ul>
 *   <li>{@link Victims#RANDOM}: any live allocation. With 1M live, the block records of the victim
 *       and of its neighbours are almost never in cache, so each operation pays a few DRAM
 *       misses (about 100 ns each) whatever the algorithm: this measures the memory system as much
 *       as the allocator.</li>
 *   <li>{@link Victims#RECENT}: one of the 1,024 most recently allocated slots (the last ones made
 *       at setup, then whatever replaced them). This is how a frame loop churns a page (per-frame
 *       temporaries on top of a large resident set), and it measures the algorithm: its working
 *       set stays in cache however many allocations are live elsewhere.</li>
 * </ul>
 * VMA's virtual block runs the same sequence, as do our TLSF and first fit.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(2)
public class BlockAllocatorScalingBenchmark {

    private static final int RANDOM_TABLE = 1 << 16;
    private static final long[] ALIGNMENTS = {1, 16, 64, 256};

    /** Live allocations held in the block while measuring. */
    @Param({"1000", "100000", "1000000"})
    public int liveAllocations;

    /** The allocator measured. */
    @Param({"TLSF_MIN_TIME", "FIRST_FIT", "VMA_MIN_TIME"})
    public Peer.Kind peer;

    /** Which live allocations the churn frees. */
    @Param
    public Victims victims;

    /** Which live allocations the churn frees; see the class comment. */
    public enum Victims { RANDOM, RECENT }

    /** Size of the hot set of {@link Victims#RECENT}. */
    private static final int RECENT = 1024;

    private Peer allocator;
    private long[] handles;
    // Pre-drawn random victims, sizes and alignments, so the measured loop draws no random numbers.
    private int[] victimSlots;
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
        allocator = peer.create(sum + sum / 4);
        final long[] madeHandles = new long[made];
        for (int i = 0; i < made; i++) {
            madeHandles[i] = allocator.allocate(madeSizes[i], madeAlignments[i]);
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
        int live = 0;
        for (int i = 0; i < made; i++) {
            if (freed[i]) {
                allocator.free(madeHandles[i]);
            } else {
                handles[live] = madeHandles[i];
                live++;
            }
        }
        victimSlots = new int[RANDOM_TABLE];
        final int hot = Math.min(n, RECENT);
        newSizes = new long[RANDOM_TABLE];
        newAlignments = new long[RANDOM_TABLE];
        for (int i = 0; i < RANDOM_TABLE; i++) {
            victimSlots[i] = victims == Victims.RANDOM ? rnd.nextInt(n) : n - 1 - rnd.nextInt(hot);
            newSizes[i] = 32 + rnd.nextInt(992);
            newAlignments[i] = ALIGNMENTS[rnd.nextInt(ALIGNMENTS.length)];
        }
    }

    @TearDown(Level.Trial)
    public void destroy() {
        allocator.close();
    }

    /** One free and one allocate at a constant live count; returns the new offset. */
    @Benchmark
    public long freeThenAllocate() {
        final int k = cursor;
        cursor = (k + 1) & (RANDOM_TABLE - 1);
        final int victim = victimSlots[k];
        final Peer a = allocator;
        a.free(handles[victim]);
        handles[victim] = a.allocate(newSizes[k], newAlignments[k]);
        return a.offset;
    }
}
