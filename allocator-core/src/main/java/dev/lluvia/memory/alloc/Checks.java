package dev.lluvia.memory.alloc;

/** Argument checks shared by the block allocators; they throw, so they stay off the success path's branches. */
final class Checks {
    private Checks() {
    }

    /** Rejects a capacity below 1, naming it. */
    static void checkCapacity(long capacity) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("capacity must be positive, was " + capacity);
        }
    }

    /** Rejects a size below 1 or an alignment that is not a positive power of two. */
    static void checkRequest(long size, long alignment) {
        if (size <= 0 || !Align.isPowerOfTwo(alignment)) {
            throw badRequest(size, alignment);
        }
    }

    private static IllegalArgumentException badRequest(long size, long alignment) {
        if (size <= 0) {
            return new IllegalArgumentException("allocation size must be positive, was " + size);
        }
        return new IllegalArgumentException("alignment must be a power of two, was " + alignment);
    }
}
