package dev.lluvia.memory.spi;

/**
 * A range of a mapped page to flush or invalidate ({@code VkMappedMemoryRange}): its offset and size
 * are whole {@code nonCoherentAtomSize} multiples, or it ends at the end of the page.
 *
 * @param page   the page handle
 * @param offset bytes from the start of the page
 * @param size   bytes, positive
 */
public record MappedRange(long page, long offset, long size) {
}
