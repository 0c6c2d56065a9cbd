package dev.lluvia.memory;

import dev.lluvia.memory.alloc.Align;
import dev.lluvia.memory.alloc.AllocationAlgorithm;
import dev.lluvia.memory.alloc.AllocationStrategy;
import dev.lluvia.memory.spi.BufferRequest;
import dev.lluvia.memory.spi.ImageRequest;
import dev.lluvia.memory.spi.MemoryBackend;
import dev.lluvia.memory.spi.Resource;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A region of device memory of one memory type, managed as pages, from which {@link Buffer}s and
 * {@link Image}s are allocated (Lluvia's {@code Memory}).
 *
 * <pre>
 *   Memory ── page 0 [ Buffer 0 | pad | Image 1 |   free   ]     regular page: pageSize bytes
 *          ├─ page 1 [ Image 2 (dedicated)                 ]     dedicated page: one object
 *          └─ page 2 [ Buffer 3 |           free           ]
 * </pre>
 *
 * <h2>Placement policy</h2>
 * <ol>
 *   <li>Pages are allocated lazily: {@link #pageCount()} is 0 until the first object, unless
 *       {@link MemoryOptions#minPages()} asks for pages at creation, which are then kept, empty or
 *       not, until the Memory closes.</li>
 *   <li>An object larger than half the page size, or one the driver prefers or requires to have
 *       its own allocation, gets a <b>dedicated page</b> of exactly its size. Half, as in VMA: a
 *       larger object would leave a remainder too small for most neighbours. The page is allocated
 *       for the object's resource and freed with it when the driver requires that, or prefers it
 *       for an image; otherwise (a large object, a buffer the driver only prefers alone) it is a
 *       plain page, kept when empty like a regular one (step 7) and taken by the next large object
 *       that fits it within an eighth of its size.</li>
 *   <li>Any other object goes into the first regular page whose block allocator
 *       ({@link MemoryOptions#algorithm()}) finds room; if none, a new regular page is allocated.</li>
 *   <li><b>bufferImageGranularity</b>: Vulkan forbids a linear resource (buffer, linear image) and
 *       an optimal image sharing a granularity-sized block of a page. Optimal images therefore
 *       start and end on granularity boundaries; linear objects are not padded. Nothing is wasted
 *       when the image's alignment and size are already multiples of the granularity (as drivers
 *       that align optimal images to it give them), and at most {@code 2 * granularity - 2} bytes
 *       per optimal image otherwise.</li>
 *   <li>On non-coherent memory types every object starts and ends on {@code nonCoherentAtomSize},
 *       so flushing or invalidating one object never touches a neighbour's bytes.</li>
 *   <li>Before a new page is asked of the driver, the heap's size (and budget, where the device
 *       reports one) is checked; a page that does not fit is an {@link OutOfDeviceMemoryException}.
 *       A Memory that holds {@link MemoryOptions#maxPages()} pages (dedicated ones included), or was
 *       made with {@link MemoryOptions#neverAllocate()}, refuses a new page with a
 *       {@link PageLimitException}; nothing is changed.</li>
 *   <li>When an object is closed and its regular page becomes empty, the page is kept for reuse
 *       if the empty pages kept, with it, fit in the <b>empty-page budget</b>
 *       ({@link MemoryOptions#effectiveEmptyPageBudget()}: by default 256 MiB or one page,
 *       whichever is larger), else freed at once. Kept pages are reused (step 3 finds them before a
 *       new page is asked for), so a program that closes and re-creates many objects does not call
 *       the driver for pages each time; {@link #releaseEmptyPages()} gives them back now. Kept
 *       pages count as pages ({@link #pageCount()}, {@link #statistics()}, {@link #pages()}, the
 *       heap's usage). A page allocated for its object's resource is freed with it. A new page
 *       the heap cannot give is asked for again after the kept empty pages are freed: this
 *       memory's, then (the create tried once more, no lock held) those the session's other
 *       Memories of the heap keep.</li>
 *   <li><b>Debug margins</b> (only when the session is in debug mode and the memory type is
 *       host-visible; VMA's {@code VMA_DEBUG_MARGIN} with {@code VMA_DEBUG_DETECT_CORRUPTION}):
 *       an object in a regular page is given a block of
 *       {@code align(DEBUG_MARGIN, alignment) + size + roundUp(DEBUG_MARGIN, quantum)} bytes and
 *       placed after the front margin, so its offset keeps its alignment. Both margins (the back
 *       one from the object's atom-rounded end) are filled with a magic value when it is placed and
 *       checked when it is closed and by {@link #checkCorruption()}; on non-coherent types they
 *       are flushed after filling and checked on both the host and (after an invalidate of the
 *       margins only) the device side. {@link AllocationInfo#leftPadding()} includes the front
 *       margin. Dedicated pages have exactly the object's size and no margins. Otherwise the
 *       decision is a final field set when the Memory is created: no margin bytes are reserved
 *       and no check runs.</li>
 * </ol>
 *
 * <p>Thread safety: every method may be called from any thread. One lock per Memory serialises
 * allocation, free and mapping of its objects; Memories of one Session do not block each other.
 * A transfer ({@link Buffer#write}, {@link Image#read}, ...) holds the lock only to pin its object:
 * other objects are created and closed while the copy runs, and a close (or defragmentation move)
 * of the pinned object waits for the copy to end.
 * A {@link MappedView} may be shared between threads and stops working (an exception, never a
 * crash) when its buffer is closed by any thread; a raw {@link Buffer#mapByteBuffer()} view has
 * its own position and no such protection.
 */
public final class Memory implements AutoCloseable {

    /**
     * The least number of bytes of each debug margin before and after an object (see the
     * placement list): 16, as VMA's tests use; a margin is rounded up to the object's alignment
     * (front) or atom and granularity quantum (back).
     */
    public static final int DEBUG_MARGIN = 16;

    private final Session session;
    private final MemoryOptions options;
    private final MemoryBackend backend;
    private final MemoryType type;
    /** Alignment and size quantum of objects: nonCoherentAtomSize on non-coherent types, else 1. */
    private final long atom;
    /** bufferImageGranularity, or 1 when it imposes nothing. */
    private final long granularity;
    /** Debug margins around objects of regular pages (debug mode and a host-visible type), else {@code null}. */
    private final DebugMargins margins;

    /** The monitor of this memory, which also holds its live objects and counters; see {@link MemoryLock}. */
    private final MemoryLock lock = new MemoryLock();
    /** The pages; guarded by the lock. */
    private final PagePool pool;
    /** The live objects: the lock itself, which is them. */
    private final LiveObjects live = lock;
    private volatile boolean closed;
    /** This Memory's number in its session, from 1: how JFR events and metrics name it. */
    private final int number;
    /** The defragmentation running on this memory, or null. Guarded by the lock. */
    private Defragmentation defragmentation;

    Memory(Session session, MemoryBackend backend, MemoryType type, MemoryOptions options) {
        this.session = session;
        this.number = session.nextMemoryNumber();
        this.options = options;
        this.backend = backend;
        this.type = type;
        DeviceLimits limits = session.device().limits();
        this.atom = type.needsFlush() ? Math.max(1, limits.nonCoherentAtomSize()) : 1;
        this.granularity = Math.max(1, limits.bufferImageGranularity());
        this.margins = session.isDebugEnabled() && type.isHostVisible() ? new DebugMargins(backend, type, atom) : null;
        this.pool = new PagePool.Padded(this, backend, session.heaps, type, options);
    }

    /** Allocates the {@link MemoryOptions#minPages()} pages of a new memory; all or nothing. */
    void allocateMinimumPages() {
        synchronized (lock) {
            pool.allocateMinimum();
        }
    }

    /** A driver buffer for this memory: created for export when the memory's pages are exportable. */
    Resource newBuffer(long size, int usageBits) {
        return backend.createBuffer(new BufferRequest(size, usageBits, options.exportable(), null));
    }

    /** A driver image for this memory; see {@link #newBuffer}. */
    Resource newImage(ImageDescriptor descriptor) {
        return backend.createImage(new ImageRequest(descriptor, options.exportable(), null));
    }

    /** A driver buffer from a backend's own create-info; see {@link #newBuffer}. */
    Resource newBuffer(BackendBufferInfo info) {
        return backend.createBuffer(BufferRequest.of(info).withExportable(options.exportable()));
    }

    /** A driver image from a backend's own create-info; see {@link #newBuffer}. */
    Resource newImage(BackendImageInfo info) {
        return backend.createImage(ImageRequest.of(info).withExportable(options.exportable()));
    }

    /** {@return whether this memory's pages can be exported ({@link MemoryOptions#exportable()})} */
    public boolean isExportable() {
        return options.exportable();
    }

    /**
     * Exports page {@code page} (an {@link AllocationInfo#page()} index) as a new opaque file
     * descriptor ({@code vkGetMemoryFdKHR}, {@code VK_KHR_external_memory_fd}), for another API to
     * import: CUDA's {@code cudaImportExternalMemory} with {@code cudaExternalMemoryHandleTypeOpaqueFd},
     * the page's size and, for an object, its offset. The caller owns the descriptor; an importer
     * takes it over. The page stays this memory's: keep its objects alive while the importer uses it.
     * For one object alone in its memory, give it a page of its own (a page size of at most twice its
     * size makes it dedicated).
     *
     * @param page a page index of this memory ({@link AllocationInfo#page()})
     * @return a new file descriptor, which the caller owns
     * @throws IllegalStateException     if this memory is closed or was not created exportable
     * @throws IndexOutOfBoundsException if no page has that index now
     */
    public int exportFd(int page) {
        synchronized (lock) {
            requireOpen();
            if (!options.exportable()) {
                throw new IllegalStateException("cannot export page " + page + " of " + this
                        + ": it was not created with MemoryOptions.withExportable(true)");
            }
            Page p = pool.page(page);
            if (p == null) {
                throw new IndexOutOfBoundsException("page " + page + " of " + this + " does not exist (" + pool.pageCount()
                        + " pages now)");
            }
            return backend.exportFd(p.handle);
        }
    }

    /** {@return the memory priority of this memory's pages, in [0, 1] ({@link MemoryOptions#priority()})} */
    public float priority() {
        return options.priority();
    }

    /**
     * {@return whether the device applies {@link #priority()} to the pages: the session enabled
     * {@link DeviceFeature#MEMORY_PRIORITY} ({@code VK_EXT_memory_priority} with its feature; see
     * {@link SessionOptions#withFeatures})} When false the priority is kept and reported but has no effect.
     */
    public boolean isPriorityApplied() {
        return backend.enabledFeatures().contains(DeviceFeature.MEMORY_PRIORITY);
    }

    /**
     * {@return whether objects of this memory have debug margins that detect out-of-bounds writes: the
     * session is in debug mode and the memory type is host-visible} Decided at creation.
     */
    public boolean hasDebugMargins() {
        return margins != null;
    }

    /** {@return the session this memory belongs to} */
    public Session session() {
        return session;
    }

    /**
     * {@return the options this memory was created with; a memory created from a {@link MemoryUsage} reports
     * its chosen type's flags with an exact match}
     */
    public MemoryOptions options() {
        return options;
    }

    /** {@return the actual flags of the memory type chosen, which may include more than were asked for} */
    public Set<MemoryPropertyFlag> memoryFlags() {
        return type.flags();
    }

    /** {@return the device memory type all pages come from} */
    public MemoryType memoryType() {
        return type;
    }

    /** {@return whether objects of this memory can be mapped to host memory ({@link MemoryPropertyFlag#HOST_VISIBLE})} */
    public boolean isMappable() {
        return type.isHostVisible();
    }

    /**
     * Pages allocated now; 0 until the first object is created.
     *
     * @return the number of pages, regular and dedicated
     * @throws IllegalStateException if this memory is closed
     */
    public int pageCount() {
        synchronized (lock) {
            requireOpen();
            return pool.pageCount();
        }
    }

    /**
     * Frees now every empty regular page this memory keeps for reuse (see the placement list),
     * for a program that wants the memory back, e.g. before a phase that needs it in another
     * Memory or after a burst of objects it will not make again. Pages in use are not touched;
     * the next object that needs a page gets a new one from the driver.
     *
     * @return the bytes given back to the driver (0 if no page was empty)
     * @throws IllegalStateException if this memory is closed
     */
    public long releaseEmptyPages() {
        synchronized (lock) {
            requireOpen();
            return releaseEmptyPagesIfOpen();
        }
    }

    /** {@link #releaseEmptyPages()}, or 0 when this memory is closed (by another thread, say). */
    long releaseEmptyPagesIfOpen() {
        synchronized (lock) {
            if (closed) {
                return 0;
            }
            final long before = pool.pageBytes();
            pool.releaseEmptyPages();
            return before - pool.pageBytes();
        }
    }

    /** {@return the size of a regular page in bytes} */
    public long pageSize() {
        return options.pageSize();
    }

    /** {@return the block allocator used inside each page} */
    public AllocationAlgorithm algorithm() {
        return options.algorithm();
    }

    /** {@return where the block allocator of each page looks first} */
    public AllocationStrategy strategy() {
        return options.strategy();
    }

    /**
     * {@link #createBuffer(BufferDescriptor)} of {@link BufferDescriptor#of(long)}: usage storage,
     * transfer source and transfer destination.
     *
     * @param size bytes, at least 1
     * @return the new buffer
     * @throws IllegalArgumentException        if size is not positive
     * @throws IncompatibleMemoryTypeException if the driver cannot place such a buffer in this memory type
     * @throws OutOfDeviceMemoryException      if a new page was needed and the heap has no room
     */
    public Buffer createBuffer(long size) {
        if (size <= 0) { // BufferDescriptor.of(size)'s check: every create takes this path, so no descriptor is made
            throw new IllegalArgumentException("buffer size must be positive, was " + size);
        }
        try {
            return newBufferObject(size, BufferUsage.DEFAULT, null, 1, null, null, true);
        } catch (OutOfDeviceMemoryException e) {
            retryAfterOthersReleased(e);
            return newBufferObject(size, BufferUsage.DEFAULT, null, 1, null, null, true);
        }
    }

    /**
     * {@link #createBuffer(BufferDescriptor)} of {@link BufferDescriptor#of(long, Set)}.
     *
     * @param size bytes, at least 1
     * @param usage what the buffer is for; not empty
     * @return the new buffer
     * @throws IllegalArgumentException         if size is not positive or usage is empty
     * @throws FeatureNotEnabledException       if usage has {@link BufferUsage#SHADER_DEVICE_ADDRESS} and the
     *                                          session lacks {@link DeviceFeature#BUFFER_DEVICE_ADDRESS}
     * @throws IncompatibleMemoryTypeException  if the driver cannot place such a buffer in this memory type
     * @throws OutOfDeviceMemoryException       if a new page was needed and the heap has no room
     */
    public Buffer createBuffer(long size, Set<BufferUsage> usage) {
        return createBuffer(BufferDescriptor.of(size, usage));
    }

    /**
     * {@link #createBuffer(BufferDescriptor)} of {@link BufferDescriptor#of(long, Set)} with a
     * {@link BufferDescriptor#withMinAlignment least alignment}.
     *
     * @param minAlignment a power of two; 1 asks for nothing more than the driver's alignment
     * @param size bytes, at least 1
     * @param usage what the buffer is for; not empty
     * @return the new buffer
     * @throws IllegalArgumentException         if size is not positive, usage is empty, or
     *                                          {@code minAlignment} is not a positive power of two
     * @throws FeatureNotEnabledException       if usage has {@link BufferUsage#SHADER_DEVICE_ADDRESS} and the
     *                                          session lacks {@link DeviceFeature#BUFFER_DEVICE_ADDRESS}
     * @throws IncompatibleMemoryTypeException  if the driver cannot place such a buffer in this memory type
     * @throws OutOfDeviceMemoryException       if a new page was needed and the heap has no room
     */
    public Buffer createBuffer(long size, Set<BufferUsage> usage, long minAlignment) {
        return createBuffer(BufferDescriptor.of(size, usage).withMinAlignment(minAlignment));
    }

    /**
     * {@link #createBuffer(BufferDescriptor)} of {@link BufferDescriptor#of(BackendBufferInfo)}: a
     * buffer from a backend's own create-info, for what {@link BufferUsage} cannot say (the Vulkan
     * module's {@code VulkanBufferInfo}: any usage bits, create flags, concurrent sharing, a pNext chain).
     *
     * @param info the backend's own create-info (e.g. the Vulkan module's, from a {@code VkBufferCreateInfo})
     * @return the new buffer
     * @throws IllegalArgumentException        if {@code info} is for another backend than this memory's, or
     *                                         the backend rejects it (naming the value)
     * @throws FeatureNotEnabledException      if its usage needs a device feature the session lacks
     * @throws IncompatibleMemoryTypeException if the driver cannot place such a buffer in this memory type
     * @throws OutOfDeviceMemoryException      if a new page was needed and the heap has no room
     */
    public Buffer createBuffer(BackendBufferInfo info) {
        return createBuffer(BufferDescriptor.of(info));
    }

    /**
     * Creates a buffer as {@code descriptor} says and binds it to this memory: placed by the rules of
     * the placement list, its offset a multiple of the driver's alignment and of the descriptor's
     * {@link BufferDescriptor#minAlignment()}, with the descriptor's name, user value and movability
     * set before anyone (listeners, events, leak reports) sees it. A buffer from a backend's own
     * create-info ({@link BufferDescriptor#backendInfo()}) is handed to that backend unread, and
     * placement, statistics, leak reports, debug margins and defragmentation treat it as any buffer.
     *
     * @param descriptor the buffer to create
     * @return the new buffer
     * @throws NullPointerException            if {@code descriptor} is null
     * @throws IllegalStateException           if this memory is closed
     * @throws IllegalArgumentException        if the descriptor's create-info is for another backend than
     *                                         this memory's, or the backend rejects it (naming the value)
     * @throws FeatureNotEnabledException      if the usage has {@link BufferUsage#SHADER_DEVICE_ADDRESS} and the
     *                                         session lacks {@link DeviceFeature#BUFFER_DEVICE_ADDRESS}
     * @throws IncompatibleMemoryTypeException if the driver cannot place such a buffer in this memory type
     * @throws OutOfDeviceMemoryException      if a new page was needed and the heap has no room
     */
    public Buffer createBuffer(BufferDescriptor descriptor) {
        final BufferDescriptor d = Objects.requireNonNull(descriptor, "descriptor");
        final BackendBufferInfo info = d.backendInfo();
        if (info != null) {
            requireBackend(info.backend(), info);
        }
        CreateChecks.requireFeatures(session, d.size(), d.usage());
        try {
            return newBufferObject(d.size(), d.usage(), info, d.minAlignment(), d.name(), d.userValue(), d.movable());
        } catch (OutOfDeviceMemoryException e) {
            retryAfterOthersReleased(e);
            return newBufferObject(d.size(), d.usage(), info, d.minAlignment(), d.name(), d.userValue(), d.movable());
        }
    }

    private Buffer newBufferObject(long size, Set<BufferUsage> usage, BackendBufferInfo info, long minAlignment,
                                   String name, Object userValue, boolean movable) {
        synchronized (lock) {
            requireOpen();
            Resource resource = info == null ? newBuffer(size, BufferDescriptor.usageBits(usage)) : newBuffer(info);
            Buffer buffer = new Buffer(this, nextObjectIdLocked(), resource, size, usage, info);
            // Only what differs from a new object's defaults: each is a volatile write.
            if (name != null) {
                buffer.setName(name);
            }
            if (userValue != null) {
                buffer.setUserValue(userValue);
            }
            if (!movable) {
                buffer.setMovable(false);
            }
            place(buffer, resource, minAlignment);
            created(buffer);
            return buffer;
        }
    }

    /**
     * Creates an image from a backend's own create-info and binds it to this memory: for what
     * {@link ImageDescriptor} cannot say (the Vulkan module's {@code VulkanImageInfo}: samples,
     * create flags such as cube-compatible and mutable-format with a format list, any format the
     * device supports, compressed ones included, concurrent sharing, a pNext chain). Placement,
     * statistics, leak reports and debug margins treat it as any image; see
     * {@link BackendImageInfo#texelsPortable()} for what {@link Image#write}/{@link Image#read} and
     * defragmentation do with it.
     *
     * @param info the backend's own create-info (e.g. the Vulkan module's, from a {@code VkImageCreateInfo})
     * @return the new image
     * @throws IllegalArgumentException        if {@code info} is for another backend than this memory's, or
     *                                         the backend rejects it (naming the value)
     * @throws UnsupportedImageFormatException if the device does not support its format with its type,
     *                                         tiling, usage, flags and sample count
     * @throws IncompatibleMemoryTypeException if the driver cannot place the image in this memory type
     * @throws OutOfDeviceMemoryException      if a new page was needed and the heap has no room
     */
    public Image createImage(BackendImageInfo info) {
        requireBackend(Objects.requireNonNull(info, "info").backend(), info);
        CreateChecks.requireImageLimits(session, info.descriptor());
        try {
            return newImageObject(info);
        } catch (OutOfDeviceMemoryException e) {
            retryAfterOthersReleased(e);
            return newImageObject(info);
        }
    }

    private Image newImageObject(BackendImageInfo info) {
        synchronized (lock) {
            requireOpen();
            Resource resource = newImage(info);
            Image image = new Image(this, nextObjectIdLocked(), resource, info.descriptor(), info);
            place(image, resource, 1);
            created(image);
            return image;
        }
    }

    private void requireBackend(String backendName, Object info) {
        if (!backend.name().equals(backendName)) {
            throw new IllegalArgumentException(info + " is a create-info for the '" + backendName
                    + "' backend; this memory is on the '" + backend.name() + "' backend");
        }
    }

    /**
     * After a create failed with {@code e}: returns (the caller tries once more, holding no lock
     * meanwhile) when the session's heap accounting refused and the other Memories of the heap
     * gave kept empty pages back; otherwise throws {@code e}.
     */
    private void retryAfterOthersReleased(OutOfDeviceMemoryException e) {
        final boolean accounting;
        synchronized (lock) {
            accounting = pool.refusedByAccounting(e);
        }
        if (!accounting || session.releaseEmptyPagesOfOthers(this) == 0) {
            throw e;
        }
    }

    /**
     * {@return a 2D image of one channel with Lluvia's defaults}
     *
     * @param width texels, at least 1
     * @param height texels, at least 1
     * @param channelType what the one channel is stored as
     */
    public Image createImage(int width, int height, ChannelType channelType) {
        return createImage(ImageDescriptor.of(width, height, channelType));
    }

    /**
     * Creates an image and binds it to this memory.
     *
     * @param descriptor the image to create
     * @return the new image
     * @throws UnsupportedImageFormatException if a dimension exceeds the device's limit, or the device does
     *                                         not support the format with its tiling and usage
     * @throws IncompatibleMemoryTypeException if the driver cannot place the image in this memory type
     * @throws OutOfDeviceMemoryException      if a new page was needed and the heap has no room
     */
    public Image createImage(ImageDescriptor descriptor) {
        return createImage(descriptor, 1);
    }

    /**
     * Creates an image whose offset is a multiple of {@code minAlignment} as well as of what the
     * driver requires; see {@link BufferDescriptor#minAlignment()}.
     *
     * @param minAlignment a power of two; 1 asks for nothing more than the driver's alignment
     * @param descriptor the image to create
     * @return the new image
     * @throws IllegalArgumentException        if {@code minAlignment} is not a positive power of two
     * @throws UnsupportedImageFormatException if a dimension exceeds the device's limit, or the device does
     *                                         not support the format with its tiling and usage
     */
    public Image createImage(ImageDescriptor descriptor, long minAlignment) {
        CreateChecks.requireMinAlignment(minAlignment);
        Objects.requireNonNull(descriptor, "descriptor");
        CreateChecks.requireImageLimits(session, descriptor);
        try {
            return newImageObject(descriptor, minAlignment);
        } catch (OutOfDeviceMemoryException e) {
            retryAfterOthersReleased(e);
            return newImageObject(descriptor, minAlignment);
        }
    }

    private Image newImageObject(ImageDescriptor descriptor, long minAlignment) {
        synchronized (lock) {
            requireOpen();
            Resource resource = newImage(descriptor);
            Image image = new Image(this, nextObjectIdLocked(), resource, descriptor);
            place(image, resource, minAlignment);
            created(image);
            return image;
        }
    }

    /**
     * Allocates memory for a buffer or image the program creates and owns itself (VMA's
     * {@code vmaAllocateMemory}, {@code vmaAllocateMemoryForBuffer}, {@code vmaAllocateMemoryForImage}):
     * placed by the rules of the placement list, as this memory's own objects are. Bind the
     * resource with {@link Allocation#bindBuffer}/{@link Allocation#bindImage}, or yourself at
     * {@link MemoryObject#pageHandle()} and the allocation's offset. See {@link Allocation}.
     *
     * @param request the requirements or the resource's handle, its kind and any extra alignment
     * @return the new allocation, open until closed; it never owns the resource
     * @throws NullPointerException            if {@code request} is null
     * @throws IllegalStateException           if this memory is closed
     * @throws IllegalArgumentException        if the requirements say the resource requires a dedicated
     *                                         allocation and the request names no resource (Vulkan wants
     *                                         it named in that allocation)
     * @throws IncompatibleMemoryTypeException if the requirements' memoryTypeBits exclude this memory's type
     * @throws UnsupportedOperationException   if the request names a resource and the backend cannot
     *                                         query its requirements
     * @throws OutOfDeviceMemoryException      if a new page was needed and the heap has no room
     */
    public Allocation allocate(AllocationRequest request) {
        Objects.requireNonNull(request, "request");
        try {
            return newAllocation(request);
        } catch (OutOfDeviceMemoryException e) {
            retryAfterOthersReleased(e);
            return newAllocation(request);
        }
    }

    private Allocation newAllocation(AllocationRequest request) {
        synchronized (lock) {
            requireOpen();
            final ResourceRequirements req = request.requirements() != null ? request.requirements()
                    : ResourceRequirements.of(backend.resourceRequirements(request.resource(), request.kind().isImage()));
            if (req.requiresDedicated() && request.resource() == 0) {
                throw new IllegalArgumentException("requirements " + req + " require a dedicated allocation, which"
                        + " Vulkan wants to name its resource: give the resource's handle (AllocationRequest.withResource)");
            }
            Allocation allocation = new Allocation(this, nextObjectIdLocked(), request, req);
            place(allocation, allocation.resource(), request.minAlignment());
            created(allocation);
            return allocation;
        }
    }

    // ----------------------------------------------------------------------------------------
    // Defragmentation

    /**
     * Starts defragmenting this memory (VMA's {@code vmaBeginDefragmentation}): each
     * {@link Defragmentation#pass()} moves at most {@code maxBytesPerPass} bytes and
     * {@code maxObjectsPerPass} objects into denser places, so that a frame loop can spread the
     * work; {@link Defragmentation#end()} frees the pages left empty. See {@link Defragmentation}.
     *
     * @param maxBytesPerPass the most bytes one pass moves, at least 1
     * @param maxObjectsPerPass the most objects one pass moves, at least 1
     * @return the defragmentation, to run pass by pass and then close
     * @throws IllegalArgumentException if {@code maxBytesPerPass} or {@code maxObjectsPerPass} is not
     *                                  positive
     * @throws IllegalStateException    if this memory is closed, a defragmentation of it is running, or
     *                                  objects of it are marked not movable ({@link MemoryObject#setMovable}),
     *                                  naming them; nothing is changed
     */
    public Defragmentation beginDefragmentation(long maxBytesPerPass, int maxObjectsPerPass) {
        return beginDefragmentation(DefragmentationDescriptor.DEFAULT.withLimits(maxBytesPerPass, maxObjectsPerPass));
    }

    /**
     * Starts defragmenting this memory as {@code descriptor} says (VMA's
     * {@code vmaBeginDefragmentation} with its {@code VmaDefragmentationInfo}); see
     * {@link #beginDefragmentation(long, int)} and {@link Defragmentation}.
     *
     * @param descriptor limits, which objects may move, the algorithm and a break callback
     * @return the defragmentation, to run pass by pass and then close
     * @throws IllegalStateException if this memory is closed, a defragmentation of it is running, or
     *                               objects of it are marked not movable ({@link MemoryObject#setMovable}),
     *                               naming them; nothing is changed
     */
    public Defragmentation beginDefragmentation(DefragmentationDescriptor descriptor) {
        Objects.requireNonNull(descriptor, "descriptor");
        synchronized (lock) {
            requireOpen();
            if (defragmentation != null && !defragmentation.isEndedLocked()) {
                throw new IllegalStateException("a defragmentation of " + this + " is running; end it first");
            }
            Defragmentation.requireMovable(this, live);
            defragmentation = new Defragmentation(this, pool, live, descriptor);
            return defragmentation;
        }
    }

    // ----------------------------------------------------------------------------------------
    // Aliasing

    /**
     * Creates a buffer on part of the range of a live object of this memory (VMA's
     * {@code vmaCreateAliasingBuffer2}): no new memory, a second view of the same bytes, e.g. a
     * buffer to clear or read back an image, or transient resources of different frame passes
     * sharing memory.
     *
     * <p>Vulkan's rules on aliasing (spec, "Memory Aliasing"), which the program must follow:
     * <ul>
     *   <li>the alias must fit: its requirement size from {@code offset} must end inside the
     *       original's size, its page offset must be a multiple of its alignment, and the memory
     *       type must be in its memoryTypeBits (all checked here);</li>
     *   <li>what one alias wrote is undefined when read through another, except between buffers
     *       and linear images with the same layout of the bytes (a buffer over a linear image's
     *       rows); an optimal image's bytes have a layout of the driver's own: write it through the
     *       image, or use it as a new image (layout {@code UNDEFINED}) whose old contents are gone;</li>
     *   <li>using two aliases at once needs the synchronisation that any two resources sharing memory
     *       need (a barrier between the last use of one and the first of the other).</li>
     * </ul>
     * An optimal image on a linear object's range (or the other way round) must not share a
     * {@code bufferImageGranularity} block with the original's neighbours, so its granularity blocks
     * must lie inside the original's reserved range.
     *
     * <p>An object in a dedicated page (larger than half the page size, or one whose driver
     * requires or prefers a dedicated allocation) cannot be aliased: Vulkan binds memory allocated
     * for one resource ({@code VkMemoryDedicatedAllocateInfo}) to that resource alone, at offset 0,
     * and a page of one object's own that is not allocated for it is kept for the next large object.
     *
     * <p>An alias is not an allocation: it has no range of its own and is not counted in
     * {@link #statistics()}, {@link #objects()} or {@link #pages()}; {@link MemoryObject#aliases()}
     * lists the live aliases of an object and {@link MemoryObject#aliasOf()} the original. Closing an
     * alias destroys only its buffer; the original cannot be closed while aliases of it are live
     * ({@link IllegalStateException} naming them), so a range is never reused under an alias;
     * closing the Memory or Session closes both. Aliases are not recorded by trace recorders.
     *
     * @param original the object whose range the buffer uses; not itself an alias
     * @param offset   bytes from the original's {@link AllocationInfo#offset()}
     * @param size bytes, at least 1
     * @param usage what the alias is for; not empty
     * @return the new buffer, bound on the original's range
     * @throws IllegalStateException           if this memory or {@code original} is closed
     * @throws IllegalArgumentException        if {@code original} is of another Memory, an alias or in a
     *                                         dedicated page, size is not positive, usage is empty, or the page offset
     *                                         breaks the buffer's alignment or granularity
     * @throws IndexOutOfBoundsException       if the buffer does not fit in the original's range from
     *                                   {@code offset}
     * @throws IncompatibleMemoryTypeException if the memory type is not in the buffer's memoryTypeBits
     */
    public Buffer createAliasingBuffer(MemoryObject original, long offset, long size, Set<BufferUsage> usage) {
        final BufferDescriptor d = BufferDescriptor.of(size, usage);
        synchronized (lock) {
            AllocationInfo at = Aliases.target(this, original, offset, size);
            Resource resource = newBuffer(size, d.usageBits());
            Buffer buffer = new Buffer(this, nextObjectIdLocked(), resource, size, d.usage());
            Aliases.place(this, buffer, original, at, offset, resource.requirements());
            return buffer;
        }
    }

    /**
     * Creates an image on part of the range of a live object of this memory; see
     * {@link #createAliasingBuffer} for Vulkan's rules and what is checked.
     *
     * @param original a live object of this memory
     * @param offset bytes from the start of {@code original}'s range
     * @param descriptor the image to create
     * @return the new image, bound on the original's range
     * @throws UnsupportedImageFormatException if a dimension exceeds the device's limit
     * @throws IllegalArgumentException        as for buffers
     */
    public Image createAliasingImage(MemoryObject original, long offset, ImageDescriptor descriptor) {
        Objects.requireNonNull(descriptor, "descriptor");
        CreateChecks.requireImageLimits(session, descriptor);
        synchronized (lock) {
            AllocationInfo at = Aliases.target(this, original, offset, 1);
            Resource resource = newImage(descriptor);
            Image image = new Image(this, nextObjectIdLocked(), resource, descriptor);
            Aliases.place(this, image, original, at, offset, resource.requirements());
            return image;
        }
    }

    /**
     * Pages, bytes and objects of this memory now; kept up to date, so cheap.
     *
     * @return the totals of this memory
     * @throws IllegalStateException if this memory is closed
     */
    public Statistics statistics() {
        synchronized (lock) {
            requireOpen();
            return statisticsLocked();
        }
    }

    /** {@link #statistics()}, or empty once closed: for the session's totals, which skip closed memories. */
    Statistics statisticsIfOpen() {
        synchronized (lock) {
            return closed ? Statistics.EMPTY : statisticsLocked();
        }
    }

    private Statistics statisticsLocked() {
        return new Statistics(pool.pageCount(), pool.pageBytes(), live.size(), lock.allocationBytes);
    }

    /**
     * {@link #statistics()} plus free-range and object-size extremes; walks every page.
     *
     * @return the totals with free-range and object-size extremes
     * @throws IllegalStateException if this memory is closed
     */
    public DetailedStatistics detailedStatistics() {
        synchronized (lock) {
            requireOpen();
            return MemoryReports.detailed(pool.pages(), live, statisticsLocked());
        }
    }

    /** {@link #detailedStatistics()}, or empty once closed, for the session's totals. */
    DetailedStatistics detailedStatisticsIfOpen() {
        synchronized (lock) {
            return closed ? DetailedStatistics.EMPTY : MemoryReports.detailed(pool.pages(), live, statisticsLocked());
        }
    }

    /**
     * {@return a snapshot of every page and the objects in it, by page index and offset}
     *
     * @throws IllegalStateException if this memory is closed
     */
    public List<PageInfo> pages() {
        synchronized (lock) {
            requireOpen();
            return MemoryReports.pages(pool.pages(), live, pool.pageCount());
        }
    }

    /**
     * {@return the live objects of this memory, in creation order}
     *
     * @throws IllegalStateException if this memory is closed
     */
    public List<MemoryObject> objects() {
        synchronized (lock) {
            requireOpen();
            return List.copyOf(live.toList());
        }
    }

    /** {@return whether {@link #close()} was called, directly or by the session} */
    public boolean isClosed() {
        return closed;
    }

    /**
     * Destroys every live object and frees every page. Idempotent. Live objects are reported as
     * the session's {@link LeakPolicy} says.
     *
     * @throws MemoryLeakException under {@link LeakPolicy#THROW} when objects were alive, after freeing them
     * @throws MemoryCorruptionException in debug mode when a live object's margin was overwritten,
     *                                   after freeing everything (a leak exception is suppressed in it)
     */
    @Override
    public void close() {
        List<String> corruptions = new ArrayList<>();
        List<String> leaks = closeAndCollectLeaks(corruptions);
        LeakReport.finish(session.leakPolicy(), leaks, corruptions, toString());
    }

    /**
     * Checks the debug margins of every live object (see the placement list), as VMA's
     * {@code vmaCheckCorruption}.
     *
     * @return the number of objects whose margins were checked; 0 when this memory has no margins
     * @throws MemoryCorruptionException naming each object with a damaged margin and the offset written
     * @throws IllegalStateException     if this memory is closed
     */
    public int checkCorruption() {
        if (margins == null) {
            requireOpen();
            return 0;
        }
        List<String> corruptions = new ArrayList<>();
        int checked = checkCorruption(corruptions);
        if (!corruptions.isEmpty()) {
            throw MemoryCorruptionException.of(toString(), corruptions);
        }
        return checked;
    }

    /** Adds a line per damaged margin; returns the number of objects checked (0 once closed). */
    int checkCorruption(List<String> corruptions) {
        if (margins == null) {
            return 0;
        }
        synchronized (lock) {
            if (closed) {
                return 0;
            }
            return margins.check(live, corruptions);
        }
    }

    /**
     * Closes without reporting; returns the leak lines, for the session to report once, and adds a
     * line per damaged debug margin to {@code corruptions}. Every object is destroyed and every
     * page freed even when a driver call fails; the first failure is thrown afterwards.
     */
    List<String> closeAndCollectLeaks(List<String> corruptions) {
        synchronized (lock) {
            if (closed) {
                return List.of();
            }
            closed = true;
            // Every view is shut before any object is destroyed or any page freed, whatever fails
            // below: the finally frees the pages even if destroying an object throws.
            for (MemoryObject o : live) {
                o.closeAccesses();
            }
            Events.leakReported(this, live, lock.allocationBytes);
            List<String> leaks = new ArrayList<>(live.size());
            RuntimeException failure;
            try {
                failure = LeakReport.destroyAll(live.toList(), leaks, corruptions);
            } finally {
                pool.releaseAll();
                session.forget(this);
                for (SessionListener l : session.listeners()) {
                    l.memoryClosed(this);
                }
            }
            if (failure != null) {
                throw failure;
            }
            return leaks;
        }
    }

    @Override
    public String toString() {
        return "Memory[type " + type.index() + " " + type.flags() + ", pageSize " + options.pageSize()
                + (closed ? ", closed" : "") + "]";
    }

    // ----------------------------------------------------------------------------------------
    // Placement

    private void created(MemoryObject object) {
        Events.objectCreated(object);
        for (SessionListener l : session.listeners()) {
            l.objectCreated(object);
        }
    }

    /** Finds room for {@code object} in the pool and binds it; all or nothing. */
    private void place(MemoryObject object, Resource resource, long minAlignment) {
        object.setMinAlignment(minAlignment);
        long block = 0;
        boolean placed = false;
        try {
            CreateChecks.requireMemoryType(session, type, resource.memoryTypeBits(), object, "cannot be placed in");
            long quantum = atom;
            if (object.isOptimalImage() && granularity > quantum) {
                quantum = granularity;
            }
            final long alignment = Math.max(Math.max(resource.requiredAlignment(), quantum), minAlignment);
            final long size = Align.roundUp(resource.requiredSize(), quantum);
            long blockSize = size;
            long frontMargin = 0;
            if (pool.isDedicated(resource, size)) {
                // Alone in its page, the object needs no granularity or atom padding.
                block = pool.allocateDedicated(object, resource.requiredSize(), PagePool.forTheDriver(object, resource));
            } else {
                if (margins != null) {
                    frontMargin = DebugMargins.frontMargin(alignment);
                    blockSize = DebugMargins.blockSize(frontMargin, size, quantum);
                }
                block = pool.allocate(blockSize, alignment, object);
            }
            placed = true;
            final Page page = pool.placedPage();
            object.setPlacementLocked(page.dedicated ? 0 : blockSize, alignment, frontMargin);
            final long offset = page.allocator.offset(block) + frontMargin;
            // The block starts frontMargin before the offset: what the page holds for the object
            // from its offset is the block's size less that margin (PageInfo.Placed#reservedSize).
            object.bindLocked(page, block, offset, page.allocator.padding(block) + frontMargin, resource.requiredSize(),
                    page.allocator.size(block) - frontMargin);
            if (frontMargin > 0) {
                margins.fill(page, block, offset, resource.requiredSize());
            }
            live.add(object);
            lock.allocationBytes += resource.requiredSize();
        } catch (RuntimeException | Error e) {
            if (placed) {
                pool.undo(block);
            }
            Events.createRefused(this, object, resource.requiredSize(), e);
            try {
                object.destroyResource();
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /** The report of an object's first damaged margin byte, or {@code null} (none, or no margins). */
    String marginReportLocked(MemoryObject object) {
        return margins == null ? null : margins.report(object);
    }

    /**
     * Object ids a Memory takes from its session at a time (see {@link Session#reserveObjectIds}):
     * enough that the session's counter, which every Memory's thread writes, is written once per
     * thousand creates, not per create.
     */
    static final int OBJECT_ID_BLOCK = 1024;

    /**
     * A new object's id: unique in the session, increasing within this memory; taken from the
     * session in blocks, so ids of objects of different Memories interleave by block, not by the
     * order of creation. The lock is held.
     */
    private long nextObjectIdLocked() {
        final MemoryLock l = lock;
        if (l.nextObjectId == l.objectIdLimit) {
            l.nextObjectId = session.reserveObjectIds(OBJECT_ID_BLOCK);
            l.objectIdLimit = l.nextObjectId + OBJECT_ID_BLOCK;
        }
        return l.nextObjectId++;
    }

    /** Called by an object's close with the lock held: returns its range. */
    void freeLocked(MemoryObject object, Page page, long block, long bytes) {
        if (closed) {
            pool.freeBlock(page, block); // the closing memory frees every page next
        } else {
            pool.free(page, block);
        }
        live.remove(object);
        lock.allocationBytes -= bytes;
    }

    Object lock() {
        return lock;
    }

    /**
     * The Memory's monitor, which every create and close of its objects takes, and what they write
     * under it: the live-object list and the counters, in one object with 128 bytes of padding
     * before and after them (two cache lines: the CPU fetches lines in adjacent pairs). Memories made
     * one after another lie side by side in the heap, and a garbage collection copies long-lived
     * objects side by side again, whichever thread made them; without the padding, threads that
     * each create objects in a Memory of their own write one another's cache lines on every create
     * and close, a cost that comes and goes with where a collection happens to put them. The other
     * objects every create and close writes are padded the same way: the page pool and its pages
     * ({@link PagePool.Padded}, {@link Page.Padded}), the TLSF allocator of each page and its
     * arrays, and the Vulkan backend's per-thread create scratch. (Best effort: HotSpot lays out a
     * class's fields after its superclass's, and one class's {@code long}s first, in the order they
     * are declared, after one {@code int} that fills the hole behind the object header; the padding
     * before is {@link LiveObjects}'s first fields, the padding after is this class's last.)
     */
    @SuppressWarnings("unused")
    static final class MemoryLock extends LiveObjects {
        /** Bytes the live objects' requirements asked for. */
        long allocationBytes;
        /** The next object id this memory gives, and the end of its reserved block. */
        long nextObjectId;
        long objectIdLimit;
        private long q00, q01, q02, q03, q04, q05, q06, q07, q08, q09, q10, q11, q12, q13, q14, q15;
    }

    /** {@return this Memory's number in its session, from 1, in the order Memories were created} */
    public int number() {
        return number;
    }

    MemoryBackend backend() {
        return backend;
    }

    long atom() {
        return atom;
    }

    long granularity() {
        return granularity;
    }

    /** The debug margins, or {@code null} when this memory has none. */
    DebugMargins margins() {
        return margins;
    }

    void requireOpen() {
        if (closed) {
            throw new IllegalStateException(this + " is closed" + (session.isClosed() ? " (its session is closed)" : ""));
        }
    }
}
