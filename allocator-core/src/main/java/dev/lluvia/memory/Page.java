package dev.lluvia.memory;

import dev.lluvia.memory.alloc.BlockAllocator;

/**
 * One page of a {@link Memory}: one device allocation and the block allocator that divides it.
 * Regular pages hold many objects; a dedicated page holds one and is freed with it.
 *
 * <p>Not thread-safe: read and changed under the Memory's lock, by its {@link PagePool}.
 */
sealed class Page permits Page.Padded {
    /** The padding before the fields; see {@link Padded}. */
    @SuppressWarnings("unused")
    private int p00; // the hole after the object header, else taken by the first int field
    private long p01, p02, p03, p04, p05, p06, p07, p08, p09, p10, p11, p12, p13, p14, p15, p16;
    final int index;
    final long handle;
    final long size;
    /** Holds one object: freed with it, or kept for the next large object if {@link #reusable}. */
    final boolean dedicated;
    /**
     * A one-object page allocated as a plain page (not with {@code VkMemoryDedicatedAllocateInfo},
     * which ties memory to its resource for good), so that another object may take it once empty.
     */
    final boolean reusable;
    final BlockAllocator allocator;
    /**
     * An upper bound of the page's largest free range, lowered when an allocation fails and
     * reset when anything is freed, so that a full page is skipped without asking its block
     * allocator (a failing search can cost more than a successful one).
     */
    long largestFreeBound;
    /** An empty regular or reusable page kept for reuse, counted in the pool's empty-page bytes. */
    boolean kept;

    Page(int index, long handle, long size, boolean dedicated, boolean reusable, BlockAllocator allocator) {
        this.index = index;
        this.handle = handle;
        this.size = size;
        this.dedicated = dedicated;
        this.reusable = reusable;
        this.allocator = allocator;
        this.largestFreeBound = size;
    }

    /**
     * A page as its pool makes it: 128 bytes of padding after the fields, which every create and
     * close of the Memory reads, so that no other thread's Memory shares their cache lines (see
     * {@link Memory.MemoryLock}).
     */
    @SuppressWarnings("unused")
    static final class Padded extends Page {
        private long q00, q01, q02, q03, q04, q05, q06, q07, q08, q09, q10, q11, q12, q13, q14, q15;

        Padded(int index, long handle, long size, boolean dedicated, boolean reusable, BlockAllocator allocator) {
            super(index, handle, size, dedicated, reusable, allocator);
        }
    }
}
