package dev.lluvia.memory;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;

/** Vulkan's {@code VkImageUsageFlagBits}: what an {@link Image} will be used for. */
public enum ImageUsage {
    /** The image is the source of transfers (reads, copies out). */
    TRANSFER_SRC(0x1),
    /** The image is the destination of transfers (writes, copies in). */
    TRANSFER_DST(0x2),
    /** Shaders sample the image. */
    SAMPLED(0x4),
    /** Shaders read and write the image as a storage image. */
    STORAGE(0x8),
    /** The image is a color attachment of a render pass. */
    COLOR_ATTACHMENT(0x10),
    /** For depth formats ({@link ImageFormat#isDepth()}). */
    DEPTH_STENCIL_ATTACHMENT(0x20);

    /** Lluvia's default: storage, sampled, transfer source and transfer destination. */
    public static final Set<ImageUsage> DEFAULT =
            Collections.unmodifiableSet(EnumSet.of(STORAGE, SAMPLED, TRANSFER_SRC, TRANSFER_DST));

    private final int bit;

    ImageUsage(int bit) {
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
    public static int toBits(Set<ImageUsage> usage) {
        int bits = 0;
        for (ImageUsage u : usage) {
            bits |= u.bit;
        }
        return bits;
    }
}
