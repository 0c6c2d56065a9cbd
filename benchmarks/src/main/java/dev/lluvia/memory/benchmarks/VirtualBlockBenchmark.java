package dev.lluvia.memory.benchmarks;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * VMA's virtual-block benchmark ({@code TestVirtualBlocksAlgorithmsBenchmark} in its
 * {@code src/Tests.cpp}), one {@code @Benchmark} per phase, every peer on the same sequence
 * ({@link Workloads#virtualBlock()}): allocate 7,200 sizes, 14,400 random operations, free all.
 *
 * <h2>How a phase is measured</h2>
 * One invocation runs a whole phase and counts as its number of operations
 * ({@code @OperationsPerInvocation}), so the score is ns per allocate or free. A phase starts from
 * the state the previous phases leave, which the {@code @Setup(Level.Invocation)} method rebuilds
 * outside the measured time: clear the block, then replay the earlier phases. JMH warns that
 * per-invocation setup distorts invocations of a few microseconds (timer reads and cache effects
 * of the setup); here one invocation is 7,200 to 14,400 calls, hundreds of microseconds, so the two
 * timer reads are below 0.1% - but the setup does leave the peer's metadata warm in cache, as it
 * would be in VMA's own loop, which runs the phases back to back.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 4, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(2)
public class VirtualBlockBenchmark {

    /** The workload and one peer; the phases' states extend it. */
    @State(Scope.Thread)
    public abstract static class Block {
        @Param({"1", "16", "64", "256"})
        public long alignment;

        @Param
        public Peer.Kind peer;

        Workloads.VirtualBlock workload;
        Peer allocator;
        /** The live handles, dense, as VMA's test keeps them in a vector. */
        long[] live;
        int liveCount;
        long sink;

        @Setup(Level.Trial)
        public void create() {
            workload = Workloads.virtualBlock();
            allocator = peer.create(workload.capacity);
            live = new long[Workloads.VIRTUAL_COUNT + Workloads.VIRTUAL_RANDOM_OPERATIONS];
        }

        @TearDown(Level.Trial)
        public void destroy() {
            allocator.close();
        }

        final void allocateAll() {
            final Peer a = allocator;
            final long[] sizes = workload.sizes;
            final long al = alignment;
            long s = 0;
            for (int i = 0; i < sizes.length; i++) {
                live[i] = a.allocate(sizes[i], al);
                s += a.offset;
            }
            liveCount = sizes.length;
            sink += s;
        }

        final void randomOperations() {
            final Peer a = allocator;
            final long[] ops = workload.randomOps;
            final long[] handles = live;
            final long al = alignment;
            int n = liveCount;
            long s = 0;
            for (int i = 0; i < ops.length; i++) {
                final long op = ops[i];
                if (op >= 0) {
                    handles[n++] = a.allocate(op, al);
                    s += a.offset;
                } else {
                    final int victim = (int) (-1 - op);
                    a.free(handles[victim]);
                    handles[victim] = handles[--n];
                }
            }
            liveCount = n;
            sink += s;
        }

        final void freeAll() {
            final Peer a = allocator;
            final long[] handles = live;
            for (int i = 0, n = liveCount; i < n; i++) {
                a.free(handles[i]);
            }
            liveCount = 0;
        }

        final void requireLive(int expected) {
            if (liveCount != expected || allocator.allocationCount() != expected) {
                throw new IllegalStateException(peer + ": " + liveCount + " live, expected " + expected);
            }
        }
    }

    /** Before allocate-all: an empty block. */
    public static class Empty extends Block {
        @Setup(Level.Invocation)
        public void empty() {
            allocator.clear();
            liveCount = 0;
        }
    }

    /** Before the random phase: the 7,200 allocations of the first phase. */
    public static class Filled extends Block {
        @Setup(Level.Invocation)
        public void fill() {
            allocator.clear();
            allocateAll();
        }
    }

    /** Before free-all: the first two phases done. */
    public static class Churned extends Block {
        @Setup(Level.Invocation)
        public void churn() {
            allocator.clear();
            allocateAll();
            randomOperations();
            requireLive(Workloads.VIRTUAL_LIVE_AFTER_RANDOM);
        }
    }

    /** Phase 1: 7,200 allocations into an empty block. */
    @Benchmark
    @OperationsPerInvocation(Workloads.VIRTUAL_COUNT)
    public long allocateAll(Empty state) {
        state.allocateAll();
        return state.sink;
    }

    /** Phase 2: 14,400 random allocations and frees. */
    @Benchmark
    @OperationsPerInvocation(Workloads.VIRTUAL_RANDOM_OPERATIONS)
    public long randomOperations(Filled state) {
        state.randomOperations();
        return state.sink;
    }

    /** Phase 3: free the 7,200 allocations left (the coin of seed 20092010 comes up 7,200 times each way). */
    @Benchmark
    @OperationsPerInvocation(Workloads.VIRTUAL_LIVE_AFTER_RANDOM)
    public long freeAll(Churned state) {
        state.freeAll();
        return state.sink;
    }
}
