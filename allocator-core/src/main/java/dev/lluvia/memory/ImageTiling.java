package dev.lluvia.memory;

/**
 * How an image's texels are laid out. The allocator cares because Vulkan's
 * {@code bufferImageGranularity} forbids linear and optimal resources sharing a granularity page.
 */
public enum ImageTiling {
    /** Driver-specific layout, fastest for the device. Lluvia's default. */
    OPTIMAL,
    /** Row-major layout, readable by the host through a mapping. */
    LINEAR
}
