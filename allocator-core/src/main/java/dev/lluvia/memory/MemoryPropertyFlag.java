package dev.lluvia.memory;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;

/**
 * Vulkan's {@code VkMemoryPropertyFlagBits}: what a memory type offers.
 *
 * <p>A {@link Memory} is created from a set of these flags; the {@link Session} picks the
 * device memory type that has them all (see {@link Session#createMemory(Set, long, boolean)}).
 * The two sets that matter most, as in Lluvia, are {@code {DEVICE_LOCAL}} for data the GPU
 * computes on and {@code {DEVICE_LOCAL, HOST_VISIBLE, HOST_COHERENT}} for data the host writes.
 */
public enum MemoryPropertyFlag {
    /** The memory is local to the GPU: the fastest for the device to read and write. */
    DEVICE_LOCAL(0x1),
    /** The memory can be mapped and read or written by the host (CPU). */
    HOST_VISIBLE(0x2),
    /** Host writes and device writes are visible to each other without flush or invalidate. */
    HOST_COHERENT(0x4),
    /** Host accesses go through the CPU cache: fast to read from the host, needs flushing when not coherent. */
    HOST_CACHED(0x8),
    /** Backing may be allocated lazily by the driver (tile memory); not used by this library. */
    LAZILY_ALLOCATED(0x10),
    /** Protected memory, only reachable from protected queues. */
    PROTECTED(0x20),
    /** AMD: device accesses are coherent across the device. */
    DEVICE_COHERENT_AMD(0x40),
    /** AMD: device accesses bypass the device caches. */
    DEVICE_UNCACHED_AMD(0x80),
    /** NVIDIA: usable for remote direct memory access. */
    RDMA_CAPABLE_NV(0x100);

    private static final MemoryPropertyFlag[] VALUES = values();

    private final int bit;

    MemoryPropertyFlag(int bit) {
        this.bit = bit;
    }

    /** {@return the Vulkan bit of this flag} */
    public int bit() {
        return bit;
    }

    /**
     * {@return the Vulkan bit mask of a set of flags}
     *
     * @param flags the flags; may be empty
     */
    public static int toBits(Set<MemoryPropertyFlag> flags) {
        int bits = 0;
        for (MemoryPropertyFlag f : flags) {
            bits |= f.bit;
        }
        return bits;
    }

    /**
     * {@return the flags of a Vulkan bit mask, as an unmodifiable set} Bits this enum does not know are
     * ignored, so a newer driver's flags do not break older code.
     *
     * @param bits a Vulkan {@code VkMemoryPropertyFlags} mask
     */
    public static Set<MemoryPropertyFlag> fromBits(int bits) {
        EnumSet<MemoryPropertyFlag> set = EnumSet.noneOf(MemoryPropertyFlag.class);
        for (MemoryPropertyFlag f : VALUES) {
            if ((bits & f.bit) != 0) {
                set.add(f);
            }
        }
        return Collections.unmodifiableSet(set);
    }
}
