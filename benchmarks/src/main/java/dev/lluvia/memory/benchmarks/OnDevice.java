package dev.lluvia.memory.benchmarks;

import static org.lwjgl.vulkan.VK10.VK_API_VERSION_1_0;
import static org.lwjgl.vulkan.VK10.VK_SUCCESS;

import dev.lluvia.memory.SessionOptions;
import dev.lluvia.memory.vulkan.VulkanBackend;
import org.lwjgl.PointerBuffer;
import org.lwjgl.system.MemoryStack;
import org.lwjgl.util.vma.Vma;
import org.lwjgl.util.vma.VmaAllocatorCreateInfo;
import org.lwjgl.util.vma.VmaVulkanFunctions;

/** What the benchmark programs on a real device share: their session, their VMA peer, their error check. */
final class OnDevice {

    private OnDevice() {
    }

    /** A session on the Vulkan backend: on {@code device} (a name or an index), or the best device when null. */
    static SessionOptions session(String device) {
        final SessionOptions options = SessionOptions.defaults().withBackend(VulkanBackend.NAME);
        return device == null ? options : options.withDevice(device);
    }

    /** A {@code VmaAllocator} on the session's device, Vulkan 1.0 entry points, no flags (VMA's defaults). */
    static long vmaAllocator(VulkanBackend vk) {
        try (MemoryStack stack = MemoryStack.stackPush()) {
            final VmaVulkanFunctions functions = VmaVulkanFunctions.calloc(stack).set(vk.vkInstance(), vk.vkDevice());
            final VmaAllocatorCreateInfo ci = VmaAllocatorCreateInfo.calloc(stack)
                    .physicalDevice(vk.vkPhysicalDevice()).device(vk.vkDevice()).instance(vk.vkInstance())
                    .pVulkanFunctions(functions).vulkanApiVersion(VK_API_VERSION_1_0);
            final PointerBuffer p = stack.mallocPointer(1);
            check(Vma.vmaCreateAllocator(ci, p), "vmaCreateAllocator");
            return p.get(0);
        }
    }

    /** Throws unless {@code result} is {@code VK_SUCCESS}, naming the call. */
    static void check(int result, String call) {
        if (result != VK_SUCCESS) {
            throw new IllegalStateException(call + " failed: VkResult " + result);
        }
    }
}
