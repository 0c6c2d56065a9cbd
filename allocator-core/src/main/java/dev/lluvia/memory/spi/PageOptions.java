package dev.lluvia.memory.spi;

/**
 * What a page is asked for beyond its memory type and size: what Vulkan carries in the
 * {@code pNext} chain of {@code VkMemoryAllocateInfo}. A backend applies what its device supports
 * and ignores the rest: the priority only where {@link MemoryBackend#enabledFeatures()} has
 * {@link dev.lluvia.memory.DeviceFeature#MEMORY_PRIORITY}.
 *
 * @param priority the page's memory priority in [0, 1] ({@code VkMemoryPriorityAllocateInfoEXT},
 *                 {@code VK_EXT_memory_priority}); 0.5 is Vulkan's default, which a backend
 *                 need not pass on
 * @param exportable whether the page can be exported as an opaque file descriptor
 *                   ({@code VkExportMemoryAllocateInfo}, {@code VK_KHR_external_memory_fd}); the core
 *                   asks only when {@link MemoryBackend#hasExternalMemoryFd()}
 */
public record PageOptions(float priority, boolean exportable) {

    /** Vulkan's defaults: priority 0.5, not exportable. */
    public static final PageOptions DEFAULT = new PageOptions(0.5f, false);

    /**
     * A page of some priority, not exportable.
     *
     * @param priority the memory priority, in [0, 1]
     */
    public PageOptions(float priority) {
        this(priority, false);
    }

    /**
     * Checks the priority.
     *
     * @param priority the page's memory priority in [0, 1] ({@code VkMemoryPriorityAllocateInfoEXT},
     *                 {@code VK_EXT_memory_priority}); 0.5 is Vulkan's default, which a backend need not pass on
     * @param exportable whether the page can be exported as an opaque file descriptor (
     *                   {@code VkExportMemoryAllocateInfo}, {@code VK_KHR_external_memory_fd}); the core asks only when
     *                   {@link MemoryBackend#hasExternalMemoryFd()}
     * @throws IllegalArgumentException if {@code priority} is outside [0, 1] or NaN
     */
    public PageOptions {
        if (!(priority >= 0f && priority <= 1f)) {
            throw new IllegalArgumentException("memory priority must be in [0, 1], was " + priority);
        }
    }
}
