package dev.lluvia.memory.vulkan;

import dev.lluvia.memory.vulkan.testing.OwnVulkan;
import dev.lluvia.memory.Allocation;
import dev.lluvia.memory.AllocationRequest;
import dev.lluvia.memory.Buffer;
import dev.lluvia.memory.ImageTiling;
import dev.lluvia.memory.IncompatibleMemoryTypeException;
import dev.lluvia.memory.Memory;
import dev.lluvia.memory.MemoryPropertyFlag;
import dev.lluvia.memory.ResourceKind;
import dev.lluvia.memory.ResourceRequirements;
import dev.lluvia.memory.Session;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.lwjgl.system.MemoryStack;
import org.lwjgl.vulkan.*;

import java.nio.LongBuffer;
import java.util.EnumSet;
import java.util.function.LongFunction;

import static dev.lluvia.memory.vulkan.VulkanTestSupport.*;
import static org.junit.jupiter.api.Assertions.*;
import static org.lwjgl.system.MemoryStack.stackPush;
import static org.lwjgl.vulkan.VK10.*;
import static org.lwjgl.vulkan.VK11.*;

/**
 * Memory for the program's own VkBuffer and VkImage ({@link Memory#allocate}): placed like the
 * library's objects, bound by the library or by the program, the bytes seen by the device through
 * the program's buffer; bad binds refused with nothing bound; validation silent throughout. Each
 * on the library's device and on a device the program made ({@link OwnVulkan}).
 */
class VulkanOwnResourceTest {

    private static final int STORAGE_TRANSFER = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_TRANSFER_SRC_BIT
            | VK_BUFFER_USAGE_TRANSFER_DST_BIT;

    @ParameterizedTest(name = "device {0}")
    @MethodSource("dev.lluvia.memory.vulkan.VulkanTestSupport#devices")
    void theProgramsBufferReadsTheAllocationsBytesOnTheLibrarysDevice(String device) {
        Session session = open(device);
        try {
            programBufferSeesAllocation(session);
        } finally {
            closeAndAssertClean(session);
        }
    }

    @ParameterizedTest(name = "device {0}")
    @MethodSource("dev.lluvia.memory.vulkan.VulkanTestSupport#devices")
    void theProgramsBufferReadsTheAllocationsBytesOnTheProgramsDevice(String device) {
        assumeVulkan();
        try (OwnVulkan own = OwnVulkan.create(Integer.parseInt(device), false)) {
            Session session = VulkanSession.wrap(ExistingDevice.of(own.device, own.apiVersion)
                    .withTransferQueue(own.queue, own.queueFamily, own.queueLock));
            programBufferSeesAllocation(session);
            badBindsAreRefusedAndBindNothing(session);
            session.close();
            own.close();
            assertEquals(0, own.errors() + own.warnings(), () -> String.join("\n", own.messages()));
        }
    }

    @ParameterizedTest(name = "device {0}")
    @MethodSource("dev.lluvia.memory.vulkan.VulkanTestSupport#devices")
    void badBindsAreRefusedAndBindNothingOnTheLibrarysDevice(String device) {
        Session session = open(device);
        try {
            badBindsAreRefusedAndBindNothing(session);
        } finally {
            closeAndAssertClean(session);
        }
    }

    @ParameterizedTest(name = "device {0}")
    @MethodSource("dev.lluvia.memory.vulkan.VulkanTestSupport#devices")
    void imagesGetPlacedByKindAndADedicatedAllocationNamesTheImage(String device) {
        Session session = open(device);
        VkDevice vk = backend(session).vkDevice();
        long small = createImage(vk, 64, 64);
        long large = createImage(vk, 512, 512); // 1 MiB: more than half a page, so a page of its own
        long other = createImage(vk, 512, 512);
        try {
            Memory memory = session.createMemory(EnumSet.of(MemoryPropertyFlag.DEVICE_LOCAL), 1 << 20);
            Allocation a = memory.allocate(AllocationRequest.forImage(small, ImageTiling.OPTIMAL));
            Allocation b = memory.allocate(AllocationRequest.forImage(large, ImageTiling.OPTIMAL));
            assertEquals(ResourceKind.OPTIMAL_IMAGE, a.resourceKind());
            long granularity = session.device().limits().bufferImageGranularity();
            assertEquals(0, a.allocationInfo().offset() % Math.max(granularity, a.requirements().alignment()));
            assertEquals(2, memory.pageCount());
            assertEquals(0, b.allocationInfo().offset());
            a.bindImage(small);
            // The dedicated page names the large image: nothing else may be bound there.
            Allocation c = memory.allocate(AllocationRequest.forImage(other, ImageTiling.OPTIMAL));
            IllegalArgumentException notOurs = assertThrows(IllegalArgumentException.class, () -> b.bindImage(other));
            assertTrue(notOurs.getMessage().contains("dedicated to 0x" + Long.toHexString(large)), notOurs.getMessage());
            b.bindImage(large);
            c.bindImage(other);
            a.close();
            b.close();
            c.close();
            assertEquals(0, memory.statistics().allocationCount());
        } finally {
            vkDestroyImage(vk, small, null);
            vkDestroyImage(vk, large, null);
            vkDestroyImage(vk, other, null);
            closeAndAssertClean(session);
        }
    }

    /**
     * Bytes written through the allocation's mapping are what the program's buffer, bound to it,
     * gives a device copy; closing the allocation leaves the buffer alive (the program destroys it).
     */
    private static void programBufferSeesAllocation(Session session) {
        VulkanBackend backend = backend(session);
        VkDevice vk = backend.vkDevice();
        Memory host = session.createMemory(EnumSet.of(MemoryPropertyFlag.HOST_VISIBLE, MemoryPropertyFlag.HOST_COHERENT),
                1 << 20);
        Buffer neighbour = host.createBuffer(100);
        long own = createBuffer(vk, 4096, STORAGE_TRANSFER);
        Allocation allocation = host.allocate(AllocationRequest.forBuffer(own));
        assertEquals(ResourceKind.BUFFER, allocation.resourceKind());
        assertTrue(allocation.size() >= 4096);
        assertEquals(0, allocation.allocationInfo().offset() % allocation.requirements().alignment());
        assertEquals(neighbour.pageHandle(), allocation.pageHandle(), "placed in the same page as the library's buffer");
        assertEquals(own, allocation.handle());
        assertEquals(2, host.statistics().allocationCount());
        allocation.bindBuffer(own);
        assertEquals(own, allocation.boundResource());
        for (int i = 0; i < 1024; i++) {
            allocation.map().putInt(4L * i, i * 7 + 1);
        }
        Buffer out = host.createBuffer(4096);
        copy(backend, own, out.handle(), 4096);
        for (int i = 0; i < 1024; i++) {
            assertEquals(i * 7 + 1, out.map().getInt(4L * i), "int " + i);
        }
        allocation.close();
        // The buffer is the program's: still alive, destroyed by the program (validation would
        // report a double destroy if the library had destroyed it).
        vkDestroyBuffer(vk, own, null);
        assertThrows(IllegalStateException.class, allocation::boundResource);

        // From a requirements record the program queried, bound at a local offset.
        long second = createBuffer(vk, 256, STORAGE_TRANSFER);
        ResourceRequirements req;
        try (MemoryStack stack = stackPush()) {
            VkMemoryRequirements r = VkMemoryRequirements.malloc(stack);
            vkGetBufferMemoryRequirements(vk, second, r);
            req = ResourceRequirements.of(r.size() + r.alignment(), r.alignment(), r.memoryTypeBits());
        }
        Allocation fromRecord = host.allocate(AllocationRequest.of(req, ResourceKind.BUFFER));
        assertEquals(0, fromRecord.handle(), "no resource named");
        fromRecord.bindBuffer(second, req.alignment(), 0);
        vkDestroyBuffer(vk, second, null);
        fromRecord.close();
        out.close();
        neighbour.close();
        host.close();
    }

    private static void badBindsAreRefusedAndBindNothing(Session session) {
        VkDevice vk = backend(session).vkDevice();
        Memory memory = session.createMemory(EnumSet.of(MemoryPropertyFlag.HOST_VISIBLE), 1 << 20);
        long small = createBuffer(vk, 256, STORAGE_TRANSFER);
        long big = createBuffer(vk, 8192, STORAGE_TRANSFER);
        long image = createImage(vk, 16, 16);
        Allocation allocation = memory.allocate(AllocationRequest.forBuffer(small));
        // A resource needing more bytes than the allocation has.
        IllegalArgumentException tooBig = assertThrows(IllegalArgumentException.class, () -> allocation.bindBuffer(big));
        assertTrue(tooBig.getMessage().contains("needs") && tooBig.getMessage().contains("0x" + Long.toHexString(big)),
                tooBig.getMessage());
        // An image to an allocation for a buffer.
        IllegalArgumentException kind = assertThrows(IllegalArgumentException.class, () -> allocation.bindImage(image));
        assertTrue(kind.getMessage().contains("BUFFER"), kind.getMessage());
        // A local offset past the end, and one breaking the alignment.
        assertThrows(IllegalArgumentException.class, () -> allocation.bindBuffer(small, allocation.size(), 0));
        assertThrows(IllegalArgumentException.class, () -> allocation.bindBuffer(small, -1, 0));
        // A pNext the library must not chain: a plane bind (VkBindImagePlaneMemoryInfo) in a buffer bind.
        try (MemoryStack stack = stackPush()) {
            VkBindImagePlaneMemoryInfo plane = VkBindImagePlaneMemoryInfo.calloc(stack).sType$Default()
                    .planeAspect(VK_IMAGE_ASPECT_PLANE_0_BIT);
            IllegalArgumentException chain = assertThrows(IllegalArgumentException.class,
                    () -> allocation.bindBuffer(small, 0, plane.address()));
            assertTrue(chain.getMessage().contains("sType " + VK_STRUCTURE_TYPE_BIND_IMAGE_PLANE_MEMORY_INFO),
                    chain.getMessage());
            assertEquals(0, allocation.boundResource(), "nothing bound after a refusal");
            // A device-group bind info with no device indices is one the library passes on.
            VkBindBufferMemoryDeviceGroupInfo group = VkBindBufferMemoryDeviceGroupInfo.calloc(stack).sType$Default();
            allocation.bindBuffer(small, 0, group.address());
        }
        // A second bind.
        IllegalStateException twice = assertThrows(IllegalStateException.class, () -> allocation.bindBuffer(small));
        assertTrue(twice.getMessage().contains("bound to it already"), twice.getMessage());
        // Requirements no type of this memory matches; bad alignment; nothing allocated.
        int type = memory.memoryType().index();
        int others = ~(1 << type);
        int pages = memory.pageCount();
        if (session.device().memoryTypes().size() > 1) {
            IncompatibleMemoryTypeException incompatible = assertThrows(IncompatibleMemoryTypeException.class,
                    () -> memory.allocate(AllocationRequest.of(ResourceRequirements.of(256, 64, others), ResourceKind.BUFFER)));
            assertTrue(incompatible.getMessage().contains("0x" + Integer.toHexString(others)), incompatible.getMessage());
        }
        IllegalArgumentException align = assertThrows(IllegalArgumentException.class,
                () -> ResourceRequirements.of(256, 48, -1));
        assertTrue(align.getMessage().contains("48"), align.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ResourceRequirements.of(256, 0, -1));
        assertEquals(pages, memory.pageCount());
        assertEquals(1, memory.statistics().allocationCount());
        vkDestroyBuffer(vk, small, null);
        vkDestroyBuffer(vk, big, null);
        vkDestroyImage(vk, image, null);
        allocation.close();
        memory.close();
    }

    static long createBuffer(VkDevice vk, long size, int usage) {
        try (MemoryStack stack = stackPush()) {
            LongBuffer p = stack.mallocLong(1);
            assertEquals(VK_SUCCESS, vkCreateBuffer(vk, VkBufferCreateInfo.calloc(stack).sType$Default()
                    .size(size).usage(usage).sharingMode(VK_SHARING_MODE_EXCLUSIVE), null, p));
            return p.get(0);
        }
    }

    static long createImage(VkDevice vk, int width, int height) {
        try (MemoryStack stack = stackPush()) {
            LongBuffer p = stack.mallocLong(1);
            assertEquals(VK_SUCCESS, vkCreateImage(vk, VkImageCreateInfo.calloc(stack).sType$Default()
                    .imageType(VK_IMAGE_TYPE_2D).format(VK_FORMAT_R8G8B8A8_UNORM)
                    .extent(e -> e.set(width, height, 1)).mipLevels(1).arrayLayers(1)
                    .samples(VK_SAMPLE_COUNT_1_BIT).tiling(VK_IMAGE_TILING_OPTIMAL)
                    .usage(VK_IMAGE_USAGE_SAMPLED_BIT | VK_IMAGE_USAGE_TRANSFER_DST_BIT)
                    .sharingMode(VK_SHARING_MODE_EXCLUSIVE).initialLayout(VK_IMAGE_LAYOUT_UNDEFINED), null, p));
            return p.get(0);
        }
    }

    /** {@code vkCmdCopyBuffer} of {@code size} bytes on the session's queue, waited for. */
    static void copy(VulkanBackend backend, long src, long dst, long size) {
        VkDevice vk = backend.vkDevice();
        try (MemoryStack stack = stackPush()) {
            LongBuffer p = stack.mallocLong(1);
            assertEquals(VK_SUCCESS, vkCreateCommandPool(vk, VkCommandPoolCreateInfo.calloc(stack).sType$Default()
                    .queueFamilyIndex(backend.queueFamilyIndex()), null, p));
            long pool = p.get(0);
            org.lwjgl.PointerBuffer pcb = stack.mallocPointer(1);
            assertEquals(VK_SUCCESS, vkAllocateCommandBuffers(vk, VkCommandBufferAllocateInfo.calloc(stack).sType$Default()
                    .commandPool(pool).level(VK_COMMAND_BUFFER_LEVEL_PRIMARY).commandBufferCount(1), pcb));
            VkCommandBuffer cb = new VkCommandBuffer(pcb.get(0), vk);
            vkBeginCommandBuffer(cb, VkCommandBufferBeginInfo.calloc(stack).sType$Default()
                    .flags(VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT));
            vkCmdCopyBuffer(cb, src, dst, VkBufferCopy.calloc(1, stack).size(size));
            // The host reads dst after the fence: make the transfer's writes available to it.
            vkCmdPipelineBarrier(cb, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_PIPELINE_STAGE_HOST_BIT, 0,
                    VkMemoryBarrier.calloc(1, stack).sType$Default().srcAccessMask(VK_ACCESS_TRANSFER_WRITE_BIT)
                            .dstAccessMask(VK_ACCESS_HOST_READ_BIT), null, null);
            vkEndCommandBuffer(cb);
            assertEquals(VK_SUCCESS, vkCreateFence(vk, VkFenceCreateInfo.calloc(stack).sType$Default(), null, p));
            long fence = p.get(0);
            backend.queueLock().lock();
            try {
                assertEquals(VK_SUCCESS, vkQueueSubmit(backend.vkQueue(), VkSubmitInfo.calloc(stack).sType$Default()
                        .pCommandBuffers(stack.pointers(cb)), fence));
            } finally {
                backend.queueLock().unlock();
            }
            assertEquals(VK_SUCCESS, vkWaitForFences(vk, stack.longs(fence), true, -1L));
            vkDestroyFence(vk, fence, null);
            vkDestroyCommandPool(vk, pool, null);
        }
    }
}
