package dev.lluvia.memory;

/**
 * Where an object lives inside its {@link Memory}, with Lluvia's four values.
 *
 * <pre>
 *   page bytes:  ... | leftPadding | object (size)        | ...
 *                    ^             ^
 *          free range start        offset (aligned)
 * </pre>
 *
 * @param page        index of the page inside the Memory (stable while the object lives)
 * @param offset      byte offset of the object in the page; already aligned as the driver requires
 * @param leftPadding bytes skipped from the start of the free range to reach {@code offset}
 * @param size        bytes reserved for the object: the driver's requirement size, which may
 *                    be larger than the size asked for
 */
public record AllocationInfo(int page, long offset, long leftPadding, long size) {
}
