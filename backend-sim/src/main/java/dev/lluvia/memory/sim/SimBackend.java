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
import dev.lluvia.memory.ImageUsage;
import dev.lluvia.memory.ImageTiling;
import dev.lluvia.memory.MemoryHeap;
import dev.lluvia.memory.MemoryType;
import dev.lluvia.memory.OutOfDeviceMemoryException;
import dev.lluvia.memory.OutOfHostMemoryException;
import dev.lluvia.memory.UnsupportedFeatureException;
import dev.lluvia.memory.UnsupportedImageFormatException;
import dev.lluvia.memory.spi.MemoryBackend;
import dev.lluvia.memory.spi.MemoryRequirements;
import dev.lluvia.memory.spi.PageOptions;
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
 * {@link #allocateDedicatedPage} holds only its resource, at offset 0, and a resource that
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
 *       {@link #readDeviceBytes} and {@link #writeDeviceBytes} let tests see and change the device
 *       side, so a missing flush or invalidate shows. On coherent types both sides are one buffer.</li>
 * </ul>
 *
 * <h2>Fault injection</h2>
 * Page allocation, dedicated page allocation, mapping, buffer and image creation, binds and
 * transfers ({@link FaultPoint}) can be made to fail at a chosen call, every Nth call, the next N calls or
 * at random with a seed ({@link FaultRule}), returning {@code VK_ERROR_OUT_OF_DEVICE_MEMORY},
 * {@code VK_ERROR_OUT_OF_HOST_MEMORY} or {@code VK_ERROR_DEVICE_LOST} as the library's typed
 * exceptions ({@link FaultResult}). Arm rules from a test with {@link #injectFault} or from session
 * properties ({@code lluvia.sim.fault.allocatePage=every:3}, {@code lluvia.sim.fault.random=42:0.01}). A fault
 * is injected after the referee has checked the call and before anything changes.
 *
 * <p>Handles are {@code (serial << 2) | kind}, so the referee can tell a destroyed handle from
 * one that was never issued, and a page handle from a buffer handle, without remembering them.
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
     * Backend property (or system property) that makes {@link #allocateDedicatedPage} demand a
     * size equal to the resource's requirement size, as Vulkan does
     * ({@code VUID-VkMemoryDedicatedAllocateInfo-image-01433}, {@code -buffer-01435}):
     * {@code true} (the default: the allocator gives a dedicated page exactly its resource's
     * requirement size) or {@code false}, which accepts any page at least that large; a page
     * smaller than the requirement is always refused.
     */
    public static final String CHECK_DEDICATED_SIZE_PROPERTY = "lluvia.sim.checkDedicatedSize";

    private static final int KIND_PAGE = 1;
    private static final int KIND_BUFFER = 2;
    private static final int KIND_IMAGE = 3;
    private static final String[] KIND_NAMES = {"?", "page", "buffer", "image"};

    /** The largest buffer the sim creates, 2^62 bytes: far above any heap, far below overflow. */
    static final long MAX_RESOURCE_SIZE = 1L << 62;

    /** The features every sim device has on, without and with a memory budget. */
    private static final Set<DeviceFeature> ALWAYS = DeviceFeature.setOf(List.of(DeviceFeature.DEDICATED_ALLOCATION));
    private static final Set<DeviceFeature> ALWAYS_WITH_BUDGET = DeviceFeature.setOf(
            List.of(DeviceFeature.DEDICATED_ALLOCATION, DeviceFeature.MEMORY_BUDGET));

    /** The device address of the first page, and the alignment of each page's address. */
    static final long PAGE_ADDRESS_BASE = 1L << 32;
    private static final long PAGE_ADDRESS_ALIGNMENT = 1L << 16;

    /** Chunk size of the backing of pages larger than one ByteBuffer can hold. */
    static final long LARGE_PAGE_CHUNK = 1L << 30;

    private final SimProfile profile;
    private final DeviceProperties device;
    private final boolean checkGranularity;
    private final boolean checkDedicatedSize;
    private final Set<DeviceFeature> features;
    /**
     * The device address of the next page: pages get disjoint ranges of a made-up address space,
     * starting away from 0 (an address of 0 means none in Vulkan).
     */
    private long nextPageAddress = PAGE_ADDRESS_BASE;

    private final Map<Long, Page> pages = new LinkedHashMap<>();
    private final Map<Long, Res> resources = new LinkedHashMap<>();
    private final long[] heapUsage;
    private long nextSerial = 1;
    private long bindsChecked;
    private final FaultInjector faults = new FaultInjector();
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
        this.checkGranularity = checkGranularity;
        this.checkDedicatedSize = checkDedicatedSize;
        this.heapUsage = new long[device.memoryHeaps().size()];
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

    /** Whether binds are checked against bufferImageGranularity ({@value #CHECK_GRANULARITY_PROPERTY}). */
    public boolean checksGranularity() {
        return checkGranularity;
    }

    @Override
    public synchronized List<HeapBudget> heapBudgets() {
        requireOpen();
        List<HeapBudget> list = new ArrayList<>(heapUsage.length);
        for (MemoryHeap h : device.memoryHeaps()) {
            long budget = device.hasMemoryBudget() ? h.size() / 100 * profile.budgetPercent() : h.size();
            list.add(new HeapBudget(h.index(), budget, heapUsage[h.index()], device.hasMemoryBudget()));
        }
        return list;
    }

    // ------------------------------------------------------------------------------------------
    // Pages

    @Override
    public synchronized long allocatePage(int memoryTypeIndex, long size, PageOptions options) {
        long handle = allocatePage(memoryTypeIndex, size);
        pages.get(handle).priority = features.contains(DeviceFeature.MEMORY_PRIORITY)
                ? options.priority() : PageOptions.DEFAULT.priority();
        return handle;
    }

    @Override
    public synchronized long allocateDedicatedPage(int memoryTypeIndex, long size, long resource, boolean image,
                                                   PageOptions options) {
        long handle = allocateDedicatedPage(memoryTypeIndex, size, resource, image);
        pages.get(handle).priority = features.contains(DeviceFeature.MEMORY_PRIORITY)
                ? options.priority() : PageOptions.DEFAULT.priority();
        return handle;
    }

    /** For tests: the priority a live page was allocated with (0.5 when none was given or applied). */
    public synchronized float pagePriority(long page) {
        return page(page, "pagePriority").priority;
    }

    @Override
    public synchronized long allocatePage(int memoryTypeIndex, long size) {
        requireOpen();
        MemoryType type = checkPageArguments(memoryTypeIndex, size, "allocatePage");
        fault(FaultPoint.ALLOCATE_PAGE, type.heapIndex(), size);
        return newPage(type, size);
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

    /** Allocates a page after the checks and fault points of its caller. */
    private long newPage(MemoryType type, long size) {
        final int memoryTypeIndex = type.index();
        MemoryHeap heap = device.memoryHeaps().get(type.heapIndex());
        long max = device.limits().maxMemoryAllocationCount();
        if (pages.size() >= max) {
            throw new BackendException("vkAllocateMemory", "VK_ERROR_TOO_MANY_OBJECTS", size + " bytes, "
                    + pages.size() + " pages live, maxMemoryAllocationCount " + max);
        }
        long used = heapUsage[heap.index()];
        if (size > heap.size() - used) {
            throw new OutOfDeviceMemoryException("heap " + heap.index() + " (" + heap.size() + " bytes"
                    + (heap.deviceLocal() ? ", device-local" : "") + ") of " + device.name() + " has " + used
                    + " bytes in use and cannot give " + size + " more for memory type " + memoryTypeIndex
                    + ": VK_ERROR_OUT_OF_DEVICE_MEMORY", heap.index(), size);
        }
        long handle = nextHandle(KIND_PAGE);
        Page page = new Page(handle, type, size);
        page.address = nextPageAddress;
        nextPageAddress += (size + PAGE_ADDRESS_ALIGNMENT - 1) / PAGE_ADDRESS_ALIGNMENT * PAGE_ADDRESS_ALIGNMENT;
        pages.put(handle, page);
        heapUsage[heap.index()] = used + size;
        return handle;
    }

    /**
     * Allocates a page for one buffer or image ({@code VkMemoryDedicatedAllocateInfo}). The
     * resource must be live and unbound, and {@code size} at least its requirement size (exactly
     * it, as Vulkan demands, when {@value #CHECK_DEDICATED_SIZE_PROPERTY} is on); the page then
     * accepts only that resource, at offset 0.
     */
    @Override
    public synchronized long allocateDedicatedPage(int memoryTypeIndex, long size, long resource, boolean image) {
        requireOpen();
        Res r = resource(resource, image ? KIND_IMAGE : KIND_BUFFER, "allocateDedicatedPage");
        if (r.page != null) {
            throw new SimViolationException(SimRule.DEDICATED, "allocateDedicatedPage: " + r + " is already bound to "
                    + r.page);
        }
        if (size < r.requirements.size() || (checkDedicatedSize && size != r.requirements.size())) {
            throw new SimViolationException(SimRule.DEDICATED, "allocateDedicatedPage: size " + size + " is not the size "
                    + r.requirements.size() + " that " + r + " requires");
        }
        MemoryType type = checkPageArguments(memoryTypeIndex, size, "allocateDedicatedPage");
        fault(FaultPoint.ALLOCATE_DEDICATED_PAGE, type.heapIndex(), size);
        long handle = newPage(type, size);
        pages.get(handle).dedicatedTo = resource;
        return handle;
    }

    @Override
    public synchronized void freePage(long page) {
        requireOpen();
        Page p = page(page, "freePage");
        if (!p.bound.isEmpty()) {
            StringBuilder sb = new StringBuilder("freePage: ").append(p).append(" still has ")
                    .append(p.bound.size()).append(" bound resource(s):");
            appendSome(sb, p.bound.values());
            throw new SimViolationException(SimRule.FREE_WITH_BOUND, sb.toString());
        }
        pages.remove(page);
        heapUsage[p.type.heapIndex()] -= p.size;
        p.host = null;
        p.device = null;
    }

    @Override
    public synchronized ByteBuffer map(long page, long offset, long size) {
        requireOpen();
        Page p = hostVisiblePage(page, "map");
        checkRange(p, offset, size, "map");
        if (size > Integer.MAX_VALUE) {
            throw new SimViolationException(SimRule.RANGE, "map: a ByteBuffer views at most " + Integer.MAX_VALUE
                    + " bytes; asked for " + size + " of " + p);
        }
        int chunk = (int) (offset / p.chunkSize);
        long start = offset - chunk * p.chunkSize;
        if (size > 0 && start + size > p.chunkSize) {
            throw new UnsupportedOperationException("map: the sim backs " + p + " in chunks of " + p.chunkSize
                    + " bytes and cannot map [" + offset + ", " + (offset + size) + "), which crosses the chunk boundary at "
                    + (chunk + 1) * p.chunkSize);
        }
        fault(FaultPoint.MAP, p.type.heapIndex(), size);
        return hostChunk(p, chunk).slice((int) start, (int) size);
    }

    @Override
    public synchronized void flush(long page, long offset, long size) {
        requireOpen();
        Page p = hostVisiblePage(page, "flush");
        checkAtomRange(p, offset, size, "flush");
        if (!p.coherent) {
            copy(p, offset, size, true);
        }
    }

    @Override
    public synchronized void invalidate(long page, long offset, long size) {
        requireOpen();
        Page p = hostVisiblePage(page, "invalidate");
        checkAtomRange(p, offset, size, "invalidate");
        if (!p.coherent) {
            copy(p, offset, size, false);
        }
    }

    // ------------------------------------------------------------------------------------------
    // Transfers: the device side of the bound range, as a copy command would read or write it.
    // Images are stored tightly packed at their offset (the requirement size is never smaller).

    @Override
    public synchronized void copyToBuffer(long buffer, long offset, ByteBuffer src) {
        transfer(buffer, KIND_BUFFER, offset, src, true, "copyToBuffer");
    }

    @Override
    public synchronized void copyFromBuffer(long buffer, long offset, ByteBuffer dst) {
        transfer(buffer, KIND_BUFFER, offset, dst, false, "copyFromBuffer");
    }

    @Override
    public synchronized void copyToImage(long image, ImageDescriptor descriptor, ByteBuffer src) {
        transfer(image, KIND_IMAGE, 0, src, true, "copyToImage");
    }

    @Override
    public synchronized void copyFromImage(long image, ImageDescriptor descriptor, ByteBuffer dst) {
        transfer(image, KIND_IMAGE, 0, dst, false, "copyFromImage");
    }

    /** Defragmentation's device copy: the source's device bytes into the destination's, as a copy command. */
    @Override
    public synchronized void copyBuffer(long src, long dst, long size) {
        copyBetween(src, dst, KIND_BUFFER, size, "copyBuffer");
    }

    /** The image's bytes, all of its requirement size: the sim stores no tiling, so this is every pixel. */
    @Override
    public synchronized void copyImage(long src, long dst, ImageDescriptor descriptor) {
        requireOpen();
        copyBetween(src, dst, KIND_IMAGE, resource(src, KIND_IMAGE, "copyImage").requirements.size(), "copyImage");
    }

    private void copyBetween(long src, long dst, int kind, long size, String call) {
        requireOpen();
        Res to = resource(dst, kind, call);
        if (size <= 0 || size > Integer.MAX_VALUE || size > to.requirements.size()) {
            throw new SimViolationException(SimRule.RANGE, call + ": " + size + " bytes do not fit " + to);
        }
        ByteBuffer bytes = ByteBuffer.allocate((int) size);
        transfer(src, kind, 0, bytes, false, call);
        transfer(dst, kind, 0, bytes, true, call);
    }

    private void transfer(long handle, int kind, long offset, ByteBuffer data, boolean toDevice, String call) {
        requireOpen();
        Res r = resource(handle, kind, call);
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
        fault(FaultPoint.TRANSFER, r.page.type.heapIndex(), length);
        if (toDevice) {
            byte[] bytes = new byte[length];
            data.duplicate().get(bytes);
            writeDeviceBytes(r.page.handle, r.offset + offset, bytes);
        } else {
            data.duplicate().put(readDeviceBytes(r.page.handle, r.offset + offset, length));
        }
    }

    // ------------------------------------------------------------------------------------------
    // Resources

    @Override
    public synchronized Resource createBuffer(long size, int usageBits) {
        requireOpen();
        if (size <= 0) {
            throw new SimViolationException(SimRule.INVALID_ARGUMENT, "createBuffer: size must be positive, was " + size);
        }
        if (usageBits == 0) {
            throw new SimViolationException(SimRule.INVALID_ARGUMENT, "createBuffer: usage must not be 0");
        }
        if (size > MAX_RESOURCE_SIZE) {
            // What a driver does for a buffer no device could address; it also keeps the
            // requirement rounding from overflowing. Sizes up to this reach the heap checks.
            throw new OutOfDeviceMemoryException("createBuffer of " + size + " bytes: more than the sim's limit of "
                    + MAX_RESOURCE_SIZE + " bytes for one resource: VK_ERROR_OUT_OF_DEVICE_MEMORY", -1, size);
        }
        if ((usageBits & BufferUsage.SHADER_DEVICE_ADDRESS.bit()) != 0 && !features.contains(DeviceFeature.BUFFER_DEVICE_ADDRESS)) {
            throw new FeatureNotEnabledException(DeviceFeature.BUFFER_DEVICE_ADDRESS, "createBuffer: usage SHADER_DEVICE_ADDRESS "
                    + "needs BUFFER_DEVICE_ADDRESS, which is not enabled on " + device.name());
        }
        RequirementRule bufferRule = (usageBits & BufferUsage.UNIFORM_BUFFER.bit()) != 0 ? profile.uniformBuffer() : profile.buffer();
        MemoryRequirements req = bufferRule.requirements(size);
        fault(FaultPoint.CREATE_BUFFER, -1, size);
        long handle = nextHandle(KIND_BUFFER);
        resources.put(handle, new Res(handle, true, req, "buffer of " + size + " bytes", usageBits));
        return new Resource(handle, req);
    }

    @Override
    public synchronized Resource createImage(ImageDescriptor d) {
        requireOpen();
        DeviceLimits limits = device.limits();
        int max = switch (d.dimensions()) {
            case 1 -> limits.maxImageDimension1D();
            case 2 -> limits.maxImageDimension2D();
            default -> limits.maxImageDimension3D();
        };
        if (d.width() > max || d.height() > max || d.depth() > max) {
            throw new SimViolationException(SimRule.INVALID_ARGUMENT, "createImage: " + d.width() + "x" + d.height()
                    + "x" + d.depth() + " exceeds the largest " + d.dimensions() + "D image side " + max);
        }
        boolean linear = d.tiling() == ImageTiling.LINEAR;
        checkImageFormat(d, linear);
        RequirementRule rule = linear ? profile.linearImage() : profile.optimalImage();
        ImageLayout layout = linear ? profile.linearLayout() : profile.optimalLayout();
        if (layout.refuses(d)) {
            throw new UnsupportedImageFormatException(device.name() + " does not support " + d.dimensions() + "D "
                    + d.tiling() + " images of " + d.channelType() + " x " + d.channelCount() + " channels");
        }
        // Level 0 of each layer laid out as the profile's driver does; the smaller levels of every
        // layer tightly packed after them, so an image with mips or layers needs more than one of level 0.
        long levelZero = (long) d.width() * d.height() * d.depth() * d.pixelSize();
        long smallerLevels = d.byteSizeAllLevels() - levelZero * d.arrayLayers();
        MemoryRequirements req = rule.requirements(layout.bytes(d) * d.arrayLayers() + smallerLevels);
        fault(FaultPoint.CREATE_IMAGE, -1, d.byteSize());
        long handle = nextHandle(KIND_IMAGE);
        resources.put(handle, new Res(handle, linear, req, "image " + d.width() + "x" + d.height() + "x"
                + d.depth() + " " + d.formatName() + " " + d.tiling()
                + (d.mipLevels() > 1 ? " " + d.mipLevels() + " levels" : "") + (d.arrayLayers() > 1 ? " " + d.arrayLayers() + " layers" : ""),
                dev.lluvia.memory.ImageUsage.toBits(d.usage())));
        return new Resource(handle, req);
    }

    /** The most array layers of an image (lavapipe and NVIDIA report 2048 as maxImageArrayLayers). */
    static final int MAX_ARRAY_LAYERS = 2048;

    /**
     * The sim's format rules, those real drivers share: depth formats only with optimal tiling and
     * without storage or color attachment usage; the depth attachment usage only with depth formats;
     * no storage on sRGB formats; linear tiling with one level and one layer (Vulkan's guaranteed
     * minimum); at most {@value #MAX_ARRAY_LAYERS} layers.
     */
    private void checkImageFormat(ImageDescriptor d, boolean linear) {
        ImageFormat f = d.format();
        boolean depth = f != null && f.isDepth();
        Set<ImageUsage> usage = d.usage();
        String why = null;
        if (depth && linear) {
            why = "depth formats need OPTIMAL tiling";
        } else if (depth && (usage.contains(ImageUsage.STORAGE) || usage.contains(ImageUsage.COLOR_ATTACHMENT))) {
            why = "depth formats cannot be STORAGE or COLOR_ATTACHMENT images";
        } else if (!depth && usage.contains(ImageUsage.DEPTH_STENCIL_ATTACHMENT)) {
            why = "DEPTH_STENCIL_ATTACHMENT needs a depth format";
        } else if (f != null && f.isSrgb() && usage.contains(ImageUsage.STORAGE)) {
            why = "sRGB formats cannot be STORAGE images";
        } else if (linear && d.mipLevels() > 1) {
            why = "LINEAR tiling allows mipLevels 1, not " + d.mipLevels();
        } else if (linear && d.arrayLayers() > 1) {
            why = "LINEAR tiling allows arrayLayers 1, not " + d.arrayLayers();
        } else if (d.arrayLayers() > MAX_ARRAY_LAYERS) {
            why = "arrayLayers " + d.arrayLayers() + " exceeds " + MAX_ARRAY_LAYERS;
        }
        if (why != null) {
            throw new UnsupportedImageFormatException(device.name() + " does not support " + d.dimensions()
                    + "D images of format " + d.formatName() + " with tiling " + d.tiling() + ", usage " + usage
                    + ", mipLevels " + d.mipLevels() + ", arrayLayers " + d.arrayLayers() + ": " + why);
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
    public synchronized long bufferDeviceAddress(long buffer) {
        requireOpen();
        Res r = resource(buffer, KIND_BUFFER, "bufferDeviceAddress");
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

    @Override
    public synchronized void bindBuffer(long buffer, long page, long offset) {
        bind(buffer, KIND_BUFFER, page, offset, "bindBuffer");
    }

    @Override
    public synchronized void bindImage(long image, long page, long offset) {
        bind(image, KIND_IMAGE, page, offset, "bindImage");
    }

    @Override
    public synchronized void bindAliasingBuffer(long buffer, long page, long offset, long aliased) {
        bindAlias(buffer, KIND_BUFFER, page, offset, aliased, "bindAliasingBuffer");
    }

    @Override
    public synchronized void bindAliasingImage(long image, long page, long offset, long aliased) {
        bindAlias(image, KIND_IMAGE, page, offset, aliased, "bindAliasingImage");
    }

    /** For tests: aliases bound onto a live resource now. */
    public synchronized int aliasCount(long resource) {
        Res r = resources.get(resource);
        return r == null ? 0 : r.aliases.size();
    }

    @Override
    public synchronized void destroyBuffer(long buffer) {
        destroy(buffer, KIND_BUFFER, "destroyBuffer");
    }

    @Override
    public synchronized void destroyImage(long image) {
        destroy(image, KIND_IMAGE, "destroyImage");
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
        if (pages.isEmpty() && resources.isEmpty()) {
            return;
        }
        StringBuilder sb = new StringBuilder("close: ").append(device.name()).append(" closed with ")
                .append(pages.size()).append(" live page(s) and ").append(resources.size()).append(" live resource(s):");
        appendSome(sb, pages.values());
        appendSome(sb, resources.values());
        pages.clear();
        resources.clear();
        java.util.Arrays.fill(heapUsage, 0);
        throw new SimViolationException(SimRule.LEAK, sb.toString());
    }

    // ------------------------------------------------------------------------------------------
    // For tests: counters, the device side of pages, fault injection

    /** For tests: pages allocated and not freed. */
    public synchronized int livePageCount() {
        return pages.size();
    }

    /** For tests: the handles of live pages, in allocation order. */
    public synchronized List<Long> livePages() {
        return List.copyOf(pages.keySet());
    }

    /** For tests: buffers and images created and not destroyed, bound or not. */
    public synchronized int liveResourceCount() {
        return resources.size();
    }

    /** For tests: live resources that are bound to a page. */
    public synchronized int boundResourceCount() {
        int n = 0;
        for (Page p : pages.values()) {
            n += p.bound.size();
        }
        return n;
    }

    /** For tests: bytes of live pages in heap {@code heapIndex}. */
    public synchronized long heapUsage(int heapIndex) {
        return heapUsage[heapIndex];
    }

    /** For tests: bind calls the referee has checked, passed or refused. */
    public synchronized long bindsChecked() {
        return bindsChecked;
    }

    /** For tests: the size of a live page. */
    public synchronized long pageSize(long page) {
        return page(page, "pageSize").size;
    }

    /**
     * For tests: the next {@code count} calls of {@link #allocatePage} and the next {@code count}
     * of {@link #allocateDedicatedPage} fail with an {@link OutOfDeviceMemoryException}, as a
     * driver under memory pressure does. The same as arming {@code FaultRule.next(count,
     * OUT_OF_DEVICE_MEMORY)} on both points.
     */
    public synchronized void injectPageAllocationFailures(int count) {
        if (count < 0) {
            throw new IllegalArgumentException("count must not be negative, was " + count);
        }
        injectFault(FaultPoint.ALLOCATE_PAGE, FaultRule.next(count, FaultResult.OUT_OF_DEVICE_MEMORY));
        injectFault(FaultPoint.ALLOCATE_DEDICATED_PAGE, FaultRule.next(count, FaultResult.OUT_OF_DEVICE_MEMORY));
    }

    /**
     * For tests: arms {@code rule} on {@code point}, replacing the rule there, and counts the
     * point's calls from now on ({@code at:1} is the next call). {@link FaultRule#off()} or
     * {@code null} disarms it. See {@link FaultRule} for the rules and the session properties
     * that arm them when the device opens.
     */
    public synchronized void injectFault(FaultPoint point, FaultRule rule) {
        faults.arm(point, rule);
    }

    /** For tests: arms {@code rule} on every point; a random rule gets seed {@code SEED + ordinal} per point. */
    public synchronized void injectFaults(FaultRule rule) {
        faults.armAll(rule);
    }

    /** For tests: disarms every fault rule. */
    public synchronized void clearFaults() {
        faults.clear();
    }

    /** For tests: the rule armed on {@code point}, or {@link FaultRule#off()}. */
    public synchronized FaultRule fault(FaultPoint point) {
        return faults.rule(point);
    }

    /** For tests: faults injected since the device opened, all points together. */
    public synchronized long faultsInjected() {
        return faults.injected();
    }

    /** For tests: calls of {@code point} that passed the referee since the device opened, failed or not. */
    public synchronized long calls(FaultPoint point) {
        return faults.calls(point);
    }

    /** Arms the rules of the {@code lluvia.sim.fault.*} properties (see {@link FaultInjector#configure}). */
    synchronized void configureFaults(Map<String, String> properties) {
        faults.configure(properties);
    }

    /** Counts a call of {@code point} and throws if its armed rule says this call fails. */
    private void fault(FaultPoint point, int heapIndex, long bytes) {
        faults.onCall(point, heapIndex, bytes);
    }

    /**
     * For tests: the bytes the device sees at {@code [offset, offset + length)} of a page. On a
     * non-coherent page these differ from the host's until a {@link #flush}; on other pages they
     * are the page's bytes.
     */
    public synchronized byte[] readDeviceBytes(long page, long offset, int length) {
        requireOpen();
        Page p = page(page, "readDeviceBytes");
        checkRange(p, offset, length, "readDeviceBytes");
        byte[] out = new byte[length];
        for (int done = 0; done < length; ) {
            long at = offset + done;
            int chunk = (int) (at / p.chunkSize);
            int start = (int) (at - chunk * p.chunkSize);
            int n = (int) Math.min(length - done, p.chunkSize - start);
            deviceChunk(p, chunk).get(start, out, done, n);
            done += n;
        }
        return out;
    }

    /**
     * For tests: the device writes {@code bytes} at {@code offset} of a page, as a shader would.
     * On a non-coherent page the host sees them only after an {@link #invalidate}.
     */
    public synchronized void writeDeviceBytes(long page, long offset, byte[] bytes) {
        requireOpen();
        Page p = page(page, "writeDeviceBytes");
        checkRange(p, offset, bytes.length, "writeDeviceBytes");
        for (int done = 0; done < bytes.length; ) {
            long at = offset + done;
            int chunk = (int) (at / p.chunkSize);
            int start = (int) (at - chunk * p.chunkSize);
            int n = (int) Math.min(bytes.length - done, p.chunkSize - start);
            deviceChunk(p, chunk).put(start, bytes, done, n);
            done += n;
        }
    }

    @Override
    public synchronized String toString() {
        return "SimBackend[" + profile.id() + ", " + pages.size() + " pages, " + resources.size() + " resources"
                + (closed ? ", closed" : "") + "]";
    }

    // ------------------------------------------------------------------------------------------
    // The referee

    private void bind(long handle, int kind, long page, long offset, String call) {
        requireOpen();
        bindsChecked++;
        Res r = resource(handle, kind, call);
        Page p = bindTarget(r, page, offset, call);
        MemoryRequirements req = r.requirements;
        final long end = offset + req.size();
        if (offset > p.size - req.size()) {
            throw bindViolation(SimRule.OUT_OF_PAGE, call + ": " + r + " at [" + offset + ", " + end + ") does not fit in "
                    + p, r, page, offset, -1);
        }
        if (p.dedicatedTo != 0 && p.dedicatedTo != handle) {
            throw bindViolation(SimRule.DEDICATED, call + ": " + r + " to " + p + ", which was allocated for "
                    + describeHandle(p.dedicatedTo) + " alone", r, page, offset, p.dedicatedTo);
        }
        if (p.dedicatedTo == handle && offset != 0) {
            throw bindViolation(SimRule.DEDICATED, call + ": " + r + " at offset " + offset + " of its dedicated " + p
                    + "; a dedicated allocation is bound at offset 0", r, page, offset, -1);
        }
        if (req.requiresDedicated() && p.dedicatedTo != handle) {
            throw bindViolation(SimRule.DEDICATED, call + ": " + r + " requires a dedicated allocation but " + p
                    + " was not allocated for it (allocateDedicatedPage)", r, page, offset, -1);
        }
        Map.Entry<Long, Res> below = p.bound.floorEntry(offset);
        Map.Entry<Long, Res> above = p.bound.ceilingEntry(offset);
        if (below != null && below.getValue().end() > offset) {
            Res other = below.getValue();
            throw bindViolation(SimRule.OVERLAP, call + ": " + r + " at [" + offset + ", " + end + ") of " + p
                    + " overlaps " + other + " at [" + other.offset + ", " + other.end() + ")", r, page, offset, other.handle);
        }
        if (above != null && above.getKey() < end) {
            Res other = above.getValue();
            throw bindViolation(SimRule.OVERLAP, call + ": " + r + " at [" + offset + ", " + end + ") of " + p
                    + " overlaps " + other + " at [" + other.offset + ", " + other.end() + ")", r, page, offset, other.handle);
        }
        if (checkGranularity) {
            // Neighbours suffice: anything between a farther resource and this one lies in the same
            // granularity block, so a farther conflict implies a conflict of neighbours that was
            // refused when the later of them was bound.
            checkGranularityNeighbours(call, r, p, offset, end, below, above);
        }
        fault(kind == KIND_IMAGE ? FaultPoint.BIND_IMAGE : FaultPoint.BIND_BUFFER, p.type.heapIndex(), req.size());
        r.page = p;
        r.offset = offset;
        p.bound.put(offset, r);
    }

    /**
     * Refuses {@code r} at {@code [offset, end)} of {@code p} when a neighbour of the other tiling
     * ends or starts in the same bufferImageGranularity block.
     */
    private void checkGranularityNeighbours(String call, Res r, Page p, long offset, long end,
                                            Map.Entry<Long, Res> below, Map.Entry<Long, Res> above) {
        long g = device.limits().bufferImageGranularity();
        if (below != null && below.getValue().linear != r.linear && (below.getValue().end() - 1) / g == offset / g) {
            throw granularity(call, r, p, offset, below.getValue(), g);
        }
        if (above != null && above.getValue().linear != r.linear && (end - 1) / g == above.getKey() / g) {
            throw granularity(call, r, p, offset, above.getValue(), g);
        }
    }

    /**
     * The checks every bind starts with: the resource is not bound yet, the page is live, its
     * memory type is in the resource's memoryTypeBits and the offset is aligned. Returns the page.
     */
    private Page bindTarget(Res r, long page, long offset, String call) {
        if (r.page != null) {
            throw bindViolation(SimRule.ALREADY_BOUND, call + ": " + r + " is already bound at offset " + r.offset
                    + " of " + r.page, r, page, offset, -1);
        }
        Page p = pages.get(page);
        if (p == null) {
            throw bindViolation(SimRule.PAGE_NOT_LIVE, call + ": " + r + " to " + describeDead(page, KIND_PAGE),
                    r, page, offset, -1);
        }
        MemoryRequirements req = r.requirements;
        int typeIndex = p.type.index();
        if ((req.memoryTypeBits() & (1 << typeIndex)) == 0) {
            throw bindViolation(SimRule.MEMORY_TYPE, call + ": " + r + " to " + p + " of memory type " + typeIndex
                    + ", but its memoryTypeBits are 0x" + Integer.toHexString(req.memoryTypeBits()), r, page, offset, -1);
        }
        if (offset < 0 || offset % req.alignment() != 0) {
            throw bindViolation(SimRule.ALIGNMENT, call + ": " + r + " at offset " + offset + " of " + p
                    + ", which is not a multiple of its alignment " + req.alignment(), r, page, offset, -1);
        }
        return p;
    }

    /**
     * The referee of aliases: the same checks as a bind, except that the resource must lie inside
     * the live resource it aliases (bound in the same page) instead of overlapping nothing, and that
     * the granularity rule holds against the aliased resource's neighbours when the alias is of the
     * other kind (linear or optimal) than what it aliases.
     */
    private void bindAlias(long handle, int kind, long page, long offset, long aliased, String call) {
        requireOpen();
        bindsChecked++;
        Res r = resource(handle, kind, call);
        Page p = bindTarget(r, page, offset, call);
        Res a = resources.get(aliased);
        if (a == null || a.page != p || a.aliasOf != null) {
            throw bindViolation(SimRule.ALIAS, call + ": " + r + " aliases " + describeHandle(aliased) + ", which is "
                    + (a == null ? "not live" : a.page == null ? "not bound" : a.aliasOf != null ? "itself an alias"
                    : "bound to " + a.page + ", not " + p), r, page, offset, aliased);
        }
        MemoryRequirements req = r.requirements;
        final long end = offset + req.size();
        if (offset < a.offset || offset > a.end() - req.size()) {
            throw bindViolation(SimRule.ALIAS, call + ": " + r + " at [" + offset + ", " + end + ") of " + p
                    + " is not inside " + a + " at [" + a.offset + ", " + a.end() + ")", r, page, offset, aliased);
        }
        if (req.requiresDedicated()) {
            throw bindViolation(SimRule.DEDICATED, call + ": " + r + " requires a dedicated allocation of its own",
                    r, page, offset, -1);
        }
        if (checkGranularity && r.linear != a.linear) {
            checkGranularityNeighbours(call, r, p, offset, end, p.bound.lowerEntry(a.offset), p.bound.higherEntry(a.offset));
        }
        fault(kind == KIND_IMAGE ? FaultPoint.BIND_IMAGE : FaultPoint.BIND_BUFFER, p.type.heapIndex(), req.size());
        r.page = p;
        r.offset = offset;
        r.aliasOf = a;
        a.aliases.add(r);
    }

    private BindViolationException granularity(String call, Res r, Page p, long offset, Res other, long g) {
        return bindViolation(SimRule.GRANULARITY, call + ": " + r + " at [" + offset + ", " + (offset + r.requirements.size())
                + ") of " + p + " shares a " + g + "-byte granularity block with " + other + " at [" + other.offset
                + ", " + other.end() + ")", r, p.handle, offset, other.handle);
    }

    private static BindViolationException bindViolation(SimRule rule, String message, Res r, long page, long offset,
                                                        long other) {
        return new BindViolationException(rule, message, r.handle, page, offset, other);
    }

    private void destroy(long handle, int kind, String call) {
        requireOpen();
        Res r = resource(handle, kind, call);
        if (!r.aliases.isEmpty()) {
            throw new SimViolationException(SimRule.ALIAS, call + ": " + r + " still has " + r.aliases.size()
                    + " alias(es) bound onto it, e.g. " + r.aliases.get(0));
        }
        if (r.aliasOf != null) {
            r.aliasOf.aliases.remove(r);
            r.aliasOf = null;
            r.page = null;
        } else if (r.page != null) {
            r.page.bound.remove(r.offset);
            r.page = null;
        }
        resources.remove(handle);
    }

    private Res resource(long handle, int kind, String call) {
        Res r = resources.get(handle);
        if (r == null || kindOf(handle) != kind) {
            throw new SimViolationException(SimRule.RESOURCE_NOT_LIVE, call + ": " + describeDead(handle, kind));
        }
        return r;
    }

    private Page page(long handle, String call) {
        Page p = pages.get(handle);
        if (p == null) {
            throw new SimViolationException(SimRule.PAGE_NOT_LIVE, call + ": " + describeDead(handle, KIND_PAGE));
        }
        return p;
    }

    private Page hostVisiblePage(long handle, String call) {
        Page p = page(handle, call);
        if (!p.type.isHostVisible()) {
            throw new SimViolationException(SimRule.NOT_HOST_VISIBLE, call + ": " + p + " is of memory type "
                    + p.type.index() + " " + p.type.flags() + ", which is not HOST_VISIBLE");
        }
        return p;
    }

    private static void checkRange(Page p, long offset, long size, String call) {
        if (offset < 0 || size < 0 || offset > p.size - size) {
            throw new SimViolationException(SimRule.RANGE, call + ": range [" + offset + ", " + offset + " + " + size
                    + ") is not inside " + p);
        }
    }

    private void checkAtomRange(Page p, long offset, long size, String call) {
        checkRange(p, offset, size, call);
        long atom = device.limits().nonCoherentAtomSize();
        if (offset % atom != 0 || (size % atom != 0 && offset + size != p.size)) {
            throw new SimViolationException(SimRule.ATOM_ALIGNMENT, call + ": range [" + offset + ", " + (offset + size)
                    + ") of " + p + ": the offset must be a multiple of nonCoherentAtomSize " + atom
                    + " and the size a multiple of it or reach the page end " + p.size);
        }
    }

    private void requireOpen() {
        if (closed) {
            throw new SimViolationException(SimRule.CLOSED, this + " is closed");
        }
    }

    // ------------------------------------------------------------------------------------------
    // Handles and backing memory

    private long nextHandle(int kind) {
        return (nextSerial++ << 2) | kind;
    }

    private static int kindOf(long handle) {
        return (int) (handle & 3);
    }

    /** Why a handle names nothing live: never issued, of another kind, or released. */
    private String describeDead(long handle, int expectedKind) {
        String expected = KIND_NAMES[expectedKind];
        long serial = handle >>> 2;
        int kind = kindOf(handle);
        if (handle <= 0 || kind == 0 || serial >= nextSerial) {
            return "unknown " + expected + " handle 0x" + Long.toHexString(handle) + " (never issued by this device)";
        }
        if (kind != expectedKind) {
            return "handle 0x" + Long.toHexString(handle) + " is a " + KIND_NAMES[kind] + ", not a " + expected
                    + (isLive(handle) ? "" : " (and no longer live)");
        }
        return expected + " 0x" + Long.toHexString(handle) + " was already "
                + (kind == KIND_PAGE ? "freed" : "destroyed");
    }

    /** A live resource by its description, or a dead handle by why it is dead. */
    private String describeHandle(long handle) {
        Res r = resources.get(handle);
        return r != null ? r.toString() : KIND_NAMES[kindOf(handle)] + " 0x" + Long.toHexString(handle) + " (destroyed)";
    }

    private boolean isLive(long handle) {
        return pages.containsKey(handle) || resources.containsKey(handle);
    }

    private static ByteBuffer allocate(Page p, int chunk) {
        long size = Math.min(p.chunkSize, p.size - chunk * p.chunkSize);
        try {
            return ByteBuffer.allocateDirect((int) size);
        } catch (OutOfMemoryError e) {
            throw new OutOfHostMemoryException("the sim cannot back " + size + " bytes of " + p
                    + " with direct memory (raise -XX:MaxDirectMemorySize): " + e.getMessage());
        }
    }

    private static ByteBuffer hostChunk(Page p, int chunk) {
        ByteBuffer b = p.host[chunk];
        if (b == null) {
            b = allocate(p, chunk);
            p.host[chunk] = b;
        }
        return b;
    }

    private static ByteBuffer deviceChunk(Page p, int chunk) {
        if (p.coherent) {
            return hostChunk(p, chunk);
        }
        ByteBuffer b = p.device[chunk];
        if (b == null) {
            b = allocate(p, chunk);
            p.device[chunk] = b;
        }
        return b;
    }

    /** Copies a range host to device ({@code toDevice}) or device to host, chunk by chunk. */
    private static void copy(Page p, long offset, long size, boolean toDevice) {
        for (long done = 0; done < size; ) {
            long at = offset + done;
            int chunk = (int) (at / p.chunkSize);
            int start = (int) (at - chunk * p.chunkSize);
            int n = (int) Math.min(size - done, p.chunkSize - start);
            ByteBuffer host = hostChunk(p, chunk);
            ByteBuffer dev = deviceChunk(p, chunk);
            if (toDevice) {
                dev.put(start, host, start, n);
            } else {
                host.put(start, dev, start, n);
            }
            done += n;
        }
    }

    private static void appendSome(StringBuilder sb, Iterable<?> items) {
        int n = 0;
        for (Object o : items) {
            if (n++ == 20) {
                sb.append(" ...");
                break;
            }
            sb.append(' ').append(o).append(';');
        }
    }

    /** One page: a vkAllocateMemory, its backing bytes and the resources bound in it by offset. */
    private static final class Page {
        final long handle;
        final MemoryType type;
        final long size;
        /** Host and device sides are one buffer: coherent, or not host-visible at all. */
        final boolean coherent;
        final long chunkSize;
        final TreeMap<Long, Res> bound = new TreeMap<>();
        /** The resource this page was allocated for (allocateDedicatedPage), or 0. */
        long dedicatedTo;
        /** VkMemoryPriorityAllocateInfoEXT's priority, as the driver would have received it. */
        float priority = PageOptions.DEFAULT.priority();
        /** The device address of byte 0, unique among the pages this device ever made. */
        long address;
        ByteBuffer[] host;
        ByteBuffer[] device;

        Page(long handle, MemoryType type, long size) {
            this.handle = handle;
            this.type = type;
            this.size = size;
            this.coherent = !type.needsFlush();
            this.chunkSize = size <= Integer.MAX_VALUE ? size : LARGE_PAGE_CHUNK;
            int chunks = (int) ((size + chunkSize - 1) / chunkSize);
            this.host = new ByteBuffer[chunks];
            this.device = coherent ? null : new ByteBuffer[chunks];
        }

        @Override
        public String toString() {
            return "page 0x" + Long.toHexString(handle) + " (" + size + " bytes, memory type " + type.index()
                    + (dedicatedTo != 0 ? ", dedicated" : "") + ")";
        }
    }

    /** One buffer or image, and where it is bound. */
    private static final class Res {
        final long handle;
        /** A buffer or linear image, for the granularity rule. */
        final boolean linear;
        final MemoryRequirements requirements;
        final String what;
        /** Vulkan usage bits; TRANSFER_SRC (1) and TRANSFER_DST (2) mean the same for buffers and images. */
        final int usage;
        Page page;
        long offset;
        /** The resource this one is bound onto as an alias, or null; aliases are not in the page's map. */
        Res aliasOf;
        /** Aliases bound onto this resource. */
        final List<Res> aliases = new ArrayList<>(0);

        Res(long handle, boolean linear, MemoryRequirements requirements, String what, int usage) {
            this.handle = handle;
            this.linear = linear;
            this.requirements = requirements;
            this.what = what;
            this.usage = usage;
        }

        long end() {
            return offset + requirements.size();
        }

        @Override
        public String toString() {
            return what + " 0x" + Long.toHexString(handle) + " (size " + requirements.size() + ", alignment "
                    + requirements.alignment() + ")";
        }
    }
}
