package dev.lluvia.memory.alloc;

/**
 * Where a {@link TlsfAllocator} looks first for a free range, the equivalent of VMA's
 * {@code VMA_VIRTUAL_ALLOCATION_CREATE_STRATEGY_MIN_*} bits. Every strategy finds room whenever a
 * free range can hold the aligned request (none gives up early); they differ in which range they
 * pick and in how much they may search.
 *
 * <p>Algorithms without a choice ignore the strategy: first fit is always {@link #MIN_OFFSET}-like,
 * linear always places at its cursor.
 */
public enum AllocationStrategy {
    /**
     * The default: take the head of the first size class whose every free range is guaranteed to
     * hold the request (two bit scans, O(1)); only when no such range exists, search the size
     * classes that may hold it. Fastest, at the cost of splitting larger ranges than needed.
     */
    MIN_TIME,

    /**
     * Tight packing: search the size class that holds the request's own size first (a best fit to
     * the class's granularity, 1/32 of a power of two), then larger classes in increasing order.
     * Leaves the large ranges whole for large requests; may walk the free list of a class.
     */
    MIN_MEMORY,

    /**
     * The free range at the lowest offset that holds the request, found by walking the ranges in
     * address order: O(ranges). Keeps the used part of a page compact at its start, which helps
     * pages empty out and helps defragmentation.
     */
    MIN_OFFSET
}
