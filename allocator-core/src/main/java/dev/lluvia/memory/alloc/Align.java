package dev.lluvia.memory.alloc;

/**
 * Alignment arithmetic, written once for the block allocators, {@code Memory}, {@code Buffer} and
 * the backends.
 *
 * <p>Two kinds of rounding, because the numbers come in two kinds: an <b>alignment</b> (a Vulkan
 * {@code VkMemoryRequirements.alignment}, an allocation request's alignment) is a power of two and
 * is rounded to with a mask, branch-free, on the allocators' hot paths; a <b>quantum</b>
 * ({@code nonCoherentAtomSize}, {@code bufferImageGranularity}, a simulated device's limits) is only
 * known to be positive, so it is rounded to by division.
 *
 * <p>None of these methods checks its arguments: callers check once, where the number enters
 * (see {@link #isPowerOfTwo}), and the helpers stay small enough for the JIT to inline.
 */
public final class Align {
    private Align() {
    }

    /**
     * {@code value} rounded up to a multiple of {@code alignment}.
     * Assumes {@code alignment} is a positive power of two and {@code value + alignment - 1} does
     * not overflow; undefined otherwise (no check, so it costs an add and an and).
     *
     * @param value the value, at least 0
     * @param alignment a positive power of two
     * @return the smallest multiple of {@code alignment} that is at least {@code value}
     */
    public static long align(long value, long alignment) {
        return (value + alignment - 1) & -alignment;
    }

    /**
     * {@return the units from {@code value} up to the next multiple of {@code alignment}: what
     * {@link #align} adds} Assumes {@code alignment} is a positive power of two; never overflows.
     *
     * @param value the value, at least 0
     * @param alignment a positive power of two
     */
    public static long padding(long value, long alignment) {
        return -value & (alignment - 1);
    }

    /**
     * {@code value} rounded up to a multiple of {@code quantum}, for quanta that need not be powers
     * of two. Assumes {@code quantum > 0}, {@code value >= 0} and no overflow of
     * {@code value + quantum - 1}.
     *
     * @param value the value, at least 0
     * @param quantum a positive multiple
     * @return the smallest multiple of {@code quantum} that is at least {@code value}
     */
    public static long roundUp(long value, long quantum) {
        return quantum == 1 ? value : (value + quantum - 1) / quantum * quantum;
    }

    /**
     * {@code value} rounded down to a multiple of {@code quantum}. Assumes {@code quantum > 0} and
     * {@code value >= 0}.
     *
     * @param value the value, at least 0
     * @param quantum a positive multiple
     * @return the largest multiple of {@code quantum} that is at most {@code value}
     */
    public static long roundDown(long value, long quantum) {
        return value / quantum * quantum;
    }

    /**
     * {@return whether {@code value} is a positive power of two (0 and negatives are not)}
     *
     * @param value the value, at least 0
     */
    public static boolean isPowerOfTwo(long value) {
        return value > 0 && (value & (value - 1)) == 0;
    }
}
