package dev.lluvia.memory.examples;

import org.lwjgl.PointerBuffer;
import org.lwjgl.system.MemoryStack;
import org.lwjgl.system.MemoryUtil;
import org.lwjgl.util.vma.VmaAllocationCreateInfo;
import org.lwjgl.util.vma.VmaAllocationInfo;
import org.lwjgl.util.vma.VmaAllocatorCreateInfo;
import org.lwjgl.util.vma.VmaTotalStatistics;
import org.lwjgl.util.vma.VmaVulkanFunctions;
import org.lwjgl.vulkan.*;

import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.LongBuffer;
import java.util.concurrent.locks.Lock;

import static org.lwjgl.system.MemoryStack.stackPush;
import static org.lwjgl.util.vma.Vma.*;
import static org.lwjgl.vulkan.VK10.*;

/**
 * The program of {@code docs/migrating-from-vma.md} before the port, with {@code lwjgl-vma}: the
 * same steps as {@link MigratedFromVma}, each as a VMA user writes it (a staging buffer, a readback
 * buffer, the copies and their barriers, flush and invalidate are the program's).
 */
final class UploadWithVma {

    private UploadWithVma() {
    }

    static ByteBuffer run(VkInstance instance, VkPhysicalDevice physical, VkDevice device, int apiVersion, VkQueue queue,
                          int queueFamily, Lock queueLock, ByteBuffer vertexData, PrintStream out) {
        final int size = vertexData.remaining();
        try (MemoryStack stack = stackPush()) {
            PointerBuffer p = stack.mallocPointer(1);
            check(vmaCreateAllocator(VmaAllocatorCreateInfo.calloc(stack).physicalDevice(physical).device(device)
                    .instance(instance).vulkanApiVersion(apiVersion)
                    .pVulkanFunctions(VmaVulkanFunctions.calloc(stack).set(instance, device)), p), "vmaCreateAllocator");
            long allocator = p.get(0);
            LongBuffer handle = stack.mallocLong(1);
            try {
                // The device-local vertex buffer.
                check(vmaCreateBuffer(allocator, VkBufferCreateInfo.calloc(stack).sType$Default().size(size)
                        .usage(VK_BUFFER_USAGE_VERTEX_BUFFER_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT | VK_BUFFER_USAGE_TRANSFER_SRC_BIT),
                        VmaAllocationCreateInfo.calloc(stack).usage(VMA_MEMORY_USAGE_AUTO_PREFER_DEVICE), handle, p, null),
                        "vmaCreateBuffer");
                long vertices = handle.get(0), verticesAllocation = p.get(0);
                // A mapped staging buffer the host writes, and a mapped readback buffer the host reads.
                VmaAllocationInfo stagingInfo = VmaAllocationInfo.calloc(stack);
                check(vmaCreateBuffer(allocator, VkBufferCreateInfo.calloc(stack).sType$Default().size(size)
                        .usage(VK_BUFFER_USAGE_TRANSFER_SRC_BIT), VmaAllocationCreateInfo.calloc(stack).usage(VMA_MEMORY_USAGE_AUTO)
                        .flags(VMA_ALLOCATION_CREATE_HOST_ACCESS_SEQUENTIAL_WRITE_BIT | VMA_ALLOCATION_CREATE_MAPPED_BIT),
                        handle, p, stagingInfo), "vmaCreateBuffer");
                long staging = handle.get(0), stagingAllocation = p.get(0);
                VmaAllocationInfo readbackInfo = VmaAllocationInfo.calloc(stack);
                check(vmaCreateBuffer(allocator, VkBufferCreateInfo.calloc(stack).sType$Default().size(size)
                        .usage(VK_BUFFER_USAGE_TRANSFER_DST_BIT), VmaAllocationCreateInfo.calloc(stack).usage(VMA_MEMORY_USAGE_AUTO)
                        .flags(VMA_ALLOCATION_CREATE_HOST_ACCESS_RANDOM_BIT | VMA_ALLOCATION_CREATE_MAPPED_BIT),
                        handle, p, readbackInfo), "vmaCreateBuffer");
                long readback = handle.get(0), readbackAllocation = p.get(0);

                MemoryUtil.memCopy(MemoryUtil.memAddress(vertexData), stagingInfo.pMappedData(), size);
                vmaFlushAllocation(allocator, stagingAllocation, 0, VK_WHOLE_SIZE);
                copyThroughTheDevice(stack, device, queue, queueFamily, queueLock, staging, vertices, readback, size);
                vmaInvalidateAllocation(allocator, readbackAllocation, 0, VK_WHOLE_SIZE);
                ByteBuffer back = ByteBuffer.allocateDirect(size);
                MemoryUtil.memCopy(readbackInfo.pMappedData(), MemoryUtil.memAddress(back), size);

                // The 4x MSAA color attachment.
                VkImageCreateInfo ici = VkImageCreateInfo.calloc(stack).sType$Default()
                        .imageType(VK_IMAGE_TYPE_2D).format(VK_FORMAT_R8G8B8A8_UNORM).extent(e -> e.set(256, 256, 1))
                        .mipLevels(1).arrayLayers(1).samples(VK_SAMPLE_COUNT_4_BIT).tiling(VK_IMAGE_TILING_OPTIMAL)
                        .usage(VK_IMAGE_USAGE_COLOR_ATTACHMENT_BIT | VK_IMAGE_USAGE_TRANSIENT_ATTACHMENT_BIT)
                        .sharingMode(VK_SHARING_MODE_EXCLUSIVE).initialLayout(VK_IMAGE_LAYOUT_UNDEFINED);
                check(vmaCreateImage(allocator, ici, VmaAllocationCreateInfo.calloc(stack).usage(VMA_MEMORY_USAGE_AUTO_PREFER_DEVICE),
                        handle, p, null), "vmaCreateImage");
                long attachment = handle.get(0), attachmentAllocation = p.get(0);

                VmaTotalStatistics stats = VmaTotalStatistics.calloc(stack);
                vmaCalculateStatistics(allocator, stats);
                out.println("vma: " + stats.total().statistics().allocationCount() + " allocations in "
                        + stats.total().statistics().blockCount() + " blocks of " + stats.total().statistics().blockBytes()
                        + " bytes; read back " + size + " bytes");

                vmaDestroyImage(allocator, attachment, attachmentAllocation);
                vmaDestroyBuffer(allocator, readback, readbackAllocation);
                vmaDestroyBuffer(allocator, staging, stagingAllocation);
                vmaDestroyBuffer(allocator, vertices, verticesAllocation);
                return back;
            } finally {
                vmaDestroyAllocator(allocator);
            }
        }
    }

    /** staging -> vertices -> readback on the device, with the barriers between, waited for with a fence. */
    private static void copyThroughTheDevice(MemoryStack stack, VkDevice device, VkQueue queue, int family, Lock queueLock,
                                             long staging, long vertices, long readback, long size) {
        LongBuffer p = stack.mallocLong(1);
        check(vkCreateCommandPool(device, VkCommandPoolCreateInfo.calloc(stack).sType$Default().queueFamilyIndex(family), null, p),
                "vkCreateCommandPool");
        long pool = p.get(0);
        check(vkCreateFence(device, VkFenceCreateInfo.calloc(stack).sType$Default(), null, p), "vkCreateFence");
        long fence = p.get(0);
        try {
            PointerBuffer pc = stack.mallocPointer(1);
            check(vkAllocateCommandBuffers(device, VkCommandBufferAllocateInfo.calloc(stack).sType$Default().commandPool(pool)
                    .level(VK_COMMAND_BUFFER_LEVEL_PRIMARY).commandBufferCount(1), pc), "vkAllocateCommandBuffers");
            VkCommandBuffer cmd = new VkCommandBuffer(pc.get(0), device);
            check(vkBeginCommandBuffer(cmd, VkCommandBufferBeginInfo.calloc(stack).sType$Default()
                    .flags(VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT)), "vkBeginCommandBuffer");
            vkCmdCopyBuffer(cmd, staging, vertices, VkBufferCopy.calloc(1, stack).size(size));
            vkCmdPipelineBarrier(cmd, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_PIPELINE_STAGE_TRANSFER_BIT, 0,
                    VkMemoryBarrier.calloc(1, stack).sType$Default().srcAccessMask(VK_ACCESS_TRANSFER_WRITE_BIT)
                            .dstAccessMask(VK_ACCESS_TRANSFER_READ_BIT), null, null);
            vkCmdCopyBuffer(cmd, vertices, readback, VkBufferCopy.calloc(1, stack).size(size));
            vkCmdPipelineBarrier(cmd, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_PIPELINE_STAGE_HOST_BIT, 0,
                    VkMemoryBarrier.calloc(1, stack).sType$Default().srcAccessMask(VK_ACCESS_TRANSFER_WRITE_BIT)
                            .dstAccessMask(VK_ACCESS_HOST_READ_BIT), null, null);
            check(vkEndCommandBuffer(cmd), "vkEndCommandBuffer");
            queueLock.lock();
            try {
                check(vkQueueSubmit(queue, VkSubmitInfo.calloc(stack).sType$Default().pCommandBuffers(pc), fence), "vkQueueSubmit");
            } finally {
                queueLock.unlock();
            }
            check(vkWaitForFences(device, stack.longs(fence), true, -1L), "vkWaitForFences");
        } finally {
            vkDestroyFence(device, fence, null);
            vkDestroyCommandPool(device, pool, null);
        }
    }

    private static void check(int result, String call) {
        if (result != VK_SUCCESS) {
            throw new IllegalStateException(call + " failed: VkResult " + result);
        }
    }
}
