package dev.lluvia.memory;

/**
 * {@link Statistics} plus what needs a walk of every page's free ranges (VMA's
 * {@code VmaDetailedStatistics}): how fragmented the memory is. Costs a walk of the free ranges;
 * use it for debugging and reports, not every frame.
 *
 * @param totals             the cheap totals
 * @param freeRangeCount     maximal free ranges over all pages
 * @param largestFreeRange   bytes of the largest free range (0 when none); the largest object
 *                           that fits without a new page is at most this
 * @param smallestFreeRange  bytes of the smallest free range (0 when none)
 * @param largestAllocation  bytes of the largest object (0 when none)
 * @param smallestAllocation bytes of the smallest object (0 when none)
 */
public record DetailedStatistics(Statistics totals, int freeRangeCount, long largestFreeRange,
                                 long smallestFreeRange, long largestAllocation, long smallestAllocation) {

    /** Nothing at all. */
    public static final DetailedStatistics EMPTY = new DetailedStatistics(Statistics.EMPTY, 0, 0, 0, 0, 0);

    /**
     * {@return the combination of two, for totals over Memories or heaps}
     *
     * @param o the other statistics
     */
    public DetailedStatistics plus(DetailedStatistics o) {
        return new DetailedStatistics(totals.plus(o.totals), freeRangeCount + o.freeRangeCount,
                Math.max(largestFreeRange, o.largestFreeRange), minPositive(smallestFreeRange, o.smallestFreeRange),
                Math.max(largestAllocation, o.largestAllocation), minPositive(smallestAllocation, o.smallestAllocation));
    }

    private static long minPositive(long a, long b) {
        return a == 0 ? b : b == 0 ? a : Math.min(a, b);
    }
}
