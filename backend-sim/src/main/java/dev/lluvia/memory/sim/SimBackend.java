package dev.lluvia.memory.sim;

import dev.lluvia.memory.BackendException;
import dev.lluvia.memory.BufferUsage;
import dev.lluvia.memory.DeviceFeature;
import dev.lluvia.memory.DeviceLimits;
import dev.lluvia.memory.DeviceProperties;
import dev.lluvia.memory.FeatureNotEnabledException;
import dev.lluvia.memory.HeapBudget;
import dev.lluvia.memory.ImageDescriptor;
import dev.lluvia.memory.ImageFormat;
import dev.lluvia.memory.ImageTiling;
import dev.lluvia.memory.ImageUsage;
import dev.lluvia.memory.MemoryHeap;
import dev.lluvia.memory.MemoryType;
import dev.lluvia.memory.OutOfDeviceMemoryException;
import dev.lluvia.memory.OutOfHostMemoryException;
import dev.lluvia.memory.UnsupportedFeatureException;
import dev.lluvia.memory.UnsupportedImageFormatException;
import dev.lluvia.memory.spi.MemoryBackend;
import dev.lluvia.memory.spi.MemoryRequirements;
import dev.lluvia.memory.spi.BufferRequest;
import dev.lluvia.memory.spi.ImageRequest;
import dev.lluvia.memory.spi.PageOptions;
import dev.lluvia.memory.spi.PageRequest;
import dev.lluvia.memory.spi.Resource;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The simulated device, and the referee of every test that runs on it.
 *
 * <p>The device is a {@link SimProfile}: memory types, heaps, limits and requirement rules of a
 * real (or, where the profile says so, invented) GPU. Pages of host-visible types are backed by
 * real off-heap bytes, so what a test writes through a mapping is there when it reads it back.
 *
 * <h2>The referee</h2>
 * Every call is checked against Vulkan's valid-usage rules and the {@link MemoryBackend}
 * contract; a call that breaks one throws a {@link SimViolationException} (a
 * {@link BindViolationException} for binds) naming the {@link SimRule}, and changes nothing.
 * A bind is checked for: a live page and a live, unbound resource of the right kind; the page's
 * memory type in the resource's memoryTypeBits; the offset aligned; {@code [offset, offset + size)}
 * inside the page; no overlap with a live resource of the page; a page from
 * a dedicated page ({@link #allocatePage(PageRequest)}) holds only its resource, at offset 0, and a resource that
 * requires a dedicated allocation is bound only to such a page; and, unless
 * {@value #CHECK_GRANULARITY_PROPERTY} is {@code false}, no linear resource and optimal image
 * sharing a {@code bufferImageGranularity} block.
 * Freeing a page that still has bound resources, using a freed page or destroyed resource,
 * and closing the device with live pages or resources (a leak) are violations too.
 *
 * <h2>Device memory</h2>
 * <ul>
 *   <li>Heaps are enforced: a page that does not fit its heap's remaining bytes is an
 *       {@link OutOfDeviceMemoryException} naming the heap, its size, the bytes in use and the
 *       bytes asked; more than {@code maxMemoryAllocationCount} live pages is a
 *       {@link BackendException} with {@code VK_ERROR_TOO_MANY_OBJECTS}, as a driver returns.</li>
 *   <li>Budgets: usage is the bytes of this backend's live pages per heap; the budget is
 *       {@link SimProfile#budgetPercent()} of the heap where the profile has
 *       {@code VK_EXT_memory_budget} ({@code reported = true}), else the heap size. Budgets are
 *       reported, not enforced; only heap sizes are.</li>
 *   <li>Backing bytes are allocated lazily, with {@link ByteBuffer#allocateDirect}, when a range
 *       is first mapped (or its device side first touched), so an 80 GB heap costs nothing until
 *       used. Pages up to 2 GiB - 1 have one buffer; larger pages are backed in 1 GiB chunks and a
 *       mapping may not cross a chunk boundary ({@link UnsupportedOperationException}).</li>
 *   <li>Freeing a page drops its buffers and lets the garbage collector release them. The memory
 *       is not freed eagerly (no {@code Unsafe.invokeCleaner}) on purpose: a stale mapping kept
 *       by a buggy caller then reads old bytes instead of crashing the JVM.</li>
 *   <li>Non-coherent types are simulated for real: the host writes a host copy, the device has
 *       its own copy; {@link #flush} copies host to device, {@link #invalidate} device to host.
 *       {@link SimInspector#readDeviceBytes} and {@link SimInspector#writeDeviceBytes} let tests see and change the device
 *       side, so a missing flush or invalidate shows. On coherent types both sides are one buffer.</li>
 * </ul>
 *
 * <h2>Fault injection</h2>
 * Page allocation, dedicated page allocation, mapping, buffer and image creation, binds and
 * transfers ({@link FaultPoint}) can be made to fail at a chosen call, every Nth call, the next N calls or
 * at random with a seed ({@link FaultRule}), returning {@code VK_ERROR_OUT_OF_DEVICE_MEMORY},
 * {@code VK_ERROR_OUT_OF_HOST_MEMORY} or {@code VK_ERROR_DEVICE_LOST} as the library's typed
 * exceptions ({@link FaultResult}). Arm rules from a test with {@link SimInspector#injectFault} or from session
 * properties ({@code lluvia.sim.fault.allocatePage=every:3}, {@code lluvia.sim.fault.random=42:0.01}). A fault
 * is injected after the referee has checked the call and before anything changes.
 *
 * <p>Handles are {@code (serial << 2) | kind}, so the referee can tell a destroyed handle from
 * one that was never issued, and a page handle from a buffer handle, without remembering them.
 *
 * <h2>One room per concern</h2>
 * This class holds the {@link MemoryBackend} calls as thin steps under one lock; the work is done
 * by package-private parts: {@link SimPages} (page memory: heaps, chunked host and device bytes,
 * flush and invalidate), {@link BindReferee} (every valid-usage rule of binding, aliasing and
 * dedicated pages: a new Vulkan rule is added there alone), {@link FaultInjector} (the armed
 * {@link FaultRule}s and {@code lluvia.sim.fault.*} parsing) and {@link SimResources} (handles,
 * buffers and images and their requirements). Tests see counters, device bytes and fault injection
 * through {@link #inspect()}.
 *
 * <p>Thread safety: every method is {@code synchronized}; the sim is a referee, not a benchmark.
 */
public final class SimBackend implements MemoryBackend {

    /** The provider name. */
    public static final String NAME = "sim";

    /**
     * Backend property (or system property) that switches the bufferImageGranularity check:
     * {@code true} (the default, since the allocator separates linear and optimal resources) or
     * {@code false}.
     */
    public static final String CHECK_GRANULARITY_PROPERTY = "lluvia.sim.checkGranularity";

    /**
     * Backend property (or system property) that makes a dedicated page ({@link #allocatePage(PageRequest)}) demand a
     * size equal to the resource's requirement size, as Vulkan does
     * ({@code VUID-VkMemoryDedicatedAllocateInfo-image-01433}, {@code -buffer-01435}):
     * {@code true} (the default: the allocator gives a dedicated page exactly its resource's
     * requirement size) or {@code false}, which accepts any page at least that large; a page
     * smaller than the requirement is always refused.
     */
    public static final String CHECK_DEDICATED_SIZE_PROPERTY = "lluvia.sim.checkDedicatedSize";

    private static final int KIND_PAGE = SimResources.KIND_PAGE;
    private static final int KIND_BUFFER = SimResources.KIND_BUFFER;
    private static final int KIND_IMAGE = SimResources.KIND_IMAGE;

    /** The features every sim device has on, without and with a memory budget. */
    private static final Set<DeviceFeature> ALWAYS = DeviceFeature.setOf(List.of(DeviceFeature.DEDICATED_ALLOCATION));
    private static final Set<DeviceFeature> ALWAYS_WITH_BUDGET = DeviceFeature.setOf(
            List.of(DeviceFeature.DEDICATED_ALLOCATION, DeviceFeature.MEMORY_BUDGET));

    private final SimProfile profile;
    private final DeviceProperties device;
    private final Set<DeviceFeature> features;
    private final FaultInjector faults = new FaultInjector();
    private final SimPages pages;
    private final SimResources resources;
    private final BindReferee referee;
    private final SimInspector inspector;
    /** Registered host ranges by handle; the sim copies every direct buffer alike, so this is bookkeeping. */
    private final java.util.Map<Long, ByteBuffer> registrations = new java.util.HashMap<>();
    private long nextRegistration = 1;
    private boolean closed;

    /**
     * Opens a simulated device directly, without a session (for tests of the SPI itself).
     *
     * @param profile          the device
     * @param checkGranularity whether binds are checked against bufferImageGranularity
     */
    public SimBackend(SimProfile profile, boolean checkGranularity) {
        this(profile, checkGranularity, false);
    }

    /**
     * Opens a simulated device directly, without a session (for tests of the SPI itself).
     *
     * @param profile            the device
     * @param checkGranularity   whether binds are checked against bufferImageGranularity
     * @param checkDedicatedSize whether dedicated pages must have exactly their resource's size
     */
    public SimBackend(SimProfile profile, boolean checkGranularity, boolean checkDedicatedSize) {
        this(profile, checkGranularity, checkDedicatedSize, Set.of());
    }

    /**
     * Opens a simulated device directly with device features enabled, as a session asking for them
     * does.
     *
     * @param features the features to enable besides those always on (dedicated allocation, and the
     *                 memory budget where the profile has one)
     * @throws UnsupportedFeatureException naming the first feature the profile does not support
     */
    public SimBackend(SimProfile profile, boolean checkGranularity, boolean checkDedicatedSize, Set<DeviceFeature> features) {
        Set<DeviceFeature> always = profile.device().hasMemoryBudget() ? ALWAYS_WITH_BUDGET : ALWAYS;
        EnumSet<DeviceFeature> enabled = features.isEmpty() ? null : EnumSet.copyOf(always);
        for (DeviceFeature f : features) {
            if (!profile.features().contains(f)) {
                throw new UnsupportedFeatureException(f, "cannot enable " + f + " (" + f.vulkanName() + ") on "
                        + profile.device().name() + ": sim profile '" + profile.id() + "' supports only "
                        + profile.features() + " (its key 'features')");
            }
            enabled.add(f);
        }
        this.features = enabled == null ? always : DeviceFeature.setOf(enabled);
        this.profile = profile;
        this.device = profile.device();
        this.pages = new SimPages(device);
        this.resources = new SimResources(profile, this.features, pages, faults);
        this.referee = new BindReferee(pages, resources, faults, device.limits().bufferImageGranularity(),
                checkGranularity, checkDedicatedSize);
        this.inspector = new SimInspector(this, pages, resources, referee, faults);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public DeviceProperties device() {
        return device;
    }

    /** The profile this device was opened from. */
    public SimProfile profile() {
        return profile;
    }

    /** The device's counters, its pages' device side and its fault injection, for tests. */
    public SimInspector inspect() {
        return inspector;
    }

    @Override
    public synchronized List<HeapBudget> heapBudgets() {
        requireOpen();
        List<HeapBudget> list = new ArrayList<>(device.memoryHeaps().size());
        for (MemoryHeap h : device.memoryHeaps()) {
            long budget = device.hasMemoryBudget() ? h.size() / 100 * profile.budgetPercent() : h.size();
            list.add(new HeapBudget(h.index(), budget, pages.heapUsage(h.index()), device.hasMemoryBudget()));
        }
        return list;
    }

    // ------------------------------------------------------------------------------------------
    // Pages

    /**
     * A regular page, or one for one buffer or image ({@code VkMemoryDedicatedAllocateInfo}), whose
     * resource must be live and unbound (see the class Javadoc). The priority is kept
     * (and reported) only where the device has {@link DeviceFeature#MEMORY_PRIORITY}.
     */
    @Override
    public synchronized long allocatePage(PageRequest request) {
        requireOpen();
        if (request.extension() != null) {
            throw new IllegalArgumentException("the sim takes no page request extension, was " + request.extension());
        }
        PageRequest.Dedicated to = request.dedicatedTo();
        long handle = to == null
                ? allocateRegularPage(request.memoryTypeIndex(), request.size())
                : allocateDedicatedPage(request.memoryTypeIndex(), request.size(), to.resource().handle(), to.image(), request.options());
        pages.get(handle).priority = priority(request.options());
        return handle;
    }

    private float priority(PageOptions options) {
        return features.contains(DeviceFeature.MEMORY_PRIORITY) ? options.priority() : PageOptions.DEFAULT.priority();
    }

    private long allocateRegularPage(int memoryTypeIndex, long size) {
        MemoryType type = checkPageArguments(memoryTypeIndex, size, "allocatePage");
        faults.onCall(FaultPoint.ALLOCATE_PAGE, type.heapIndex(), size);
        return pages.add(resources.nextHandle(KIND_PAGE), type, size).handle;
    }

    private MemoryType checkPageArguments(int memoryTypeIndex, long size, String call) {
        List<MemoryType> types = device.memoryTypes();
        if (memoryTypeIndex < 0 || memoryTypeIndex >= types.size()) {
            throw new SimViolationException(SimRule.INVALID_ARGUMENT, call + ": memory type " + memoryTypeIndex
                    + " does not exist; " + device.name() + " has " + types.size() + " types");
        }
        if (size <= 0) {
            throw new SimViolationException(SimRule.INVALID_ARGUMENT, call + ": size must be positive, was " + size);
        }
        return types.get(memoryTypeIndex);
    }

    /**
     * A page for one buffer or image ({@code VkMemoryDedicatedAllocateInfo}). The resource must be
     * live and unbound, and {@code size} at least its requirement size (exactly it, as Vulkan
     * demands, when {@value #CHECK_DEDICATED_SIZE_PROPERTY} is on); the page then accepts only that
     * resource, at offset 0.
     */
    private long allocateDedicatedPage(int memoryTypeIndex, long size, long resource, boolean image, PageOptions options) {
        referee.checkDedicatedPage(resource, image, size);
        MemoryType type = checkPageArguments(memoryTypeIndex, size, "allocateDedicatedPage");
        faults.onCall(FaultPoint.ALLOCATE_DEDICATED_PAGE, type.heapIndex(), size);
        SimPage p = pages.add(resources.nextHandle(KIND_PAGE), type, size);
        p.dedicatedTo = resource;
        return p.handle;
    }

    @Override
    public synchronized void freePage(long page) {
        requireOpen();
        SimPage p = resources.page(page, "freePage");
        referee.checkFree(p);
        pages.remove(p);
    }

    @Override
    public synchronized ByteBuffer map(long page, long offset, long size) {
        requireOpen();
        SimPage p = resources.hostVisiblePage(page, "map");
        SimPages.checkMappable(p, offset, size);
        faults.onCall(FaultPoint.MAP, p.type.heapIndex(), size);
        return SimPages.map(p, offset, size);
    }

    @Override
    public synchronized void flush(long page, long offset, long size) {
        requireOpen();
        pages.flush(resources.hostVisiblePage(page, "flush"), offset, size, "flush");
    }

    @Override
    public synchronized void invalidate(long page, long offset, long size) {
        requireOpen();
        pages.invalidate(resources.hostVisiblePage(page, "invalidate"), offset, size, "invalidate");
    }

    /**
     * Accepts any direct range, as a device with {@code VK_EXT_external_memory_host} does; the sim
     * copies every buffer with a memcpy, so registering changes no byte, only the bookkeeping that
     * {@link #unregisterHostMemory} checks.
     */
    @Override
    public synchronized long registerHostMemory(ByteBuffer range) {
        requireOpen();
        final long handle = nextRegistration++;
        registrations.put(handle, range);
        return handle;
    }

    @Override
    public synchronized void unregisterHostMemory(long registration) {
        if (registrations.remove(registration) == null) {
            throw new IllegalArgumentException("unknown host registration " + registration);
        }
    }

    /** Host ranges registered now; for tests. */
    public synchronized int registeredHostRanges() {
        return registrations.size();
    }

    // ------------------------------------------------------------------------------------------
    // Transfers: the device side of the bound range, as a copy command would read or write it.
    // Images are stored tightly packed at their offset (the requirement size is never smaller).

    @Override
    public synchronized void copyToBuffer(Resource buffer, long offset, ByteBuffer src) {
        transfer(buffer.handle(), KIND_BUFFER, offset, src, true, "copyToBuffer");
    }

    @Override
    public synchronized void copyFromBuffer(Resource buffer, long offset, ByteBuffer dst) {
        transfer(buffer.handle(), KIND_BUFFER, offset, dst, false, "copyFromBuffer");
    }

    @Override
    public synchronized void copyToImage(Resource image, ImageDescriptor descriptor, ByteBuffer src) {
        transfer(image.handle(), KIND_IMAGE, 0, src, true, "copyToImage");
    }

    @Override
    public synchronized void copyFromImage(Resource image, ImageDescriptor descriptor, ByteBuffer dst) {
        transfer(image.handle(), KIND_IMAGE, 0, dst, false, "copyFromImage");
    }

    /** Defragmentation's device copy: the source's device bytes into the destination's, as a copy command. */
    @Override
    public synchronized void copyBuffer(Resource src, Resource dst, long size) {
        copyBetween(src.handle(), dst.handle(), KIND_BUFFER, size, "copyBuffer");
    }

    /** The image's bytes, all of its requirement size: the sim stores no tiling, so this is every pixel. */
    @Override
    public synchronized void copyImage(Resource src, Resource dst, ImageDescriptor descriptor) {
        requireOpen();
        copyBetween(src.handle(), dst.handle(), KIND_IMAGE, resources.resource(src.handle(), KIND_IMAGE, "copyImage").requirements.size(), "copyImage");
    }

    private void copyBetween(long src, long dst, int kind, long size, String call) {
        requireOpen();
        SimResource to = resources.resource(dst, kind, call);
        if (size <= 0 || size > Integer.MAX_VALUE || size > to.requirements.size()) {
            throw new SimViolationException(SimRule.RANGE, call + ": " + size + " bytes do not fit " + to);
        }
        ByteBuffer bytes = ByteBuffer.allocate((int) size);
        transfer(src, kind, 0, bytes, false, call);
        transfer(dst, kind, 0, bytes, true, call);
    }

    private void transfer(long handle, int kind, long offset, ByteBuffer data, boolean toDevice, String call) {
        requireOpen();
        SimResource r = resources.resource(handle, kind, call);
        if (r.page == null) {
            throw new SimViolationException(SimRule.RESOURCE_NOT_LIVE, call + ": " + r + " is not bound to memory");
        }
        int needed = toDevice ? 0x2 : 0x1; // TRANSFER_DST to receive, TRANSFER_SRC to give
        if ((r.usage & needed) == 0) {
            throw new IllegalArgumentException(call + ": " + r + " was not created with usage "
                    + (toDevice ? "TRANSFER_DST" : "TRANSFER_SRC"));
        }
        int length = data.remaining();
        if (offset < 0 || offset > r.requirements.size() - length) {
            throw new SimViolationException(SimRule.RANGE, call + ": [" + offset + ", " + (offset + length)
                    + ") is outside " + r);
        }
        faults.onCall(FaultPoint.TRANSFER, r.page.type.heapIndex(), length);
        if (toDevice) {
            byte[] bytes = new byte[length];
            data.duplicate().get(bytes);
            SimPages.writeDevice(r.page, r.offset + offset, bytes, call);
        } else {
            data.duplicate().put(SimPages.readDevice(r.page, r.offset + offset, length, call));
        }
    }

    // ------------------------------------------------------------------------------------------
    // Resources and binds

    /**
     * A buffer; one for an exportable page has the requirements of any other, but for the memory
     * types exportable memory may be of, as the measured drivers give, on a profile with
     * {@code externalMemoryFd}.
     */
    @Override
    public synchronized Resource createBuffer(BufferRequest request) {
        requireOpen();
        if (request.backendInfo() != null) {
            throw new UnsupportedOperationException("sim backend takes no buffer create-info of its own");
        }
        requireExternalMemory(request.exportable());
        return resources.newBuffer(request.size(), request.usageBits(), request.exportable());
    }

    /** An image; see {@link #createBuffer(BufferRequest)}. */
    @Override
    public synchronized Resource createImage(ImageRequest request) {
        requireOpen();
        if (request.backendInfo() != null) {
            throw new UnsupportedOperationException("sim backend takes no image create-info of its own");
        }
        requireExternalMemory(request.exportable());
        return resources.newImage(request.descriptor(), request.exportable());
    }

    /** The profile's {@code externalMemoryFd}: exportable memories can be made. */
    @Override
    public boolean hasExternalMemoryFd() {
        return profile.externalMemoryFd();
    }

    /**
     * Always throws: the sim's pages are Java memory, with no file descriptor another API could
     * import. Exportable memories are simulated up to the export itself.
     *
     * @throws UnsupportedOperationException always
     */
    @Override
    public int exportFd(long page) {
        throw new UnsupportedOperationException("the sim backend (" + device.name() + ") has no file descriptor to export:"
                + " its pages are Java memory; exportFd needs a real driver");
    }

    private void requireExternalMemory(boolean exportable) {
        if (exportable && !profile.externalMemoryFd()) {
            throw new dev.lluvia.memory.UnsupportedExternalMemoryException(device.name()
                    + " has no VK_KHR_external_memory_fd (sim profile '" + profile.id() + "')");
        }
    }

    @Override
    public Set<DeviceFeature> enabledFeatures() {
        return features;
    }

    /**
     * The page's made-up device address plus the buffer's offset: unique and stable while the
     * buffer lives, like {@code vkGetBufferDeviceAddress}. The buffer must be live, bound, and made
     * with the {@code SHADER_DEVICE_ADDRESS} usage on a device with the feature enabled.
     */
    @Override
    public synchronized long bufferDeviceAddress(Resource buffer) {
        requireOpen();
        SimResource r = resources.resource(buffer.handle(), KIND_BUFFER, "bufferDeviceAddress");
        if (!features.contains(DeviceFeature.BUFFER_DEVICE_ADDRESS)) {
            throw new FeatureNotEnabledException(DeviceFeature.BUFFER_DEVICE_ADDRESS, "bufferDeviceAddress: "
                    + "BUFFER_DEVICE_ADDRESS is not enabled on " + device.name());
        }
        if ((r.usage & BufferUsage.SHADER_DEVICE_ADDRESS.bit()) == 0) {
            throw new SimViolationException(SimRule.INVALID_ARGUMENT, "bufferDeviceAddress: " + r
                    + " was not created with usage SHADER_DEVICE_ADDRESS");
        }
        if (r.page == null) {
            throw new SimViolationException(SimRule.RESOURCE_NOT_LIVE, "bufferDeviceAddress: " + r + " is not bound to memory");
        }
        return r.page.address + r.offset;
    }

    /**
     * The requirements of a live sim resource, standing for a resource of the program's own: tests
     * make one with {@link #createBuffer}/{@link #createImage} and give its handle to
     * {@link dev.lluvia.memory.AllocationRequest#forBuffer}; the default {@code bindResource} then binds
     * it through the referee like any other.
     */
    @Override
    public synchronized MemoryRequirements resourceRequirements(long resource, boolean image) {
        requireOpen();
        return resources.resource(resource, image ? KIND_IMAGE : KIND_BUFFER, "resourceRequirements").requirements;
    }

    @Override
    public synchronized void bindBuffer(Resource buffer, long page, long offset) {
        requireOpen();
        referee.bind(buffer.handle(), KIND_BUFFER, page, offset, "bindBuffer");
    }

    @Override
    public synchronized void bindImage(Resource image, long page, long offset) {
        requireOpen();
        referee.bind(image.handle(), KIND_IMAGE, page, offset, "bindImage");
    }

    @Override
    public synchronized void bindAliasingBuffer(Resource buffer, long page, long offset, long aliased) {
        requireOpen();
        referee.bindAlias(buffer.handle(), KIND_BUFFER, page, offset, aliased, "bindAliasingBuffer");
    }

    @Override
    public synchronized void bindAliasingImage(Resource image, long page, long offset, long aliased) {
        requireOpen();
        referee.bindAlias(image.handle(), KIND_IMAGE, page, offset, aliased, "bindAliasingImage");
    }

    @Override
    public synchronized void destroyBuffer(Resource buffer) {
        requireOpen();
        referee.destroy(buffer.handle(), KIND_BUFFER, "destroyBuffer");
    }

    @Override
    public synchronized void destroyImage(Resource image) {
        requireOpen();
        referee.destroy(image.handle(), KIND_IMAGE, "destroyImage");
    }

    /**
     * Closes the device. Idempotent.
     *
     * @throws SimViolationException ({@link SimRule#LEAK}) listing the pages and resources still
     *                               live; they are released anyway
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (pages.count() == 0 && resources.count() == 0) {
            return;
        }
        StringBuilder sb = new StringBuilder("close: ").append(device.name()).append(" closed with ")
                .append(pages.count()).append(" live page(s) and ").append(resources.count()).append(" live resource(s):");
        appendSome(sb, pages.live());
        appendSome(sb, resources.live());
        pages.clear();
        resources.clear();
        throw new SimViolationException(SimRule.LEAK, sb.toString());
    }

    /** Arms the rules of the {@code lluvia.sim.fault.*} properties (see {@link FaultInjector#configure}). */
    synchronized void configureFaults(Map<String, String> properties) {
        faults.configure(properties);
    }

    @Override
    public synchronized String toString() {
        return "SimBackend[" + profile.id() + ", " + pages.count() + " pages, " + resources.count() + " resources"
                + (closed ? ", closed" : "") + "]";
    }

    void requireOpen() {
        if (closed) {
            throw new SimViolationException(SimRule.CLOSED, this + " is closed");
        }
    }

    /** Appends up to 20 items of a violation's list. */
    static void appendSome(StringBuilder sb, Iterable<?> items) {
        int n = 0;
        for (Object o : items) {
            if (n++ == 20) {
                sb.append(" ...");
                break;
            }
            sb.append(' ').append(o).append(';');
        }
    }
}
