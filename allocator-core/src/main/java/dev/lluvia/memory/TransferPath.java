package dev.lluvia.memory;

/**
 * The way a {@link Buffer#write}/{@link Buffer#read} (or an image's) moved its bytes, as JFR's
 * {@code dev.lluvia.memory.Transfer} event and {@link MemoryMetrics} report it.
 */
public enum TransferPath {
    /** Through the object's own mapping (host-visible memory): a host copy, no device copy. */
    MAPPED,
    /**
     * A device copy straight from or into a mapped page of the same session: the caller's bytes
     * are a {@link Buffer#mapByteBuffer()} of host-visible memory (pinned), so nothing is staged.
     */
    PINNED,
    /**
     * A device copy straight from or into host memory the program registered
     * ({@link Session#registerHostMemory}): nothing is staged or imported per transfer.
     */
    REGISTERED,
    /** A device copy from or into the caller's own memory, imported for the transfer ({@code VK_EXT_external_memory_host}). */
    IMPORTED,
    /** Through staging buffers: a host copy into them and a device copy out (or the reverse). */
    STAGED
}
