package dev.lluvia.memory.vulkan;

import dev.lluvia.memory.BackendException;
import dev.lluvia.memory.DeviceFeature;
import dev.lluvia.memory.DeviceNotFoundException;
import dev.lluvia.memory.DeviceProperties;
import dev.lluvia.memory.HeapBudget;
import dev.lluvia.memory.ImageDescriptor;
import dev.lluvia.memory.Statistics;
import dev.lluvia.memory.TransferPath;
import dev.lluvia.memory.UnsupportedExternalMemoryException;
import dev.lluvia.memory.UnsupportedFeatureException;
import dev.lluvia.memory.spi.BackendOptions;
import dev.lluvia.memory.spi.MemoryBackend;
import dev.lluvia.memory.spi.BufferRequest;
import dev.lluvia.memory.spi.ImageRequest;
import dev.lluvia.memory.spi.PageRequest;
import dev.lluvia.memory.spi.Resource;
import dev.lluvia.memory.spi.TransferListener;
import dev.lluvia.memory.spi.ResourceBind;
import dev.lluvia.memory.spi.MemoryRequirements;
import org.lwjgl.system.MemoryUtil;
import org.lwjgl.vulkan.*;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.locks.Lock;

import static dev.lluvia.memory.vulkan.VulkanResults.check;
import static org.lwjgl.vulkan.VK10.*;
import static org.lwjgl.vulkan.VK11.*;

/**
 * The {@link MemoryBackend} on a real Vulkan device through LWJGL: pages are
 * {@code VkDeviceMemory} allocations, buffers and images are {@code VkBuffer}s and {@code VkImage}s,
 * and every handle the core sees is the Vulkan handle itself (so {@link #vkDevice()} and a page
 * handle are enough to use the memory from other Vulkan code).
 *
 * <p>What it does for each SPI call:
 * <ol>
 *   <li>Open: the JVM's shared instance of API 1.1 or newer ({@link VulkanInstance#shared}; with
 *       {@link VulkanInstance#VALIDATION_LAYER} when {@link BackendOptions#debug()}), a counting
 *       debug messenger of this backend's own when debug, the device chosen by
 *       {@link BackendOptions#device()} (an index or a name substring; by default discrete, then
 *       integrated, virtual, CPU), one queue family that can transfer (graphics or compute first)
 *       with two queues when it has more than one, {@code VK_EXT_memory_budget} and
 *       {@code VK_EXT_external_memory_host} when the device has them, and the
 *       {@link BackendOptions#features()} asked for. Or, for
 *       {@link VulkanSession#wrap}, the program's device as it is: nothing created, no messenger.</li>
 *   <li>Pages: {@code vkAllocateMemory}/{@code vkFreeMemory}; a host-visible page is mapped whole
 *       the first time it is mapped, flushed or invalidated, and stays mapped until freed.</li>
 *   <li>Objects: {@code vkCreateBuffer}/{@code vkCreateImage}, requirements from
 *       {@code vkGet*MemoryRequirements2} with {@code VkMemoryDedicatedRequirements}; image formats
 *       are checked with {@code vkGetPhysicalDeviceImageFormatProperties} first.</li>
 *   <li>Transfers ({@link TransferQueue}): the caller's direct buffer imported as device memory
 *       where the device can, else pieces through a few staging buffers in host-visible memory,
 *       several in flight at once; each transfer returns when its copies finished.</li>
 * </ol>
 *
 * <p>Validation: {@link #validationErrorCount()} and {@link #validationWarningCount()} count what the
 * validation layer reported to this backend's messenger, including leaks reported when
 * {@link #close()} destroys the device; tests assert both are zero. The instance is shared and
 * made once, so messages of {@code vkCreateInstance} are not in these counts (they are logged),
 * and with other debug sessions open at once some messages may be counted by all of them (see
 * {@link ValidationMessages}). On a wrapped device the library has no messenger (the counts stay
 * 0): the messages are the program's, heard by its own messenger. Reach this object through
 * {@code session.unwrap(VulkanBackend.class)}.
 *
 * <p>Queues: the program's work goes to {@link #vkQueue()}. The library's transfers use the
 * family's second queue when it has one, so the two never race; when the family has a single
 * queue they share it, and the library holds {@link #queueLock()} around each submission, which
 * the program then holds around its own submissions too ({@link #isQueueShared()} says which).
 *
 * <p>Thread safety: a buffer's or image's state is the {@link Resource} the core holds (no
 * table), a page's is kept in a {@link HandleMap} (striped, unboxed); vkMapMemory of a page is serialised on the
 * page, and transfers ({@link TransferQueue}) on one lock for the command buffer, plus the queue
 * lock around each submission, as Vulkan requires.
 *
 * <p>Layout: this class is the facade that checks it is open and hands each call to the class
 * for its concern: {@code VulkanDeviceFactory} opens or checks the device, {@code VulkanPages}
 * holds the device memory and {@code VulkanResources} the buffers and images.
 */
public final class VulkanBackend implements MemoryBackend {

    /** The provider name. */
    public static final String NAME = "vulkan";

    /**
     * Backend (or system) property: {@code false} turns off the validation layer's synchronization
     * checks, which debug mode turns on with the layer (they check the transfers' barriers, at a
     * cost in speed). {@code true} (the default) or {@code false}; anything else is refused.
     */
    public static final String SYNC_VALIDATION_PROPERTY = "lluvia.vulkan.validation.synchronization";

    /**
     * System property: {@code false} destroys the shared Vulkan instances (and so unloads the
     * driver) whenever the last session closes, giving the driver's memory back between sessions
     * at the cost of a driver load per session (some drivers can be loaded only a few dozen times
     * per process; {@code docs/devices.md}). Default {@code true}: the instances live until the JVM's shutdown hook unloads the
     * driver (see {@code VulkanInstance}). Read when the last session closes, so a program may
     * change it between sessions.
     */
    public static final String KEEP_INSTANCES_PROPERTY = "lluvia.vulkan.keepInstances";

    /**
     * Backend property: whether transfers import the caller's direct buffers
     * ({@code VK_EXT_external_memory_host}, where the device has it) instead of copying them
     * through the staging buffers. {@code "false"} (the default) never does, {@code "true"} always
     * imports, {@code "auto"} measures both ways on this device and takes the faster. An import
     * skips a host copy but makes the driver pin the pages for each transfer, which is faster on
     * some devices and several times slower on others (figures in {@code docs/benchmark-log.md}), and
     * {@code auto} can settle on the slower way when the first timings are noisy, so staging is the
     * default and importing is asked for. Bytes that
     * lie in memory this backend mapped (a {@code mapByteBuffer()} of host-visible memory) are
     * neither imported nor staged, whatever this says: the device copies them where they are.
     */
    public static final String IMPORT_HOST_MEMORY_PROPERTY = "lluvia.vulkan.transfer.importHostMemory";

    private static final System.Logger LOG = System.getLogger("dev.lluvia.memory.vulkan");

    /** The JVM's shared instance: never destroyed here; null on a wrapped device. */
    private final VulkanInstance vulkan;
    /** The instance the device belongs to: the shared one, or the program's. */
    private final VkInstance instance;
    /** The API version the instance was created for (the program's, on a wrapped device). */
    private final int instanceApiVersion;
    /** This backend's messenger and counts; null without debug-utils. Destroyed after the device. */
    private final ValidationMessages validation;
    private final VulkanInstance.PhysicalDevice physical;
    private final VkDevice device;
    /** Whether this backend created the device (and so destroys it at close). */
    private final boolean ownsDevice;
    /** The queue for the program's work on the library's device; the given queue on a wrapped one (or null). */
    private final VkQueue queue;
    /** The queue the library's transfers are submitted to; null on a wrapped device given none. */
    private final VkQueue transferQueue;
    private final int queueFamilyIndex;
    /** Held around every submission to {@link #transferQueue} and around waiting for it to go idle. */
    private final Lock queueLock;
    /** Whether {@link #queue} and {@link #transferQueue} are the same VkQueue. */
    private final boolean queueShared;
    /** Whether the transfer queue's family can do graphics (needed to copy depth images). */
    private final boolean transferGraphics;
    private final Set<DeviceFeature> features;
    private final DeviceProperties properties;
    /** VK_KHR_external_memory_fd is enabled: exportable pages and vkGetMemoryFdKHR. */
    private final boolean externalMemoryFd;
    /** Largest buffer the device creates (VkPhysicalDeviceMaintenance4Properties, Vulkan 1.3); unbounded before. */
    private final long maxBufferSize;
    /**
     * minImportedHostPointerAlignment when {@code VK_EXT_external_memory_host} is enabled for
     * transfers; 0 when it is not (absent, turned off, or an alignment above the host page size,
     * which could reach unmapped pages next to the caller's bytes).
     */
    private final long importAlignment;

    /** Pages: device memory, heap accounting, mapping and export. */
    private final VulkanPages pages;
    /** Buffers and images: creation, requirements and binding. */
    private final VulkanResources resources;

    /** Staging buffer, command buffer and fence for copies through the queue; made on first use. */
    private final TransferQueue transfers;

    private volatile boolean closed;
    private final java.util.concurrent.atomic.AtomicBoolean closing = new java.util.concurrent.atomic.AtomicBoolean();
    /** The owning session's close, run by the shutdown hook (see {@link MemoryBackend#setSessionCloser}). */
    private volatile Runnable sessionCloser;
    /** The owning session's listener for the way each transfer went; does nothing until one is given. */
    private volatile TransferListener transferListener = path -> { };

    private VulkanBackend(VulkanInstance vulkan, VkInstance instance, int instanceApiVersion, ValidationMessages validation,
                          VulkanInstance.PhysicalDevice physical, VulkanDeviceFactory.DeviceSetup setup, String importMode) {
        this.vulkan = vulkan;
        this.instance = instance;
        this.instanceApiVersion = instanceApiVersion;
        this.validation = validation;
        this.physical = physical;
        this.device = setup.device();
        this.ownsDevice = setup.owned();
        this.queue = setup.queue();
        this.transferQueue = setup.transferQueue();
        this.queueFamilyIndex = setup.family();
        this.queueLock = setup.queueLock();
        this.queueShared = setup.queueShared();
        this.transferGraphics = queueFamilyIndex >= 0
                && (VulkanDeviceFactory.queueFamilyFlags(physical.handle()).get(queueFamilyIndex) & VK_QUEUE_GRAPHICS_BIT) != 0;
        this.features = setup.features();
        this.importAlignment = setup.importAlignment();
        this.externalMemoryFd = setup.externalMemoryFd();
        ownDispatchable(device.address());
        if (queue != null) {
            ownDispatchable(queue.address());
        }
        if (transferQueue != null) {
            ownDispatchable(transferQueue.address());
        }
        int api = VulkanDeviceFactory.apiVersion(physical.apiVersion(), instanceApiVersion);
        this.properties = VulkanDeviceFactory.readProperties(physical, api, features.contains(DeviceFeature.MEMORY_BUDGET));
        this.pages = new VulkanPages(device, physical, properties, features, externalMemoryFd);
        this.maxBufferSize = VulkanDeviceFactory.readMaxBufferSize(physical.handle(), api);
        this.resources = new VulkanResources(device, physical, pages, maxBufferSize,
                features.contains(DeviceFeature.BUFFER_DEVICE_ADDRESS));
        // Transfers import the caller's bytes on each copy only when the property asks; registration always may.
        this.transfers = new TransferQueue(new TransferQueue.Setup(toString(), device, transferQueue, queueFamilyIndex,
                queueLock, pages, properties, maxBufferSize, "false".equals(importMode) ? 0 : importAlignment,
                "auto".equals(importMode), this::ownDispatchable));
    }

    /**
     * Opens the device {@code options} name on the JVM's shared instance for the debug settings,
     * with a messenger of its own when debug, and the features {@code options} asks for.
     *
     * @throws DeviceNotFoundException      if {@code options.device()} names no usable device
     * @throws UnsupportedFeatureException  if the device lacks a feature asked for
     * @throws BackendException             if there is no loader or instance or device creation fails
     */
    static VulkanBackend open(BackendOptions options) {
        final String importMode = options.properties().getOrDefault(IMPORT_HOST_MEMORY_PROPERTY, "false")
                .trim().toLowerCase(Locale.ROOT);
        if (!List.of("auto", "true", "false").contains(importMode)) {
            throw new IllegalArgumentException("backend property " + IMPORT_HOST_MEMORY_PROPERTY + " must be auto, true"
                    + " or false, was '" + options.properties().get(IMPORT_HOST_MEMORY_PROPERTY) + "'");
        }
        boolean syncChecks = options.flag(SYNC_VALIDATION_PROPERTY, true);
        VulkanInstance vulkan = VulkanInstance.acquire(options.debug(), syncChecks);
        ValidationMessages validation;
        try {
            validation = ValidationMessages.attach(vulkan);
        } catch (RuntimeException | Error e) {
            VulkanInstance.closed(null);
            throw e;
        }
        try {
            VulkanInstance.PhysicalDevice chosen = VulkanDeviceFactory.choose(vulkan.physicalDevices(), options.device());
            VulkanDeviceFactory.DeviceSetup setup = VulkanDeviceFactory.createDevice(chosen, VulkanDeviceFactory.apiVersion(chosen.apiVersion(), vulkan.apiVersion), options.features());
            VulkanBackend backend;
            try {
                backend = new VulkanBackend(vulkan, vulkan.instance, vulkan.apiVersion, validation, chosen, setup, importMode);
            } catch (RuntimeException | Error e) {
                vkDestroyDevice(setup.device(), null);
                throw e;
            }
            VulkanInstance.opened(backend);
            LOG.log(System.Logger.Level.DEBUG, () -> "opened Vulkan device " + chosen.describe()
                    + (vulkan.validationEnabled ? " with validation" : "") + ", features " + setup.features());
            return backend;
        } catch (RuntimeException | Error e) {
            if (validation != null) {
                validation.close();
            }
            VulkanInstance.closed(null);
            throw e;
        }
    }

    /**
     * A backend on a device the program created ({@link VulkanSession#wrap}): no instance, device
     * or messenger of its own, so closing it frees only what the library made.
     */
    static VulkanBackend wrap(ExistingDevice d) {
        VkPhysicalDevice pd = d.device().getPhysicalDevice();
        VkInstance instance = pd.getInstance();
        VulkanInstance.PhysicalDevice physical = VulkanDeviceFactory.describe(instance, pd);
        VulkanDeviceFactory.DeviceSetup setup = VulkanDeviceFactory.wrapped(d, pd, physical);
        VulkanBackend backend = new VulkanBackend(null, instance, d.apiVersion(), null, physical, setup, "false");
        LOG.log(System.Logger.Level.DEBUG, () -> "wrapped the program's Vulkan device " + physical.describe()
                + ", features " + setup.features());
        return backend;
    }

    // ------------------------------------------------------------------------------------------
    // Vulkan access and validation counts

    /**
     * The {@code VkInstance}: the JVM's shared one for this backend's debug settings, used by other
     * sessions too, alive while any session is open; never destroy it yourself.
     */
    public VkInstance vkInstance() {
        return instance;
    }

    /** The {@code VkPhysicalDevice} this backend opened. */
    public VkPhysicalDevice vkPhysicalDevice() {
        return physical.handle();
    }

    /** The {@code VkDevice}; page handles are its {@code VkDeviceMemory}s. */
    public VkDevice vkDevice() {
        return device;
    }

    /** The queue family of {@link #vkQueue()} and of the library's transfers; -1 on a wrapped device given no queue. */
    public int queueFamilyIndex() {
        return queueFamilyIndex;
    }

    /**
     * The queue for the program's own work: on the library's device, queue 0 of
     * {@link #queueFamilyIndex()} (a family that can do graphics or compute when the device has
     * one); on a wrapped device, the queue given for transfers (or null).
     *
     * <p>The rule: when {@link #isQueueShared()} is false the library's transfers use a queue of
     * their own, and the program submits to this one without a lock. When true (the family has one
     * queue, or a wrapped device gave a lock), the library submits to this very queue too, holding
     * {@link #queueLock()}: the program must hold the same lock around its {@code vkQueueSubmit},
     * {@code vkQueueWaitIdle} and {@code vkQueueBindSparse} on it, as Vulkan requires one thread at a
     * time on a queue.
     */
    public VkQueue vkQueue() {
        return queue;
    }

    /**
     * The lock the library holds around each submission to its transfer queue (and while waiting
     * for it to go idle at close). See {@link #vkQueue()} for when the program must take it too.
     */
    public Lock queueLock() {
        return queueLock;
    }

    /** Whether the library's transfers go to {@link #vkQueue()}, so the program must take {@link #queueLock()}. */
    public boolean isQueueShared() {
        return queueShared;
    }

    /** Whether this backend created its device (else it wraps the program's, and never destroys it). */
    public boolean ownsDevice() {
        return ownsDevice;
    }

    /** The index of the device in {@code vkEnumeratePhysicalDevices} order. */
    public int deviceIndex() {
        return physical.index();
    }

    /** Whether the validation layer is on (debug asked for and the layer installed). */
    public boolean isValidationEnabled() {
        return vulkan != null && vulkan.validationEnabled;
    }

    /** Validation (and loader) messages of severity error so far, including those at close. */
    public long validationErrorCount() {
        return validation == null ? 0 : validation.errors();
    }

    /** Validation (and loader) messages of severity warning so far, including those at close. */
    public long validationWarningCount() {
        return validation == null ? 0 : validation.warnings();
    }

    /** The first warning and error messages, oldest first, for failure reports. */
    public List<String> validationMessages() {
        return validation == null ? List.of() : validation.messages();
    }

    /** The largest buffer size the device accepts (maintenance4's maxBufferSize on Vulkan 1.3, else unbounded). */
    public long maxBufferSize() {
        return maxBufferSize;
    }

    /** Marks a dispatchable handle of this backend for its messenger (see {@link ValidationMessages#own}). */
    void ownDispatchable(long handle) {
        if (validation != null) {
            validation.own(handle);
        }
    }

    /** Device memory allocations alive now: pages and the staging buffer's memory. */
    public int liveAllocationCount() {
        return pages.liveAllocationCount();
    }

    /** The pages, for the transfers' staging and imported memory. */
    VulkanPages pages() {
        return pages;
    }

    // ------------------------------------------------------------------------------------------
    // MemoryBackend

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public DeviceProperties device() {
        return properties;
    }

    /**
     * A page with {@code VkMemoryPriorityAllocateInfoEXT} when the device has memory priority, and
     * for a dedicated page {@code VkMemoryDedicatedAllocateInfo} naming its resource, as the driver
     * asks through {@code VkMemoryDedicatedRequirements}.
     *
     * @throws IllegalArgumentException if the request carries an extension (this backend takes none yet)
     */
    @Override
    public long allocatePage(PageRequest request) {
        if (request.extension() != null) {
            throw new IllegalArgumentException("the Vulkan backend takes no page request extension, was "
                    + request.extension());
        }
        requireOpen();
        final PageRequest.Dedicated to = request.dedicatedTo();
        final int type = request.memoryTypeIndex();
        final long size = request.size();
        if (to == null) {
            return pages.newPage(type, size, VK_NULL_HANDLE, VK_NULL_HANDLE, request.options());
        }
        if (to.image()) {
            return pages.newPage(type, size, VK_NULL_HANDLE, 0, 0, to.resource().handle(), request.options());
        }
        // A buffer of the program's own (an Allocation's) comes as a plain Resource: with no usage
        // known, its page gets no transfer window, so the library never uses the program's buffer.
        final long handle = to.resource().handle();
        if (to.resource() instanceof VulkanResources.BufferState buffer) {
            final long page = pages.newPage(type, size, handle, buffer.usage, buffer.size, VK_NULL_HANDLE, request.options());
            buffer.dedicatedPage = pages.requirePage(page);
            return page;
        }
        return pages.newPage(type, size, handle, 0, 0, VK_NULL_HANDLE, request.options());
    }

    @Override
    public List<HeapBudget> heapBudgets() {
        requireOpen();
        return pages.heapBudgets();
    }

    /** The transfer queue's staging buffers, allocated through the pages' accounting (they count in {@link #heapBudgets()}). */
    @Override
    public List<Statistics> stagingStatistics() {
        requireOpen();
        return transfers.stagingStatistics();
    }

    @Override
    public void freePage(long page) {
        requireOpen();
        pages.freePage(page);
    }

    @Override
    public ByteBuffer map(long page, long offset, long size) {
        requireOpen();
        return pages.map(page, offset, size);
    }

    @Override
    public void flush(long page, long offset, long size) {
        requireOpen();
        pages.syncRange(page, offset, size, true);
    }

    @Override
    public void invalidate(long page, long offset, long size) {
        requireOpen();
        pages.syncRange(page, offset, size, false);
    }

    /** One {@code vkFlushMappedMemoryRanges} with every range. */
    @Override
    public void flush(List<dev.lluvia.memory.spi.MappedRange> ranges) {
        requireOpen();
        pages.syncRanges(ranges, true);
    }

    /** One {@code vkInvalidateMappedMemoryRanges} with every range. */
    @Override
    public void invalidate(List<dev.lluvia.memory.spi.MappedRange> ranges) {
        requireOpen();
        pages.syncRanges(ranges, false);
    }

    /** {@code VK_KHR_external_memory_fd} is enabled on this device. */
    @Override
    public boolean hasExternalMemoryFd() {
        return externalMemoryFd;
    }

    /** A new opaque fd of an exportable page, from {@code vkGetMemoryFdKHR}. */
    /**
     * Imports the pages under {@code range}'s bytes once and indexes them like mapped memory, so
     * transfers from and into any slice of them copy in place; see {@link VulkanPages#registerHost}.
     */
    @Override
    public long registerHostMemory(ByteBuffer range) {
        requireOpen();
        if (importAlignment == 0) {
            throw new UnsupportedExternalMemoryException(physical.name() + " cannot register host memory: it has no"
                    + " VK_EXT_external_memory_host with an import alignment of at most the host page; transfers stage"
                    + " these bytes instead");
        }
        return pages.registerHost(MemoryUtil.memAddress(range), range.remaining(), importAlignment);
    }

    @Override
    public void unregisterHostMemory(long registration) {
        pages.unregisterHost(registration);
    }

    @Override
    public int exportFd(long page) {
        requireOpen();
        return pages.exportFd(page);
    }

    /**
     * A buffer, with {@code VkExternalMemoryBufferCreateInfo} (opaque fd) when it goes to an
     * exportable page; from the request's {@link VulkanBufferInfo} when it has one (any other
     * create-info is an {@link IllegalArgumentException}).
     */
    @Override
    public Resource createBuffer(BufferRequest request) {
        final dev.lluvia.memory.BackendBufferInfo info = request.backendInfo();
        if (info != null && !(info instanceof VulkanBufferInfo)) {
            throw new IllegalArgumentException(info + " is not a VulkanBufferInfo");
        }
        requireOpen();
        return info != null ? resources.createBuffer((VulkanBufferInfo) info, request.exportable())
                : resources.createBuffer(request.size(), request.usageBits(), request.exportable());
    }

    /**
     * An image, with {@code VkExternalMemoryImageCreateInfo} (opaque fd) when it goes to an
     * exportable page; from the request's {@link VulkanImageInfo} when it has one.
     */
    @Override
    public Resource createImage(ImageRequest request) {
        final dev.lluvia.memory.BackendImageInfo info = request.backendInfo();
        if (info != null && !(info instanceof VulkanImageInfo)) {
            throw new IllegalArgumentException(info + " is not a VulkanImageInfo");
        }
        requireOpen();
        return info != null ? resources.createImage((VulkanImageInfo) info, request.exportable())
                : resources.createImage(request.descriptor(), request.exportable());
    }

    @Override
    public void bindBuffer(Resource buffer, long page, long offset) {
        requireOpen();
        resources.bindBuffer(buffer, page, offset);
    }

    @Override
    public void bindImage(Resource image, long page, long offset) {
        requireOpen();
        resources.bindImage(image, page, offset);
    }

    /** {@code vkGet*MemoryRequirements2} with {@code VkMemoryDedicatedRequirements} of the program's resource. */
    @Override
    public MemoryRequirements resourceRequirements(long resource, boolean image) {
        requireOpen();
        return resources.requirementsOf(resource, image);
    }

    /**
     * {@code vkBindBufferMemory2} / {@code vkBindImageMemory2} of the program's resource with its
     * {@code pNext} chain, which may hold only {@code VkBindMemoryStatus} and the device-group bind
     * info (an {@link IllegalArgumentException} naming the sType otherwise, nothing bound).
     */
    @Override
    public void bindResource(ResourceBind bind) {
        requireOpen();
        resources.bindProgram(bind);
    }

    @Override
    public void destroyBuffer(Resource buffer) {
        requireOpen();
        resources.destroyBuffer(buffer);
    }

    @Override
    public void destroyImage(Resource image) {
        requireOpen();
        resources.destroyImage(image);
    }

    @Override
    public Set<DeviceFeature> enabledFeatures() {
        return features;
    }

    @Override
    public long bufferDeviceAddress(Resource buffer) {
        requireOpen();
        return resources.bufferDeviceAddress(buffer);
    }

    // ------------------------------------------------------------------------------------------
    // Transfers

    @Override
    public void copyToBuffer(Resource buffer, long offset, ByteBuffer src) {
        requireOpen();
        requireTransferQueue();
        VulkanResources.BufferState b = resources.requireBound(buffer, offset, src.remaining(), VK_BUFFER_USAGE_TRANSFER_DST_BIT,
                "TRANSFER_DST", "into");
        transferred(transfers.copyToBuffer(b.handle(), pages.requirePage(b.page), offset, src));
    }

    @Override
    public void copyFromBuffer(Resource buffer, long offset, ByteBuffer dst) {
        requireWritable(dst);
        requireOpen();
        requireTransferQueue();
        VulkanResources.BufferState b = resources.requireBound(buffer, offset, dst.remaining(), VK_BUFFER_USAGE_TRANSFER_SRC_BIT,
                "TRANSFER_SRC", "from");
        transferred(transfers.copyFromBuffer(b.handle(), pages.requirePage(b.page), offset, dst));
    }

    @Override
    public void copyToImage(Resource image, ImageDescriptor descriptor, ByteBuffer src) {
        requireOpen();
        requireTransferQueue();
        requireDepthCopies(descriptor);
        VulkanResources.ImageState state = resources.requireImageTransfer(image, descriptor, src.remaining(), VK_IMAGE_USAGE_TRANSFER_DST_BIT,
                "TRANSFER_DST", "into");
        transferred(transfers.copyToImage(state.handle(), pages.requirePage(state.page), descriptor, src));
        state.layout = VK_IMAGE_LAYOUT_GENERAL;
    }

    @Override
    public void copyFromImage(Resource image, ImageDescriptor descriptor, ByteBuffer dst) {
        requireWritable(dst);
        requireOpen();
        requireTransferQueue();
        requireDepthCopies(descriptor);
        VulkanResources.ImageState state = resources.requireImageTransfer(image, descriptor, dst.remaining(), VK_IMAGE_USAGE_TRANSFER_SRC_BIT,
                "TRANSFER_SRC", "from");
        transferred(transfers.copyFromImage(state.handle(), pages.requirePage(state.page), state.layout, descriptor, dst));
        state.layout = VK_IMAGE_LAYOUT_GENERAL;
    }

    /** Defragmentation's move of a buffer: {@code vkCmdCopyBuffer} on the transfer queue, waited for. */
    @Override
    public void copyBuffer(Resource src, Resource dst, long size) {
        requireOpen();
        requireTransferQueue();
        resources.requireBound(src, 0, size, VK_BUFFER_USAGE_TRANSFER_SRC_BIT, "TRANSFER_SRC", "from");
        resources.requireBound(dst, 0, size, VK_BUFFER_USAGE_TRANSFER_DST_BIT, "TRANSFER_DST", "into");
        transfers.copyBuffer(src.handle(), dst.handle(), size);
    }

    /** Defragmentation's move of an image: {@code vkCmdCopyImage} with the layout transitions, waited for. */
    @Override
    public void copyImage(Resource src, Resource dst, ImageDescriptor descriptor) {
        requireOpen();
        requireTransferQueue();
        VulkanResources.ImageState from = resources.requireImageTransfer(src, descriptor, descriptor.byteSize(), VK_IMAGE_USAGE_TRANSFER_SRC_BIT,
                "TRANSFER_SRC", "from");
        VulkanResources.ImageState to = resources.requireImageTransfer(dst, descriptor, descriptor.byteSize(), VK_IMAGE_USAGE_TRANSFER_DST_BIT,
                "TRANSFER_DST", "into");
        transfers.copyImage(src.handle(), from.layout, dst.handle(), descriptor);
        from.layout = VK_IMAGE_LAYOUT_GENERAL;
        to.layout = VK_IMAGE_LAYOUT_GENERAL;
    }

    // ------------------------------------------------------------------------------------------
    // Close

    /**
     * Destroys the transfer objects, frees any page the core left behind (logged as a leak), and
     * destroys the device and then this backend's messenger. Buffers and images are kept in no
     * table (see {@link VulkanResources}): the core destroys them before it closes the backend,
     * and one it left behind is reported by the validation layer as the device is destroyed; the shared instance stays (see
     * {@link VulkanBackendProvider#releaseSharedInstances()}). Idempotent. The validation layer reports leaked objects while
     * the device is destroyed, so read the validation counts after this.
     */
    @Override
    public void close() {
        if (!closing.compareAndSet(false, true)) {
            return; // one closer destroys: the program's and the shutdown hook's may race
        }
        closed = true;
        try {
            // Vulkan wants the queues externally synchronised while waiting; the program may be
            // submitting to a shared one, so the lock is held.
            queueLock.lock();
            try {
                if (ownsDevice) {
                    vkDeviceWaitIdle(device);
                } else if (transferQueue != null) {
                    vkQueueWaitIdle(transferQueue);
                }
            } finally {
                queueLock.unlock();
            }
            transfers.close();
            pages.registrations.forEachKey(h -> {
                VulkanPages.Page page = pages.registrations.remove(h);
                if (page != null) {
                    pages.freeImported(page); // the session closed its registrations; a wrapped backend's owner may not have
                }
            });
            if (!pages.handles.isEmpty()) {
                LOG.log(System.Logger.Level.WARNING, "closing Vulkan device " + physical.name() + " with "
                        + pages.handles.size() + " pages alive; freeing them");
                pages.handles.forEachKey(p -> {
                    VulkanPages.Page page = pages.handles.get(p);
                    if (page == null) {
                        return; // freed by another thread since the snapshot of the keys
                    }
                    pages.forgetMapping(page); // its transfer window first
                    vkFreeMemory(device, p, null);
                });
                pages.handles.clear();
            }
            if (ownsDevice) {
                vkDestroyDevice(device, null);
            }
        } finally {
            if (ownsDevice) {
                if (validation != null) {
                    validation.close();
                }
                VulkanInstance.closed(this);
            }
        }
    }

    @Override
    public void setSessionCloser(Runnable closer) {
        sessionCloser = closer;
    }

    @Override
    public void setTransferListener(TransferListener listener) {
        transferListener = listener;
    }

    /** Tells the owning session which way the calling thread's transfer went (null: no transfer, nothing to tell). */
    void transferred(TransferPath path) {
        if (path != null) {
            transferListener.transferred(path);
        }
    }

    /** The owning session's close, or null when no session owns this backend. */
    Runnable sessionCloser() {
        return sessionCloser;
    }

    @Override
    public String toString() {
        return "VulkanBackend[" + physical.describe() + (isValidationEnabled() ? ", validation" : "")
                + (ownsDevice ? "" : ", wrapped")
                + (closed ? ", closed" : "") + "]";
    }

    // ------------------------------------------------------------------------------------------
    // Internals

    /**
     * Whether the device imports host memory ({@code VK_EXT_external_memory_host} with an import
     * alignment no larger than the host page): what both {@code Session.registerHostMemory} and the
     * transfers' {@link #IMPORT_HOST_MEMORY_PROPERTY} need.
     */
    public boolean importsHostMemory() {
        return importAlignment > 0;
    }

    /** Transfers so far copied in place from or into registered host memory; for tests. */
    long registeredTransfers() {
        return transfers.registeredTransfers();
    }

    /** Transfers so far that imported the caller's memory; for tests. */
    long importedTransfers() {
        return transfers.importedTransfers();
    }

    /** Transfers so far copied straight from or into a mapped page of this backend; for the tests. */
    long mappedTransfers() {
        return transfers.mappedTransfers();
    }

    /** The most transfers that were in flight at once; for the tests. */
    int peakTransfersInFlight() {
        return transfers.peakInFlight();
    }

    /**
     * A read-only destination is refused before anything is copied: a staged download copies
     * into its address directly, and a read-only mapping (a file mapped READ_ONLY) would fault.
     */
    private static void requireWritable(ByteBuffer dst) {
        if (dst.isReadOnly()) {
            throw new java.nio.ReadOnlyBufferException();
        }
    }

    /** Depth aspects are copied only on queues that can do graphics (VUID-vkCmdCopyBufferToImage-commandBuffer-07739). */
    private void requireDepthCopies(ImageDescriptor d) {
        if (d.format() != null && d.format().isDepth() && !transferGraphics) {
            throw new UnsupportedOperationException("cannot copy " + d.format() + " images: queue family " + queueFamilyIndex
                    + " of " + physical.name() + " cannot do graphics, which Vulkan requires for depth copies");
        }
    }

    private void requireTransferQueue() {
        if (transferQueue == null) {
            throw new UnsupportedOperationException("the wrapped device " + physical.name() + " was given no queue for "
                    + "the library's transfers, so only host-visible memory can be written and read: pass one with "
                    + "ExistingDevice.withTransferQueue");
        }
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException(this + " is closed");
        }
    }

}
