package dev.lluvia.memory.alloc;

/**
 * The block allocators a {@link dev.lluvia.memory.Memory} can use for its pages, and that users
 * can create on their own (like VMA's virtual blocks).
 *
 * <p>Choose {@link #TLSF} unless there is a reason not to: it is the default, O(1) whatever the
 * number of allocations. {@link #FIRST_FIT} reproduces Lluvia's placement exactly.
 * {@link #LINEAR} suits memory refilled every frame and freed in the order it was made.
 */
public enum AllocationAlgorithm {
    /**
     * The default: two-level segregated fit ({@link TlsfAllocator}), O(1) allocate and free,
     * alignment padding kept inside the allocation (split off as free space only when it is huge,
     * see the class comment of {@link TlsfAllocator}). Honours the {@link AllocationStrategy}.
     */
    TLSF,

    /**
     * Lluvia's algorithm ({@link FirstFitAllocator}): the first free range, in address order,
     * that holds the request; O(free ranges). Keeps the alignment padding in the allocation.
     */
    FIRST_FIT,

    /**
     * A ring buffer ({@link LinearAllocator} in {@link LinearAllocator.Mode#RING} mode): each
     * allocation goes right after the newest, wrapping to the start when the oldest are freed.
     * Space freed out of order is reused only once the allocations around it are freed.
     */
    LINEAR;

    /**
     * {@return a new, empty allocator of this algorithm over {@code capacity} units, default strategy}
     *
     * @param capacity units to manage, at least 1
     */
    public BlockAllocator create(long capacity) {
        return create(capacity, AllocationStrategy.MIN_TIME);
    }

    /**
     * {@return a new, empty allocator of this algorithm over {@code capacity} units}
     *
     * @param capacity units managed, at least 1
     * @param strategy used by {@link #TLSF}; the other algorithms have one placement rule and
     *                 ignore it (it must still not be null)
     * @throws IllegalArgumentException if capacity is below 1
     * @throws NullPointerException     if strategy is null
     */
    public BlockAllocator create(long capacity, AllocationStrategy strategy) {
        java.util.Objects.requireNonNull(strategy, "strategy");
        return switch (this) {
            case TLSF -> new TlsfAllocator.Padded(capacity, strategy);
            case FIRST_FIT -> new FirstFitAllocator(capacity);
            case LINEAR -> new LinearAllocator(capacity, LinearAllocator.Mode.RING);
        };
    }
}
