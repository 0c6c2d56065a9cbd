package dev.lluvia.memory.sim;

import dev.lluvia.memory.alloc.Align;
import dev.lluvia.memory.spi.MemoryRequirements;

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
 */
public record RequirementRule(long alignment, long sizeGranularity, long minSize, int memoryTypeBits,
                              long prefersDedicatedAbove, long requiresDedicatedAbove) {

    public RequirementRule {
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

    /** The requirement size of a resource of {@code bytes} tight bytes. */
    public long size(long bytes) {
        long rounded = Align.roundUp(bytes, sizeGranularity);
        return Math.max(rounded, minSize);
    }

    /** The requirements a driver following this rule reports for {@code bytes} tight bytes. */
    public MemoryRequirements requirements(long bytes) {
        long size = size(bytes);
        boolean requires = requiresDedicatedAbove > 0 && size > requiresDedicatedAbove;
        boolean prefers = requires || (prefersDedicatedAbove > 0 && size > prefersDedicatedAbove);
        return new MemoryRequirements(size, alignment, memoryTypeBits, prefers, requires);
    }
}
