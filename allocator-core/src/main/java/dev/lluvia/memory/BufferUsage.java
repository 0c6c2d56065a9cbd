package dev.lluvia.memory;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;

/** Vulkan's {@code VkBufferUsageFlagBits}: what a {@link Buffer} will be used for. */
public enum BufferUsage {
    /** The buffer is the source of transfers (reads, copies out). */
    TRANSFER_SRC(0x1),
    /** The buffer is the destination of transfers (writes, copies in). */
    TRANSFER_DST(0x2),
    /** A uniform texel buffer. */
    UNIFORM_TEXEL_BUFFER(0x4),
    /** A storage texel buffer. */
    STORAGE_TEXEL_BUFFER(0x8),
    /** A uniform buffer. */
    UNIFORM_BUFFER(0x10),
    /** A storage buffer (shaders read and write it). */
    STORAGE_BUFFER(0x20),
    /** An index buffer. */
    INDEX_BUFFER(0x40),
    /** A vertex buffer. */
    VERTEX_BUFFER(0x80),
    /** The parameters of indirect draws and dispatches. */
    INDIRECT_BUFFER(0x100),
    /** Shaders reach the buffer through its device address; needs {@link DeviceFeature#BUFFER_DEVICE_ADDRESS}. */
    SHADER_DEVICE_ADDRESS(0x20000);

    /** Lluvia's default: storage, transfer source and transfer destination. */
    public static final Set<BufferUsage> DEFAULT =
            Collections.unmodifiableSet(EnumSet.of(STORAGE_BUFFER, TRANSFER_SRC, TRANSFER_DST));

    private final int bit;

    BufferUsage(int bit) {
        this.bit = bit;
    }

    /** {@return the Vulkan bit of this usage} */
    public int bit() {
        return bit;
    }

    /**
     * {@return the Vulkan bit mask of a set of usages}
     *
     * @param usage the usages; may be empty
     */
    public static int toBits(Set<BufferUsage> usage) {
        int bits = 0;
        for (BufferUsage u : usage) {
            bits |= u.bit;
        }
        return bits;
    }
}
