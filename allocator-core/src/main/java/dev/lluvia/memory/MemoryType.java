package dev.lluvia.memory;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;

/**
 * One of the device's memory types.
 *
 * @param index     the Vulkan memory type index (bit {@code index} of memoryTypeBits)
 * @param heapIndex the heap this type allocates from
 * @param flags     the type's property flags (may be empty); kept in enum order, so that they print
 *                  alike on every run ({@code [DEVICE_LOCAL, HOST_VISIBLE, HOST_COHERENT]})
 */
public record MemoryType(int index, int heapIndex, Set<MemoryPropertyFlag> flags) {
    /**
     * Copies the flags (unmodifiable).
     *
     * @param index the Vulkan memory type index (bit {@code index} of memoryTypeBits)
     * @param heapIndex the heap this type allocates from
     * @param flags the type's property flags (may be empty); kept in enum order, so that they print alike on
     *              every run ({@code [DEVICE_LOCAL, HOST_VISIBLE, HOST_COHERENT]})
     */
    public MemoryType {
        flags = Collections.unmodifiableSet(flags.isEmpty()
                ? EnumSet.noneOf(MemoryPropertyFlag.class) : EnumSet.copyOf(flags));
    }

    /** {@return whether the host can map this type} */
    public boolean isHostVisible() {
        return flags.contains(MemoryPropertyFlag.HOST_VISIBLE);
    }

    /** {@return whether host writes need a flush (and device writes an invalidate) to be seen} */
    public boolean needsFlush() {
        return isHostVisible() && !flags.contains(MemoryPropertyFlag.HOST_COHERENT);
    }
}
