package dev.lluvia.memory.spi;

import dev.lluvia.memory.DeviceProperties;
import dev.lluvia.memory.HeapBudget;
import dev.lluvia.memory.ImageDescriptor;
import dev.lluvia.memory.Statistics;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * One open device, as the allocator sees it: pages of device memory, and buffers and images bound
 * into them. The allocator decides placement; the backend only does what it is told and reports
 * failures with the library's typed exceptions ({@link dev.lluvia.memory.OutOfDeviceMemoryException},
 * {@link dev.lluvia.memory.OutOfHostMemoryException}, {@link dev.lluvia.memory.BackendException}).
 *
 * <p>Pages are plain {@code long} handles. Buffers and images are the {@link Resource} the backend
 * returned when it created them: the core hands that object back on every call about them, so a
 * backend may keep each one's state in its own subclass of {@link Resource} rather than in a table
 * that every thread's create and destroy would write. Callers (the core) never pass a page or
 * resource after freeing or destroying it, so implementations need not defend against stale
 * ones, but may. The core serialises the
 * allocations, binds and frees of one {@link dev.lluvia.memory.Memory}; transfers of its objects
 * (copyTo/From) run beside them (the object stays bound until the transfer returns), and calls for
 * different Memories come from different threads at once, so implementations must be thread-safe.
 */
public interface MemoryBackend extends AutoCloseable {

    /** {@return the provider name of this backend} */
    String name();

    /** {@return the device: name, memory types, heaps, limits} Constant for the backend's life. */
    DeviceProperties device();

    /**
     * Budget and usage of each heap, in heap order; see {@link HeapBudget#reported()}.
     *
     * @return one budget per heap
     */
    List<HeapBudget> heapBudgets();

    /**
     * The memory the backend allocated for itself, outside the core's pages, per heap in heap
     * order: the staging buffers of its transfers. It counts in {@link #heapBudgets()}' usage like
     * the pages do. Each buffer is one page and one allocation of its size. Thread-safe; cheap.
     * The default, for a backend that stages nothing, is {@link Statistics#EMPTY} for every heap.
     *
     * @return one total per heap
     */
    default List<Statistics> stagingStatistics() {
        return java.util.Collections.nCopies(device().memoryHeaps().size(), Statistics.EMPTY);
    }

    /**
     * Allocates one page ({@code vkAllocateMemory}) as {@code request} says: a regular page, whose
     * first byte is aligned for any resource of the device, or one dedicated to a resource. A
     * backend applies the request's options its device supports and ignores the rest.
     *
     * @param request the memory type, size, options and (for a dedicated page) the resource
     * @return the page handle
     */
    long allocatePage(PageRequest request);

    /**
     * {@link #allocatePage(PageRequest)} of a regular page with Vulkan's default options.
     *
     * @param memoryTypeIndex the Vulkan memory type index of the page
     * @param size bytes, at least 1
     * @return the page handle
     */
    default long allocatePage(int memoryTypeIndex, long size) {
        return allocatePage(PageRequest.of(memoryTypeIndex, size));
    }

    /**
     * {@link #allocatePage(PageRequest)} of a page dedicated to one resource, with Vulkan's default options.
     *
     * @param memoryTypeIndex the Vulkan memory type index of the page
     * @param size bytes: the resource's requirement size
     * @param resource the buffer or image that will be bound at offset 0: one the backend created, or
     *                 one the program created itself ({@link #resourceRequirements}), wrapped in a plain
     *                 {@link Resource}, which the backend then must not use for anything but naming it
     *                 to the driver
     * @param image whether {@code resource} is an image (else a buffer)
     * @return the page handle
     */
    default long allocateDedicatedPage(int memoryTypeIndex, long size, Resource resource, boolean image) {
        return allocatePage(PageRequest.of(memoryTypeIndex, size).withDedicatedTo(resource, image));
    }

    /**
     * Frees a page ({@code vkFreeMemory}); the core has destroyed every object in it first.
     *
     * @param page a page handle from this backend
     */
    void freePage(long page);

    /**
     * {@return a view of {@code size} bytes at {@code offset} of a host-visible page} The page stays mapped
     * until it is freed, so repeated calls are cheap.
     *
     * @param page a page handle from this backend
     * @param offset bytes from the start of the page
     * @param size bytes to view
     */
    ByteBuffer map(long page, long offset, long size);

    /**
     * Makes host writes to a range of a non-coherent page visible to the device.
     *
     * @param page a page handle from this backend
     * @param offset bytes from the start of the page
     * @param size bytes to flush
     */
    void flush(long page, long offset, long size);

    /**
     * Makes device writes to a range of a non-coherent page visible to the host.
     *
     * @param page a page handle from this backend
     * @param offset bytes from the start of the page
     * @param size bytes to invalidate
     */
    void invalidate(long page, long offset, long size);

    /**
     * {@link #flush(long, long, long)} of several ranges in one call ({@code vkFlushMappedMemoryRanges}
     * with all of them); the default flushes them one by one.
     *
     * @param ranges ranges of non-coherent pages from this backend, each rounded out to atoms by the core
     */
    default void flush(java.util.List<MappedRange> ranges) {
        for (MappedRange r : ranges) {
            flush(r.page(), r.offset(), r.size());
        }
    }

    /**
     * {@link #invalidate(long, long, long)} of several ranges in one call; the default goes one by one.
     *
     * @param ranges ranges of non-coherent pages from this backend, each rounded out to atoms by the core
     */
    default void invalidate(java.util.List<MappedRange> ranges) {
        for (MappedRange r : ranges) {
            invalidate(r.page(), r.offset(), r.size());
        }
    }

    /**
     * Creates a buffer ({@code vkCreateBuffer}) as {@code request} says and reports its memory
     * requirements. A request with the backend's own create-info is checked against the device
     * before anything is created.
     *
     * @param request the portable description or the backend's own create-info, and whether it is exportable
     * @return the buffer's handle and memory requirements
     * @throws IllegalArgumentException      naming the value the device or the backend does not accept
     * @throws UnsupportedOperationException if the request carries a create-info and the backend has
     *                                       none of its own
     */
    Resource createBuffer(BufferRequest request);

    /**
     * {@link #createBuffer(BufferRequest)} of a portable buffer, not for an exportable page.
     *
     * @param size bytes, at least 1
     * @param usageBits Vulkan {@code VkBufferUsageFlags}
     * @return the buffer's handle and memory requirements
     */
    default Resource createBuffer(long size, int usageBits) {
        return createBuffer(BufferRequest.of(size, usageBits));
    }

    /**
     * Creates an image ({@code vkCreateImage}) as {@code request} says and reports its memory
     * requirements; see {@link #createBuffer(BufferRequest)}.
     *
     * @param request the portable descriptor or the backend's own create-info, and whether it is exportable
     * @return the image's handle and memory requirements
     * @throws dev.lluvia.memory.UnsupportedImageFormatException if the device does not support the format
     *                                                           or sample count for the image's usage
     */
    Resource createImage(ImageRequest request);

    /**
     * {@link #createImage(ImageRequest)} of a portable image, not for an exportable page.
     *
     * @param descriptor what to create
     * @return the image's handle and memory requirements
     */
    default Resource createImage(ImageDescriptor descriptor) {
        return createImage(ImageRequest.of(descriptor));
    }

    /**
     * {@return whether pages can be allocated exportable and exported as opaque file descriptors
     * ({@code VK_KHR_external_memory_fd} enabled on the device)}
     */
    default boolean hasExternalMemoryFd() {
        return false;
    }

    /**
     * A new opaque file descriptor of an exportable page ({@code vkGetMemoryFdKHR}); the caller owns
     * it (an importer such as CUDA's {@code cudaImportExternalMemory} takes it over).
     *
     * @param page a page handle from this backend
     * @return the new file descriptor
     * @throws UnsupportedOperationException if the backend cannot export (the default)
     */
    default int exportFd(long page) {
        throw new UnsupportedOperationException(name() + " backend cannot export memory");
    }

    /**
     * Registers the program's host bytes {@code range} (a direct buffer, position to limit), as
     * {@code cudaHostRegister} does: the backend pins them once, and the copy methods below move
     * bytes from and into any slice of them in place, as from its own mapped memory. The program
     * keeps the memory valid until {@link #unregisterHostMemory}. The default refuses.
     *
     * @param range a direct buffer; its bytes from position to limit are registered
     * @return the registration's handle
     * @throws dev.lluvia.memory.UnsupportedExternalMemoryException if the device cannot import this memory
     * @throws IllegalArgumentException if the range overlaps a registration or memory the backend mapped
     */
    default long registerHostMemory(ByteBuffer range) {
        throw new dev.lluvia.memory.UnsupportedExternalMemoryException(name() + " backend cannot register host memory");
    }

    /**
     * Ends a registration from {@link #registerHostMemory}, after the copies that use it.
     *
     * @param registration a handle {@link #registerHostMemory} returned
     */
    default void unregisterHostMemory(long registration) {
        throw new IllegalArgumentException("unknown host registration " + registration);
    }

    /**
     * Binds a buffer to {@code offset} of a page; the offset obeys the buffer's requirements.
     *
     * @param buffer a buffer from this backend's {@link #createBuffer}
     * @param page a page handle from this backend
     * @param offset bytes from the start of the page, obeying the buffer's requirements
     */
    void bindBuffer(Resource buffer, long page, long offset);

    /**
     * Binds an image to {@code offset} of a page; the offset obeys the image's requirements.
     *
     * @param image an image from this backend's {@link #createImage}
     * @param page a page handle from this backend
     * @param offset bytes from the start of the page, obeying the image's requirements
     */
    void bindImage(Resource image, long page, long offset);

    /**
     * Binds a buffer onto part of the range of a bound resource, {@code aliased} (a buffer or image
     * handle), at {@code offset} of the page: memory aliasing. Vulkan has no separate call for it
     * (the default is {@link #bindBuffer}); the argument lets a checking backend tell a legal alias
     * from an overlap. The core has checked that the buffer's range lies inside the aliased
     * resource's and obeys its requirements, and destroys aliases before what they alias.
     *
     * @param buffer a buffer from this backend's {@link #createBuffer}
     * @param page a page handle from this backend
     * @param offset bytes from the start of the page
     * @param aliased the handle of the bound buffer or image whose range this one aliases
     */
    default void bindAliasingBuffer(Resource buffer, long page, long offset, long aliased) {
        bindBuffer(buffer, page, offset);
    }

    /**
     * {@link #bindAliasingBuffer} for an image.
     *
     * @param image an image from this backend's {@link #createImage}
     * @param page a page handle from this backend
     * @param offset bytes from the start of the page
     * @param aliased the handle of the bound buffer or image whose range this one aliases
     */
    default void bindAliasingImage(Resource image, long page, long offset, long aliased) {
        bindImage(image, page, offset);
    }

    /**
     * The requirements of a buffer or image the program created itself, not through
     * {@link #createBuffer} or {@link #createImage} ({@code vkGet*MemoryRequirements2} with
     * {@code VkMemoryDedicatedRequirements} on Vulkan), for
     * {@link dev.lluvia.memory.Memory#allocate}. The backend neither keeps nor destroys it.
     *
     * @param resource the program's {@code VkBuffer} or {@code VkImage} handle, not 0
     * @param image    whether {@code resource} is an image
     * @return what the resource needs of the memory it is bound to
     * @throws UnsupportedOperationException if the backend has no resources of the program's (the default)
     */
    default MemoryRequirements resourceRequirements(long resource, boolean image) {
        throw new UnsupportedOperationException(name() + " backend cannot query the requirements of the program's own "
                + (image ? "images" : "buffers"));
    }

    /**
     * Binds a buffer or image the program created itself; see {@link ResourceBind}. The default binds
     * through {@link #bindBuffer} or {@link #bindImage} and refuses a {@code pNext} chain, which is
     * right for a backend whose program resources are its own handles (the sim's).
     *
     * @param bind the resource, the page and offset to bind it at, and any {@code pNext} chain
     * @throws IllegalArgumentException if the bind has a {@code pNext} chain the backend must not pass on
     */
    default void bindResource(ResourceBind bind) {
        if (bind.next() != 0) {
            throw new IllegalArgumentException(name() + " backend takes no pNext chain in a bind; was 0x"
                    + Long.toHexString(bind.next()));
        }
        if (bind.image()) {
            bindImage(new Resource(bind.resource(), null), bind.page(), bind.offset());
        } else {
            bindBuffer(new Resource(bind.resource(), null), bind.page(), bind.offset());
        }
    }

    /**
     * Destroys a buffer, bound or not.
     *
     * @param buffer a buffer from this backend's {@link #createBuffer}
     */
    void destroyBuffer(Resource buffer);

    /**
     * Destroys an image, bound or not.
     *
     * @param image an image from this backend's {@link #createImage}
     */
    void destroyImage(Resource image);

    /**
     * Copies {@code src}'s remaining bytes into a bound buffer at {@code offset}, through a transfer
     * on the device's queue (a staging buffer and a copy command), and waits for it to finish. Works
     * for any memory type; the core calls it for memory the host cannot map, and maps directly
     * otherwise. {@code src}'s position is left unchanged. The core has checked that the range lies
     * inside the buffer.
     *
     * @param buffer a bound buffer
     * @param offset bytes from the start of the buffer
     * @param src the bytes to copy: its remaining ones
     * @throws UnsupportedOperationException if the backend cannot transfer (the default)
     * @throws IllegalArgumentException      if the buffer was not created for transfers in this direction
     */
    default void copyToBuffer(Resource buffer, long offset, ByteBuffer src) {
        throw new UnsupportedOperationException(name() + " backend cannot copy into buffers through a transfer");
    }

    /**
     * Copies {@code dst.remaining()} bytes of a bound buffer, from {@code offset}, into {@code dst}
     * through a transfer on the device's queue, and waits for it. {@code dst}'s position is left
     * unchanged. See {@link #copyToBuffer(Resource, long, ByteBuffer)}.
     *
     * @param buffer a bound buffer
     * @param offset bytes from the start of the buffer
     * @param dst where the bytes go: as many as it has remaining
     */
    default void copyFromBuffer(Resource buffer, long offset, ByteBuffer dst) {
        throw new UnsupportedOperationException(name() + " backend cannot copy from buffers through a transfer");
    }

    /**
     * Replaces every pixel of a bound image with {@code src}'s remaining bytes, tightly packed in
     * row order ({@link ImageDescriptor#byteSize()} bytes), through a staging buffer, a
     * buffer-to-image copy and the layout transitions around it; waits for it. {@code src}'s position
     * is left unchanged.
     *
     * @param image a bound image
     * @param descriptor the image's descriptor
     * @param src the pixels: {@link ImageDescriptor#byteSize()} bytes
     */
    default void copyToImage(Resource image, ImageDescriptor descriptor, ByteBuffer src) {
        throw new UnsupportedOperationException(name() + " backend cannot copy into images");
    }

    /**
     * Copies every pixel of a bound image into {@code dst} ({@link ImageDescriptor#byteSize()}
     * bytes, tightly packed in row order), and waits for it. {@code dst}'s position is left unchanged.
     *
     * @param image a bound image
     * @param descriptor the image's descriptor
     * @param dst where the pixels go: {@link ImageDescriptor#byteSize()} bytes
     */
    default void copyFromImage(Resource image, ImageDescriptor descriptor, ByteBuffer dst) {
        throw new UnsupportedOperationException(name() + " backend cannot copy from images");
    }

    /**
     * Copies the first {@code size} bytes of bound buffer {@code src} into bound buffer {@code dst}
     * on the device ({@code vkCmdCopyBuffer} on the transfer queue; no host round trip), and waits.
     * Defragmentation uses it to move a buffer; both have transfer usage.
     *
     * @param src the bound buffer copied from
     * @param dst the bound buffer copied into
     * @param size bytes to copy
     * @throws UnsupportedOperationException if the backend cannot copy (the default)
     */
    default void copyBuffer(Resource src, Resource dst, long size) {
        throw new UnsupportedOperationException(name() + " backend cannot copy between buffers");
    }

    /**
     * Copies every pixel of bound image {@code src} into bound image {@code dst} of the same
     * descriptor on the device ({@code vkCmdCopyImage}, with the layout transitions), and waits;
     * {@code dst} ends in the layout {@code src} would be left in by a transfer.
     *
     * @param src the bound image copied from
     * @param dst the bound image copied into
     * @param descriptor the descriptor of both
     * @throws UnsupportedOperationException if the backend cannot copy (the default)
     */
    default void copyImage(Resource src, Resource dst, ImageDescriptor descriptor) {
        throw new UnsupportedOperationException(name() + " backend cannot copy between images");
    }

    /**
     * {@return the device features enabled on this device that the allocator may use: an unmodifiable set,
     * constant for the backend's life} The default: none, right for backends that have no such features.
     */
    default java.util.Set<dev.lluvia.memory.DeviceFeature> enabledFeatures() {
        return java.util.Set.of();
    }

    /**
     * {@return the device address of a bound buffer created with the {@code SHADER_DEVICE_ADDRESS} usage
     * ({@code vkGetBufferDeviceAddress}); only called when {@link #enabledFeatures()} has
     * {@link dev.lluvia.memory.DeviceFeature#BUFFER_DEVICE_ADDRESS}}
     *
     * @param buffer a bound buffer
     * @throws UnsupportedOperationException if the backend has no device addresses (the default)
     */
    default long bufferDeviceAddress(Resource buffer) {
        throw new UnsupportedOperationException(name() + " backend has no buffer device addresses");
    }

    /**
     * Given once by the session that owns this backend, right after it is made: the session's
     * close, which closes every Memory (shutting its mapped views) before closing this backend. A
     * backend that closes itself on its own (the Vulkan backend's shutdown hook at JVM exit) runs
     * this instead of {@link #close()}, so that no view can read a page it frees. The default
     * ignores it.
     *
     * @param closer the session's close
     */
    default void setSessionCloser(Runnable closer) {
    }

    /**
     * Gives the backend the session's listener for the way each transfer went (see
     * {@link TransferListener}). Called once, when the session opens. A backend that does not
     * call it is counted as staging every transfer it makes (the default does nothing).
     *
     * @param listener told the path of each transfer, on the transferring thread
     */
    default void setTransferListener(TransferListener listener) {
    }

    /** Closes the device. The core has freed every page and object first. */
    @Override
    void close();
}
