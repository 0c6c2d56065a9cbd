package dev.lluvia.memory.spi;

/**
 * A bind of a resource the program created itself to a place in a page
 * ({@code vkBindBufferMemory2} / {@code vkBindImageMemory2}), asked for through
 * {@link dev.lluvia.memory.Allocation#bindBuffer} or {@link dev.lluvia.memory.Allocation#bindImage}.
 * The core has checked the offset against the resource's requirements and the allocation's range.
 *
 * @param resource the program's buffer or image handle
 * @param image    whether {@code resource} is an image (else a buffer)
 * @param page     the page handle
 * @param offset   bytes from the start of the page
 * @param next     the address of the program's {@code pNext} chain for the bind-info struct, or 0;
 *                 the backend refuses (an {@link IllegalArgumentException} naming it) a structure it
 *                 must not chain
 */
public record ResourceBind(long resource, boolean image, long page, long offset, long next) {
}
