package dev.lluvia.memory.alloc;

/** The block allocators a {@link dev.lluvia.memory.Memory} can use for its pages. */
public enum AllocationAlgorithm {
    /** Lluvia's algorithm: the first free range, in address order, that holds the request. */
    FIRST_FIT;

    /** A new, empty allocator of this algorithm over {@code capacity} units. */
    public BlockAllocator create(long capacity) {
        return switch (this) {
            case FIRST_FIT -> new FirstFitAllocator(capacity);
        };
    }
}
