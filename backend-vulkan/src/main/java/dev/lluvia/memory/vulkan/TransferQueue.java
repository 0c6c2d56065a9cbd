package dev.lluvia.memory.vulkan;

import dev.lluvia.memory.BackendException;
import dev.lluvia.memory.ImageDescriptor;
import org.lwjgl.PointerBuffer;
import org.lwjgl.system.MemoryStack;
import org.lwjgl.system.MemoryUtil;
import org.lwjgl.vulkan.*;

import java.nio.ByteBuffer;
import java.nio.LongBuffer;
import java.util.concurrent.locks.Lock;

import static dev.lluvia.memory.vulkan.VulkanResults.check;
import static org.lwjgl.system.MemoryStack.stackPush;
import static org.lwjgl.vulkan.VK10.*;
import static org.lwjgl.vulkan.VK11.VK_MEMORY_PROPERTY_PROTECTED_BIT;

/**
 * Copies between host memory and buffers or images through the device's queue, for memory the
 * host cannot map (and for any memory when asked): one staging buffer in host-visible memory, kept
 * and grown as needed, one command buffer and one fence. Each copy is recorded, submitted and
 * waited for; the command buffer is used by one thread at a time (the methods are synchronized),
 * and each submission holds the backend's queue lock, which a program that shares the queue takes
 * too, as Vulkan requires one thread at a time on a queue.
 *
 * <p>Barriers: before each copy, earlier device work on the target finishes (all commands, memory
 * writes, to transfer); after a copy into the staging buffer, transfer writes are made visible to
 * host reads. Images leave every transfer in {@code VK_IMAGE_LAYOUT_GENERAL}.
 *
 * <p>The callers (the backend) have checked handles, usage and ranges.
 */
final class TransferQueue {

    /** Largest piece of a buffer transfer; larger copies go in pieces through the same staging buffer. */
    static final long STAGING_CHUNK = 64L * 1024 * 1024;
    private static final long STAGING_MIN = 1024 * 1024;

    private final VulkanBackend backend;
    private final VkDevice device;
    /** Null on a wrapped device given no queue: the backend then refuses transfers before they get here. */
    private final VkQueue queue;
    private final int queueFamilyIndex;
    /** Held around vkQueueSubmit: the queue may be shared with the program (see VulkanBackend#vkQueue). */
    private final Lock queueLock;
    /** Vulkan property bits of each memory type. */
    private final int[] typeFlags;

    private long commandPool = VK_NULL_HANDLE;
    private VkCommandBuffer commandBuffer;
    private long fence = VK_NULL_HANDLE;
    private long stagingBuffer = VK_NULL_HANDLE;
    private long stagingMemory = VK_NULL_HANDLE;
    private long stagingSize;
    private long stagingAddress;
    private int stagingType = -1;

    TransferQueue(VulkanBackend backend, VkDevice device, VkQueue queue, int queueFamilyIndex, Lock queueLock,
                  int[] typeFlags) {
        this.backend = backend;
        this.device = device;
        this.queue = queue;
        this.queueFamilyIndex = queueFamilyIndex;
        this.queueLock = queueLock;
        this.typeFlags = typeFlags;
    }

    /** Copies {@code src}'s remaining bytes to {@code offset} of {@code buffer}; src's position is unchanged. */
    synchronized void copyToBuffer(long buffer, long offset, ByteBuffer src) {
        final ByteBuffer source = src.duplicate();
        long done = 0;
        final long total = source.remaining();
        while (done < total) {
            final int chunk = (int) Math.min(total - done, STAGING_CHUNK);
            ensureStaging(chunk);
            ByteBuffer staging = MemoryUtil.memByteBuffer(stagingAddress, chunk);
            source.limit(source.position() + chunk);
            staging.put(source);
            source.limit(src.limit());
            flushStaging();
            try (MemoryStack stack = stackPush()) {
                VkCommandBuffer cmd = beginCommands();
                // Earlier device work on this buffer (shaders, earlier copies) finishes first.
                memoryBarrier(stack, cmd, VK_PIPELINE_STAGE_ALL_COMMANDS_BIT, VK_ACCESS_MEMORY_WRITE_BIT | VK_ACCESS_MEMORY_READ_BIT,
                        VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_WRITE_BIT);
                VkBufferCopy.Buffer region = VkBufferCopy.calloc(1, stack);
                region.get(0).srcOffset(0).dstOffset(offset + done).size(chunk);
                vkCmdCopyBuffer(cmd, stagingBuffer, buffer, region);
                submitAndWait(stack, cmd);
            }
            done += chunk;
        }
    }

    /** Fills {@code dst}'s remaining bytes from {@code offset} of {@code buffer}; dst's position is unchanged. */
    synchronized void copyFromBuffer(long buffer, long offset, ByteBuffer dst) {
        final ByteBuffer target = dst.duplicate();
        long done = 0;
        final long total = target.remaining();
        while (done < total) {
            final int chunk = (int) Math.min(total - done, STAGING_CHUNK);
            ensureStaging(chunk);
            try (MemoryStack stack = stackPush()) {
                VkCommandBuffer cmd = beginCommands();
                memoryBarrier(stack, cmd, VK_PIPELINE_STAGE_ALL_COMMANDS_BIT, VK_ACCESS_MEMORY_WRITE_BIT,
                        VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_READ_BIT | VK_ACCESS_TRANSFER_WRITE_BIT);
                VkBufferCopy.Buffer region = VkBufferCopy.calloc(1, stack);
                region.get(0).srcOffset(offset + done).dstOffset(0).size(chunk);
                vkCmdCopyBuffer(cmd, buffer, stagingBuffer, region);
                memoryBarrier(stack, cmd, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_WRITE_BIT,
                        VK_PIPELINE_STAGE_HOST_BIT, VK_ACCESS_HOST_READ_BIT);
                submitAndWait(stack, cmd);
            }
            invalidateStaging();
            target.put(MemoryUtil.memByteBuffer(stagingAddress, chunk));
            done += chunk;
        }
    }

    /** Replaces every pixel of {@code image} with {@code src}'s remaining bytes; the image ends in GENERAL. */
    synchronized void copyToImage(long image, ImageDescriptor descriptor, ByteBuffer src) {
        final int bytes = src.remaining();
        ensureStaging(bytes);
        MemoryUtil.memByteBuffer(stagingAddress, bytes).put(src.duplicate());
        flushStaging();
        try (MemoryStack stack = stackPush()) {
            VkCommandBuffer cmd = beginCommands();
            // The old contents are replaced whole, so the old layout need not be kept.
            imageBarrier(stack, cmd, image, descriptor, VK_IMAGE_LAYOUT_UNDEFINED, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL,
                    VK_PIPELINE_STAGE_ALL_COMMANDS_BIT, VK_ACCESS_MEMORY_WRITE_BIT | VK_ACCESS_MEMORY_READ_BIT,
                    VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_WRITE_BIT);
            vkCmdCopyBufferToImage(cmd, stagingBuffer, image, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, imageRegion(stack, descriptor));
            imageBarrier(stack, cmd, image, descriptor, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, VK_IMAGE_LAYOUT_GENERAL,
                    VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_WRITE_BIT,
                    VK_PIPELINE_STAGE_ALL_COMMANDS_BIT, VK_ACCESS_MEMORY_READ_BIT | VK_ACCESS_MEMORY_WRITE_BIT);
            submitAndWait(stack, cmd);
        }
    }

    /** Copies every pixel of {@code image}, now in {@code layout}, into {@code dst}; the image ends in GENERAL. */
    synchronized void copyFromImage(long image, int layout, ImageDescriptor descriptor, ByteBuffer dst) {
        final int bytes = dst.remaining();
        ensureStaging(bytes);
        try (MemoryStack stack = stackPush()) {
            VkCommandBuffer cmd = beginCommands();
            imageBarrier(stack, cmd, image, descriptor, layout, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL,
                    VK_PIPELINE_STAGE_ALL_COMMANDS_BIT, VK_ACCESS_MEMORY_WRITE_BIT,
                    VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_READ_BIT);
            vkCmdCopyImageToBuffer(cmd, image, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL, stagingBuffer, imageRegion(stack, descriptor));
            imageBarrier(stack, cmd, image, descriptor, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL, VK_IMAGE_LAYOUT_GENERAL,
                    VK_PIPELINE_STAGE_TRANSFER_BIT, 0,
                    VK_PIPELINE_STAGE_ALL_COMMANDS_BIT, VK_ACCESS_MEMORY_READ_BIT | VK_ACCESS_MEMORY_WRITE_BIT);
            memoryBarrier(stack, cmd, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_WRITE_BIT,
                    VK_PIPELINE_STAGE_HOST_BIT, VK_ACCESS_HOST_READ_BIT);
            submitAndWait(stack, cmd);
        }
        invalidateStaging();
        dst.duplicate().put(MemoryUtil.memByteBuffer(stagingAddress, bytes));
    }

    /** Destroys the staging buffer, its memory, the fence and the command pool. Call with the device idle. */
    synchronized void close() {
        destroyStaging();
        if (fence != VK_NULL_HANDLE) {
            vkDestroyFence(device, fence, null);
            fence = VK_NULL_HANDLE;
        }
        if (commandPool != VK_NULL_HANDLE) {
            vkDestroyCommandPool(device, commandPool, null);
            commandPool = VK_NULL_HANDLE;
        }
    }


    /** Makes the staging buffer hold at least {@code bytes}, growing it (and its memory) if needed. */
    private void ensureStaging(long bytes) {
        if (stagingBuffer != VK_NULL_HANDLE && stagingSize >= bytes) {
            return;
        }
        destroyStaging();
        final long size = Math.max(bytes, STAGING_MIN);
        try (MemoryStack stack = stackPush()) {
            VkBufferCreateInfo ci = VkBufferCreateInfo.calloc(stack).sType$Default().size(size)
                    .usage(VK_BUFFER_USAGE_TRANSFER_SRC_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT)
                    .sharingMode(VK_SHARING_MODE_EXCLUSIVE);
            LongBuffer pBuffer = stack.mallocLong(1);
            check(vkCreateBuffer(device, ci, null, pBuffer), "vkCreateBuffer");
            long buffer = pBuffer.get(0);
            try {
                VkMemoryRequirements req = VkMemoryRequirements.malloc(stack);
                vkGetBufferMemoryRequirements(device, buffer, req);
                int type = stagingType(req.memoryTypeBits());
                long memory = backend.allocateDeviceMemory(type, req.size(), VK_NULL_HANDLE, VK_NULL_HANDLE);
                try {
                    check(vkBindBufferMemory(device, buffer, memory, 0), "vkBindBufferMemory");
                    PointerBuffer pData = stack.mallocPointer(1);
                    check(vkMapMemory(device, memory, 0, VK_WHOLE_SIZE, 0, pData), "vkMapMemory");
                    stagingAddress = pData.get(0);
                } catch (RuntimeException | Error e) {
                    backend.freeDeviceMemory(memory, type, req.size());
                    throw e;
                }
                stagingBuffer = buffer;
                stagingMemory = memory;
                stagingSize = req.size();
                stagingType = type;
            } catch (RuntimeException | Error e) {
                vkDestroyBuffer(device, buffer, null);
                throw e;
            }
        }
    }

    /**
     * A host-visible type for staging: host memory rather than device memory (host reads of a BAR
     * crawl), cached, then coherent; the lowest index breaking ties.
     */
    private int stagingType(int memoryTypeBits) {
        int best = -1;
        int bestScore = -1;
        for (int t = 0; t < typeFlags.length; t++) {
            int f = typeFlags[t];
            if ((memoryTypeBits & (1 << t)) == 0 || (f & VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT) == 0
                    || (f & VK_MEMORY_PROPERTY_PROTECTED_BIT) != 0) {
                continue;
            }
            int score = ((f & VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT) == 0 ? 4 : 0)
                    + ((f & VK_MEMORY_PROPERTY_HOST_CACHED_BIT) != 0 ? 2 : 0)
                    + ((f & VK_MEMORY_PROPERTY_HOST_COHERENT_BIT) != 0 ? 1 : 0);
            if (score > bestScore) {
                best = t;
                bestScore = score;
            }
        }
        if (best < 0) {
            throw new BackendException("choosing a staging memory type", backend.device().name()
                    + " has no host-visible memory type for a transfer buffer (memoryTypeBits 0x"
                    + Integer.toHexString(memoryTypeBits) + ")");
        }
        return best;
    }

    private void destroyStaging() {
        if (stagingBuffer != VK_NULL_HANDLE) {
            vkDestroyBuffer(device, stagingBuffer, null);
            backend.freeDeviceMemory(stagingMemory, stagingType, stagingSize);
            stagingBuffer = VK_NULL_HANDLE;
            stagingMemory = VK_NULL_HANDLE;
            stagingSize = 0;
            stagingAddress = 0;
            stagingType = -1;
        }
    }

    private boolean stagingCoherent() {
        return (typeFlags[stagingType] & VK_MEMORY_PROPERTY_HOST_COHERENT_BIT) != 0;
    }

    private void flushStaging() {
        if (!stagingCoherent()) {
            try (MemoryStack stack = stackPush()) {
                VkMappedMemoryRange.Buffer range = VkMappedMemoryRange.calloc(1, stack);
                range.get(0).sType$Default().memory(stagingMemory).offset(0).size(VK_WHOLE_SIZE);
                check(vkFlushMappedMemoryRanges(device, range), "vkFlushMappedMemoryRanges");
            }
        }
    }

    private void invalidateStaging() {
        if (!stagingCoherent()) {
            try (MemoryStack stack = stackPush()) {
                VkMappedMemoryRange.Buffer range = VkMappedMemoryRange.calloc(1, stack);
                range.get(0).sType$Default().memory(stagingMemory).offset(0).size(VK_WHOLE_SIZE);
                check(vkInvalidateMappedMemoryRanges(device, range), "vkInvalidateMappedMemoryRanges");
            }
        }
    }

    /** The command buffer, reset and begun; makes the pool, buffer and fence on first use. */
    private VkCommandBuffer beginCommands() {
        try (MemoryStack stack = stackPush()) {
            if (commandPool == VK_NULL_HANDLE) {
                VkCommandPoolCreateInfo pci = VkCommandPoolCreateInfo.calloc(stack).sType$Default()
                        .flags(VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT | VK_COMMAND_POOL_CREATE_TRANSIENT_BIT)
                        .queueFamilyIndex(queueFamilyIndex);
                LongBuffer pPool = stack.mallocLong(1);
                check(vkCreateCommandPool(device, pci, null, pPool), "vkCreateCommandPool");
                commandPool = pPool.get(0);
                VkCommandBufferAllocateInfo ai = VkCommandBufferAllocateInfo.calloc(stack).sType$Default()
                        .commandPool(commandPool).level(VK_COMMAND_BUFFER_LEVEL_PRIMARY).commandBufferCount(1);
                PointerBuffer pCmd = stack.mallocPointer(1);
                check(vkAllocateCommandBuffers(device, ai, pCmd), "vkAllocateCommandBuffers");
                commandBuffer = new VkCommandBuffer(pCmd.get(0), device);
                backend.ownDispatchable(commandBuffer.address());
                LongBuffer pFence = stack.mallocLong(1);
                check(vkCreateFence(device, VkFenceCreateInfo.calloc(stack).sType$Default(), null, pFence), "vkCreateFence");
                fence = pFence.get(0);
            }
            check(vkResetCommandBuffer(commandBuffer, 0), "vkResetCommandBuffer");
            check(vkBeginCommandBuffer(commandBuffer, VkCommandBufferBeginInfo.calloc(stack).sType$Default()
                    .flags(VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT)), "vkBeginCommandBuffer");
            return commandBuffer;
        }
    }

    private void submitAndWait(MemoryStack stack, VkCommandBuffer cmd) {
        check(vkEndCommandBuffer(cmd), "vkEndCommandBuffer");
        VkSubmitInfo submit = VkSubmitInfo.calloc(stack).sType$Default().pCommandBuffers(stack.pointers(cmd));
        queueLock.lock();
        try {
            check(vkQueueSubmit(queue, submit, fence), "vkQueueSubmit");
        } finally {
            queueLock.unlock();
        }
        try {
            check(vkWaitForFences(device, stack.longs(fence), true, -1L), "vkWaitForFences");
        } finally {
            check(vkResetFences(device, stack.longs(fence)), "vkResetFences");
        }
    }

    private static void memoryBarrier(MemoryStack stack, VkCommandBuffer cmd, int srcStage, int srcAccess,
                                      int dstStage, int dstAccess) {
        VkMemoryBarrier.Buffer barrier = VkMemoryBarrier.calloc(1, stack);
        barrier.get(0).sType$Default().srcAccessMask(srcAccess).dstAccessMask(dstAccess);
        vkCmdPipelineBarrier(cmd, srcStage, dstStage, 0, barrier, null, null);
    }

    /** Every level and layer of the image changes layout together; the library keeps one layout per image. */
    private static void imageBarrier(MemoryStack stack, VkCommandBuffer cmd, long image, ImageDescriptor d, int oldLayout, int newLayout,
                                     int srcStage, int srcAccess, int dstStage, int dstAccess) {
        VkImageMemoryBarrier.Buffer barrier = VkImageMemoryBarrier.calloc(1, stack);
        barrier.get(0).sType$Default()
                .srcAccessMask(srcAccess).dstAccessMask(dstAccess)
                .oldLayout(oldLayout).newLayout(newLayout)
                .srcQueueFamilyIndex(VK_QUEUE_FAMILY_IGNORED).dstQueueFamilyIndex(VK_QUEUE_FAMILY_IGNORED)
                .image(image)
                .subresourceRange(r -> r.aspectMask(aspect(d)).baseMipLevel(0).levelCount(VK_REMAINING_MIP_LEVELS)
                        .baseArrayLayer(0).layerCount(VK_REMAINING_ARRAY_LAYERS));
        vkCmdPipelineBarrier(cmd, srcStage, dstStage, 0, null, null, barrier);
    }

    private static int aspect(ImageDescriptor d) {
        return d.format() != null && d.format().isDepth() ? VK_IMAGE_ASPECT_DEPTH_BIT : VK_IMAGE_ASPECT_COLOR_BIT;
    }

    private static VkBufferImageCopy.Buffer imageRegion(MemoryStack stack, ImageDescriptor d) {
        VkBufferImageCopy.Buffer region = VkBufferImageCopy.calloc(1, stack);
        region.get(0).bufferOffset(0).bufferRowLength(0).bufferImageHeight(0)
                .imageSubresource(s -> s.aspectMask(aspect(d)).mipLevel(0).baseArrayLayer(0).layerCount(d.arrayLayers()))
                .imageOffset(o -> o.set(0, 0, 0))
                .imageExtent(e -> e.set(d.width(), d.height(), d.depth()));
        return region;
    }

}