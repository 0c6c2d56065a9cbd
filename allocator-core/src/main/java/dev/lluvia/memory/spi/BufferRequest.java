package dev.lluvia.memory.spi;

import dev.lluvia.memory.BackendBufferInfo;

/**
 * One buffer asked of a backend ({@link MemoryBackend#createBuffer(BufferRequest)}): Lluvia's
 * portable description, or the backend's own create-info riding along. New options become
 * fields here, never a new overload or boolean parameter of the backend's method.
 *
 * @param size        bytes; positive (of {@code backendInfo} when there is one)
 * @param usageBits   Vulkan {@code VkBufferUsageFlags} (ignored when {@code backendInfo} is given)
 * @param exportable  whether the buffer goes to an exportable page: Vulkan wants it created with
 *                    {@code VkExternalMemoryBufferCreateInfo}; a backend that cannot export ignores it
 * @param backendInfo the backend's own create-info ({@code Memory.createBuffer(BackendBufferInfo)}
 *                    has checked that it names this backend), or {@code null} for the portable
 *                    description; a backend without create-infos of its own throws
 *                    {@link UnsupportedOperationException} for one
 */
public record BufferRequest(long size, int usageBits, boolean exportable, BackendBufferInfo backendInfo) {

    /**
     * {@return a portable buffer, not for an exportable page}
     *
     * @param size      bytes; positive
     * @param usageBits Vulkan {@code VkBufferUsageFlags}
     */
    public static BufferRequest of(long size, int usageBits) {
        return new BufferRequest(size, usageBits, false, null);
    }

    /**
     * {@return a buffer from the backend's own create-info, not for an exportable page}
     *
     * @param info the backend's create-info
     */
    public static BufferRequest of(BackendBufferInfo info) {
        return new BufferRequest(info.size(), 0, false, info);
    }

    /**
     * {@return this request for an exportable page, or not}
     *
     * @param exportable whether the buffer goes to an exportable page
     */
    public BufferRequest withExportable(boolean exportable) {
        return new BufferRequest(size, usageBits, exportable, backendInfo);
    }
}
