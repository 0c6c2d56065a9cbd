package dev.lluvia.memory;

/**
 * What a program's own resource is, for an {@link Allocation} made for it: Vulkan forbids a linear
 * resource (a buffer, a linear-tiled image) and an optimal-tiled image sharing a
 * {@code bufferImageGranularity}-sized block of a page, so the library places each kind as it
 * places its own buffers and images (VMA's suballocation types). A resource bound to an allocation
 * must be of the allocation's kind ({@link Allocation#bindBuffer}, {@link Allocation#bindImage}).
 */
public enum ResourceKind {
    /** A {@code VkBuffer}: linear. */
    BUFFER,
    /** A {@code VkImage} created with {@code VK_IMAGE_TILING_LINEAR}: linear. */
    LINEAR_IMAGE,
    /** A {@code VkImage} created with {@code VK_IMAGE_TILING_OPTIMAL} (or any tiling but linear). */
    OPTIMAL_IMAGE;

    /** {@return whether the resource is an image (bound with {@link Allocation#bindImage})} */
    public boolean isImage() {
        return this != BUFFER;
    }
}
