package dev.lluvia.memory.alloc;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lluvia.memory.alloc.AllocatorModel.Kind;
import dev.lluvia.memory.alloc.AllocatorModel.Oracle;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Seeded random workloads against {@link AllocatorModel}, for every block allocator: random sizes
 * (mostly small, a few up to a quarter of the block), alignments 1 to 2^16, phases that fill and
 * drain the block, random, FIFO and LIFO free orders, {@code clear()} and free-everything.
 *
 * <p>What is asserted, by algorithm (see {@link Oracle}): for all, no overlap, alignment, inside
 * the block, size, counters and statistics equal to the model, double frees and stale handles
 * refused, one full free range once empty. TLSF (every strategy) and first fit never answer
 * NO_SPACE while a gap can hold the aligned request; first fit and TLSF MIN_OFFSET place exactly at
 * the lowest such gap; linear allocators place exactly where a simple replay of the cursor rule says.
 *
 * <p>{@code -Dlluvia.longTests=true} runs 20 times the seeds; {@code -Dlluvia.seed=N} changes the
 * base seed. A failure message starts with {@code kind=..., seed=..., step=...}: rerun that seed
 * with {@link #runWorkload} to replay it.
 */
class BlockAllocatorModelTest {

    static final boolean LONG_TESTS = Boolean.getBoolean("lluvia.longTests");
    static final long BASE_SEED = Long.getLong("lluvia.seed", 0x1_1F1A_2026L);
    private static final int SEEDS = LONG_TESTS ? 80 : 4;
    private static final int STEPS = 100_000;
    private static final long[] CAPACITIES = {1 << 16, 1 << 20, 1_000_003, 12_345_679};
    private static final AtomicLong TOTAL_OPERATIONS = new AtomicLong();

    /** Where a failure happened; built into a string only when an assertion fails. */
    static final class Context {
        final Kind kind;
        final long seed;
        long step;

        Context(Kind kind, long seed) {
            this.kind = kind;
            this.seed = seed;
        }

        @Override
        public String toString() {
            return "kind=" + kind + ", seed=" + seed + ", step=" + step;
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void randomWorkloadAgreesWithModel(Kind kind) {
        long operations = 0;
        for (int i = 0; i < SEEDS; i++) {
            operations += runWorkload(kind, BASE_SEED + 7919L * i + kind.ordinal(), STEPS);
        }
        TOTAL_OPERATIONS.addAndGet(operations);
        assertTrue(operations >= (long) SEEDS * STEPS, "ran " + operations + " operations");
    }

    @AfterAll
    static void reportOperations() {
        System.out.println("[BlockAllocatorModelTest] model operations: " + TOTAL_OPERATIONS.get());
    }

    /** One seeded workload; returns the operations run (allocate, free, clear). */
    static long runWorkload(Kind kind, long seed, int steps) {
        final SplittableRandom rnd = new SplittableRandom(seed);
        final long capacity = CAPACITIES[rnd.nextInt(CAPACITIES.length)];
        final AllocatorModel model = new AllocatorModel(kind, capacity);
        final Context ctx = new Context(kind, seed);
        final boolean linear = kind.oracle == Oracle.LINEAR_RING || kind.oracle == Oracle.LINEAR_STACK;
        final double[] allocateChance = {0.75, 0.5, 0.3};
        for (int step = 0; step < steps; step++) {
            ctx.step = step;
            if (step % 25_000 == 24_999) {
                if (rnd.nextBoolean()) {
                    model.clear(ctx);
                } else {
                    while (model.liveCount() > 0) {
                        model.free(rnd.nextInt(model.liveCount()), ctx);
                    }
                    model.checkEmpty(ctx);
                }
                continue;
            }
            final double pAllocate = allocateChance[(step / 1000) % 3];
            final double r = rnd.nextDouble();
            if (model.liveCount() == 0 || r < pAllocate) {
                model.allocate(randomSize(rnd, capacity), randomAlignment(rnd), ctx);
            } else if (linear) {
                final double order = rnd.nextDouble();
                if (order < 0.1) {
                    model.free(rnd.nextInt(model.liveCount()), ctx);
                } else if (kind.oracle == Oracle.LINEAR_RING ? order < 0.85 : order >= 0.85) {
                    model.freeOldest(ctx);
                } else {
                    model.freeNewest(ctx);
                }
            } else if (r < pAllocate + 0.05) {
                model.freeAndReuse(rnd.nextInt(model.liveCount()), ctx);
            } else {
                model.free(rnd.nextInt(model.liveCount()), ctx);
            }
            if ((step & 63) == 0) {
                model.checkDeep(ctx);
            }
        }
        while (model.liveCount() > 0) {
            model.free(rnd.nextInt(model.liveCount()), ctx);
        }
        model.checkEmpty(ctx);
        return model.operations;
    }

    /** Skewed: most requests small, some medium, a few up to a quarter of the block. */
    static long randomSize(SplittableRandom rnd, long capacity) {
        final int bucket = rnd.nextInt(100);
        if (bucket < 60) {
            return 1 + rnd.nextInt(64);
        }
        if (bucket < 85) {
            return 1 + rnd.nextInt(4096);
        }
        if (bucket < 97) {
            return 1 + rnd.nextLong(capacity / 64);
        }
        return 1 + rnd.nextLong(capacity / 4);
    }

    /** Half unaligned, the rest 2^0 .. 2^16. */
    static long randomAlignment(SplittableRandom rnd) {
        return rnd.nextBoolean() ? 1 : 1L << rnd.nextInt(17);
    }
}
