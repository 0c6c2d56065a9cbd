package dev.lluvia.memory;

/**
 * What a resource needs of the memory it is bound to: Vulkan's {@code VkMemoryRequirements} with
 * {@code VkMemoryDedicatedRequirements}, as {@code vkGet*MemoryRequirements2} reports them. A
 * program that queried them itself gives them to {@link AllocationRequest#of}; otherwise the
 * library queries them from the resource's handle ({@link AllocationRequest#forBuffer},
 * {@link AllocationRequest#forImage}).
 *
 * @param size              bytes the resource takes, positive
 * @param alignment         the resource's offset must be a multiple of this; a positive power of two
 * @param memoryTypeBits    bit {@code i} set: memory type {@code i} may hold the resource; not 0
 * @param prefersDedicated  the driver is faster with an allocation of the resource's own
 * @param requiresDedicated the resource must have an allocation of its own; the library then needs the
 *                          resource's handle ({@link AllocationRequest#resource()}), which Vulkan wants
 *                          named in that allocation ({@code VkMemoryDedicatedAllocateInfo})
 */
public record ResourceRequirements(long size, long alignment, int memoryTypeBits, boolean prefersDedicated,
                                   boolean requiresDedicated) {

    /**
     * Checks the components.
     *
     * @param size              bytes the resource takes, positive
     * @param alignment         the resource's offset must be a multiple of this; a positive power of two
     * @param memoryTypeBits    bit {@code i} set: memory type {@code i} may hold the resource; not 0
     * @param prefersDedicated  the driver is faster with an allocation of the resource's own
     * @param requiresDedicated the resource must have an allocation of its own
     * @throws IllegalArgumentException naming the value when a component is out of its range
     */
    public ResourceRequirements {
        if (size <= 0) {
            throw new IllegalArgumentException("requirement size must be positive, was " + size);
        }
        if (alignment <= 0 || (alignment & (alignment - 1)) != 0) {
            throw new IllegalArgumentException("requirement alignment must be a positive power of two, was " + alignment);
        }
        if (memoryTypeBits == 0) {
            throw new IllegalArgumentException("requirement memoryTypeBits must allow at least one memory type, was 0x0");
        }
    }

    /**
     * {@return requirements of a resource that neither prefers nor requires an allocation of its own}
     *
     * @param size           bytes the resource takes, positive
     * @param alignment      the resource's offset must be a multiple of this; a positive power of two
     * @param memoryTypeBits bit {@code i} set: memory type {@code i} may hold the resource; not 0
     * @throws IllegalArgumentException naming the value when a component is out of its range
     */
    public static ResourceRequirements of(long size, long alignment, int memoryTypeBits) {
        return new ResourceRequirements(size, alignment, memoryTypeBits, false, false);
    }

    /** What the backend reported, checked as a program's requirements are. */
    static ResourceRequirements of(dev.lluvia.memory.spi.MemoryRequirements r) {
        return new ResourceRequirements(r.size(), r.alignment(), r.memoryTypeBits(), r.prefersDedicated(),
                r.requiresDedicated());
    }

    /** The same requirements in the backend's terms, for placement. */
    dev.lluvia.memory.spi.MemoryRequirements toSpi() {
        return new dev.lluvia.memory.spi.MemoryRequirements(size, alignment, memoryTypeBits, prefersDedicated,
                requiresDedicated);
    }
}
