package dev.lluvia.memory;

import java.util.Set;

/**
 * A backend's own create-info for a buffer: everything its API can say about one (the Vulkan
 * module's {@code VulkanBufferInfo} carries all of {@code VkBufferCreateInfo}), where
 * {@link BufferUsage} is the portable subset. {@link Memory#createBuffer(BackendBufferInfo)} reads
 * only {@link #size()} and {@link #usage()} (for its own transfer, device-address and
 * defragmentation rules) and hands the create-info unread to the backend named by
 * {@link #backend()}, which checks the rest against its device. Implementations are immutable.
 */
public interface BackendBufferInfo {

    /** {@return the provider name of the backend this create-info is for (e.g. {@code "vulkan"})} */
    String backend();

    /** {@return the buffer's size in bytes; positive} */
    long size();

    /**
     * {@return the usages of the buffer that {@link BufferUsage} names (the backend's own other usages are
     * left out); possibly empty}
     */
    Set<BufferUsage> usage();
}
