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
 * VMA's algorithm benchmark ({@code BenchmarkAlgorithms} in {@code src/Tests.cpp}): in a
 * 10,240,000-byte block, 10 rounds of 3,333 allocations of {@code 32 + rand % 992} bytes, each round
 * then freeing them forward, backward or in random order; on an empty block or a pre-filled one (a
 * third filled, half of that freed at random). Alignment 1, as VMA's virtual variant.
 *
 * <p>One invocation is all 10 rounds, 66,660 operations (allocates and frees together), and leaves
 * the block as it found it (empty, or the pre-fill), so no per-invocation setup is needed.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 4, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(2)
public class AlgorithmBenchmark {

    @Param({"false", "true"})
    public boolean prefilled;

    @Param
    public Workloads.FreeOrder freeOrder;

    @Param
    public Peer.Kind peer;

    private Workloads.Algorithm workload;
    private Peer allocator;
    private final long[] round = new long[Workloads.ALGORITHM_COUNT];

    @Setup(Level.Trial)
    public void create() {
        workload = Workloads.algorithm(prefilled, freeOrder);
        allocator = peer.create(Workloads.ALGORITHM_CAPACITY);
        final long[] prefill = new long[workload.prefillSizes.length];
        for (int i = 0; i < prefill.length; i++) {
            prefill[i] = allocator.allocate(workload.prefillSizes[i], 1);
        }
        for (int i : workload.prefillFrees) {
            allocator.free(prefill[i]);
        }
    }

    @TearDown(Level.Trial)
    public void destroy() {
        allocator.close();
    }

    /** The 10 rounds. */
    @Benchmark
    @OperationsPerInvocation(Workloads.ALGORITHM_OPERATIONS)
    public long rounds() {
        final Peer a = allocator;
        final long[] sizes = workload.sizes;
        final int[] order = workload.freeOrder;
        final long[] handles = round;
        final int count = Workloads.ALGORITHM_COUNT;
        long s = 0;
        for (int r = 0; r < Workloads.ALGORITHM_ROUNDS; r++) {
            final int base = r * count;
            for (int i = 0; i < count; i++) {
                handles[i] = a.allocate(sizes[base + i], 1);
                s += a.offset;
            }
            for (int i = 0; i < count; i++) {
                a.free(handles[order[base + i]]);
            }
        }
        return s;
    }
}
