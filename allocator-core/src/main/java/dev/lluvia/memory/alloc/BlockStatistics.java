package dev.lluvia.memory.alloc;

/**
 * A snapshot of one block allocator.
 *
 * @param capacity          units managed
 * @param allocationCount   live allocations
 * @param usedBytes         units reserved by live allocations, padding included
 * @param freeRangeCount    maximal free ranges
 * @param largestFreeRange  units of the largest free range (0 when full)
 * @param smallestFreeRange units of the smallest free range (0 when full)
 */
public record BlockStatistics(long capacity, int allocationCount, long usedBytes, int freeRangeCount,
                              long largestFreeRange, long smallestFreeRange) {

    /**
     * Units not reserved.
     *
     * @return units not reserved
     */
    public long freeBytes() {
        return capacity - usedBytes;
    }
}
