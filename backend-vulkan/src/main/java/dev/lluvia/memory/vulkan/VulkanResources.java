package dev.lluvia.memory.vulkan;

import dev.lluvia.memory.DeviceFeature;
import dev.lluvia.memory.FeatureNotEnabledException;
import dev.lluvia.memory.ImageDescriptor;
import dev.lluvia.memory.ImageTiling;
import dev.lluvia.memory.ImageUsage;
import dev.lluvia.memory.UnsupportedExternalMemoryException;
import dev.lluvia.memory.UnsupportedImageFormatException;
import dev.lluvia.memory.spi.MemoryRequirements;
import dev.lluvia.memory.spi.Resource;
import dev.lluvia.memory.spi.ResourceBind;
import org.lwjgl.system.MemoryStack;
import org.lwjgl.vulkan.*;

import java.nio.LongBuffer;

import static dev.lluvia.memory.vulkan.VulkanResults.check;
import static org.lwjgl.system.MemoryStack.stackPush;
import static org.lwjgl.system.MemoryUtil.NULL;
import static org.lwjgl.system.MemoryUtil.memAddress;
import static org.lwjgl.system.MemoryUtil.memGetLong;
import static org.lwjgl.vulkan.VK10.*;
import static org.lwjgl.vulkan.VK11.*;

/**
 * The buffers and images of a {@link VulkanBackend}: creation with the device's limits and format
 * support checked first, their memory requirements (with the dedicated-allocation hint), binding
 * to pages, device addresses, and the state the transfers check (usage, bound page, image layout).
 * The backend checks that it is open before calling in.
 *
 * <p>Each buffer's and image's state is the {@link Resource} the core holds ({@link BufferState},
 * {@link ImageState}) and hands back on every call, so there is no table of them: a create and a
 * destroy write nothing that another thread's creates and destroys write. The core destroys every
 * resource before it closes the backend.
 */
final class VulkanResources {

    private static final int BUFFER_USAGE_SHADER_DEVICE_ADDRESS = 0x20000;

    private final VkDevice device;
    private final VulkanInstance.PhysicalDevice physical;
    private final VulkanPages pages;
    /** Largest buffer the device creates (VkPhysicalDeviceMaintenance4Properties, Vulkan 1.3); unbounded before. */
    private final long maxBufferSize;
    private final boolean bufferDeviceAddress;
    /** Queue families of the physical device, for concurrent sharing. */
    private final int queueFamilyCount;
    /** Whether {@code VkImageFormatListCreateInfo} may be chained (Vulkan 1.2 or VK_KHR_image_format_list). */
    private final boolean imageFormatList;

    VulkanResources(VkDevice device, VulkanInstance.PhysicalDevice physical, VulkanPages pages, long maxBufferSize,
                    boolean bufferDeviceAddress) {
        this.device = device;
        try (MemoryStack stack = stackPush()) {
            java.nio.IntBuffer count = stack.mallocInt(1);
            vkGetPhysicalDeviceQueueFamilyProperties(physical.handle(), count, null);
            this.queueFamilyCount = count.get(0);
        }
        this.imageFormatList = device.getCapabilities().apiVersion >= VK12.VK_API_VERSION_1_2
                || device.getCapabilities().VK_KHR_image_format_list;
        this.physical = physical;
        this.pages = pages;
        this.maxBufferSize = maxBufferSize;
        this.bufferDeviceAddress = bufferDeviceAddress;
    }

    /**
     * A buffer of Lluvia's usage bits (exclusive, no flags, no chain): what
     * {@code createBuffer(VulkanBufferInfo.of(size, usageBits), exportable)} makes, without a
     * create-info object per buffer, as this is every {@code Memory.createBuffer}'s path.
     */
    Resource createBuffer(long size, int usageBits, boolean exportable) {
        if (size <= 0) {
            throw new IllegalArgumentException("buffer size must be positive, was " + size);
        }
        if (usageBits == 0) {
            throw new IllegalArgumentException("buffer usage must not be empty");
        }
        return newBuffer(size, usageBits, 0, VK_SHARING_MODE_EXCLUSIVE, java.util.List.of(), 0, exportable);
    }

    /**
     * A buffer from everything {@code VkBufferCreateInfo} carries, with
     * {@code VkExternalMemoryBufferCreateInfo} (opaque fd) in front of the program's chain when it
     * goes to an exportable page. Everything is checked before the buffer is created.
     */
    Resource createBuffer(VulkanBufferInfo info, boolean exportable) {
        int notOffered = VK_BUFFER_CREATE_SPARSE_BINDING_BIT | VK_BUFFER_CREATE_SPARSE_RESIDENCY_BIT
                | VK_BUFFER_CREATE_SPARSE_ALIASED_BIT | VK_BUFFER_CREATE_PROTECTED_BIT
                | VK12.VK_BUFFER_CREATE_DEVICE_ADDRESS_CAPTURE_REPLAY_BIT;
        if ((info.flags() & notOffered) != 0) {
            throw new IllegalArgumentException("buffer flags 0x" + Integer.toHexString(info.flags() & notOffered)
                    + " (sparse, protected or capture-replay) are not offered: such buffers are bound by other calls"
                    + " or to memory allocated otherwise than the library's");
        }
        requireQueueFamilies(info.queueFamilies());
        requireChain(info.pNext(), false);
        return newBuffer(info.size(), info.usageBits(), info.flags(), info.sharingMode(), info.queueFamilies(),
                info.pNext(), exportable);
    }

    /**
     * Creates the buffer (the create-info's own checks done), its state and its requirements: in the
     * thread's {@link BufferScratch}, with a stack frame only for what a plain buffer lacks (queue
     * families, the export structure).
     */
    private Resource newBuffer(long size, int usageBits, int flags, int sharingMode, java.util.List<Integer> queueFamilies,
                               long pNext, boolean exportable) {
        if (Long.compareUnsigned(size, maxBufferSize) > 0) {
            throw new IllegalArgumentException("buffer size " + size + " exceeds the largest buffer " + physical.name()
                    + " creates (maxBufferSize " + Long.toUnsignedString(maxBufferSize) + ")");
        }
        if ((usageBits & BUFFER_USAGE_SHADER_DEVICE_ADDRESS) != 0 && !bufferDeviceAddress) {
            throw new FeatureNotEnabledException(DeviceFeature.BUFFER_DEVICE_ADDRESS, "buffer usage SHADER_DEVICE_ADDRESS "
                    + "(usage bits 0x" + Integer.toHexString(usageBits) + ") needs " + DeviceFeature.BUFFER_DEVICE_ADDRESS
                    + ", which is not enabled on " + physical.name() + "; ask for it with SessionOptions.withFeatures");
        }
        final BufferScratch scratch = BufferScratch.CURRENT.get();
        final long ci = scratch.createInfo;
        VkBufferCreateInfo.nflags(ci, flags);
        VkBufferCreateInfo.nsize(ci, size);
        VkBufferCreateInfo.nusage(ci, usageBits);
        VkBufferCreateInfo.nsharingMode(ci, sharingMode);
        VkBufferCreateInfo.npNext(ci, pNext);
        if (queueFamilies.isEmpty() && !exportable) {
            VkBufferCreateInfo.npQueueFamilyIndices(ci, null);
            return newBuffer(scratch, size, usageBits);
        }
        try (MemoryStack stack = stackPush()) {
            VkBufferCreateInfo.npQueueFamilyIndices(ci, queueFamilies.isEmpty() ? null : ints(stack, queueFamilies));
            if (exportable) {
                pages.requireExternalMemoryFd();
                VkExternalBufferProperties ext = VkExternalBufferProperties.calloc(stack).sType$Default();
                vkGetPhysicalDeviceExternalBufferProperties(physical.handle(), VkPhysicalDeviceExternalBufferInfo.calloc(stack)
                        .sType$Default().flags(flags).usage(usageBits)
                        .handleType(VK_EXTERNAL_MEMORY_HANDLE_TYPE_OPAQUE_FD_BIT), ext);
                if ((ext.externalMemoryProperties().externalMemoryFeatures() & VK_EXTERNAL_MEMORY_FEATURE_EXPORTABLE_BIT) == 0) {
                    throw new UnsupportedExternalMemoryException(physical.name() + " cannot export buffers of usage 0x"
                            + Integer.toHexString(usageBits) + " as opaque file descriptors");
                }
                VkBufferCreateInfo.npNext(ci, VkExternalMemoryBufferCreateInfo.calloc(stack).sType$Default().pNext(pNext)
                        .handleTypes(VK_EXTERNAL_MEMORY_HANDLE_TYPE_OPAQUE_FD_BIT).address());
            }
            return newBuffer(scratch, size, usageBits);
        }
    }

    /** {@code vkCreateBuffer} of the create-info filled in {@code scratch}, and the new buffer's requirements. */
    private BufferState newBuffer(BufferScratch scratch, long size, int usageBits) {
        check(nvkCreateBuffer(device, scratch.createInfo, NULL, scratch.handle), "vkCreateBuffer");
        final long buffer = memGetLong(scratch.handle);
        VkBufferMemoryRequirementsInfo2.nbuffer(scratch.query, buffer);
        nvkGetBufferMemoryRequirements2(device, scratch.query, scratch.answer);
        final long r = scratch.answer + VkMemoryRequirements2.MEMORYREQUIREMENTS;
        return new BufferState(this, buffer, VkMemoryRequirements.nsize(r), VkMemoryRequirements.nalignment(r),
                VkMemoryRequirements.nmemoryTypeBits(r),
                VkMemoryDedicatedRequirements.nprefersDedicatedAllocation(scratch.dedicated) != 0,
                VkMemoryDedicatedRequirements.nrequiresDedicatedAllocation(scratch.dedicated) != 0, size, usageBits);
    }

    /**
     * The native structures of a buffer create, one set per thread, laid out once with their sTypes
     * and their chain: the create-info, the requirements query, its answer with the
     * dedicated-allocation hint, and the handle the driver writes. A create fills in the fields it
     * sets and passes their addresses: no stack frame, no zeroing, no wrapper objects on every
     * buffer's path. A direct buffer holds them, so the memory goes when the thread's scratch is
     * collected.
     */
    private static final class BufferScratch {
        static final ThreadLocal<BufferScratch> CURRENT = ThreadLocal.withInitial(BufferScratch::new);
        /** Two cache lines. */
        private static final int LINES = 128;

        /** Keeps the memory reachable as long as the scratch is. */
        @SuppressWarnings("unused")
        private final java.nio.ByteBuffer memory;
        final long createInfo;
        final long query;
        final long answer;
        final long dedicated;
        final long handle;

        BufferScratch() {
            // Every structure's size is a multiple of 8, so each starts 8-aligned after the first.
            final int bytes = VkBufferCreateInfo.SIZEOF + VkBufferMemoryRequirementsInfo2.SIZEOF
                    + VkMemoryRequirements2.SIZEOF + VkMemoryDedicatedRequirements.SIZEOF + Long.BYTES;
            // Whole pairs of cache lines of its own (the CPU fetches lines in adjacent pairs), so
            // that no other thread's scratch or data shares them: every buffer create writes it.
            memory = java.nio.ByteBuffer.allocateDirect(((bytes + LINES - 1) & -LINES) + LINES); // zeroed
            createInfo = (memAddress(memory) + LINES - 1) & -LINES;
            query = createInfo + VkBufferCreateInfo.SIZEOF;
            answer = query + VkBufferMemoryRequirementsInfo2.SIZEOF;
            dedicated = answer + VkMemoryRequirements2.SIZEOF;
            handle = dedicated + VkMemoryDedicatedRequirements.SIZEOF;
            VkBufferCreateInfo.nsType(createInfo, VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO);
            VkBufferMemoryRequirementsInfo2.nsType(query, VK_STRUCTURE_TYPE_BUFFER_MEMORY_REQUIREMENTS_INFO_2);
            VkMemoryRequirements2.nsType(answer, VK_STRUCTURE_TYPE_MEMORY_REQUIREMENTS_2);
            VkMemoryRequirements2.npNext(answer, dedicated);
            VkMemoryDedicatedRequirements.nsType(dedicated, VK_STRUCTURE_TYPE_MEMORY_DEDICATED_REQUIREMENTS);
        }
    }

    /** An image of a portable descriptor; see {@link #createImage(VulkanImageInfo, boolean)}. */
    Resource createImage(ImageDescriptor d, boolean exportable) {
        int imageType = d.dimensions() == 3 ? VK_IMAGE_TYPE_3D : d.dimensions() == 2 ? VK_IMAGE_TYPE_2D : VK_IMAGE_TYPE_1D;
        VulkanImageInfo info = new VulkanImageInfo(0, imageType, VulkanFormats.vkFormat(d), d.width(), d.height(), d.depth(),
                d.mipLevels(), d.arrayLayers(), VK_SAMPLE_COUNT_1_BIT,
                d.tiling() == ImageTiling.LINEAR ? VK_IMAGE_TILING_LINEAR : VK_IMAGE_TILING_OPTIMAL, ImageUsage.toBits(d.usage()),
                VK_SHARING_MODE_EXCLUSIVE, java.util.List.of(), java.util.List.of(), VK_IMAGE_LAYOUT_UNDEFINED, 0);
        return createImage(info, d, exportable);
    }

    /**
     * An image from everything {@code VkImageCreateInfo} carries, with
     * {@code VkImageFormatListCreateInfo} for its view formats and
     * {@code VkExternalMemoryImageCreateInfo} (opaque fd) when it goes to an exportable page, in front
     * of the program's chain. The device is asked first whether it supports the image.
     */
    Resource createImage(VulkanImageInfo info, boolean exportable) {
        return createImage(info, info.descriptor(), exportable);
    }

    private Resource createImage(VulkanImageInfo info, ImageDescriptor d, boolean exportable) {
        final int format = info.format();
        final String what = info.shape() + " images with usage " + d.usage() + " (0x" + Integer.toHexString(info.usage())
                + ")" + (info.flags() != 0 ? " and flags 0x" + Integer.toHexString(info.flags()) : "");
        requireQueueFamilies(info.queueFamilies());
        requireChain(info.pNext(), !info.viewFormats().isEmpty());
        if (!info.viewFormats().isEmpty() && !imageFormatList) {
            throw new UnsupportedImageFormatException("view formats " + info.viewFormats() + " need VkImageFormatListCreateInfo"
                    + " (Vulkan 1.2 or VK_KHR_image_format_list), which " + physical.name() + " lacks as created");
        }
        try (MemoryStack stack = stackPush()) {
            long chain = info.pNext();
            if (!info.viewFormats().isEmpty()) {
                chain = VkImageFormatListCreateInfo.calloc(stack).sType$Default().pNext(chain)
                        .pViewFormats(ints(stack, info.viewFormats())).address();
            }
            if (exportable) {
                pages.requireExternalMemoryFd();
            }
            VkExternalImageFormatProperties ext = VkExternalImageFormatProperties.calloc(stack).sType$Default();
            VkImageFormatProperties2 fp2 = VkImageFormatProperties2.calloc(stack).sType$Default();
            VkPhysicalDeviceImageFormatInfo2 query = VkPhysicalDeviceImageFormatInfo2.calloc(stack).sType$Default()
                    .format(format).type(info.imageType()).tiling(info.tiling()).usage(info.usage()).flags(info.flags());
            if (exportable) {
                query.pNext(VkPhysicalDeviceExternalImageFormatInfo.calloc(stack).sType$Default()
                        .handleType(VK_EXTERNAL_MEMORY_HANDLE_TYPE_OPAQUE_FD_BIT).address());
                fp2.pNext(ext.address());
            }
            int r = vkGetPhysicalDeviceImageFormatProperties2(physical.handle(), query, fp2);
            if (r == VK_ERROR_FORMAT_NOT_SUPPORTED) {
                throw new UnsupportedImageFormatException(physical.name() + " does not support " + d.dimensions() + "D "
                        + what + ": format " + VulkanFormats.name(format) + " with tiling " + d.tiling());
            }
            check(r, "vkGetPhysicalDeviceImageFormatProperties2");
            VkImageFormatProperties fp = fp2.imageFormatProperties();
            if ((fp.sampleCounts() & info.samples()) == 0) {
                throw new UnsupportedImageFormatException(physical.name() + " does not support " + info.samples()
                        + " samples for " + what + ": sample counts 0x" + Integer.toHexString(fp.sampleCounts()));
            }
            if (info.mipLevels() > fp.maxMipLevels() || Integer.compareUnsigned(info.arrayLayers(), fp.maxArrayLayers()) > 0) {
                throw new UnsupportedImageFormatException(physical.name() + " does not support " + d.dimensions()
                        + "D " + what + ", mipLevels " + info.mipLevels() + " and arrayLayers " + info.arrayLayers()
                        + ": at most " + fp.maxMipLevels() + " levels and " + fp.maxArrayLayers() + " layers");
            }
            VkExtent3D max = fp.maxExtent();
            if (Integer.compareUnsigned(info.width(), max.width()) > 0 || Integer.compareUnsigned(info.height(), max.height()) > 0
                    || Integer.compareUnsigned(info.depth(), max.depth()) > 0) {
                throw new IllegalArgumentException("image " + info.width() + "x" + info.height() + "x" + info.depth() + " of "
                        + what + " exceeds the largest " + physical.name() + " supports with tiling " + d.tiling() + ": "
                        + max.width() + "x" + max.height() + "x" + max.depth());
            }
            if (exportable && ((ext.externalMemoryProperties().externalMemoryFeatures() & VK_EXTERNAL_MEMORY_FEATURE_EXPORTABLE_BIT) == 0
                    || (ext.externalMemoryProperties().externalMemoryFeatures() & VK_EXTERNAL_MEMORY_FEATURE_DEDICATED_ONLY_BIT) != 0)) {
                throw new UnsupportedExternalMemoryException(physical.name() + " cannot export " + what
                        + " as opaque file descriptors from shared pages");
            }
            if (exportable) {
                chain = VkExternalMemoryImageCreateInfo.calloc(stack).sType$Default().pNext(chain)
                        .handleTypes(VK_EXTERNAL_MEMORY_HANDLE_TYPE_OPAQUE_FD_BIT).address();
            }
            VkImageCreateInfo ci = VkImageCreateInfo.calloc(stack).sType$Default()
                    .pNext(chain)
                    .flags(info.flags())
                    .imageType(info.imageType())
                    .format(format)
                    .extent(e -> e.set(info.width(), info.height(), info.depth()))
                    .mipLevels(info.mipLevels())
                    .arrayLayers(info.arrayLayers())
                    .samples(info.samples())
                    .tiling(info.tiling())
                    .usage(info.usage())
                    .sharingMode(info.sharingMode())
                    .initialLayout(info.initialLayout());
            if (!info.queueFamilies().isEmpty()) {
                ci.pQueueFamilyIndices(ints(stack, info.queueFamilies()));
            }
            LongBuffer pImage = stack.mallocLong(1);
            check(vkCreateImage(device, ci, null, pImage), "vkCreateImage");
            long image = pImage.get(0);
            return new ImageState(this, image, requirementsOf(stack, image, true), d, info.usage());
        }
    }

    /** Each concurrent-sharing queue family one the device has. */
    private void requireQueueFamilies(java.util.List<Integer> families) {
        for (int f : families) {
            if (f < 0 || f >= queueFamilyCount) {
                throw new IllegalArgumentException("queue family " + f + " does not exist on " + physical.name()
                        + ", which has " + queueFamilyCount);
            }
        }
    }

    /**
     * The program's chain holds no structure the library chains itself or that asks for memory the
     * library does not allocate; it ends within {@link #MAX_CHAIN} structures (else it is a loop).
     */
    private static void requireChain(long pNext, boolean libraryChainsFormatList) {
        int n = 0;
        for (long p = pNext; p != 0; p = org.lwjgl.system.MemoryUtil.memGetAddress(p + VkBaseInStructure.PNEXT)) {
            int sType = VkBaseInStructure.create(p).sType();
            String refused = switch (sType) {
                case VK_STRUCTURE_TYPE_EXTERNAL_MEMORY_BUFFER_CREATE_INFO, VK_STRUCTURE_TYPE_EXTERNAL_MEMORY_IMAGE_CREATE_INFO,
                     NVExternalMemory.VK_STRUCTURE_TYPE_EXTERNAL_MEMORY_IMAGE_CREATE_INFO_NV ->
                        "external memory: ask for it with MemoryOptions.withExportable";
                case NVDedicatedAllocation.VK_STRUCTURE_TYPE_DEDICATED_ALLOCATION_BUFFER_CREATE_INFO_NV,
                     NVDedicatedAllocation.VK_STRUCTURE_TYPE_DEDICATED_ALLOCATION_IMAGE_CREATE_INFO_NV ->
                        "dedicated allocations are the library's choice (VK_KHR_dedicated_allocation)";
                case KHRSwapchain.VK_STRUCTURE_TYPE_IMAGE_SWAPCHAIN_CREATE_INFO_KHR -> "swapchain images are bound to the swapchain's memory";
                case VK12.VK_STRUCTURE_TYPE_BUFFER_OPAQUE_CAPTURE_ADDRESS_CREATE_INFO,
                     EXTBufferDeviceAddress.VK_STRUCTURE_TYPE_BUFFER_DEVICE_ADDRESS_CREATE_INFO_EXT ->
                        "capture-replay addresses need memory allocated for them";
                case VK12.VK_STRUCTURE_TYPE_IMAGE_FORMAT_LIST_CREATE_INFO ->
                        libraryChainsFormatList ? "the library chains the view formats given in the create-info" : null;
                default -> null;
            };
            if (refused != null) {
                throw new IllegalArgumentException("the pNext chain holds sType " + sType + " at 0x" + Long.toHexString(p)
                        + ", which the library must not chain: " + refused);
            }
            if (++n > MAX_CHAIN) {
                throw new IllegalArgumentException("the pNext chain at 0x" + Long.toHexString(pNext) + " is longer than "
                        + MAX_CHAIN + " structures: a loop?");
            }
        }
    }

    /** More structures than any real chain has; {@link #requireChain} takes more as a loop. */
    private static final int MAX_CHAIN = 64;

    private static java.nio.IntBuffer ints(MemoryStack stack, java.util.List<Integer> values) {
        java.nio.IntBuffer b = stack.mallocInt(values.size());
        for (int i = 0; i < values.size(); i++) {
            b.put(i, values.get(i));
        }
        return b;
    }

    /**
     * Binds without looking the page up: the core binds only its live pages, and what a transfer
     * needs of the page is looked up when it runs ({@link VulkanPages#requirePage}).
     */
    void bindBuffer(Resource buffer, long page, long offset) {
        BufferState b = requireBuffer(buffer);
        check(vkBindBufferMemory(device, b.handle(), page, offset), "vkBindBufferMemory");
        b.page = page;
    }

    void bindImage(Resource image, long page, long offset) {
        ImageState i = requireImage(image);
        check(vkBindImageMemory(device, i.handle(), page, offset), "vkBindImageMemory");
        i.page = page;
    }

    /**
     * The requirements of a buffer or image, the library's or the program's own
     * ({@code vkGet*MemoryRequirements2} with {@code VkMemoryDedicatedRequirements}); the handle
     * must be a live resource of this device.
     */
    MemoryRequirements requirementsOf(long resource, boolean image) {
        try (MemoryStack stack = stackPush()) {
            return requirementsOf(stack, resource, image);
        }
    }

    /** {@link #requirementsOf(long, boolean)} with its structures on {@code stack}, the caller's frame. */
    private MemoryRequirements requirementsOf(MemoryStack stack, long resource, boolean image) {
        VkMemoryDedicatedRequirements dedicated = VkMemoryDedicatedRequirements.calloc(stack).sType$Default();
        VkMemoryRequirements2 req = VkMemoryRequirements2.calloc(stack).sType$Default().pNext(dedicated.address());
        if (image) {
            vkGetImageMemoryRequirements2(device, VkImageMemoryRequirementsInfo2.calloc(stack).sType$Default()
                    .image(resource), req);
        } else {
            vkGetBufferMemoryRequirements2(device, VkBufferMemoryRequirementsInfo2.calloc(stack).sType$Default()
                    .buffer(resource), req);
        }
        return requirements(req.memoryRequirements(), dedicated);
    }

    /**
     * Binds the program's own buffer or image ({@code vkBindBufferMemory2} / {@code vkBindImageMemory2})
     * with its {@code pNext} chain, after checking that every structure in the chain is one the
     * library may pass on; the library keeps no state of the resource.
     */
    void bindProgram(ResourceBind bind) {
        pages.requirePage(bind.page());
        requireBindChain(bind.next(), bind.image());
        try (MemoryStack stack = stackPush()) {
            if (bind.image()) {
                VkBindImageMemoryInfo.Buffer info = VkBindImageMemoryInfo.calloc(1, stack);
                info.get(0).sType$Default().pNext(bind.next()).image(bind.resource()).memory(bind.page())
                        .memoryOffset(bind.offset());
                check(vkBindImageMemory2(device, info), "vkBindImageMemory2");
            } else {
                VkBindBufferMemoryInfo.Buffer info = VkBindBufferMemoryInfo.calloc(1, stack);
                info.get(0).sType$Default().pNext(bind.next()).buffer(bind.resource()).memory(bind.page())
                        .memoryOffset(bind.offset());
                check(vkBindBufferMemory2(device, info), "vkBindBufferMemory2");
            }
        }
    }

    /**
     * Refuses a bind's {@code pNext} structure the library must not pass on: anything but
     * {@code VkBindMemoryStatus} (it only reports the result) and the device-group bind infos (which
     * devices of a group see the memory). A swapchain bind ({@code VkBindImageMemorySwapchainInfoKHR})
     * binds swapchain memory, not the library's; a plane bind ({@code VkBindImagePlaneMemoryInfo})
     * binds one plane of a disjoint image, whose requirements are per plane and were not what the
     * allocation was made from; unknown structures are refused as the library cannot tell what they do.
     */
    static void requireBindChain(long next, boolean image) {
        final int deviceGroup = image ? VK_STRUCTURE_TYPE_BIND_IMAGE_MEMORY_DEVICE_GROUP_INFO
                : VK_STRUCTURE_TYPE_BIND_BUFFER_MEMORY_DEVICE_GROUP_INFO;
        long at = next;
        for (int i = 0; at != 0; i++) {
            if (i == MAX_CHAIN) {
                throw new IllegalArgumentException("the bind's pNext chain at 0x" + Long.toHexString(next)
                        + " has more than " + MAX_CHAIN + " structures (a loop?)");
            }
            final int sType = org.lwjgl.system.MemoryUtil.memGetInt(at);
            if (sType != KHRMaintenance6.VK_STRUCTURE_TYPE_BIND_MEMORY_STATUS_KHR && sType != deviceGroup) {
                throw new IllegalArgumentException("the bind's pNext chain has a structure of sType " + sType
                        + " at 0x" + Long.toHexString(at) + ", which the library must not chain to a "
                        + (image ? "VkBindImageMemoryInfo" : "VkBindBufferMemoryInfo") + ": only VkBindMemoryStatus ("
                        + KHRMaintenance6.VK_STRUCTURE_TYPE_BIND_MEMORY_STATUS_KHR + ") and "
                        + (image ? "VkBindImageMemoryDeviceGroupInfo" : "VkBindBufferMemoryDeviceGroupInfo")
                        + " (" + deviceGroup + ") may be");
            }
            at = org.lwjgl.system.MemoryUtil.memGetAddress(at + VkBaseInStructure.PNEXT);
        }
    }

    void destroyBuffer(Resource buffer) {
        final BufferState b = requireBuffer(buffer);
        b.destroyed = true;
        final VulkanPages.Page own = b.dedicatedPage;
        if (own != null && b.page == own.handle) {
            pages.forgetMapping(own); // the buffer is its page's transfer window: no transfer may still use it
        }
        vkDestroyBuffer(device, b.handle(), null);
    }

    void destroyImage(Resource image) {
        final ImageState i = requireImage(image);
        i.destroyed = true;
        vkDestroyImage(device, i.handle(), null);
    }

    long bufferDeviceAddress(Resource resource) {
        BufferState b = requireBuffer(resource);
        final long buffer = b.handle();
        if (!bufferDeviceAddress) {
            throw new FeatureNotEnabledException(DeviceFeature.BUFFER_DEVICE_ADDRESS, "buffer 0x" + Long.toHexString(buffer)
                    + " has no device address: " + DeviceFeature.BUFFER_DEVICE_ADDRESS + " is not enabled on " + physical.name());
        }
        if ((b.usage & BUFFER_USAGE_SHADER_DEVICE_ADDRESS) == 0) {
            throw new IllegalArgumentException("buffer 0x" + Long.toHexString(buffer)
                    + " has no device address: its usage lacks SHADER_DEVICE_ADDRESS");
        }
        if (b.page == 0) {
            throw new IllegalStateException("buffer 0x" + Long.toHexString(buffer) + " is not bound to memory");
        }
        try (MemoryStack stack = stackPush()) {
            VkBufferDeviceAddressInfo info = VkBufferDeviceAddressInfo.calloc(stack).sType$Default().buffer(buffer);
            return device.getCapabilities().vkGetBufferDeviceAddress != 0
                    ? VK12.vkGetBufferDeviceAddress(device, info)
                    : KHRBufferDeviceAddress.vkGetBufferDeviceAddressKHR(device, info);
        }
    }

    /**
     * A buffer as the core holds it, with what the transfers check. The core serialises a buffer's
     * bind and destroy with its other calls about the buffer, and a transfer reads the buffer under
     * the core's lock after the bind (the object is pinned while the copy runs), so the fields need
     * no synchronisation of their own.
     */
    static final class BufferState extends Resource {
        final VulkanResources owner;
        final long size;
        final int usage;
        /** The page it is bound to; 0 until bound. */
        long page;
        /** The page allocated for this buffer alone, whose transfer window it is; null when none was. */
        VulkanPages.Page dedicatedPage;
        /** Set by destroy: a stale resource is refused, never destroyed twice. */
        boolean destroyed;

        BufferState(VulkanResources owner, long handle, long requiredSize, long alignment, int memoryTypeBits,
                    boolean prefersDedicated, boolean requiresDedicated, long size, int usage) {
            super(handle, requiredSize, alignment, memoryTypeBits, prefersDedicated, requiresDedicated);
            this.owner = owner;
            this.size = size;
            this.usage = usage;
        }
    }

    /** An image as the core holds it; see {@link BufferState}. */
    static final class ImageState extends Resource {
        final VulkanResources owner;
        final ImageDescriptor descriptor;
        final int usage;
        /** The page it is bound to; 0 until bound. */
        long page;
        boolean destroyed;
        /** The layout the last transfer left the image in; UNDEFINED until then. */
        volatile int layout = VK_IMAGE_LAYOUT_UNDEFINED;

        ImageState(VulkanResources owner, long handle, MemoryRequirements requirements, ImageDescriptor descriptor,
                   int usage) {
            super(handle, requirements);
            this.owner = owner;
            this.descriptor = descriptor;
            this.usage = usage;
        }
    }

    BufferState requireBound(Resource resource, long offset, long length, int usageBit, String usageName, String direction) {
        BufferState b = requireBuffer(resource);
        final long buffer = b.handle();
        if ((b.usage & usageBit) == 0) {
            throw new IllegalArgumentException("cannot copy " + direction + " buffer 0x" + Long.toHexString(buffer)
                    + " through a transfer: its usage lacks " + usageName);
        }
        if (b.page == 0) {
            throw new IllegalStateException("buffer 0x" + Long.toHexString(buffer) + " is not bound to memory");
        }
        if (offset < 0 || length < 0 || offset > b.size - length) {
            throw new IndexOutOfBoundsException("cannot copy " + length + " bytes at offset " + offset + " " + direction
                    + " a buffer of " + b.size + " bytes");
        }
        return b;
    }

    ImageState requireImageTransfer(Resource resource, ImageDescriptor d, long length, int usageBit, String usageName,
                                            String direction) {
        ImageState i = requireImage(resource);
        final long image = i.handle();
        if ((i.usage & usageBit) == 0) {
            throw new IllegalArgumentException("cannot copy " + direction + " image 0x" + Long.toHexString(image)
                    + ": its usage " + i.descriptor.usage() + " lacks " + usageName);
        }
        if (i.page == 0) {
            throw new IllegalStateException("image 0x" + Long.toHexString(image) + " is not bound to memory");
        }
        if (length != d.byteSize()) {
            throw new IllegalArgumentException("cannot copy " + length + " bytes " + direction + " an image of "
                    + d.byteSize() + " bytes (" + d.width() + "x" + d.height() + "x" + d.depth() + " pixels of "
                    + d.pixelSize() + " bytes)");
        }
        return i;
    }

    /** {@code resource} as a live buffer of this device, else an {@link IllegalArgumentException} naming it. */
    BufferState requireBuffer(Resource resource) {
        if (resource instanceof BufferState b && b.owner == this && !b.destroyed) {
            return b;
        }
        throw new IllegalArgumentException("unknown buffer " + describe(resource));
    }

    /** {@code resource} as a live image of this device, else an {@link IllegalArgumentException} naming it. */
    ImageState requireImage(Resource resource) {
        if (resource instanceof ImageState i && i.owner == this && !i.destroyed) {
            return i;
        }
        throw new IllegalArgumentException("unknown image " + describe(resource));
    }

    /**
     * {@code resource}'s handle and why it is not a live one of this device: destroyed, of another
     * device, not a buffer or image this backend created, or null.
     */
    private String describe(Resource resource) {
        if (resource == null) {
            return "null";
        }
        final String handle = "0x" + Long.toHexString(resource.handle());
        if (resource instanceof BufferState b) {
            return handle + (b.owner != this ? " (a buffer of another device)" : " (a buffer already destroyed)");
        }
        if (resource instanceof ImageState i) {
            return handle + (i.owner != this ? " (an image of another device)" : " (an image already destroyed)");
        }
        return handle + " (not created by this backend)";
    }

    private static MemoryRequirements requirements(VkMemoryRequirements r, VkMemoryDedicatedRequirements d) {
        return new MemoryRequirements(r.size(), r.alignment(), r.memoryTypeBits(),
                d.prefersDedicatedAllocation(), d.requiresDedicatedAllocation());
    }
}
