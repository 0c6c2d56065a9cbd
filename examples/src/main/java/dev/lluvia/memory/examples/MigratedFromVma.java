package dev.lluvia.memory.examples;

import dev.lluvia.memory.Buffer;
import dev.lluvia.memory.Image;
import dev.lluvia.memory.Memory;
import dev.lluvia.memory.MemoryUsage;
import dev.lluvia.memory.Session;
import dev.lluvia.memory.SessionOptions;
import dev.lluvia.memory.Statistics;
import dev.lluvia.memory.vulkan.ExistingDevice;
import dev.lluvia.memory.vulkan.VulkanBufferInfo;
import dev.lluvia.memory.vulkan.VulkanImageInfo;
import dev.lluvia.memory.vulkan.VulkanSession;
import org.lwjgl.system.MemoryStack;
import org.lwjgl.vulkan.VkDevice;
import org.lwjgl.vulkan.VkImageCreateInfo;
import org.lwjgl.vulkan.VkQueue;

import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.util.concurrent.locks.Lock;

import static org.lwjgl.system.MemoryStack.stackPush;
import static org.lwjgl.vulkan.VK10.*;

/**
 * The program of {@code docs/migrating-from-vma.md}, after the port: on the program's own device,
 * a device-local vertex buffer filled from the host and read back, and a 4x MSAA color attachment
 * from the program's {@code VkImageCreateInfo}, then the statistics. The same program with
 * {@code lwjgl-vma} is {@code UploadWithVma} in this module's tests; the test runs both on one
 * device and compares what they read back.
 */
public final class MigratedFromVma {

    private MigratedFromVma() {
    }

    /**
     * Runs the program on the program's device; returns the vertex bytes it read back.
     *
     * @param apiVersion the Vulkan version the device was created with
     * @param queueLock  the program's rule for its queue: whoever submits holds it
     */
    public static ByteBuffer run(VkDevice device, int apiVersion, VkQueue queue, int queueFamily, Lock queueLock,
                                 ByteBuffer vertexData, PrintStream out) {
        // vmaCreateAllocator -> a session on the program's device (closing it is vmaDestroyAllocator).
        try (Session session = VulkanSession.wrap(ExistingDevice.of(device, apiVersion)
                .withTransferQueue(queue, queueFamily, queueLock), SessionOptions.defaults());
             MemoryStack stack = stackPush()) {
            // VMA_MEMORY_USAGE_AUTO_PREFER_DEVICE -> a Memory of usage DEVICE_ONLY.
            Memory deviceLocal = session.createMemory(MemoryUsage.DEVICE_ONLY);

            // vmaCreateBuffer with the program's VkBufferCreateInfo -> createBuffer(VulkanBufferInfo).
            Buffer vertices = deviceLocal.createBuffer(VulkanBufferInfo.of(vertexData.remaining(),
                    VK_BUFFER_USAGE_VERTEX_BUFFER_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT | VK_BUFFER_USAGE_TRANSFER_SRC_BIT));
            // A staging buffer, vmaMapMemory, memcpy, vkCmdCopyBuffer and a fence -> write.
            vertices.write(0, vertexData.duplicate());

            // vmaCreateImage with the program's VkImageCreateInfo -> createImage(VulkanImageInfo.from(...)).
            VkImageCreateInfo ici = VkImageCreateInfo.calloc(stack).sType$Default()
                    .imageType(VK_IMAGE_TYPE_2D).format(VK_FORMAT_R8G8B8A8_UNORM).extent(e -> e.set(256, 256, 1))
                    .mipLevels(1).arrayLayers(1).samples(VK_SAMPLE_COUNT_4_BIT).tiling(VK_IMAGE_TILING_OPTIMAL)
                    .usage(VK_IMAGE_USAGE_COLOR_ATTACHMENT_BIT | VK_IMAGE_USAGE_TRANSIENT_ATTACHMENT_BIT)
                    .sharingMode(VK_SHARING_MODE_EXCLUSIVE).initialLayout(VK_IMAGE_LAYOUT_UNDEFINED);
            Image attachment = deviceLocal.createImage(VulkanImageInfo.from(ici));

            // A readback buffer, vkCmdCopyBuffer, a fence, vmaInvalidateAllocation and a copy -> read.
            ByteBuffer back = ByteBuffer.allocateDirect(vertexData.remaining());
            vertices.read(0, back);
            back.flip();

            // vmaCalculateStatistics -> statistics (of one Memory, or the session's).
            Statistics s = deviceLocal.statistics();
            out.println("library: " + s.allocationCount() + " objects (a " + vertices.size() + "-byte vertex buffer, a "
                    + attachment.width() + "x" + attachment.height() + " 4x MSAA attachment) in " + s.pageCount()
                    + " pages of " + s.pageBytes() + " bytes; read back " + back.remaining() + " bytes");
            // vmaDestroyImage / vmaDestroyBuffer -> close (closing the Memory or the session frees what is left,
            // and reports it as a leak).
            attachment.close();
            vertices.close();
            return back;
        }
    }
}
