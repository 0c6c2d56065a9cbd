package dev.lluvia.memory.vulkan;

import dev.lluvia.memory.BackendException;
import dev.lluvia.memory.DeviceFeature;
import dev.lluvia.memory.DeviceProperties;
import dev.lluvia.memory.HeapBudget;
import dev.lluvia.memory.MemoryHeap;
import dev.lluvia.memory.MemoryNotMappableException;
import dev.lluvia.memory.MemoryPropertyFlag;
import dev.lluvia.memory.MemoryType;
import dev.lluvia.memory.OutOfDeviceMemoryException;
import dev.lluvia.memory.UnsupportedExternalMemoryException;
import dev.lluvia.memory.alloc.Align;
import dev.lluvia.memory.spi.PageOptions;
import org.lwjgl.PointerBuffer;
import org.lwjgl.system.MemoryStack;
import org.lwjgl.system.MemoryUtil;
import org.lwjgl.vulkan.*;

import java.nio.ByteBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;

import static dev.lluvia.memory.vulkan.VulkanResults.check;
import static org.lwjgl.system.MemoryStack.stackPush;
import static org.lwjgl.vulkan.VK10.*;
import static org.lwjgl.vulkan.VK11.*;

/**
 * The pages of a {@link VulkanBackend}: each {@code VkDeviceMemory} with its pNext chain (dedicated,
 * device address, priority, export), the heap usage and allocation count they are checked against,
 * host mapping with flush and invalidate in whole non-coherent atoms, host-memory import for the
 * transfers and opaque-fd export. The backend checks that it is open before calling in.
 *
 * <p>Mapped pages are also indexed by host address ({@link #acquireMapped}): a transfer whose host
 * bytes lie in a page this backend mapped (what {@code Buffer.mapByteBuffer()} of host-visible
 * memory returns) is copied on the device from that page, through a buffer bound over the whole
 * page (its <em>transfer window</em>), without a staging copy. Such memory is pinned host memory,
 * which is what a pinned-memory {@code cudaMemcpy} reads. A page a transfer uses is not freed
 * until that transfer is over.
 */
final class VulkanPages {

    private static final System.Logger LOG = System.getLogger("dev.lluvia.memory.vulkan");

    private final VkDevice device;
    private final VulkanInstance.PhysicalDevice physical;
    private final boolean bufferDeviceAddress;
    private final boolean memoryPriority;
    private final boolean memoryBudget;
    /** VK_KHR_external_memory_fd is enabled: exportable pages and vkGetMemoryFdKHR. */
    private final boolean externalMemoryFd;
    private final long nonCoherentAtomSize;
    private final long maxAllocationCount;
    private final long[] heapSizes;
    private final int[] typeHeaps;
    private final int[] typeFlags;
    /** Bytes of this backend's live allocations per heap: the usage when the driver reports no budget. */
    private final AtomicLongArray heapUsage;
    private final AtomicInteger allocationCount = new AtomicInteger();
    /** The pages the core allocated, by handle; the backend frees what is left at close. */
    final HandleMap<Page> handles = new HandleMap<>();
    /**
     * The mapped pages by host address of byte 0, for the transfers; also the lock of each page's
     * {@link Page#transfers} count, which {@link #freePage} waits to be 0.
     */
    private final TreeMap<Long, Page> mappedPages = new TreeMap<>();
    /** Host ranges the program registered ({@link #registerHost}), by the handle of their imported memory. */
    final HandleMap<Page> registrations = new HandleMap<>();

    VulkanPages(VkDevice device, VulkanInstance.PhysicalDevice physical, DeviceProperties properties,
                Set<DeviceFeature> features, boolean externalMemoryFd) {
        this.device = device;
        this.physical = physical;
        this.bufferDeviceAddress = features.contains(DeviceFeature.BUFFER_DEVICE_ADDRESS);
        this.memoryPriority = features.contains(DeviceFeature.MEMORY_PRIORITY);
        this.memoryBudget = features.contains(DeviceFeature.MEMORY_BUDGET);
        this.externalMemoryFd = externalMemoryFd;
        int heapCount = properties.memoryHeaps().size();
        this.heapSizes = new long[heapCount];
        for (MemoryHeap h : properties.memoryHeaps()) {
            heapSizes[h.index()] = h.size();
        }
        this.heapUsage = new AtomicLongArray(heapCount);
        int typeCount = properties.memoryTypes().size();
        this.typeHeaps = new int[typeCount];
        this.typeFlags = new int[typeCount];
        for (MemoryType t : properties.memoryTypes()) {
            typeHeaps[t.index()] = t.heapIndex();
            typeFlags[t.index()] = MemoryPropertyFlag.toBits(t.flags());
        }
        this.nonCoherentAtomSize = Math.max(1, properties.limits().nonCoherentAtomSize());
        this.maxAllocationCount = properties.limits().maxMemoryAllocationCount();
    }

    /** The VkMemoryPropertyFlags of each memory type, by index. */
    int[] typeFlags() {
        return typeFlags;
    }

    /** Device memory allocations alive now: pages and the transfers' staging and imported memory. */
    int liveAllocationCount() {
        return allocationCount.get();
    }

    /** Each heap's budget: the driver's with memory budget, else the heap size and this backend's usage. */
    List<HeapBudget> heapBudgets() {
        List<HeapBudget> budgets = new ArrayList<>(heapSizes.length);
        if (memoryBudget) {
            try (MemoryStack stack = stackPush()) {
                VkPhysicalDeviceMemoryBudgetPropertiesEXT budget = VkPhysicalDeviceMemoryBudgetPropertiesEXT.calloc(stack).sType$Default();
                VkPhysicalDeviceMemoryProperties2 props = VkPhysicalDeviceMemoryProperties2.calloc(stack).sType$Default()
                        .pNext(budget.address());
                vkGetPhysicalDeviceMemoryProperties2(physical.handle(), props);
                for (int i = 0; i < heapSizes.length; i++) {
                    budgets.add(new HeapBudget(i, budget.heapBudget(i), budget.heapUsage(i), true));
                }
            }
        } else {
            for (int i = 0; i < heapSizes.length; i++) {
                budgets.add(new HeapBudget(i, heapSizes[i], heapUsage.get(i), false));
            }
        }
        return budgets;
    }

    /** A page of {@code memoryTypeIndex}; dedicated to a buffer or image when one is named. */
    long newPage(int memoryTypeIndex, long size, long dedicatedBuffer, long dedicatedImage,
                         PageOptions options) {
        return newPage(memoryTypeIndex, size, dedicatedBuffer, 0, 0, dedicatedImage, options);
    }

    /**
     * A page of {@code memoryTypeIndex}; dedicated to a buffer (whose VkBufferUsageFlags are
     * {@code bufferUsage}, its size {@code bufferSize}) or an image when one is named.
     */
    long newPage(int memoryTypeIndex, long size, long dedicatedBuffer, int bufferUsage, long bufferSize, long dedicatedImage,
                 PageOptions options) {
        if (memoryTypeIndex < 0 || memoryTypeIndex >= typeHeaps.length) {
            throw new IllegalArgumentException("memory type " + memoryTypeIndex + " does not exist; "
                    + physical.name() + " has types 0 to " + (typeHeaps.length - 1));
        }
        if (size <= 0) {
            throw new IllegalArgumentException("page size must be positive, was " + size);
        }
        long handle = allocateDeviceMemory(memoryTypeIndex, size, dedicatedBuffer, dedicatedImage, options);
        handles.put(handle, new Page(handle, memoryTypeIndex, size, dedicatedBuffer, bufferUsage, bufferSize, dedicatedImage,
                options.exportable()));
        return handle;
    }

    void freePage(long page) {
        Page p = handles.remove(page);
        if (p == null) {
            throw new IllegalArgumentException("unknown page 0x" + Long.toHexString(page));
        }
        forgetMapping(p);
        freeDeviceMemory(p.handle, p.type, p.size);
    }

    /**
     * Takes a page out of the mapped index, waits until no transfer copies from or into it, and
     * destroys its transfer window: after this nothing of the library reads or writes the page.
     */
    void forgetMapping(Page p) {
        boolean interrupted = false;
        synchronized (mappedPages) {
            if (p.address != 0) {
                mappedPages.remove(p.address, p);
            }
            while (p.transfers > 0) {
                try {
                    mappedPages.wait();
                } catch (InterruptedException e) {
                    interrupted = true; // the device may still be copying: the memory must not go yet
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (p.window != VK_NULL_HANDLE && p.window != NO_WINDOW && p.window != p.dedicatedBuffer) {
            vkDestroyBuffer(device, p.window, null);
        }
        p.window = NO_WINDOW;
    }

    /**
     * The mapped page of this backend holding all of host bytes {@code [address, address + length)},
     * counted as used by a transfer until {@link #releaseMapped}; null when no such page is mapped.
     */
    Page acquireMapped(long address, long length) {
        synchronized (mappedPages) {
            Map.Entry<Long, Page> e = mappedPages.floorEntry(address);
            if (e == null) {
                return null;
            }
            Page p = e.getValue();
            if (address - p.address > p.size - length) {
                return null;
            }
            p.transfers++;
            return p;
        }
    }

    /** Ends a transfer's use of a page from {@link #acquireMapped}. */
    void releaseMapped(Page p) {
        synchronized (mappedPages) {
            p.transfers--;
            mappedPages.notifyAll();
        }
    }

    /**
     * A buffer bound over the whole of page {@code p} (made on first use, destroyed with the page),
     * for copies from and into it; {@code VK_NULL_HANDLE} when the device cannot make one (the page
     * is larger than {@code maxBufferSize}, or its type holds no transfer buffers). A page dedicated to a
     * buffer takes no other buffer (VUID-vkBindBufferMemory-memory-01508): its window is that
     * buffer, when its usage has both transfer bits, and destroying that buffer first forgets the
     * page ({@link VulkanResources#destroyBuffer}); a page dedicated to an image has none. The
     * window of an exportable page is made exportable as an opaque fd too, as every buffer bound to
     * such memory must be (VUID-vkBindBufferMemory-memory-02726), or not made when the device
     * cannot make such a buffer. Call between {@link #acquireMapped} and {@link #releaseMapped};
     * transfers of several threads may ask for one page's window at once, so it is made under the
     * page's monitor.
     */
    long transferWindow(Page p, long maxBufferSize) {
        synchronized (p) {
            return makeWindow(p, maxBufferSize);
        }
    }

    private long makeWindow(Page p, long maxBufferSize) {
        if (p.window == NO_WINDOW) {
            return VK_NULL_HANDLE;
        }
        if (p.window != VK_NULL_HANDLE) {
            return p.window;
        }
        p.window = NO_WINDOW;
        if (p.dedicatedImage != VK_NULL_HANDLE) {
            return VK_NULL_HANDLE;
        }
        if (p.dedicatedBuffer != VK_NULL_HANDLE) {
            final int both = VK_BUFFER_USAGE_TRANSFER_SRC_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT;
            if ((p.dedicatedBufferUsage & both) != both) {
                return VK_NULL_HANDLE;
            }
            p.window = p.dedicatedBuffer;
            return p.window;
        }
        if (Long.compareUnsigned(p.size, maxBufferSize) > 0) {
            return VK_NULL_HANDLE; // VUID-VkBufferCreateInfo-size-06409: no buffer may span the page
        }
        try (MemoryStack stack = stackPush()) {
            final int usage = VK_BUFFER_USAGE_TRANSFER_SRC_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT;
            VkBufferCreateInfo ci = VkBufferCreateInfo.calloc(stack).sType$Default().size(p.size)
                    .usage(usage).sharingMode(VK_SHARING_MODE_EXCLUSIVE);
            if (p.exportable) {
                VkExternalBufferProperties ext = VkExternalBufferProperties.calloc(stack).sType$Default();
                vkGetPhysicalDeviceExternalBufferProperties(physical.handle(), VkPhysicalDeviceExternalBufferInfo.calloc(stack)
                        .sType$Default().usage(usage).handleType(VK_EXTERNAL_MEMORY_HANDLE_TYPE_OPAQUE_FD_BIT), ext);
                if ((ext.externalMemoryProperties().compatibleHandleTypes() & VK_EXTERNAL_MEMORY_HANDLE_TYPE_OPAQUE_FD_BIT) == 0) {
                    return VK_NULL_HANDLE; // VUID-VkBufferCreateInfo-pNext-00920: stage instead
                }
                ci.pNext(VkExternalMemoryBufferCreateInfo.calloc(stack).sType$Default()
                        .handleTypes(VK_EXTERNAL_MEMORY_HANDLE_TYPE_OPAQUE_FD_BIT).address());
            }
            LongBuffer pBuffer = stack.mallocLong(1);
            if (vkCreateBuffer(device, ci, null, pBuffer) != VK_SUCCESS) {
                return VK_NULL_HANDLE; // out of host or device memory: stage instead
            }
            final long buffer = pBuffer.get(0);
            VkMemoryRequirements req = VkMemoryRequirements.malloc(stack);
            vkGetBufferMemoryRequirements(device, buffer, req);
            if ((req.memoryTypeBits() & (1 << p.type)) == 0 || req.size() > p.size
                    || vkBindBufferMemory(device, buffer, p.handle, 0) != VK_SUCCESS) {
                vkDestroyBuffer(device, buffer, null);
                return VK_NULL_HANDLE;
            }
            p.window = buffer;
            return buffer;
        }
    }

    ByteBuffer map(long page, long offset, long size) {
        Page p = requirePage(page);
        if (offset < 0 || size < 0 || offset > p.size - size) {
            throw new IndexOutOfBoundsException("range [" + offset + ", " + offset + " + " + size
                    + ") is outside the page of " + p.size + " bytes");
        }
        if (size > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("a ByteBuffer views at most " + Integer.MAX_VALUE + " bytes; asked for " + size);
        }
        return MemoryUtil.memByteBuffer(mapped(p) + offset, (int) size);
    }

    /** A new opaque fd of an exportable page, from {@code vkGetMemoryFdKHR}. */
    int exportFd(long page) {
        requireExternalMemoryFd();
        if (handles.get(page) == null) {
            throw new IllegalArgumentException("unknown page 0x" + Long.toHexString(page));
        }
        try (MemoryStack stack = stackPush()) {
            IntBuffer pFd = stack.mallocInt(1);
            check(KHRExternalMemoryFd.vkGetMemoryFdKHR(device, VkMemoryGetFdInfoKHR.calloc(stack).sType$Default()
                    .memory(page).handleType(VK_EXTERNAL_MEMORY_HANDLE_TYPE_OPAQUE_FD_BIT), pFd), "vkGetMemoryFdKHR");
            return pFd.get(0);
        }
    }

    void requireExternalMemoryFd() {
        if (!externalMemoryFd) {
            throw new UnsupportedExternalMemoryException(physical.name() + " has no VK_KHR_external_memory_fd");
        }
    }

    /**
     * Host memory {@code [base, base + size)} (both multiples of minImportedHostPointerAlignment)
     * imported as device memory of a HOST_COHERENT type, with a transfer window bound over all of
     * it: a page like a mapped one, at host address {@code base}, that is not in the mapped index
     * (see {@link #registerHost}). Null when the driver does not import that memory for transfer
     * buffers; free it with {@link #freeImported}. The memory must stay valid until then.
     */
    Page importHost(long base, long size) {
        try (MemoryStack stack = stackPush()) {
            VkMemoryHostPointerPropertiesEXT props = VkMemoryHostPointerPropertiesEXT.calloc(stack).sType$Default();
            int r = EXTExternalMemoryHost.vkGetMemoryHostPointerPropertiesEXT(device,
                    EXTExternalMemoryHost.VK_EXTERNAL_MEMORY_HANDLE_TYPE_HOST_ALLOCATION_BIT_EXT, base, props);
            if (r != VK_SUCCESS) {
                LOG.log(System.Logger.Level.DEBUG, () -> "vkGetMemoryHostPointerPropertiesEXT: " + VulkanResults.name(r));
                return null;
            }
            VkExternalMemoryBufferCreateInfo external = VkExternalMemoryBufferCreateInfo.calloc(stack).sType$Default()
                    .handleTypes(EXTExternalMemoryHost.VK_EXTERNAL_MEMORY_HANDLE_TYPE_HOST_ALLOCATION_BIT_EXT);
            VkBufferCreateInfo ci = VkBufferCreateInfo.calloc(stack).sType$Default().pNext(external.address()).size(size)
                    .usage(VK_BUFFER_USAGE_TRANSFER_SRC_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT)
                    .sharingMode(VK_SHARING_MODE_EXCLUSIVE);
            LongBuffer pBuffer = stack.mallocLong(1);
            check(vkCreateBuffer(device, ci, null, pBuffer), "vkCreateBuffer");
            final long buffer = pBuffer.get(0);
            VkMemoryRequirements req = VkMemoryRequirements.malloc(stack);
            vkGetBufferMemoryRequirements(device, buffer, req);
            // Coherent only: the copies never flush or invalidate imported memory, which is not vkMapMemory-mapped.
            final int bits = req.memoryTypeBits() & props.memoryTypeBits() & typesWith(VK_MEMORY_PROPERTY_HOST_COHERENT_BIT);
            if (bits == 0 || req.size() > size) {
                vkDestroyBuffer(device, buffer, null);
                LOG.log(System.Logger.Level.DEBUG, () -> "no coherent memory type imports host memory for a transfer buffer");
                return null;
            }
            // The program's memory is ordinary cached memory: a HOST_CACHED type says so, where one imports it.
            final int cached = bits & typesWith(VK_MEMORY_PROPERTY_HOST_CACHED_BIT);
            final int type = Integer.numberOfTrailingZeros(cached != 0 ? cached : bits);
            final long memory;
            try {
                memory = importHostMemory(type, size, base);
            } catch (dev.lluvia.memory.LluviaException e) {
                // Refused: pinning out of memory, too many allocations, an invalid handle.
                vkDestroyBuffer(device, buffer, null);
                LOG.log(System.Logger.Level.DEBUG, () -> "importing host memory failed: " + e.getMessage());
                return null;
            } catch (RuntimeException | Error e) {
                vkDestroyBuffer(device, buffer, null);
                throw e;
            }
            try {
                check(vkBindBufferMemory(device, buffer, memory, 0), "vkBindBufferMemory");
            } catch (RuntimeException | Error e) {
                vkDestroyBuffer(device, buffer, null);
                freeDeviceMemory(memory, type, size);
                throw e;
            }
            Page p = new Page(memory, type, size, VK_NULL_HANDLE, 0, 0, VK_NULL_HANDLE, false);
            p.address = base;
            p.window = buffer;
            return p;
        }
    }

    /** Frees a page from {@link #importHost}: out of the mapped index, its window, its memory. */
    void freeImported(Page p) {
        forgetMapping(p);
        freeDeviceMemory(p.handle, p.type, p.size);
    }

    /**
     * Registers the program's host bytes {@code [address, address + length)}: the pages holding
     * them (the range widened to {@code alignment}, minImportedHostPointerAlignment, which is at
     * most the host page size, so no unmapped page is reached) are imported once and entered in the
     * mapped index, so that every transfer from or into a slice of them is copied in place as from
     * a mapped page. Returns the handle for {@link #unregisterHost}.
     *
     * @throws IllegalArgumentException             if the widened range overlaps memory this backend
     *                                              mapped or another registration
     * @throws UnsupportedExternalMemoryException   if the driver does not import that memory
     */
    long registerHost(long address, long length, long alignment) {
        final long base = address & -alignment;
        final long size = Align.roundUp(address + length - base, alignment);
        synchronized (mappedPages) {
            requireUnmapped(base, size, address, length);
        }
        Page p = importHost(base, size);
        if (p == null) {
            throw new UnsupportedExternalMemoryException(physical.name() + " does not import host memory at 0x"
                    + Long.toHexString(base) + " (" + size + " bytes) for transfers (vkGetMemoryHostPointerPropertiesEXT or"
                    + " vkAllocateMemory refused it, or no HOST_COHERENT type takes it); transfers stage these bytes");
        }
        synchronized (mappedPages) {
            try {
                requireUnmapped(base, size, address, length); // a racing registration may have come first
            } catch (IllegalArgumentException e) {
                freeImported(p);
                throw e;
            }
            p.registered = true;
            mappedPages.put(base, p);
        }
        registrations.put(p.handle, p);
        return p.handle;
    }

    /** Ends a registration: waits for the transfers using it, then frees the imported memory. */
    void unregisterHost(long handle) {
        Page p = registrations.remove(handle);
        if (p == null) {
            throw new IllegalArgumentException("unknown host registration 0x" + Long.toHexString(handle));
        }
        freeImported(p);
    }

    /** Refuses a registration whose pages overlap a mapped page or another registration; lock held. */
    private void requireUnmapped(long base, long size, long address, long length) {
        Map.Entry<Long, Page> below = mappedPages.floorEntry(base + size - 1);
        if (below != null && below.getKey() + below.getValue().size > base) {
            Page other = below.getValue();
            throw new IllegalArgumentException("host bytes 0x" + Long.toHexString(address) + " (" + length
                    + " bytes) lie in host pages [0x" + Long.toHexString(base) + ", 0x" + Long.toHexString(base + size)
                    + ") that overlap " + (other.registered ? "another registration" : "memory this session mapped")
                    + " [0x" + Long.toHexString(other.address) + ", 0x" + Long.toHexString(other.address + other.size)
                    + "); mapped memory needs no registration, and a registration should start and end on a page boundary");
        }
    }

    /** The bits of the memory types that have all of {@code flags}. */
    private int typesWith(int flags) {
        int bits = 0;
        for (int i = 0; i < typeFlags.length; i++) {
            if ((typeFlags[i] & flags) == flags) {
                bits |= 1 << i;
            }
        }
        return bits;
    }

    /** {@link Page#window} of a page that has none and will not get one. */
    private static final long NO_WINDOW = -1L;

    /** One {@code VkDeviceMemory} the core allocated, and its mapping once made. */
    static final class Page {
        final long handle;
        final int type;
        final long size;
        /** Host address of byte 0 while mapped; 0 until the first map, flush or invalidate. */
        long address;
        /** Transfers copying from or into this page now; guarded by the mapped index. */
        int transfers;
        /** The transfer window: a buffer over the whole page, VK_NULL_HANDLE until made, or NO_WINDOW. */
        long window = VK_NULL_HANDLE;
        /** The buffer or image the page is dedicated to, or VK_NULL_HANDLE. */
        final long dedicatedBuffer;
        final long dedicatedImage;
        /** The dedicated buffer's VkBufferUsageFlags; 0 without one. */
        final int dedicatedBufferUsage;
        /**
         * The bytes from 0 its transfer window spans: the dedicated buffer's size (the page may be
         * larger: the requirement's size), else the whole page.
         */
        final long windowSize;
        /** Allocated exportable as an opaque fd: every buffer bound to it must say so. */
        final boolean exportable;
        /** The program's host memory, registered ({@link #registerHost}); set before it is indexed. */
        boolean registered;

        Page(long handle, int type, long size, long dedicatedBuffer, int dedicatedBufferUsage, long bufferSize, long dedicatedImage,
             boolean exportable) {
            this.handle = handle;
            this.type = type;
            this.size = size;
            this.dedicatedBuffer = dedicatedBuffer;
            this.dedicatedBufferUsage = dedicatedBufferUsage;
            this.windowSize = dedicatedBuffer != VK_NULL_HANDLE ? bufferSize : size;
            this.dedicatedImage = dedicatedImage;
            this.exportable = exportable;
        }
    }

    /** Allocates device memory, counted against the heap's usage and the allocation limit. */
    long allocateDeviceMemory(int type, long size, long dedicatedBuffer, long dedicatedImage) {
        return allocateDeviceMemory(type, size, dedicatedBuffer, dedicatedImage, PageOptions.DEFAULT);
    }

    /** {@link #allocateDeviceMemory(int, long, long, long)} with a page's options in the pNext chain. */
    long allocateDeviceMemory(int type, long size, long dedicatedBuffer, long dedicatedImage, PageOptions options) {
        final int heap = typeHeaps[type];
        if (size > heapSizes[heap]) {
            // The driver must not be asked for more than the heap holds (VUID-vkAllocateMemory-pAllocateInfo-01713).
            throw new OutOfDeviceMemoryException("cannot allocate " + size + " bytes of memory type " + type
                    + ": heap " + heap + " of " + physical.name() + " holds " + heapSizes[heap] + " bytes", heap, size);
        }
        reserveAllocationSlot();
        try (MemoryStack stack = stackPush()) {
            VkMemoryAllocateInfo info = VkMemoryAllocateInfo.calloc(stack).sType$Default()
                    .allocationSize(size).memoryTypeIndex(type);
            if (dedicatedBuffer != VK_NULL_HANDLE || dedicatedImage != VK_NULL_HANDLE) {
                info.pNext(VkMemoryDedicatedAllocateInfo.calloc(stack).sType$Default()
                        .buffer(dedicatedBuffer).image(dedicatedImage).pNext(info.pNext()).address());
            }
            if (bufferDeviceAddress) {
                // As VMA does: every page may hold a SHADER_DEVICE_ADDRESS buffer, so every page gets the flag.
                info.pNext(VkMemoryAllocateFlagsInfo.calloc(stack).sType$Default()
                        .flags(VK12.VK_MEMORY_ALLOCATE_DEVICE_ADDRESS_BIT).pNext(info.pNext()).address());
            }
            if (memoryPriority) {
                info.pNext(VkMemoryPriorityAllocateInfoEXT.calloc(stack).sType$Default()
                        .priority(options.priority()).pNext(info.pNext()).address());
            }
            if (options.exportable()) {
                requireExternalMemoryFd();
                info.pNext(VkExportMemoryAllocateInfo.calloc(stack).sType$Default()
                        .handleTypes(VK_EXTERNAL_MEMORY_HANDLE_TYPE_OPAQUE_FD_BIT).pNext(info.pNext()).address());
            }
            LongBuffer pMemory = stack.mallocLong(1);
            check(vkAllocateMemory(device, info, null, pMemory), "vkAllocateMemory", heap, size);
            heapUsage.addAndGet(heap, size);
            return pMemory.get(0);
        } catch (RuntimeException | Error e) {
            allocationCount.decrementAndGet();
            throw e;
        }
    }

    /**
     * Counts one more {@code VkDeviceMemory} (a page or an imported host range) against
     * {@code maxAllocationCount}, refusing before the driver is asked; give it back on failure.
     */
    private void reserveAllocationSlot() {
        if (allocationCount.incrementAndGet() > maxAllocationCount) {
            allocationCount.decrementAndGet();
            throw new BackendException("vkAllocateMemory", "VK_ERROR_TOO_MANY_OBJECTS", physical.name()
                    + " allows " + maxAllocationCount + " allocations at once (maxMemoryAllocationCount)");
        }
    }

    /**
     * Imports host memory {@code [pointer, pointer + size)} (both aligned to
     * minImportedHostPointerAlignment) as device memory of {@code type}, counted like an allocation;
     * free it with {@link #freeDeviceMemory}. The memory must stay valid until then.
     */
    long importHostMemory(int type, long size, long pointer) {
        reserveAllocationSlot();
        try (MemoryStack stack = stackPush()) {
            VkImportMemoryHostPointerInfoEXT host = VkImportMemoryHostPointerInfoEXT.calloc(stack).sType$Default()
                    .handleType(EXTExternalMemoryHost.VK_EXTERNAL_MEMORY_HANDLE_TYPE_HOST_ALLOCATION_BIT_EXT)
                    .pHostPointer(pointer);
            VkMemoryAllocateInfo info = VkMemoryAllocateInfo.calloc(stack).sType$Default().pNext(host.address())
                    .allocationSize(size).memoryTypeIndex(type);
            LongBuffer pMemory = stack.mallocLong(1);
            check(vkAllocateMemory(device, info, null, pMemory), "vkAllocateMemory (host pointer import)");
            heapUsage.addAndGet(typeHeaps[type], size);
            return pMemory.get(0);
        } catch (RuntimeException | Error e) {
            allocationCount.decrementAndGet();
            throw e;
        }
    }

    void freeDeviceMemory(long memory, int type, long size) {
        // vkFreeMemory unmaps a mapped allocation itself.
        vkFreeMemory(device, memory, null);
        heapUsage.addAndGet(typeHeaps[type], -size);
        allocationCount.decrementAndGet();
    }

    /** The host address of a host-visible page, mapping it whole on first use. */
    private long mapped(Page p) {
        if ((typeFlags[p.type] & VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT) == 0) {
            throw new MemoryNotMappableException("cannot map a page of memory type " + p.type + " "
                    + MemoryPropertyFlag.fromBits(typeFlags[p.type]) + " of " + physical.name() + ": it is not HOST_VISIBLE");
        }
        synchronized (p) {
            if (p.address == 0) {
                try (MemoryStack stack = stackPush()) {
                    PointerBuffer pData = stack.mallocPointer(1);
                    check(vkMapMemory(device, p.handle, 0, VK_WHOLE_SIZE, 0, pData), "vkMapMemory");
                    p.address = pData.get(0);
                    synchronized (mappedPages) {
                        mappedPages.put(p.address, p);
                    }
                }
            }
            return p.address;
        }
    }

    /** Flushes or invalidates {@code [offset, offset + size)} of a page, widened to whole non-coherent atoms. */
    void syncRange(long page, long offset, long size, boolean flush) {
        syncRange(requirePage(page), offset, size, flush);
    }

    /** {@link #syncRange(long, long, long, boolean)} of a page already looked up. */
    void syncRange(Page p, long offset, long size, boolean flush) {
        checkRange(p, offset, size);
        if (size == 0) {
            return;
        }
        try (MemoryStack stack = stackPush()) {
            VkMappedMemoryRange.Buffer range = VkMappedMemoryRange.calloc(1, stack);
            setRange(range.get(0), p, offset, size);
            syncRanges(range, flush);
        }
    }

    /**
     * {@link #syncRange(long, long, long, boolean)} of several ranges, each checked as there, in one
     * {@code vkFlushMappedMemoryRanges} / {@code vkInvalidateMappedMemoryRanges} call.
     */
    void syncRanges(java.util.List<dev.lluvia.memory.spi.MappedRange> ranges, boolean flush) {
        if (ranges.isEmpty()) {
            return;
        }
        try (MemoryStack stack = stackPush()) {
            VkMappedMemoryRange.Buffer vk = VkMappedMemoryRange.calloc(ranges.size(), stack);
            for (int i = 0; i < ranges.size(); i++) {
                dev.lluvia.memory.spi.MappedRange r = ranges.get(i);
                Page p = requirePage(r.page());
                checkRange(p, r.offset(), r.size());
                setRange(vk.get(i), p, r.offset(), r.size());
            }
            syncRanges(vk, flush);
        }
    }

    private static void checkRange(Page p, long offset, long size) {
        if (offset < 0 || size < 0 || offset > p.size - size) {
            throw new IndexOutOfBoundsException("range [" + offset + ", " + offset + " + " + size
                    + ") is outside the page of " + p.size + " bytes");
        }
    }

    /** {@code [offset, offset + size)} of a mapped page, widened to whole non-coherent atoms. */
    private void setRange(VkMappedMemoryRange range, Page p, long offset, long size) {
        mapped(p);
        // Vulkan wants offsets and sizes in whole atoms, or a range that ends at the end of the page.
        final long atom = nonCoherentAtomSize;
        final long start = Align.roundDown(offset, atom);
        final long end = Align.roundUp(offset + size, atom);
        range.sType$Default().memory(p.handle).offset(start).size(end >= p.size ? VK_WHOLE_SIZE : end - start);
    }

    private void syncRanges(VkMappedMemoryRange.Buffer ranges, boolean flush) {
        if (flush) {
            check(vkFlushMappedMemoryRanges(device, ranges), "vkFlushMappedMemoryRanges");
        } else {
            check(vkInvalidateMappedMemoryRanges(device, ranges), "vkInvalidateMappedMemoryRanges");
        }
    }

    Page requirePage(long page) {
        Page p = handles.get(page);
        if (p == null) {
            throw new IllegalArgumentException("unknown page 0x" + Long.toHexString(page));
        }
        return p;
    }
}
