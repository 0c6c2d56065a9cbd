package dev.lluvia.memory;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;

/** Vulkan's {@code VkBufferUsageFlagBits}: what a {@link Buffer} will be used for. */
public enum BufferUsage {
    TRANSFER_SRC(0x1),
    TRANSFER_DST(0x2),
    UNIFORM_TEXEL_BUFFER(0x4),
    STORAGE_TEXEL_BUFFER(0x8),
    UNIFORM_BUFFER(0x10),
    STORAGE_BUFFER(0x20),
    INDEX_BUFFER(0x40),
    VERTEX_BUFFER(0x80),
    INDIRECT_BUFFER(0x100),
    SHADER_DEVICE_ADDRESS(0x20000);

    /** Lluvia's default: storage, transfer source and transfer destination. */
    public static final Set<BufferUsage> DEFAULT =
            Collections.unmodifiableSet(EnumSet.of(STORAGE_BUFFER, TRANSFER_SRC, TRANSFER_DST));

    private final int bit;

    BufferUsage(int bit) {
        this.bit = bit;
    }

    /** The Vulkan bit of this usage. */
    public int bit() {
        return bit;
    }

    /** The Vulkan bit mask of a set of usages. */
    public static int toBits(Set<BufferUsage> usage) {
        int bits = 0;
        for (BufferUsage u : usage) {
            bits |= u.bit;
        }
        return bits;
    }
}
