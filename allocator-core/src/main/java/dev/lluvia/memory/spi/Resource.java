package dev.lluvia.memory.spi;

/**
 * A buffer or image the backend created, not yet bound to memory.
 *
 * @param handle       the backend's handle (a Vulkan handle, or a sim id)
 * @param requirements what memory it may be bound to
 */
public record Resource(long handle, MemoryRequirements requirements) {
}
