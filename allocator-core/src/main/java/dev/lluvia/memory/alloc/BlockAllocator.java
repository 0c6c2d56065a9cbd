package dev.lluvia.memory.alloc;

/**
 * Sub-allocates one contiguous range of {@link #capacity()} units (bytes, or any unit) that knows
 * nothing of GPUs: the equivalent of VMA's virtual block. Each page of a
 * {@link dev.lluvia.memory.Memory} is one of these; users may also use them on their own, for
 * example to manage a large buffer's contents.
 *
 * <p>The hot path neither throws nor allocates objects: {@link #allocate} returns
 * {@link #NO_SPACE} when nothing fits, and a handle is a plain {@code long}. A handle is valid from
 * {@code allocate} until {@code free} or {@link #clear()}; implementations detect most misuse of
 * stale handles (double free) with an {@link IllegalArgumentException}.
 *
 * <p>Instances are not thread-safe; {@code Memory} guards its pages with its own lock.
 */
public interface BlockAllocator {

    /** What {@link #allocate} returns when no free range can hold the request. */
    long NO_SPACE = -1L;

    /** {@return the number of units managed} */
    long capacity();

    /**
     * Reserves {@code size} units at an offset that is a multiple of {@code alignment}.
     *
     * @param size      units, at least 1
     * @param alignment a power of two, at least 1
     * @return a handle, or {@link #NO_SPACE}
     * @throws IllegalArgumentException if size or alignment is invalid
     */
    long allocate(long size, long alignment);

    /**
     * Returns the units of an allocation, merging them with free neighbours.
     *
     * @param handle a handle {@link #allocate} returned, not freed since
     */
    void free(long handle);

    /**
     * {@return the aligned offset of an allocation}
     *
     * @param handle a handle {@link #allocate} returned, not freed since
     */
    long offset(long handle);

    /**
     * {@return the size asked for when the allocation was made}
     *
     * @param handle a handle {@link #allocate} returned, not freed since
     */
    long size(long handle);

    /**
     * {@return the units skipped before {@link #offset} to reach the alignment, that belong to this
     * allocation until it is freed (Lluvia's {@code leftPadding})}
     *
     * @param handle a handle {@link #allocate} returned, not freed since
     */
    long padding(long handle);

    /** Frees every allocation at once; handles given out before become invalid. */
    void clear();

    /** {@return the number of live allocations} */
    int allocationCount();

    /**
     * Units reserved by live allocations, padding included.
     *
     * @return units reserved by live allocations, padding included
     */
    long usedBytes();

    /** {@return whether there are no live allocations} */
    default boolean isEmpty() {
        return allocationCount() == 0;
    }

    /** {@return a snapshot of counts and free ranges; walks the free ranges, so not for the hot path} */
    BlockStatistics statistics();
}
