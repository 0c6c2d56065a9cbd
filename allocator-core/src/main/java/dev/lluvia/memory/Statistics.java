package dev.lluvia.memory;

/**
 * Totals of a Memory, a heap or a Session, kept up to date as objects come and go, so reading
 * them costs no walk of the pages (VMA's {@code VmaStatistics}). Call it every frame if you like.
 *
 * @param pageCount       device allocations (pages) alive
 * @param pageBytes       bytes of those pages
 * @param allocationCount objects alive
 * @param allocationBytes bytes the objects' requirements asked for; {@code pageBytes - allocationBytes}
 *                        is free space plus padding
 */
public record Statistics(int pageCount, long pageBytes, int allocationCount, long allocationBytes) {

    /** No pages, no objects. */
    public static final Statistics EMPTY = new Statistics(0, 0, 0, 0);

    /**
     * {@return the sum of two statistics, for totals over Memories or heaps}
     *
     * @param other the other statistics
     */
    public Statistics plus(Statistics other) {
        return new Statistics(pageCount + other.pageCount, pageBytes + other.pageBytes,
                allocationCount + other.allocationCount, allocationBytes + other.allocationBytes);
    }

    /** {@return bytes of pages not holding object bytes: free ranges plus padding} */
    public long unusedBytes() {
        return pageBytes - allocationBytes;
    }
}
