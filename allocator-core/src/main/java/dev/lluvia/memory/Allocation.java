package dev.lluvia.memory;

import dev.lluvia.memory.spi.MemoryRequirements;
import dev.lluvia.memory.spi.Resource;
import dev.lluvia.memory.spi.ResourceBind;

import java.nio.ByteBuffer;

/**
 * Memory of a {@link Memory} for a buffer or image the program creates and owns itself (VMA's
 * {@code VmaAllocation} from {@code vmaAllocateMemory}, {@code vmaAllocateMemoryForBuffer} or
 * {@code vmaAllocateMemoryForImage}), made by {@link Memory#allocate(AllocationRequest)}.
 *
 * <p>It is placed as the library's own objects are (the same pages, alignment,
 * {@code bufferImageGranularity} by its {@link ResourceKind}, debug margins, a dedicated page when
 * the requirements prefer or require one or it is larger than half a page), and it reports what
 * they report: {@link #allocationInfo()} (page, offset, size), {@link #pageHandle()} (the
 * {@code VkDeviceMemory}), statistics, leak reports. The program binds its resource to it with
 * {@link #bindBuffer}/{@link #bindImage} (VMA's {@code vmaBindBufferMemory2}/
 * {@code vmaBindImageMemory2}), which check the resource's requirements against the allocation
 * first, or binds it itself at {@link #pageHandle()} and {@code allocationInfo().offset()}.
 *
 * <p>The resource stays the program's: {@link #close()} frees the allocation's range and never
 * destroys the resource. Destroy the resource (or stop using it) before closing the allocation:
 * the range then goes to other objects. Defragmentation leaves allocations in place (the library
 * cannot copy or re-bind a resource it does not own), and they cannot be aliased by the library's
 * own objects.
 */
public final class Allocation extends MemoryObject {

    private final AllocationRequest request;
    private final ResourceRequirements requirements;
    /** The resource bound through this allocation, or 0; guarded by the Memory's lock. */
    private long bound;

    Allocation(Memory memory, long id, AllocationRequest request, ResourceRequirements requirements) {
        super(memory, id, new Resource(request.resource(), requirements.toSpi()));
        this.request = request;
        this.requirements = requirements;
    }

    /** {@return what the allocation was asked for} */
    public AllocationRequest request() {
        return request;
    }

    /**
     * {@return the requirements it was placed by: the request's, or those the backend reported for its
     * resource}
     */
    public ResourceRequirements requirements() {
        return requirements;
    }

    /** {@return buffer, linear image or optimal image: what may be bound here} */
    public ResourceKind resourceKind() {
        return request.kind();
    }

    /** {@return the bytes of the allocation: the requirement size ({@link AllocationInfo#size()})} */
    public long size() {
        return requirements.size();
    }

    /**
     * {@return the resource bound with {@link #bindBuffer}/{@link #bindImage}, or 0 when none was}
     *
     * @throws IllegalStateException if the allocation is closed
     */
    public long boundResource() {
        synchronized (memory().lock()) {
            requireOpen();
            return bound;
        }
    }

    /**
     * {@link #bindBuffer(long, long, long)} at the allocation's start, with no {@code pNext}.
     *
     * @param buffer the program's {@code VkBuffer}; not destroyed by the library
     * @throws IllegalStateException           as {@link #bindBuffer(long, long, long)}
     * @throws IllegalArgumentException        as {@link #bindBuffer(long, long, long)}
     * @throws IncompatibleMemoryTypeException as {@link #bindBuffer(long, long, long)}
     */
    public void bindBuffer(long buffer) {
        bindBuffer(buffer, 0, 0);
    }

    /**
     * Binds the program's buffer at {@code localOffset} bytes into this allocation
     * ({@code vkBindBufferMemory2} on Vulkan; VMA's {@code vmaBindBufferMemory2}). The library
     * queries the buffer's requirements and checks them first; on any failure nothing is bound.
     *
     * @param buffer      the program's {@code VkBuffer}; not destroyed by the library
     * @param localOffset bytes from the allocation's start
     * @param next        the address of a {@code pNext} chain for {@code VkBindBufferMemoryInfo}
     *                    the program owns, or 0; on Vulkan only {@code VkBindMemoryStatus} and
     *                    {@code VkBindBufferMemoryDeviceGroupInfo} may be in it
     * @throws IllegalStateException           if the allocation is closed or a resource was bound already
     * @throws IllegalArgumentException        if the allocation is not for a buffer, the handle is 0,
     *                                         the buffer needs more bytes from {@code localOffset} than
     *                                         the allocation has or another alignment, the allocation
     *                                         is dedicated to another resource, or {@code next} has a
     *                                         structure the library must not chain (each naming the value)
     * @throws IncompatibleMemoryTypeException if the buffer's memoryTypeBits exclude the Memory's type
     */
    public void bindBuffer(long buffer, long localOffset, long next) {
        bind(buffer, false, localOffset, next);
    }

    /**
     * {@link #bindImage(long, long, long)} at the allocation's start, with no {@code pNext}.
     *
     * @param image the program's {@code VkImage}; not destroyed by the library
     * @throws IllegalStateException           as {@link #bindImage(long, long, long)}
     * @throws IllegalArgumentException        as {@link #bindImage(long, long, long)}
     * @throws IncompatibleMemoryTypeException as {@link #bindImage(long, long, long)}
     */
    public void bindImage(long image) {
        bindImage(image, 0, 0);
    }

    /**
     * Binds the program's image at {@code localOffset} bytes into this allocation
     * ({@code vkBindImageMemory2}); as {@link #bindBuffer(long, long, long)}. The image must have the
     * tiling of the allocation's {@link #resourceKind()}, which Vulkan gives no way to check.
     *
     * @param image       the program's {@code VkImage}; not destroyed by the library
     * @param localOffset bytes from the allocation's start
     * @param next the address of a {@code pNext} chain for {@code VkBindImageMemoryInfo}, or 0; on
     *             Vulkan only {@code VkBindMemoryStatus} and {@code VkBindImageMemoryDeviceGroupInfo}
     *             may be in it (a swapchain or plane bind is not the library's memory)
     * @throws IllegalStateException           if the allocation is closed or a resource was bound already
     * @throws IllegalArgumentException        if the allocation is not for an image, or as
     *                                         {@link #bindBuffer(long, long, long)}
     * @throws IncompatibleMemoryTypeException if the image's memoryTypeBits exclude the Memory's type
     */
    public void bindImage(long image, long localOffset, long next) {
        bind(image, true, localOffset, next);
    }

    private void bind(long resource, boolean image, long localOffset, long next) {
        if (resource == 0) {
            throw new IllegalArgumentException("cannot bind VK_NULL_HANDLE (0) to " + describe());
        }
        if (image != request.kind().isImage()) {
            throw new IllegalArgumentException("cannot bind " + (image ? "image" : "buffer") + " 0x"
                    + Long.toHexString(resource) + " to " + describe() + ", which is for a " + request.kind());
        }
        final Memory memory = memory();
        synchronized (memory.lock()) {
            requireOpen();
            if (bound != 0) {
                throw new IllegalStateException("cannot bind " + (image ? "image" : "buffer") + " 0x"
                        + Long.toHexString(resource) + " to " + describe() + ": resource 0x" + Long.toHexString(bound)
                        + " is bound to it already (a resource is bound once; make another allocation)");
            }
            final long dedicatedTo = page().dedicated ? request.resource() : 0;
            if (dedicatedTo != 0 && dedicatedTo != resource) {
                throw new IllegalArgumentException("cannot bind " + (image ? "image" : "buffer") + " 0x"
                        + Long.toHexString(resource) + " to " + describe() + ": its page is dedicated to 0x"
                        + Long.toHexString(dedicatedTo) + " alone");
            }
            final MemoryRequirements req = memory.backend().resourceRequirements(resource, image);
            CreateChecks.requireMemoryType(memory.session(), memory.memoryType(), req.memoryTypeBits(), this,
                    "cannot have " + (image ? "image" : "buffer") + " 0x" + Long.toHexString(resource) + " bound in");
            final AllocationInfo info = infoLocked();
            final long offset = info.offset() + localOffset;
            if (localOffset < 0 || localOffset > info.size() || req.size() > info.size() - localOffset) {
                throw new IllegalArgumentException("cannot bind " + (image ? "image" : "buffer") + " 0x"
                        + Long.toHexString(resource) + " at localOffset " + localOffset + " of " + describe()
                        + ": it needs " + req.size() + " bytes, the allocation has " + info.size());
            }
            if (req.alignment() > 0 && offset % req.alignment() != 0) {
                throw new IllegalArgumentException("cannot bind " + (image ? "image" : "buffer") + " 0x"
                        + Long.toHexString(resource) + " at localOffset " + localOffset + " of " + describe()
                        + ": page offset " + offset + " is not a multiple of its alignment " + req.alignment());
            }
            if (req.requiresDedicated() && dedicatedTo != resource) {
                throw new IllegalArgumentException("cannot bind " + (image ? "image" : "buffer") + " 0x"
                        + Long.toHexString(resource) + " to " + describe() + ": the driver requires it to have a"
                        + " dedicated allocation; allocate with AllocationRequest.for" + (image ? "Image" : "Buffer")
                        + " of its handle");
            }
            if (dedicatedTo == resource && localOffset != 0) {
                throw new IllegalArgumentException("cannot bind 0x" + Long.toHexString(resource) + " at localOffset "
                        + localOffset + " of " + describe() + ": a dedicated allocation is bound at offset 0");
            }
            memory.backend().bindResource(new ResourceBind(resource, image, page().handle, offset, next));
            bound = resource;
        }
    }

    /**
     * {@return a checked view of the allocation's {@link #size()} bytes; as {@link Buffer#map()}}
     *
     * @throws MemoryNotMappableException if the memory is not host-visible
     * @throws IllegalArgumentException   if the allocation is larger than one view holds
     * @throws IllegalStateException      if the allocation is closed
     */
    public MappedView map() {
        return mapView(0, size(), size());
    }

    /**
     * {@return a checked view of {@code length} bytes from {@code offset} of the allocation; as
     * {@link Buffer#map(long, long)}}
     *
     * @param offset bytes from the start of the allocation
     * @param length bytes
     * @throws IndexOutOfBoundsException  naming the range if it is not inside the allocation
     * @throws IllegalArgumentException   if {@code length} is over {@code Integer.MAX_VALUE}
     * @throws MemoryNotMappableException if the memory is not host-visible
     * @throws IllegalStateException      if the allocation is closed
     */
    public MappedView map(long offset, long length) {
        return mapView(offset, length, size());
    }

    /**
     * {@return a raw view of {@code length} bytes from {@code offset} of the allocation, with no
     * guarantee; as {@link Buffer#mapByteBuffer(long, long)}}
     *
     * @param offset bytes from the start of the allocation
     * @param length bytes
     * @throws IndexOutOfBoundsException  naming the range if it is not inside the allocation
     * @throws IllegalArgumentException   if {@code length} is over {@code Integer.MAX_VALUE}
     * @throws MemoryNotMappableException if the memory is not host-visible
     * @throws IllegalStateException      if the allocation is closed
     */
    public ByteBuffer mapByteBuffer(long offset, long length) {
        return mapRaw(offset, length, size());
    }

    /**
     * Makes host writes to {@code [offset, offset + length)} of the allocation visible to the device;
     * as {@link Buffer#flush(long, long)}.
     *
     * @param offset bytes from the start of the allocation
     * @param length bytes
     * @throws IndexOutOfBoundsException naming the range if it is not inside the allocation
     * @throws IllegalStateException     if the allocation is closed
     */
    public void flush(long offset, long length) {
        syncRange(offset, length, size(), true);
    }

    /**
     * Makes device writes to {@code [offset, offset + length)} of the allocation visible to the host;
     * as {@link Buffer#invalidate(long, long)}.
     *
     * @param offset bytes from the start of the allocation
     * @param length bytes
     * @throws IndexOutOfBoundsException naming the range if it is not inside the allocation
     * @throws IllegalStateException     if the allocation is closed
     */
    public void invalidate(long offset, long length) {
        syncRange(offset, length, size(), false);
    }

    @Override
    long mappableSize() {
        return size();
    }

    @Override
    String kind() {
        return "Allocation";
    }

    @Override
    String shape() {
        return requirements.size() + " bytes " + request.kind();
    }

    @Override
    boolean isOptimalImage() {
        return request.kind() == ResourceKind.OPTIMAL_IMAGE;
    }

    /** Whether the page is dedicated to a named image (else a buffer), for the backend. */
    boolean isImageResource() {
        return request.kind().isImage();
    }

    @Override
    void bindResource(Resource resource, long pageHandle, long offset) {
        // The program binds its resource when it wants to (bindBuffer, bindImage, or its own call).
    }

    @Override
    void bindAliasResource(Resource resource, long pageHandle, long offset, long aliased) {
        throw new IllegalStateException("an allocation is never an alias");
    }

    @Override
    Resource createReplacementLocked() {
        throw new IllegalStateException(describe() + " cannot be moved: its resource is the program's");
    }

    @Override
    void copyContentsLocked(Resource from, Resource to) {
        throw new IllegalStateException(describe() + " cannot be moved: its resource is the program's");
    }

    @Override
    boolean canCopy() {
        return false; // defragmentation leaves it in place
    }

    @Override
    void destroyResource(Resource resource) {
        // The resource is the program's: closing frees the range only.
    }
}
