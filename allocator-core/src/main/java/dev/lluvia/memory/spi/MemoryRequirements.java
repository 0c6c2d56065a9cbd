package dev.lluvia.memory.spi;

/**
 * What the driver requires of the memory an object is bound to
 * ({@code VkMemoryRequirements2} with {@code VkMemoryDedicatedRequirements}).
 *
 * @param size              bytes to reserve; may exceed the size asked for
 * @param alignment         the offset must be a multiple of this (a power of two)
 * @param memoryTypeBits    bit i set: memory type i may hold the object
 * @param prefersDedicated  the driver is faster if the object has an allocation of its own
 * @param requiresDedicated the object must have an allocation of its own
 */
public record MemoryRequirements(long size, long alignment, int memoryTypeBits,
                                 boolean prefersDedicated, boolean requiresDedicated) {
}
