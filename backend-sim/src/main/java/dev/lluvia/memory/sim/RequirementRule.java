package dev.lluvia.memory.sim;

import dev.lluvia.memory.alloc.Align;
import dev.lluvia.memory.spi.MemoryRequirements;

import java.util.List;

/**
 * How a simulated driver answers {@code vkGet*MemoryRequirements} for one kind of resource
 * (buffers, optimal images or linear images) of a profile.
 *
 * <p>The requirement size is the resource's tight byte size rounded up to a multiple of
 * {@code sizeGranularity}, and at least {@code minSize}. On the H100 this reproduces every
 * measured optimal image: 32x32 R8 (1,024 tight bytes) -> 2,048; 32x32 RGBA8 -> 4,096;
 * 640x640 R8 -> 409,600; 1920x1920 RGBA8 -> 14,745,600.
 *
 * @param alignment              the required offset alignment, a power of two
 * @param sizeGranularity        the requirement size is a multiple of this (positive)
 * @param minSize                the smallest requirement size (0 for none)
 * @param memoryTypeBits         bit i set: memory type i may hold the resource
 * @param prefersDedicatedAbove  a requirement size above this many bytes reports
 *                               {@code prefersDedicated}; 0 turns the rule off
 * @param requiresDedicatedAbove a requirement size above this many bytes reports
 *                               {@code requiresDedicated}; 0 turns the rule off
 * @param usageAlignments        by usage bit (a {@code VkBufferUsageFlagBits} or
 *                               {@code VkImageUsageFlagBits} value): a resource with that usage is
 *                               aligned, and its size rounded, to at least that power of two (NVIDIA
 *                               aligns index and indirect buffers to 4, other buffers to 16 and
 *                               uniform buffers to 64; linear images to 32, or 128 when they are a
 *                               transfer destination or color attachment); empty for none
 */
public record RequirementRule(long alignment, long sizeGranularity, long minSize, int memoryTypeBits,
                              long prefersDedicatedAbove, long requiresDedicatedAbove,
                              List<UsageAlignment> usageAlignments) {

    /**
     * Resources with usage {@code usageBit} are aligned, and sized, to at least {@code alignment}.
     *
     * @param usageBit  one usage bit
     * @param alignment a power of two
     */
    public record UsageAlignment(int usageBit, long alignment) {
        public UsageAlignment {
            if (Integer.bitCount(usageBit) != 1 || !Align.isPowerOfTwo(alignment)) {
                throw new IllegalArgumentException("a usage alignment maps one usage bit to a power of two, was 0x"
                        + Integer.toHexString(usageBit) + " -> " + alignment);
            }
        }

        /**
         * The largest of {@code floor} and the alignments in {@code list} of the usages in
         * {@code usageBits}; indexed, not iterated, so that a create allocates nothing here.
         */
        static long largest(List<UsageAlignment> list, int usageBits, long floor) {
            long a = floor;
            for (int i = 0; i < list.size(); i++) {
                UsageAlignment u = list.get(i);
                if ((usageBits & u.usageBit()) != 0) {
                    a = Math.max(a, u.alignment());
                }
            }
            return a;
        }
    }

    /** A rule whose answers do not depend on the resource's usage. */
    public RequirementRule(long alignment, long sizeGranularity, long minSize, int memoryTypeBits,
                           long prefersDedicatedAbove, long requiresDedicatedAbove) {
        this(alignment, sizeGranularity, minSize, memoryTypeBits, prefersDedicatedAbove, requiresDedicatedAbove, List.of());
    }

    public RequirementRule {
        usageAlignments = List.copyOf(usageAlignments);
        if (!Align.isPowerOfTwo(alignment)) {
            throw new IllegalArgumentException("alignment must be a power of two, was " + alignment);
        }
        if (sizeGranularity <= 0) {
            throw new IllegalArgumentException("sizeGranularity must be positive, was " + sizeGranularity);
        }
        if (minSize < 0 || prefersDedicatedAbove < 0 || requiresDedicatedAbove < 0) {
            throw new IllegalArgumentException("minSize and dedicated thresholds must not be negative: minSize "
                    + minSize + ", prefersDedicatedAbove " + prefersDedicatedAbove
                    + ", requiresDedicatedAbove " + requiresDedicatedAbove);
        }
        if (memoryTypeBits == 0) {
            throw new IllegalArgumentException("memoryTypeBits must allow at least one memory type");
        }
    }

    /** The requirement size of a resource of {@code bytes} tight bytes and no usage of its own rule. */
    public long size(long bytes) {
        return size(bytes, sizeGranularity);
    }

    private long size(long bytes, long granularity) {
        long rounded = Align.roundUp(bytes, granularity);
        return Math.max(rounded, minSize);
    }

    /** {@link #requirements(long, int)} of a resource whose usage has no alignment of its own. */
    public MemoryRequirements requirements(long bytes) {
        return requirements(bytes, 0);
    }

    /**
     * The requirements a driver following this rule reports for {@code bytes} tight bytes of a
     * resource with usage {@code usageBits}: the largest of the rule's alignment and the
     * alignments of its usages.
     */
    public MemoryRequirements requirements(long bytes, int usageBits) {
        long a = UsageAlignment.largest(usageAlignments, usageBits, alignment);
        long size = size(bytes, UsageAlignment.largest(usageAlignments, usageBits, sizeGranularity));
        boolean requires = requiresDedicatedAbove > 0 && size > requiresDedicatedAbove;
        boolean prefers = requires || (prefersDedicatedAbove > 0 && size > prefersDedicatedAbove);
        return new MemoryRequirements(size, a, memoryTypeBits, prefers, requires);
    }
}
