package dev.lluvia.memory.alloc;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.lluvia.memory.alloc.AllocatorModel.Kind;
import dev.lluvia.memory.alloc.AllocatorModel.Oracle;

/**
 * Jazzer fuzz target: an operation sequence decoded from the fuzz input drives one block allocator
 * (TLSF in each strategy, first fit, linear ring and stack) and {@link AllocatorModel} checks every
 * step: no overlap, alignment, bounds, counters, statistics, TLSF's structure, placement where the
 * algorithm promises it, double frees and stale handles refused.
 *
 * <p>In every {@code mvn verify} this replays the committed inputs in
 * {@code src/test/resources/dev/lluvia/memory/alloc/BlockAllocatorFuzzTestInputs/allocatorsAgreeWithModel/}
 * (regression mode). To fuzz for {@code maxDuration}:
 * <pre>
 *   mvn -B -pl allocator-core -am verify -Pfuzz
 * </pre>
 * (the {@code fuzz} profile sets {@code JAZZER_FUZZ=1} and runs only tests tagged {@code jazzer}).
 * A crashing input is written to the inputs directory above, so it becomes a regression test.
 */
class BlockAllocatorFuzzTest {

    /** Enough for a block to fill and drain several times, small enough for quick executions. */
    private static final int MAX_STEPS = 500;
    /** The walking checks cost O(blocks + lists) under coverage instrumentation: every few steps. */
    private static final int DEEP_CHECK_EVERY = 8;

    /** The input's position, for failure messages; Jazzer keeps the input itself. */
    private static final class Step {
        final Kind kind;
        final long capacity;
        int step;

        Step(Kind kind, long capacity) {
            this.kind = kind;
            this.capacity = capacity;
        }

        @Override
        public String toString() {
            return "fuzz kind=" + kind + ", capacity=" + capacity + ", step=" + step;
        }
    }

    @FuzzTest(maxDuration = "60s")
    void allocatorsAgreeWithModel(FuzzedDataProvider data) {
        final Kind kind = Kind.values()[data.consumeInt(0, Kind.values().length - 1)];
        final long capacity = data.consumeLong(1, 1L << data.consumeInt(0, 40));
        final AllocatorModel model = new AllocatorModel(kind, capacity);
        final boolean linear = kind.oracle == Oracle.LINEAR_RING || kind.oracle == Oracle.LINEAR_STACK;
        final Step at = new Step(kind, capacity);
        while (data.remainingBytes() > 0 && at.step < MAX_STEPS) {
            at.step++;
            final int op = data.consumeInt(0, 9);
            if (op < 5 || model.liveCount() == 0) {
                // Sizes spread over every scale, a little past the capacity included.
                final long limit = Math.max(1, (capacity + 16) >>> data.consumeInt(0, 40));
                final long size = data.consumeLong(1, limit);
                final long alignment = 1L << data.consumeInt(0, 20);
                model.allocate(size, alignment, at);
            } else if (op < 7) {
                model.free(data.consumeInt(0, model.liveCount() - 1), at);
            } else if (op == 7) {
                if (linear) {
                    model.freeOldest(at);
                } else {
                    model.freeAndReuse(data.consumeInt(0, model.liveCount() - 1), at);
                }
            } else if (op == 8) {
                model.freeNewest(at);
            } else if (data.consumeBoolean()) {
                model.clear(at);
            }
            if (at.step % DEEP_CHECK_EVERY == 0) {
                model.checkDeep(at);
            }
        }
        model.checkDeep(at);
        while (model.liveCount() > 0) {
            model.freeNewest(at);
        }
        model.checkEmpty(at);
    }
}
