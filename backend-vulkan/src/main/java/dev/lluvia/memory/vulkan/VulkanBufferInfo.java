package dev.lluvia.memory.vulkan;

import dev.lluvia.memory.BackendBufferInfo;
import dev.lluvia.memory.BufferUsage;
import dev.lluvia.memory.Memory;
import org.lwjgl.vulkan.VkBufferCreateInfo;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import static org.lwjgl.vulkan.VK10.VK_SHARING_MODE_CONCURRENT;
import static org.lwjgl.vulkan.VK10.VK_SHARING_MODE_EXCLUSIVE;

/**
 * Everything {@code VkBufferCreateInfo} carries, for {@link Memory#createBuffer(dev.lluvia.memory.BackendBufferInfo)}
 * on a Vulkan session: any {@code VkBufferUsageFlags} (acceleration-structure, shader-binding-table,
 * descriptor-buffer usages...), create flags, concurrent sharing with queue families, and a
 * {@code pNext} chain the program owns. The library creates the buffer from it, places it like any
 * buffer and binds it; {@link dev.lluvia.memory.Buffer#handle()} is the {@code VkBuffer}.
 *
 * <p>What the device must allow is checked before anything is created, each failure an
 * {@link IllegalArgumentException} naming the value: the size against {@code maxBufferSize}, the
 * queue families against the device's, the flags the library cannot honour (sparse and protected
 * buffers are bound by other calls than the library's), and the structures of the chain the library
 * chains itself or that ask for a kind of memory the library does not allocate (external memory,
 * opaque capture addresses). A usage that needs a device feature is checked for the features the
 * library knows ({@code SHADER_DEVICE_ADDRESS}); the others are the program's to have enabled.
 *
 * <p>The chain is read when the buffer is created, and again if defragmentation moves the buffer
 * (which creates a new one from this create-info): keep it alive as long as the buffer, or
 * {@link dev.lluvia.memory.MemoryObject#setMovable(boolean) setMovable(false)}.
 *
 * @param size          bytes; positive
 * @param usageBits     {@code VkBufferUsageFlags}; not 0
 * @param flags         {@code VkBufferCreateFlags}
 * @param sharingMode   {@code VK_SHARING_MODE_EXCLUSIVE} or {@code VK_SHARING_MODE_CONCURRENT}
 * @param queueFamilies for concurrent sharing, two or more distinct queue family indices; else empty
 * @param pNext         the address of the program's chain of extension structures, or 0
 */
public record VulkanBufferInfo(long size, int usageBits, int flags, int sharingMode, List<Integer> queueFamilies, long pNext)
        implements BackendBufferInfo {

    public VulkanBufferInfo {
        if (size <= 0) {
            throw new IllegalArgumentException("buffer size must be positive, was " + size);
        }
        if (usageBits == 0) {
            throw new IllegalArgumentException("buffer usage must not be empty");
        }
        queueFamilies = VulkanImageInfo.checkSharing(sharingMode, queueFamilies);
    }

    /** A buffer of {@code size} bytes and usage bits {@code usage}, exclusive, no flags, no chain. */
    public static VulkanBufferInfo of(long size, int usage) {
        return new VulkanBufferInfo(size, usage, 0, VK_SHARING_MODE_EXCLUSIVE, List.of(), 0);
    }

    /**
     * Everything {@code ci} carries ({@code pNext} as its address: the program keeps the chain
     * alive); the struct can be freed after this returns.
     */
    public static VulkanBufferInfo from(VkBufferCreateInfo ci) {
        return new VulkanBufferInfo(ci.size(), ci.usage(), ci.flags(), ci.sharingMode(),
                VulkanImageInfo.families(ci.sharingMode(), ci.pQueueFamilyIndices()), ci.pNext());
    }

    /** This create-info with {@code VkBufferCreateFlags} {@code newFlags}. */
    public VulkanBufferInfo withFlags(int newFlags) {
        return new VulkanBufferInfo(size, usageBits, newFlags, sharingMode, queueFamilies, pNext);
    }

    /** This create-info shared concurrently by {@code families} (two or more distinct indices). */
    public VulkanBufferInfo withConcurrentSharing(int... families) {
        return new VulkanBufferInfo(size, usageBits, flags, VK_SHARING_MODE_CONCURRENT, VulkanImageInfo.list(families), pNext);
    }

    /** This create-info with the program's chain at {@code newPNext} (0 for none). */
    public VulkanBufferInfo withPNext(long newPNext) {
        return new VulkanBufferInfo(size, usageBits, flags, sharingMode, queueFamilies, newPNext);
    }

    @Override
    public String backend() {
        return VulkanBackend.NAME;
    }

    @Override
    public Set<BufferUsage> usage() {
        return bufferUsages(usageBits);
    }

    private static Set<BufferUsage> bufferUsages(int bits) {
        Set<BufferUsage> set = EnumSet.noneOf(BufferUsage.class);
        for (BufferUsage u : BufferUsage.values()) {
            if ((bits & u.bit()) != 0) {
                set.add(u);
            }
        }
        return set;
    }
}
