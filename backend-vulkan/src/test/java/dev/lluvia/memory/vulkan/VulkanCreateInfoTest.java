package dev.lluvia.memory.vulkan;

import dev.lluvia.memory.BackendBufferInfo;
import dev.lluvia.memory.Buffer;
import dev.lluvia.memory.BufferUsage;
import dev.lluvia.memory.ChannelType;
import dev.lluvia.memory.Defragmentation;
import dev.lluvia.memory.Image;
import dev.lluvia.memory.ImageDescriptor;
import dev.lluvia.memory.ImageFormat;
import dev.lluvia.memory.ImageUsage;
import dev.lluvia.memory.Memory;
import dev.lluvia.memory.MemoryUsage;
import dev.lluvia.memory.Session;
import dev.lluvia.memory.Statistics;
import dev.lluvia.memory.UnsupportedImageFormatException;
import org.junit.jupiter.api.Test;
import org.lwjgl.system.MemoryStack;
import org.lwjgl.vulkan.VkBufferCreateInfo;
import org.lwjgl.vulkan.VkExternalMemoryImageCreateInfo;
import org.lwjgl.vulkan.VkImageCreateInfo;
import org.lwjgl.vulkan.VkImageFormatListCreateInfo;
import org.lwjgl.vulkan.VkImageStencilUsageCreateInfo;
import org.lwjgl.vulkan.VkPhysicalDeviceFeatures;

import java.nio.ByteBuffer;
import java.util.EnumSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;
import static org.lwjgl.system.MemoryStack.stackPush;
import static org.lwjgl.vulkan.VK10.*;
import static org.lwjgl.vulkan.VK11.VK_EXTERNAL_MEMORY_HANDLE_TYPE_OPAQUE_FD_BIT;

/**
 * Buffers and images made from everything {@code VkBufferCreateInfo} / {@code VkImageCreateInfo}
 * carry ({@link VulkanBufferInfo}, {@link VulkanImageInfo}), and each bad create-info: a typed
 * exception naming the value, nothing allocated, validation silent.
 */
class VulkanCreateInfoTest {

    @Test
    void imagesAndBuffersFromFullCreateInfos() {
        Session session = VulkanTestSupport.open(null);
        try (Memory memory = session.createMemory(MemoryUsage.DEVICE_ONLY); MemoryStack stack = stackPush()) {
            // The program's own struct, with its own chain: a format list and a stencil usage.
            VkImageCreateInfo ci = VkImageCreateInfo.calloc(stack).sType$Default()
                    .pNext(VkImageFormatListCreateInfo.calloc(stack).sType$Default()
                            .pViewFormats(stack.ints(VK_FORMAT_R8G8B8A8_UNORM, VK_FORMAT_R8G8B8A8_SRGB)).address())
                    .flags(VK_IMAGE_CREATE_MUTABLE_FORMAT_BIT).imageType(VK_IMAGE_TYPE_2D).format(VK_FORMAT_R8G8B8A8_UNORM)
                    .extent(e -> e.set(32, 16, 1)).mipLevels(2).arrayLayers(3).samples(VK_SAMPLE_COUNT_1_BIT)
                    .tiling(VK_IMAGE_TILING_OPTIMAL).usage(VK_IMAGE_USAGE_SAMPLED_BIT | VK_IMAGE_USAGE_TRANSFER_SRC_BIT
                            | VK_IMAGE_USAGE_TRANSFER_DST_BIT | VK_IMAGE_USAGE_INPUT_ATTACHMENT_BIT)
                    .sharingMode(VK_SHARING_MODE_EXCLUSIVE).initialLayout(VK_IMAGE_LAYOUT_UNDEFINED);
            Image mutable = memory.createImage(VulkanImageInfo.from(ci));
            assertEquals(VK_FORMAT_R8G8B8A8_UNORM, VulkanFormats.vkFormat(mutable));
            assertEquals(ImageFormat.R8G8B8A8_UNORM, mutable.format());
            assertEquals(Set.of(ImageUsage.SAMPLED, ImageUsage.TRANSFER_SRC, ImageUsage.TRANSFER_DST), mutable.descriptor().usage());
            assertEquals(2, mutable.mipLevels());
            assertEquals(3, mutable.arrayLayers());
            assertInstanceOf(VulkanImageInfo.class, mutable.backendInfo());
            // Its texels are Lluvia's: write and read work as for any image.
            ByteBuffer pixels = ByteBuffer.allocateDirect((int) mutable.descriptor().byteSize());
            for (int i = 0; i < pixels.capacity(); i++) {
                pixels.put(i, (byte) (i * 31));
            }
            mutable.write(pixels.duplicate());
            ByteBuffer back = ByteBuffer.allocateDirect(pixels.capacity());
            mutable.read(back);
            assertEquals(pixels.rewind(), back.rewind());

            // A depth-stencil image whose stencil aspect has its own usage (VkImageStencilUsageCreateInfo, the program's chain).
            Image depthStencil = memory.createImage(VulkanImageInfo.of2D(VK_FORMAT_D32_SFLOAT_S8_UINT, 16, 16,
                    VK_IMAGE_USAGE_DEPTH_STENCIL_ATTACHMENT_BIT | VK_IMAGE_USAGE_SAMPLED_BIT)
                    .withPNext(VkImageStencilUsageCreateInfo.calloc(stack).sType$Default()
                            .stencilUsage(VK_IMAGE_USAGE_DEPTH_STENCIL_ATTACHMENT_BIT).address()));
            assertEquals(VK_FORMAT_D32_SFLOAT_S8_UINT, VulkanFormats.vkFormat(depthStencil));
            assertNull(depthStencil.format(), "no ImageFormat names D32_SFLOAT_S8_UINT");
            assertTrue(depthStencil.toString().contains("D32_SFLOAT_S8_UINT"), depthStencil.toString());
            UnsupportedOperationException notPortable = assertThrows(UnsupportedOperationException.class,
                    () -> depthStencil.read(ByteBuffer.allocateDirect((int) depthStencil.descriptor().byteSize())));
            assertTrue(notPortable.getMessage().contains("Image#" + depthStencil.id()), notPortable.getMessage());

            // Channel-type images have their VkFormat too.
            Image channels = memory.createImage(ImageDescriptor.of(8, 8, ChannelType.FLOAT16, 4));
            assertNull(channels.format());
            assertEquals(VK_FORMAT_R16G16B16A16_SFLOAT, VulkanFormats.vkFormat(channels));
            assertEquals("VK_FORMAT_R16G16B16A16_SFLOAT", VulkanFormats.name(VulkanFormats.vkFormat(channels)));

            // Buffers: the program's VkBufferCreateInfo, usage bits beyond the core's descriptors included.
            VkBufferCreateInfo bci = VkBufferCreateInfo.calloc(stack).sType$Default().size(4096)
                    .usage(VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_INDIRECT_BUFFER_BIT | VK_BUFFER_USAGE_TRANSFER_SRC_BIT
                            | VK_BUFFER_USAGE_TRANSFER_DST_BIT).sharingMode(VK_SHARING_MODE_EXCLUSIVE);
            Buffer buffer = memory.createBuffer(VulkanBufferInfo.from(bci));
            assertEquals(4096, buffer.size());
            assertEquals(EnumSet.of(BufferUsage.STORAGE_BUFFER, BufferUsage.INDIRECT_BUFFER, BufferUsage.TRANSFER_SRC,
                    BufferUsage.TRANSFER_DST), buffer.usage());
            ByteBuffer bytes = ByteBuffer.allocateDirect(4096);
            bytes.put(7, (byte) 42);
            buffer.write(0, bytes);
            ByteBuffer got = ByteBuffer.allocateDirect(4096);
            buffer.read(0, got);
            assertEquals(42, got.get(7));
        } finally {
            VulkanTestSupport.closeAndAssertClean(session);
        }
    }

    @Test
    void defragmentationMovesObjectsMadeFromCreateInfosByMakingThemAgain() {
        Session session = VulkanTestSupport.open(null);
        try (Memory memory = session.createMemory(MemoryUsage.DEVICE_ONLY)) {
            int usage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_TRANSFER_SRC_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT;
            Buffer[] buffers = new Buffer[8];
            for (int i = 0; i < buffers.length; i++) {
                buffers[i] = memory.createBuffer(VulkanBufferInfo.of(64 * 1024, usage));
                buffers[i].write(0, ByteBuffer.allocateDirect(16).putInt(0, i));
            }
            Image image = memory.createImage(VulkanImageInfo.of2D(VK_FORMAT_R8G8B8A8_UNORM, 16, 16,
                    VK_IMAGE_USAGE_TRANSFER_SRC_BIT | VK_IMAGE_USAGE_TRANSFER_DST_BIT | VK_IMAGE_USAGE_SAMPLED_BIT));
            ByteBuffer pixels = ByteBuffer.allocateDirect(16 * 16 * 4);
            for (int i = 0; i < pixels.capacity(); i++) {
                pixels.put(i, (byte) (i * 7));
            }
            image.write(pixels.duplicate());
            long imageBefore = image.handle();
            for (int i = 0; i < buffers.length; i += 2) {
                buffers[i].close();
            }
            long[] before = new long[buffers.length];
            for (int i = 1; i < buffers.length; i += 2) {
                before[i] = buffers[i].handle();
            }
            int moved = 0;
            try (Defragmentation d = memory.beginDefragmentation(Long.MAX_VALUE, Integer.MAX_VALUE)) {
                while (!d.isDone()) {
                    moved += d.pass().size();
                }
            }
            assertTrue(moved > 0, "defragmentation moved something");
            int remade = image.handle() != imageBefore ? 1 : 0;
            for (int i = 1; i < buffers.length; i += 2) {
                remade += buffers[i].handle() != before[i] ? 1 : 0;
            }
            assertEquals(moved, remade, "each moved object is a new VkBuffer or VkImage made from its create-info");
            ByteBuffer back = ByteBuffer.allocateDirect(pixels.capacity());
            image.read(back);
            assertEquals(pixels.rewind(), back.rewind(), "the image kept its pixels");
            for (int i = 1; i < buffers.length; i += 2) {
                ByteBuffer got = ByteBuffer.allocateDirect(16);
                buffers[i].read(0, got);
                assertEquals(i, got.getInt(0), "buffer " + i + " kept its bytes");
            }
            assertFalse(image.isClosed());
        } finally {
            VulkanTestSupport.closeAndAssertClean(session);
        }
    }

    @Test
    void badCreateInfosAreRefusedNamingTheValueWithNothingAllocated() {
        Session session = VulkanTestSupport.open(null);
        try (Memory memory = session.createMemory(MemoryUsage.DEVICE_ONLY); MemoryStack stack = stackPush()) {
            int sampled = VK_IMAGE_USAGE_SAMPLED_BIT;
            // A format the device does not support for the usage (storage on a compressed format).
            UnsupportedImageFormatException format = assertThrows(UnsupportedImageFormatException.class,
                    () -> memory.createImage(VulkanImageInfo.of2D(VK_FORMAT_BC1_RGB_UNORM_BLOCK, 16, 16, VK_IMAGE_USAGE_STORAGE_BIT)));
            assertTrue(format.getMessage().contains("VK_FORMAT_BC1_RGB_UNORM_BLOCK"), format.getMessage());
            // A sample count the device does not support (64 samples; lavapipe has 1 and 4).
            int samples = unsupportedSampleCount(session);
            UnsupportedImageFormatException sampleCount = assertThrows(UnsupportedImageFormatException.class,
                    () -> memory.createImage(VulkanImageInfo.of2D(VK_FORMAT_R8G8B8A8_UNORM, 16, 16,
                            VK_IMAGE_USAGE_COLOR_ATTACHMENT_BIT).withSamples(samples)));
            assertTrue(sampleCount.getMessage().contains(samples + " samples"), sampleCount.getMessage());
            // Multisampled images take only optimal 2D single-level forms: linear tiling has 1 sample.
            assertThrows(UnsupportedImageFormatException.class, () -> memory.createImage(VulkanImageInfo.of2D(
                    VK_FORMAT_R8G8B8A8_UNORM, 16, 16, VK_IMAGE_USAGE_COLOR_ATTACHMENT_BIT).withTiling(VK_IMAGE_TILING_LINEAR)
                    .withSamples(VK_SAMPLE_COUNT_4_BIT)));
            // A chain structure the library must not chain.
            long external = VkExternalMemoryImageCreateInfo.calloc(stack).sType$Default()
                    .handleTypes(VK_EXTERNAL_MEMORY_HANDLE_TYPE_OPAQUE_FD_BIT).address();
            IllegalArgumentException chain = assertThrows(IllegalArgumentException.class, () -> memory.createImage(
                    VulkanImageInfo.of2D(VK_FORMAT_R8G8B8A8_UNORM, 16, 16, sampled).withPNext(external)));
            assertTrue(chain.getMessage().contains("sType " + org.lwjgl.vulkan.VK11.VK_STRUCTURE_TYPE_EXTERNAL_MEMORY_IMAGE_CREATE_INFO),
                    chain.getMessage());
            // A format list both in the program's chain and in the create-info.
            long list = VkImageFormatListCreateInfo.calloc(stack).sType$Default().pViewFormats(stack.ints(VK_FORMAT_R8G8B8A8_UNORM)).address();
            assertThrows(IllegalArgumentException.class, () -> memory.createImage(VulkanImageInfo.of2D(VK_FORMAT_R8G8B8A8_UNORM,
                    16, 16, sampled).withPNext(list).withMutableFormats(VK_FORMAT_R8G8B8A8_UNORM, VK_FORMAT_R8G8B8A8_SRGB)));
            // A chain that loops.
            VkImageStencilUsageCreateInfo loop = VkImageStencilUsageCreateInfo.calloc(stack).sType$Default();
            loop.pNext(loop.address());
            IllegalArgumentException looped = assertThrows(IllegalArgumentException.class, () -> memory.createImage(
                    VulkanImageInfo.of2D(VK_FORMAT_R8G8B8A8_UNORM, 16, 16, sampled).withPNext(loop.address())));
            assertTrue(looped.getMessage().contains("loop"), looped.getMessage());
            // A queue family the device lacks.
            IllegalArgumentException family = assertThrows(IllegalArgumentException.class, () -> memory.createBuffer(
                    VulkanBufferInfo.of(256, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT).withConcurrentSharing(0, 99)));
            assertTrue(family.getMessage().contains("99"), family.getMessage());
            // Sparse buffers are bound by other calls than the library's.
            IllegalArgumentException sparse = assertThrows(IllegalArgumentException.class, () -> memory.createBuffer(
                    VulkanBufferInfo.of(256, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT).withFlags(VK_BUFFER_CREATE_SPARSE_BINDING_BIT)));
            assertTrue(sparse.getMessage().contains("0x1"), sparse.getMessage());
            // Rules that need no device.
            IllegalArgumentException cube = assertThrows(IllegalArgumentException.class,
                    () -> VulkanImageInfo.cube(VK_FORMAT_R8G8B8A8_UNORM, 16, 1, sampled).withArrayLayers(5));
            assertTrue(cube.getMessage().contains("5 layers"), cube.getMessage());
            IllegalArgumentException views = assertThrows(IllegalArgumentException.class, () -> new VulkanImageInfo(0,
                    VK_IMAGE_TYPE_2D, VK_FORMAT_R8G8B8A8_UNORM, 4, 4, 1, 1, 1, 1, VK_IMAGE_TILING_OPTIMAL, sampled,
                    VK_SHARING_MODE_EXCLUSIVE, java.util.List.of(), java.util.List.of(VK_FORMAT_R8G8B8A8_UNORM, VK_FORMAT_R8G8B8A8_SRGB),
                    VK_IMAGE_LAYOUT_UNDEFINED, 0));
            assertTrue(views.getMessage().contains("MUTABLE_FORMAT"), views.getMessage());
            IllegalArgumentException msaaLevels = assertThrows(IllegalArgumentException.class, () -> VulkanImageInfo.of2D(
                    VK_FORMAT_R8G8B8A8_UNORM, 16, 16, sampled).withMipLevels(2).withSamples(VK_SAMPLE_COUNT_4_BIT));
            assertTrue(msaaLevels.getMessage().contains("samples 4"), msaaLevels.getMessage());
            assertThrows(IllegalArgumentException.class, () -> VulkanImageInfo.of2D(VK_FORMAT_R8G8B8A8_UNORM, 16, 16, sampled)
                    .withSamples(3));
            assertThrows(IllegalArgumentException.class, () -> VulkanImageInfo.of2D(VK_FORMAT_R8G8B8A8_UNORM, 16, 16, sampled)
                    .withFlags(VK_IMAGE_CREATE_SPARSE_BINDING_BIT));
            // A create-info for another backend.
            BackendBufferInfo other = new BackendBufferInfo() {
                public String backend() {
                    return "sim";
                }

                public long size() {
                    return 256;
                }

                public Set<BufferUsage> usage() {
                    return BufferUsage.DEFAULT;
                }

                @Override
                public String toString() {
                    return "a sim create-info";
                }
            };
            IllegalArgumentException backend = assertThrows(IllegalArgumentException.class, () -> memory.createBuffer(other));
            assertTrue(backend.getMessage().contains("'sim'"), backend.getMessage());

            assertEquals(Statistics.EMPTY, memory.statistics(), "nothing allocated");
            assertEquals(0, memory.objects().size());
        } finally {
            VulkanTestSupport.closeAndAssertClean(session);
        }
    }

    /** The smallest sample count the device does not support for R8G8B8A8_UNORM color attachments. */
    private static int unsupportedSampleCount(Session session) {
        VulkanBackend backend = VulkanTestSupport.backend(session);
        try (MemoryStack stack = stackPush()) {
            org.lwjgl.vulkan.VkImageFormatProperties p = org.lwjgl.vulkan.VkImageFormatProperties.malloc(stack);
            vkGetPhysicalDeviceImageFormatProperties(backend.vkPhysicalDevice(), VK_FORMAT_R8G8B8A8_UNORM, VK_IMAGE_TYPE_2D,
                    VK_IMAGE_TILING_OPTIMAL, VK_IMAGE_USAGE_COLOR_ATTACHMENT_BIT, 0, p);
            for (int s = VK_SAMPLE_COUNT_2_BIT; s <= VK_SAMPLE_COUNT_64_BIT; s <<= 1) {
                if ((p.sampleCounts() & s) == 0) {
                    return s;
                }
            }
        }
        throw new org.opentest4j.TestAbortedException("the device supports every sample count");
    }
}
