package dev.lluvia.memory.vulkan;

import dev.lluvia.memory.BackendException;
import dev.lluvia.memory.DeviceFeature;
import dev.lluvia.memory.DeviceLimits;
import dev.lluvia.memory.DeviceNotFoundException;
import dev.lluvia.memory.DeviceProperties;
import dev.lluvia.memory.HeapBudget;
import dev.lluvia.memory.ImageDescriptor;
import dev.lluvia.memory.ImageTiling;
import dev.lluvia.memory.ImageUsage;
import dev.lluvia.memory.MemoryHeap;
import dev.lluvia.memory.MemoryNotMappableException;
import dev.lluvia.memory.MemoryPropertyFlag;
import dev.lluvia.memory.MemoryType;
import dev.lluvia.memory.OutOfDeviceMemoryException;
import dev.lluvia.memory.FeatureNotEnabledException;
import dev.lluvia.memory.UnsupportedFeatureException;
import dev.lluvia.memory.UnsupportedImageFormatException;
import dev.lluvia.memory.alloc.Align;
import dev.lluvia.memory.spi.BackendOptions;
import dev.lluvia.memory.spi.MemoryBackend;
import dev.lluvia.memory.spi.MemoryRequirements;
import dev.lluvia.memory.spi.PageOptions;
import dev.lluvia.memory.ExternalMemoryUnsupportedException;
import dev.lluvia.memory.spi.Resource;
import org.lwjgl.PointerBuffer;
import org.lwjgl.system.MemoryStack;
import org.lwjgl.system.MemoryUtil;
import org.lwjgl.vulkan.*;

import java.nio.ByteBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Collectors;

import static dev.lluvia.memory.vulkan.VulkanResults.check;
import static org.lwjgl.system.MemoryStack.stackPush;
import static org.lwjgl.vulkan.EXTExternalMemoryHost.VK_EXT_EXTERNAL_MEMORY_HOST_EXTENSION_NAME;
import static org.lwjgl.vulkan.EXTMemoryBudget.VK_EXT_MEMORY_BUDGET_EXTENSION_NAME;
import static org.lwjgl.vulkan.VK10.*;
import static org.lwjgl.vulkan.VK11.*;
import static org.lwjgl.vulkan.VK12.VK_API_VERSION_1_2;

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
 * <p>Thread safety: state is kept in {@link HandleMap}s (striped, unboxed); vkMapMemory of a page is serialised on the
 * page, and transfers ({@link TransferQueue}) on one lock for the command buffer, plus the queue
 * lock around each submission, as Vulkan requires.
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
     * at the cost of a driver load per session (NVIDIA's driver can be loaded about 30 times per
     * process). Default {@code true}: the instances live until the JVM's shutdown hook unloads the
     * driver (see {@code VulkanInstance}). Read when the last session closes, so a program may
     * change it between sessions.
     */
    public static final String KEEP_INSTANCES_PROPERTY = "lluvia.vulkan.keepInstances";

    /**
     * Backend property: whether transfers import the caller's direct buffers
     * ({@code VK_EXT_external_memory_host}, where the device has it) instead of copying them
     * through the staging buffers. {@code "false"} (the default) never does, {@code "true"} always
     * imports, {@code "auto"} measures both ways on this device and takes the faster. An import
     * skips a host copy but makes the driver pin the pages for each transfer: on lavapipe that made
     * 64 MiB transfers 3x faster, on the NVIDIA H200 (driver 580) 2-3.6x slower than staging (9-10
     * against 23-35 GB/s; BENCHMARKS.md), and {@code auto} can settle on the slower way when the
     * first timings are noisy, so staging is the default and importing is asked for.
     */
    public static final String IMPORT_HOST_MEMORY_PROPERTY = "lluvia.vulkan.transfer.importHostMemory";

    private static final System.Logger LOG = System.getLogger("dev.lluvia.memory.vulkan");
    private static final int BUFFER_USAGE_SHADER_DEVICE_ADDRESS = 0x20000;

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
    private final boolean bufferDeviceAddress;
    private final boolean memoryPriority;
    private final DeviceProperties properties;
    private final boolean memoryBudget;
    /** VK_KHR_external_memory_fd is enabled: exportable pages and vkGetMemoryFdKHR. */
    private final boolean externalMemoryFd;
    private final long nonCoherentAtomSize;
    private final long maxAllocationCount;
    /** Largest buffer the device creates (VkPhysicalDeviceMaintenance4Properties, Vulkan 1.3); unbounded before. */
    private final long maxBufferSize;
    /**
     * minImportedHostPointerAlignment when {@code VK_EXT_external_memory_host} is enabled for
     * transfers; 0 when it is not (absent, turned off, or an alignment above the host page size,
     * which could reach unmapped pages next to the caller's bytes).
     */
    private final long importAlignment;

    private final long[] heapSizes;
    private final int[] typeHeaps;
    private final int[] typeFlags;
    /** Bytes of this backend's live allocations per heap: the usage when the driver reports no budget. */
    private final AtomicLongArray heapUsage;
    private final AtomicInteger allocationCount = new AtomicInteger();

    private final HandleMap<Page> pages = new HandleMap<>();
    private final HandleMap<BufferState> buffers = new HandleMap<>();
    private final HandleMap<ImageState> images = new HandleMap<>();

    /** Staging buffer, command buffer and fence for copies through the queue; made on first use. */
    private final TransferQueue transfers;

    private volatile boolean closed;
    private final java.util.concurrent.atomic.AtomicBoolean closing = new java.util.concurrent.atomic.AtomicBoolean();
    /** The owning session's close, run by the shutdown hook (see {@link MemoryBackend#setSessionCloser}). */
    private volatile Runnable sessionCloser;

    /** A device and its queues, made by {@link #createDevice} or given by the program. */
    record DeviceSetup(VkDevice device, boolean owned, VkQueue queue, VkQueue transferQueue, int family,
                       Lock queueLock, boolean queueShared, Set<DeviceFeature> features,
                       long importAlignment, boolean externalMemoryFd) {
    }

    private VulkanBackend(VulkanInstance vulkan, VkInstance instance, int instanceApiVersion, ValidationMessages validation,
                          VulkanInstance.PhysicalDevice physical, DeviceSetup setup, String importMode) {
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
                && (queueFamilyFlags(physical.handle()).get(queueFamilyIndex) & VK_QUEUE_GRAPHICS_BIT) != 0;
        this.features = setup.features();
        this.bufferDeviceAddress = features.contains(DeviceFeature.BUFFER_DEVICE_ADDRESS);
        this.memoryPriority = features.contains(DeviceFeature.MEMORY_PRIORITY);
        this.memoryBudget = features.contains(DeviceFeature.MEMORY_BUDGET);
        this.importAlignment = setup.importAlignment();
        this.externalMemoryFd = setup.externalMemoryFd();
        ownDispatchable(device.address());
        if (queue != null) {
            ownDispatchable(queue.address());
        }
        if (transferQueue != null) {
            ownDispatchable(transferQueue.address());
        }
        this.properties = readProperties();
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
        this.maxBufferSize = readMaxBufferSize();
        this.transfers = new TransferQueue(this, device, transferQueue, queueFamilyIndex, queueLock, typeFlags,
                importAlignment, "auto".equals(importMode));
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
            VulkanInstance.PhysicalDevice chosen = choose(vulkan.physicalDevices(), options.device());
            DeviceSetup setup = createDevice(chosen, apiVersion(chosen.apiVersion(), vulkan.apiVersion), options.features(),
                    !"false".equals(importMode));
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
        VulkanInstance.PhysicalDevice physical = describe(instance, pd);
        int api = apiVersion(physical.apiVersion(), d.apiVersion());
        Set<String> extensions = deviceExtensions(pd);
        for (DeviceFeature f : d.enabledFeatures()) {
            String missing = missingSupport(f, pd, api, extensions);
            if (missing != null) {
                throw new UnsupportedFeatureException(f, "the wrapped device " + physical.describe() + " declares "
                        + f + " enabled, but " + missing);
            }
        }
        VKCapabilitiesDevice caps = d.device().getCapabilities();
        if (d.enabledFeatures().contains(DeviceFeature.MEMORY_BUDGET) && !caps.VK_EXT_memory_budget) {
            throw new IllegalArgumentException("the wrapped device declares MEMORY_BUDGET, but its VkDevice was not "
                    + "created with " + VK_EXT_MEMORY_BUDGET_EXTENSION_NAME + " in ppEnabledExtensionNames");
        }
        if (d.enabledFeatures().contains(DeviceFeature.MEMORY_PRIORITY) && !caps.VK_EXT_memory_priority) {
            throw new IllegalArgumentException("the wrapped device declares MEMORY_PRIORITY, but its VkDevice was not "
                    + "created with " + EXTMemoryPriority.VK_EXT_MEMORY_PRIORITY_EXTENSION_NAME + " in ppEnabledExtensionNames");
        }
        if (d.enabledFeatures().contains(DeviceFeature.BUFFER_DEVICE_ADDRESS)
                && caps.vkGetBufferDeviceAddress == 0 && caps.vkGetBufferDeviceAddressKHR == 0) {
            throw new IllegalArgumentException("the wrapped device declares BUFFER_DEVICE_ADDRESS, but its VkDevice has no "
                    + "vkGetBufferDeviceAddress: create the LWJGL VkDevice with apiVersion 1.2 or newer (was "
                    + VulkanInstance.versionString(d.apiVersion()) + "), or enable VK_KHR_buffer_device_address");
        }
        if (d.transferQueue() != null) {
            int families = queueFamilies(pd).size();
            if (d.transferQueueFamily() < 0 || d.transferQueueFamily() >= families) {
                throw new IllegalArgumentException("transfer queue family " + d.transferQueueFamily() + " does not exist: "
                        + physical.describe() + " has families 0 to " + (families - 1));
            }
        }
        Set<DeviceFeature> enabled = EnumSet.of(DeviceFeature.DEDICATED_ALLOCATION);
        enabled.addAll(d.enabledFeatures());
        Lock lock = d.transferQueueLock() != null ? d.transferQueueLock() : new ReentrantLock();
        DeviceSetup setup = new DeviceSetup(d.device(), false, d.transferQueue(), d.transferQueue(),
                d.transferQueue() == null ? -1 : d.transferQueueFamily(), lock, d.transferQueueLock() != null,
                DeviceFeature.setOf(enabled),
                // Imports and exports only where the program's device enabled the extensions.
                caps.VK_EXT_external_memory_host ? importAlignment(pd) : 0, caps.VK_KHR_external_memory_fd);
        VulkanBackend backend = new VulkanBackend(null, instance, d.apiVersion(), null, physical, setup, "false");
        LOG.log(System.Logger.Level.DEBUG, () -> "wrapped the program's Vulkan device " + physical.describe()
                + ", features " + enabled);
        return backend;
    }

    /** The version both the instance (or program) and the device support. */
    private static int apiVersion(int deviceApi, int instanceApi) {
        return Integer.compareUnsigned(deviceApi, instanceApi) < 0 ? deviceApi : instanceApi;
    }

    /** The physical device as enumerated on {@code instance} (its index there, or -1 if not listed). */
    private static VulkanInstance.PhysicalDevice describe(VkInstance instance, VkPhysicalDevice pd) {
        try (MemoryStack stack = stackPush()) {
            int index = -1;
            IntBuffer count = stack.mallocInt(1);
            check(vkEnumeratePhysicalDevices(instance, count, null), "vkEnumeratePhysicalDevices");
            PointerBuffer handles = stack.mallocPointer(count.get(0));
            check(vkEnumeratePhysicalDevices(instance, count, handles), "vkEnumeratePhysicalDevices");
            for (int i = 0; i < count.get(0); i++) {
                if (handles.get(i) == pd.address()) {
                    index = i;
                }
            }
            VkPhysicalDeviceProperties props = VkPhysicalDeviceProperties.malloc(stack);
            vkGetPhysicalDeviceProperties(pd, props);
            return new VulkanInstance.PhysicalDevice(index, pd, props.deviceNameString(),
                    VulkanInstance.deviceType(props.deviceType()), props.apiVersion());
        }
    }

    /**
     * Creates the library's device on {@code physical}: one queue family that can transfer (graphics
     * or compute first), two queues of it when it has more than one (the first for the program, the
     * second for the library's transfers), {@code VK_EXT_memory_budget} when present, and the
     * features asked for.
     *
     * @throws UnsupportedFeatureException if the device lacks a feature asked for; nothing is created then
     */
    private static DeviceSetup createDevice(VulkanInstance.PhysicalDevice physical, int api, Set<DeviceFeature> requested,
                                            boolean importHostMemory) {
        VkPhysicalDevice pd = physical.handle();
        Set<String> available = deviceExtensions(pd);
        for (DeviceFeature f : requested) {
            String missing = missingSupport(f, pd, api, available);
            if (missing != null) {
                throw new UnsupportedFeatureException(f, "cannot enable " + f + " (" + f.vulkanName() + ") on "
                        + physical.describe() + ": " + missing);
            }
        }
        Set<DeviceFeature> enabled = EnumSet.of(DeviceFeature.DEDICATED_ALLOCATION);
        enabled.addAll(requested);
        List<String> extensions = new ArrayList<>();
        if (available.contains(VK_EXT_MEMORY_BUDGET_EXTENSION_NAME)) {
            extensions.add(VK_EXT_MEMORY_BUDGET_EXTENSION_NAME);
            enabled.add(DeviceFeature.MEMORY_BUDGET);
        }
        boolean priority = enabled.contains(DeviceFeature.MEMORY_PRIORITY);
        if (priority) {
            extensions.add(EXTMemoryPriority.VK_EXT_MEMORY_PRIORITY_EXTENSION_NAME);
        }
        if (available.contains(KHRPortabilitySubset.VK_KHR_PORTABILITY_SUBSET_EXTENSION_NAME)) {
            // A portability driver (MoltenVK): the spec requires enabling the subset it implements.
            extensions.add(KHRPortabilitySubset.VK_KHR_PORTABILITY_SUBSET_EXTENSION_NAME);
        }
        long importAlignment = importHostMemory && available.contains(VK_EXT_EXTERNAL_MEMORY_HOST_EXTENSION_NAME)
                ? importAlignment(pd) : 0;
        if (importAlignment > 0) {
            extensions.add(VK_EXT_EXTERNAL_MEMORY_HOST_EXTENSION_NAME);
        }
        // VK_KHR_external_memory is core in Vulkan 1.1, which this backend requires.
        boolean externalMemoryFd = available.contains(KHRExternalMemoryFd.VK_KHR_EXTERNAL_MEMORY_FD_EXTENSION_NAME);
        if (externalMemoryFd) {
            extensions.add(KHRExternalMemoryFd.VK_KHR_EXTERNAL_MEMORY_FD_EXTENSION_NAME);
        }
        int family = chooseQueueFamily(pd, physical);
        int queueCount = Math.min(2, queueFamilies(pd).get(family));
        try (MemoryStack stack = stackPush()) {
            VkDeviceQueueCreateInfo.Buffer queues = VkDeviceQueueCreateInfo.calloc(1, stack);
            queues.get(0).sType$Default().queueFamilyIndex(family)
                    .pQueuePriorities(queueCount == 2 ? stack.floats(1.0f, 1.0f) : stack.floats(1.0f));
            VkDeviceCreateInfo ci = VkDeviceCreateInfo.calloc(stack).sType$Default()
                    .pQueueCreateInfos(queues)
                    .ppEnabledExtensionNames(VulkanInstance.names(stack, extensions));
            if (enabled.contains(DeviceFeature.BUFFER_DEVICE_ADDRESS)) {
                VkPhysicalDeviceVulkan12Features v12 = VkPhysicalDeviceVulkan12Features.calloc(stack).sType$Default()
                        .bufferDeviceAddress(true);
                v12.pNext(ci.pNext());
                ci.pNext(v12.address());
            }
            if (priority) {
                VkPhysicalDeviceMemoryPriorityFeaturesEXT mp = VkPhysicalDeviceMemoryPriorityFeaturesEXT.calloc(stack)
                        .sType$Default().memoryPriority(true);
                mp.pNext(ci.pNext());
                ci.pNext(mp.address());
            }
            PointerBuffer pDevice = stack.mallocPointer(1);
            check(vkCreateDevice(pd, ci, null, pDevice), "vkCreateDevice");
            VkDevice device = new VkDevice(pDevice.get(0), pd, ci, api);
            PointerBuffer pQueue = stack.mallocPointer(1);
            vkGetDeviceQueue(device, family, 0, pQueue);
            VkQueue programQueue = new VkQueue(pQueue.get(0), device);
            VkQueue transferQueue = programQueue;
            if (queueCount == 2) {
                vkGetDeviceQueue(device, family, 1, pQueue);
                transferQueue = new VkQueue(pQueue.get(0), device);
            }
            return new DeviceSetup(device, true, programQueue, transferQueue, family, new ReentrantLock(),
                    queueCount == 1, DeviceFeature.setOf(enabled), importAlignment, externalMemoryFd);
        }
    }

    /** Why {@code pd} cannot have {@code feature} at API {@code api}, or null when it can. */
    private static String missingSupport(DeviceFeature feature, VkPhysicalDevice pd, int api, Set<String> extensions) {
        switch (feature) {
            case DEDICATED_ALLOCATION:
                return null;
            case MEMORY_BUDGET:
                return extensions.contains(VK_EXT_MEMORY_BUDGET_EXTENSION_NAME) ? null
                        : "the device does not offer " + VK_EXT_MEMORY_BUDGET_EXTENSION_NAME;
            case BUFFER_DEVICE_ADDRESS: {
                if (Integer.compareUnsigned(api, VK_API_VERSION_1_2) < 0) {
                    return "it needs Vulkan 1.2; the device and instance give " + VulkanInstance.versionString(api);
                }
                try (MemoryStack stack = stackPush()) {
                    VkPhysicalDeviceVulkan12Features v12 = VkPhysicalDeviceVulkan12Features.calloc(stack).sType$Default();
                    vkGetPhysicalDeviceFeatures2(pd, VkPhysicalDeviceFeatures2.calloc(stack).sType$Default().pNext(v12.address()));
                    return v12.bufferDeviceAddress() ? null : "the device reports bufferDeviceAddress = false";
                }
            }
            case MEMORY_PRIORITY: {
                if (!extensions.contains(EXTMemoryPriority.VK_EXT_MEMORY_PRIORITY_EXTENSION_NAME)) {
                    return "the device does not offer " + EXTMemoryPriority.VK_EXT_MEMORY_PRIORITY_EXTENSION_NAME;
                }
                try (MemoryStack stack = stackPush()) {
                    VkPhysicalDeviceMemoryPriorityFeaturesEXT mp = VkPhysicalDeviceMemoryPriorityFeaturesEXT.calloc(stack).sType$Default();
                    vkGetPhysicalDeviceFeatures2(pd, VkPhysicalDeviceFeatures2.calloc(stack).sType$Default().pNext(mp.address()));
                    return mp.memoryPriority() ? null : "the device reports memoryPriority = false";
                }
            }
            default:
                throw new AssertionError(feature);
        }
    }

    /**
     * The device for {@code selector}: null or blank for the default (discrete, integrated, virtual,
     * CPU, other; the first listed breaking ties), an index, or a case-insensitive name substring.
     */
    static VulkanInstance.PhysicalDevice choose(List<VulkanInstance.PhysicalDevice> devices, String selector) {
        String listing = devices.isEmpty() ? "none" : devices.stream().map(VulkanInstance.PhysicalDevice::describe)
                .collect(Collectors.joining("; "));
        if (selector == null || selector.isBlank()) {
            return devices.stream().filter(VulkanInstance.PhysicalDevice::usable)
                    .min(Comparator.comparingInt((VulkanInstance.PhysicalDevice d) -> d.type().ordinal())
                            .thenComparingInt(VulkanInstance.PhysicalDevice::index))
                    .orElseThrow(() -> new DeviceNotFoundException("no Vulkan device of API 1.1 or newer; devices: " + listing));
        }
        String s = selector.trim();
        VulkanInstance.PhysicalDevice found = null;
        if (s.chars().allMatch(Character::isDigit)) {
            int index;
            try {
                index = Integer.parseInt(s);
            } catch (NumberFormatException e) {
                index = Integer.MAX_VALUE;
            }
            if (index >= devices.size()) {
                throw new DeviceNotFoundException("Vulkan device index " + s + " is out of range: there "
                        + (devices.size() == 1 ? "is 1 device" : "are " + devices.size() + " devices") + " (" + listing + ")");
            }
            found = devices.get(index);
        } else {
            String lower = s.toLowerCase(Locale.ROOT);
            for (VulkanInstance.PhysicalDevice d : devices) {
                if (d.name().toLowerCase(Locale.ROOT).contains(lower)) {
                    found = d;
                    break;
                }
            }
            if (found == null) {
                throw new DeviceNotFoundException("no Vulkan device's name contains '" + s + "'; devices: " + listing);
            }
        }
        if (!found.usable()) {
            throw new DeviceNotFoundException("Vulkan device " + found.describe()
                    + " supports only Vulkan 1.0; this backend needs 1.1 or newer");
        }
        return found;
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
        return allocationCount.get();
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

    @Override
    public List<HeapBudget> heapBudgets() {
        requireOpen();
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

    @Override
    public long allocatePage(int memoryTypeIndex, long size) {
        return allocatePage(memoryTypeIndex, size, PageOptions.DEFAULT);
    }

    /** A page with {@code VkMemoryPriorityAllocateInfoEXT} when the device has memory priority. */
    @Override
    public long allocatePage(int memoryTypeIndex, long size, PageOptions options) {
        return newPage(memoryTypeIndex, size, VK_NULL_HANDLE, VK_NULL_HANDLE, options);
    }

    @Override
    public long allocateDedicatedPage(int memoryTypeIndex, long size, long resource, boolean image) {
        return allocateDedicatedPage(memoryTypeIndex, size, resource, image, PageOptions.DEFAULT);
    }

    /**
     * A page for one buffer or image, allocated with {@code VkMemoryDedicatedAllocateInfo} naming
     * it, as the driver asks through {@code VkMemoryDedicatedRequirements}.
     */
    @Override
    public long allocateDedicatedPage(int memoryTypeIndex, long size, long resource, boolean image,
                                      PageOptions options) {
        if (image) {
            requireImage(resource);
        } else {
            requireBuffer(resource);
        }
        return newPage(memoryTypeIndex, size, image ? VK_NULL_HANDLE : resource, image ? resource : VK_NULL_HANDLE,
                options);
    }

    private long newPage(int memoryTypeIndex, long size, long dedicatedBuffer, long dedicatedImage,
                         PageOptions options) {
        requireOpen();
        if (memoryTypeIndex < 0 || memoryTypeIndex >= typeHeaps.length) {
            throw new IllegalArgumentException("memory type " + memoryTypeIndex + " does not exist; "
                    + physical.name() + " has types 0 to " + (typeHeaps.length - 1));
        }
        if (size <= 0) {
            throw new IllegalArgumentException("page size must be positive, was " + size);
        }
        long handle = allocateDeviceMemory(memoryTypeIndex, size, dedicatedBuffer, dedicatedImage, options);
        pages.put(handle, new Page(handle, memoryTypeIndex, size));
        return handle;
    }

    @Override
    public void freePage(long page) {
        requireOpen();
        Page p = pages.remove(page);
        if (p == null) {
            throw new IllegalArgumentException("unknown page 0x" + Long.toHexString(page));
        }
        freeDeviceMemory(p.handle, p.type, p.size);
    }

    @Override
    public ByteBuffer map(long page, long offset, long size) {
        requireOpen();
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

    @Override
    public void flush(long page, long offset, long size) {
        syncRange(page, offset, size, true);
    }

    @Override
    public void invalidate(long page, long offset, long size) {
        syncRange(page, offset, size, false);
    }

    @Override
    public Resource createBuffer(long size, int usageBits) {
        return createBuffer(size, usageBits, false);
    }

    /** {@code VK_KHR_external_memory_fd} is enabled on this device. */
    @Override
    public boolean hasExternalMemoryFd() {
        return externalMemoryFd;
    }

    /** A new opaque fd of an exportable page, from {@code vkGetMemoryFdKHR}. */
    @Override
    public int exportFd(long page) {
        requireOpen();
        requireExternalMemoryFd();
        if (pages.get(page) == null) {
            throw new IllegalArgumentException("unknown page 0x" + Long.toHexString(page));
        }
        try (MemoryStack stack = stackPush()) {
            IntBuffer pFd = stack.mallocInt(1);
            check(KHRExternalMemoryFd.vkGetMemoryFdKHR(device, VkMemoryGetFdInfoKHR.calloc(stack).sType$Default()
                    .memory(page).handleType(VK_EXTERNAL_MEMORY_HANDLE_TYPE_OPAQUE_FD_BIT), pFd), "vkGetMemoryFdKHR");
            return pFd.get(0);
        }
    }

    private void requireExternalMemoryFd() {
        if (!externalMemoryFd) {
            throw new ExternalMemoryUnsupportedException(physical.name() + " has no VK_KHR_external_memory_fd");
        }
    }

    /** A buffer, with {@code VkExternalMemoryBufferCreateInfo} (opaque fd) when it goes to an exportable page. */
    @Override
    public Resource createBuffer(long size, int usageBits, boolean exportable) {
        requireOpen();
        if (size <= 0) {
            throw new IllegalArgumentException("buffer size must be positive, was " + size);
        }
        if (usageBits == 0) {
            throw new IllegalArgumentException("buffer usage must not be empty");
        }
        if (Long.compareUnsigned(size, maxBufferSize) > 0) {
            throw new IllegalArgumentException("buffer size " + size + " exceeds the largest buffer " + physical.name()
                    + " creates (maxBufferSize " + Long.toUnsignedString(maxBufferSize) + ")");
        }
        if ((usageBits & BUFFER_USAGE_SHADER_DEVICE_ADDRESS) != 0 && !bufferDeviceAddress) {
            throw new FeatureNotEnabledException(DeviceFeature.BUFFER_DEVICE_ADDRESS, "buffer usage SHADER_DEVICE_ADDRESS "
                    + "(usage bits 0x" + Integer.toHexString(usageBits) + ") needs " + DeviceFeature.BUFFER_DEVICE_ADDRESS
                    + ", which is not enabled on " + physical.name() + "; ask for it with SessionOptions.withFeatures");
        }
        try (MemoryStack stack = stackPush()) {
            VkBufferCreateInfo ci = VkBufferCreateInfo.calloc(stack).sType$Default()
                    .size(size).usage(usageBits).sharingMode(VK_SHARING_MODE_EXCLUSIVE);
            if (exportable) {
                requireExternalMemoryFd();
                VkExternalBufferProperties ext = VkExternalBufferProperties.calloc(stack).sType$Default();
                vkGetPhysicalDeviceExternalBufferProperties(physical.handle(), VkPhysicalDeviceExternalBufferInfo.calloc(stack)
                        .sType$Default().usage(usageBits).handleType(VK_EXTERNAL_MEMORY_HANDLE_TYPE_OPAQUE_FD_BIT), ext);
                if ((ext.externalMemoryProperties().externalMemoryFeatures() & VK_EXTERNAL_MEMORY_FEATURE_EXPORTABLE_BIT) == 0) {
                    throw new ExternalMemoryUnsupportedException(physical.name() + " cannot export buffers of usage 0x"
                            + Integer.toHexString(usageBits) + " as opaque file descriptors");
                }
                ci.pNext(VkExternalMemoryBufferCreateInfo.calloc(stack).sType$Default()
                        .handleTypes(VK_EXTERNAL_MEMORY_HANDLE_TYPE_OPAQUE_FD_BIT).address());
            }
            LongBuffer pBuffer = stack.mallocLong(1);
            check(vkCreateBuffer(device, ci, null, pBuffer), "vkCreateBuffer");
            long buffer = pBuffer.get(0);
            VkMemoryDedicatedRequirements dedicated = VkMemoryDedicatedRequirements.calloc(stack).sType$Default();
            VkMemoryRequirements2 req = VkMemoryRequirements2.calloc(stack).sType$Default().pNext(dedicated.address());
            vkGetBufferMemoryRequirements2(device,
                    VkBufferMemoryRequirementsInfo2.calloc(stack).sType$Default().buffer(buffer), req);
            buffers.put(buffer, new BufferState(size, usageBits));
            return new Resource(buffer, requirements(req.memoryRequirements(), dedicated));
        }
    }

    @Override
    public Resource createImage(ImageDescriptor d) {
        return createImage(d, false);
    }

    /** An image, with {@code VkExternalMemoryImageCreateInfo} (opaque fd) when it goes to an exportable page. */
    @Override
    public Resource createImage(ImageDescriptor d, boolean exportable) {
        requireOpen();
        final int format = d.format() != null ? d.format().vkFormat() : VulkanFormats.format(d.channelType(), d.channelCount());
        final int imageType = d.dimensions() == 3 ? VK_IMAGE_TYPE_3D : d.dimensions() == 2 ? VK_IMAGE_TYPE_2D : VK_IMAGE_TYPE_1D;
        final int tiling = d.tiling() == ImageTiling.LINEAR ? VK_IMAGE_TILING_LINEAR : VK_IMAGE_TILING_OPTIMAL;
        final int usage = ImageUsage.toBits(d.usage());
        try (MemoryStack stack = stackPush()) {
            VkImageFormatProperties fp = VkImageFormatProperties.malloc(stack);
            int r = vkGetPhysicalDeviceImageFormatProperties(physical.handle(), format, imageType, tiling, usage, 0, fp);
            if (r == VK_ERROR_FORMAT_NOT_SUPPORTED) {
                throw new UnsupportedImageFormatException(physical.name() + " does not support "
                        + d.dimensions() + "D images of format " + d.formatName()
                        + " (" + d.channelType() + " x " + d.channelCount() + ") with tiling " + d.tiling()
                        + " and usage " + d.usage());
            }
            check(r, "vkGetPhysicalDeviceImageFormatProperties");
            if (d.mipLevels() > fp.maxMipLevels() || Integer.compareUnsigned(d.arrayLayers(), fp.maxArrayLayers()) > 0) {
                throw new UnsupportedImageFormatException(physical.name() + " does not support " + d.dimensions()
                        + "D images of format " + d.formatName() + " with tiling " + d.tiling() + ", usage " + d.usage()
                        + ", mipLevels " + d.mipLevels() + " and arrayLayers " + d.arrayLayers() + ": at most "
                        + fp.maxMipLevels() + " levels and " + fp.maxArrayLayers() + " layers");
            }
            VkExtent3D max = fp.maxExtent();
            if (Integer.compareUnsigned(d.width(), max.width()) > 0 || Integer.compareUnsigned(d.height(), max.height()) > 0
                    || Integer.compareUnsigned(d.depth(), max.depth()) > 0) {
                throw new IllegalArgumentException("image " + d.width() + "x" + d.height() + "x" + d.depth() + " of format "
                        + d.formatName() + " exceeds the largest " + physical.name()
                        + " supports with tiling " + d.tiling() + ": " + max.width() + "x" + max.height() + "x" + max.depth());
            }
            VkImageCreateInfo ci = VkImageCreateInfo.calloc(stack).sType$Default()
                    .imageType(imageType)
                    .format(format)
                    .extent(e -> e.set(d.width(), d.height(), d.depth()))
                    .mipLevels(d.mipLevels())
                    .arrayLayers(d.arrayLayers())
                    .samples(VK_SAMPLE_COUNT_1_BIT)
                    .tiling(tiling)
                    .usage(usage)
                    .sharingMode(VK_SHARING_MODE_EXCLUSIVE)
                    .initialLayout(VK_IMAGE_LAYOUT_UNDEFINED);
            if (exportable) {
                requireExternalMemoryFd();
                VkExternalImageFormatProperties ext = VkExternalImageFormatProperties.calloc(stack).sType$Default();
                int er = vkGetPhysicalDeviceImageFormatProperties2(physical.handle(), VkPhysicalDeviceImageFormatInfo2.calloc(stack)
                        .sType$Default().format(format).type(imageType).tiling(tiling).usage(usage)
                        .pNext(VkPhysicalDeviceExternalImageFormatInfo.calloc(stack).sType$Default()
                                .handleType(VK_EXTERNAL_MEMORY_HANDLE_TYPE_OPAQUE_FD_BIT).address()),
                        VkImageFormatProperties2.calloc(stack).sType$Default().pNext(ext.address()));
                if (er != VK_SUCCESS
                        || (ext.externalMemoryProperties().externalMemoryFeatures() & VK_EXTERNAL_MEMORY_FEATURE_EXPORTABLE_BIT) == 0
                        || (ext.externalMemoryProperties().externalMemoryFeatures() & VK_EXTERNAL_MEMORY_FEATURE_DEDICATED_ONLY_BIT) != 0) {
                    throw new ExternalMemoryUnsupportedException(physical.name() + " cannot export "
                            + d.formatName() + " images with tiling " + d.tiling()
                            + " as opaque file descriptors from shared pages");
                }
                ci.pNext(VkExternalMemoryImageCreateInfo.calloc(stack).sType$Default()
                        .handleTypes(VK_EXTERNAL_MEMORY_HANDLE_TYPE_OPAQUE_FD_BIT).address());
            }
            LongBuffer pImage = stack.mallocLong(1);
            check(vkCreateImage(device, ci, null, pImage), "vkCreateImage");
            long image = pImage.get(0);
            VkMemoryDedicatedRequirements dedicated = VkMemoryDedicatedRequirements.calloc(stack).sType$Default();
            VkMemoryRequirements2 req = VkMemoryRequirements2.calloc(stack).sType$Default().pNext(dedicated.address());
            vkGetImageMemoryRequirements2(device,
                    VkImageMemoryRequirementsInfo2.calloc(stack).sType$Default().image(image), req);
            images.put(image, new ImageState(d, usage));
            return new Resource(image, requirements(req.memoryRequirements(), dedicated));
        }
    }

    @Override
    public void bindBuffer(long buffer, long page, long offset) {
        requireOpen();
        BufferState b = requireBuffer(buffer);
        Page p = requirePage(page);
        check(vkBindBufferMemory(device, buffer, page, offset), "vkBindBufferMemory");
        b.page = p;
        b.offset = offset;
    }

    @Override
    public void bindImage(long image, long page, long offset) {
        requireOpen();
        ImageState i = requireImage(image);
        Page p = requirePage(page);
        check(vkBindImageMemory(device, image, page, offset), "vkBindImageMemory");
        i.page = p;
    }

    @Override
    public void destroyBuffer(long buffer) {
        requireOpen();
        if (buffers.remove(buffer) == null) {
            throw new IllegalArgumentException("unknown buffer 0x" + Long.toHexString(buffer));
        }
        vkDestroyBuffer(device, buffer, null);
    }

    @Override
    public void destroyImage(long image) {
        requireOpen();
        if (images.remove(image) == null) {
            throw new IllegalArgumentException("unknown image 0x" + Long.toHexString(image));
        }
        vkDestroyImage(device, image, null);
    }

    @Override
    public Set<DeviceFeature> enabledFeatures() {
        return features;
    }

    @Override
    public long bufferDeviceAddress(long buffer) {
        requireOpen();
        BufferState b = requireBuffer(buffer);
        if (!bufferDeviceAddress) {
            throw new FeatureNotEnabledException(DeviceFeature.BUFFER_DEVICE_ADDRESS, "buffer 0x" + Long.toHexString(buffer)
                    + " has no device address: " + DeviceFeature.BUFFER_DEVICE_ADDRESS + " is not enabled on " + physical.name());
        }
        if ((b.usage & BUFFER_USAGE_SHADER_DEVICE_ADDRESS) == 0) {
            throw new IllegalArgumentException("buffer 0x" + Long.toHexString(buffer)
                    + " has no device address: its usage lacks SHADER_DEVICE_ADDRESS");
        }
        if (b.page == null) {
            throw new IllegalStateException("buffer 0x" + Long.toHexString(buffer) + " is not bound to memory");
        }
        try (MemoryStack stack = stackPush()) {
            VkBufferDeviceAddressInfo info = VkBufferDeviceAddressInfo.calloc(stack).sType$Default().buffer(buffer);
            return device.getCapabilities().vkGetBufferDeviceAddress != 0
                    ? VK12.vkGetBufferDeviceAddress(device, info)
                    : KHRBufferDeviceAddress.vkGetBufferDeviceAddressKHR(device, info);
        }
    }

    // ------------------------------------------------------------------------------------------
    // Transfers

    @Override
    public void copyToBuffer(long buffer, long offset, ByteBuffer src) {
        requireOpen();
        requireTransferQueue();
        requireBound(buffer, offset, src.remaining(), VK_BUFFER_USAGE_TRANSFER_DST_BIT, "TRANSFER_DST", "into");
        transfers.copyToBuffer(buffer, offset, src);
    }

    @Override
    public void copyFromBuffer(long buffer, long offset, ByteBuffer dst) {
        requireOpen();
        requireTransferQueue();
        requireBound(buffer, offset, dst.remaining(), VK_BUFFER_USAGE_TRANSFER_SRC_BIT, "TRANSFER_SRC", "from");
        transfers.copyFromBuffer(buffer, offset, dst);
    }

    @Override
    public void copyToImage(long image, ImageDescriptor descriptor, ByteBuffer src) {
        requireOpen();
        requireTransferQueue();
        requireDepthCopies(descriptor);
        ImageState state = requireImageTransfer(image, descriptor, src.remaining(), VK_IMAGE_USAGE_TRANSFER_DST_BIT,
                "TRANSFER_DST", "into");
        transfers.copyToImage(image, descriptor, src);
        state.layout = VK_IMAGE_LAYOUT_GENERAL;
    }

    @Override
    public void copyFromImage(long image, ImageDescriptor descriptor, ByteBuffer dst) {
        requireOpen();
        requireTransferQueue();
        requireDepthCopies(descriptor);
        ImageState state = requireImageTransfer(image, descriptor, dst.remaining(), VK_IMAGE_USAGE_TRANSFER_SRC_BIT,
                "TRANSFER_SRC", "from");
        transfers.copyFromImage(image, state.layout, descriptor, dst);
        state.layout = VK_IMAGE_LAYOUT_GENERAL;
    }

    /** Defragmentation's move of a buffer: {@code vkCmdCopyBuffer} on the transfer queue, waited for. */
    @Override
    public void copyBuffer(long src, long dst, long size) {
        requireOpen();
        requireBound(src, 0, size, VK_BUFFER_USAGE_TRANSFER_SRC_BIT, "TRANSFER_SRC", "from");
        requireBound(dst, 0, size, VK_BUFFER_USAGE_TRANSFER_DST_BIT, "TRANSFER_DST", "into");
        transfers.copyBuffer(src, dst, size);
    }

    /** Defragmentation's move of an image: {@code vkCmdCopyImage} with the layout transitions, waited for. */
    @Override
    public void copyImage(long src, long dst, ImageDescriptor descriptor) {
        requireOpen();
        ImageState from = requireImageTransfer(src, descriptor, (int) descriptor.byteSize(), VK_IMAGE_USAGE_TRANSFER_SRC_BIT,
                "TRANSFER_SRC", "from");
        ImageState to = requireImageTransfer(dst, descriptor, (int) descriptor.byteSize(), VK_IMAGE_USAGE_TRANSFER_DST_BIT,
                "TRANSFER_DST", "into");
        transfers.copyImage(src, from.layout, dst, descriptor);
        from.layout = VK_IMAGE_LAYOUT_GENERAL;
        to.layout = VK_IMAGE_LAYOUT_GENERAL;
    }

    // ------------------------------------------------------------------------------------------
    // Close

    /**
     * Destroys the transfer objects, anything the core left behind (logged as a leak), the device
     * and then this backend's messenger; the shared instance stays (see
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
            if (!buffers.isEmpty() || !images.isEmpty() || !pages.isEmpty()) {
                LOG.log(System.Logger.Level.WARNING, "closing Vulkan device " + physical.name() + " with "
                        + buffers.size() + " buffers, " + images.size() + " images and " + pages.size()
                        + " pages alive; destroying them");
                buffers.forEachKey(b -> vkDestroyBuffer(device, b, null));
                images.forEachKey(i -> vkDestroyImage(device, i, null));
                pages.forEachKey(p -> vkFreeMemory(device, p, null));
                buffers.clear();
                images.clear();
                pages.clear();
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

    /** One {@code VkDeviceMemory} the core allocated, and its mapping once made. */
    private static final class Page {
        final long handle;
        final int type;
        final long size;
        /** Host address of byte 0 while mapped; 0 until the first map, flush or invalidate. */
        long address;

        Page(long handle, int type, long size) {
            this.handle = handle;
            this.type = type;
            this.size = size;
        }
    }

    private static final class BufferState {
        final long size;
        final int usage;
        volatile Page page;
        volatile long offset;

        BufferState(long size, int usage) {
            this.size = size;
            this.usage = usage;
        }
    }

    private static final class ImageState {
        final ImageDescriptor descriptor;
        final int usage;
        volatile Page page;
        /** The layout the last transfer left the image in; UNDEFINED until then. */
        volatile int layout = VK_IMAGE_LAYOUT_UNDEFINED;

        ImageState(ImageDescriptor descriptor, int usage) {
            this.descriptor = descriptor;
            this.usage = usage;
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
        if (allocationCount.incrementAndGet() > maxAllocationCount) {
            allocationCount.decrementAndGet();
            throw new BackendException("vkAllocateMemory", "VK_ERROR_TOO_MANY_OBJECTS", physical.name()
                    + " allows " + maxAllocationCount + " allocations at once (maxMemoryAllocationCount)");
        }
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
     * Imports host memory {@code [pointer, pointer + size)} (both aligned to
     * minImportedHostPointerAlignment) as device memory of {@code type}, counted like an allocation;
     * free it with {@link #freeDeviceMemory}. The memory must stay valid until then.
     */
    long importHostMemory(int type, long size, long pointer) {
        if (allocationCount.incrementAndGet() > maxAllocationCount) {
            allocationCount.decrementAndGet();
            throw new BackendException("vkAllocateMemory", "VK_ERROR_TOO_MANY_OBJECTS: " + physical.name()
                    + " allows " + maxAllocationCount + " allocations at once (maxMemoryAllocationCount)");
        }
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

    /** Whether transfers import the caller's direct buffers ({@link #IMPORT_HOST_MEMORY_PROPERTY}). */
    public boolean importsHostMemory() {
        return importAlignment > 0;
    }

    /** Transfers so far that imported the caller's memory; for tests. */
    long importedTransfers() {
        return transfers.importedTransfers();
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
                }
            }
            return p.address;
        }
    }

    private void syncRange(long page, long offset, long size, boolean flush) {
        requireOpen();
        Page p = requirePage(page);
        if (offset < 0 || size < 0 || offset > p.size - size) {
            throw new IndexOutOfBoundsException("range [" + offset + ", " + offset + " + " + size
                    + ") is outside the page of " + p.size + " bytes");
        }
        if (size == 0) {
            return;
        }
        mapped(p);
        // Vulkan wants offsets and sizes in whole atoms, or a range that ends at the end of the page.
        final long atom = nonCoherentAtomSize;
        final long start = Align.roundDown(offset, atom);
        final long end = Align.roundUp(offset + size, atom);
        final long length = end >= p.size ? VK_WHOLE_SIZE : end - start;
        try (MemoryStack stack = stackPush()) {
            VkMappedMemoryRange.Buffer range = VkMappedMemoryRange.calloc(1, stack);
            range.get(0).sType$Default().memory(p.handle).offset(start).size(length);
            if (flush) {
                check(vkFlushMappedMemoryRanges(device, range), "vkFlushMappedMemoryRanges");
            } else {
                check(vkInvalidateMappedMemoryRanges(device, range), "vkInvalidateMappedMemoryRanges");
            }
        }
    }

    private BufferState requireBound(long buffer, long offset, long length, int usageBit, String usageName, String direction) {
        BufferState b = requireBuffer(buffer);
        if ((b.usage & usageBit) == 0) {
            throw new IllegalArgumentException("cannot copy " + direction + " buffer 0x" + Long.toHexString(buffer)
                    + " through a transfer: its usage lacks " + usageName);
        }
        if (b.page == null) {
            throw new IllegalStateException("buffer 0x" + Long.toHexString(buffer) + " is not bound to memory");
        }
        if (offset < 0 || length < 0 || offset > b.size - length) {
            throw new IndexOutOfBoundsException("cannot copy " + length + " bytes at offset " + offset + " " + direction
                    + " a buffer of " + b.size + " bytes");
        }
        return b;
    }

    private ImageState requireImageTransfer(long image, ImageDescriptor d, long length, int usageBit, String usageName,
                                            String direction) {
        ImageState i = requireImage(image);
        if ((i.usage & usageBit) == 0) {
            throw new IllegalArgumentException("cannot copy " + direction + " image 0x" + Long.toHexString(image)
                    + ": its usage " + i.descriptor.usage() + " lacks " + usageName);
        }
        if (i.page == null) {
            throw new IllegalStateException("image 0x" + Long.toHexString(image) + " is not bound to memory");
        }
        if (length != d.byteSize()) {
            throw new IllegalArgumentException("cannot copy " + length + " bytes " + direction + " an image of "
                    + d.byteSize() + " bytes (" + d.width() + "x" + d.height() + "x" + d.depth() + " pixels of "
                    + d.pixelSize() + " bytes)");
        }
        return i;
    }

    private Page requirePage(long page) {
        Page p = pages.get(page);
        if (p == null) {
            throw new IllegalArgumentException("unknown page 0x" + Long.toHexString(page));
        }
        return p;
    }

    private BufferState requireBuffer(long buffer) {
        BufferState b = buffers.get(buffer);
        if (b == null) {
            throw new IllegalArgumentException("unknown buffer 0x" + Long.toHexString(buffer));
        }
        return b;
    }

    private ImageState requireImage(long image) {
        ImageState i = images.get(image);
        if (i == null) {
            throw new IllegalArgumentException("unknown image 0x" + Long.toHexString(image));
        }
        return i;
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

    private static MemoryRequirements requirements(VkMemoryRequirements r, VkMemoryDedicatedRequirements d) {
        return new MemoryRequirements(r.size(), r.alignment(), r.memoryTypeBits(),
                d.prefersDedicatedAllocation(), d.requiresDedicatedAllocation());
    }

    // --- opening helpers ---

    /** The instance version capped by the device's: what may be used on this device. */
    private int effectiveApiVersion() {
        return apiVersion(physical.apiVersion(), instanceApiVersion);
    }

    /** A family that can transfer; one with graphics or compute first, as those copy images of any granularity. */
    private static int chooseQueueFamily(VkPhysicalDevice pd, VulkanInstance.PhysicalDevice physical) {
        try (MemoryStack stack = stackPush()) {
            IntBuffer count = stack.mallocInt(1);
            vkGetPhysicalDeviceQueueFamilyProperties(pd, count, null);
            VkQueueFamilyProperties.Buffer families = VkQueueFamilyProperties.malloc(count.get(0), stack);
            vkGetPhysicalDeviceQueueFamilyProperties(pd, count, families);
            int transferOnly = -1;
            for (int i = 0; i < count.get(0); i++) {
                int flags = families.get(i).queueFlags();
                if ((flags & (VK_QUEUE_GRAPHICS_BIT | VK_QUEUE_COMPUTE_BIT)) != 0) {
                    return i;
                }
                if ((flags & VK_QUEUE_TRANSFER_BIT) != 0 && transferOnly < 0) {
                    transferOnly = i;
                }
            }
            if (transferOnly < 0) {
                throw new DeviceNotFoundException("Vulkan device " + physical.describe() + " has no queue that can transfer");
            }
            return transferOnly;
        }
    }

    /** The queue flags of each queue family, in family order. */
    private static List<Integer> queueFamilyFlags(VkPhysicalDevice pd) {
        return queueFamilyProperty(pd, VkQueueFamilyProperties::queueFlags);
    }

    /** The queue count of each queue family, in family order. */
    private static List<Integer> queueFamilies(VkPhysicalDevice pd) {
        return queueFamilyProperty(pd, VkQueueFamilyProperties::queueCount);
    }

    private static List<Integer> queueFamilyProperty(VkPhysicalDevice pd,
                                                     java.util.function.ToIntFunction<VkQueueFamilyProperties> property) {
        try (MemoryStack stack = stackPush()) {
            IntBuffer count = stack.mallocInt(1);
            vkGetPhysicalDeviceQueueFamilyProperties(pd, count, null);
            VkQueueFamilyProperties.Buffer families = VkQueueFamilyProperties.malloc(count.get(0), stack);
            vkGetPhysicalDeviceQueueFamilyProperties(pd, count, families);
            List<Integer> values = new ArrayList<>();
            for (int i = 0; i < count.get(0); i++) {
                values.add(property.applyAsInt(families.get(i)));
            }
            return values;
        }
    }

    private static java.util.Set<String> deviceExtensions(VkPhysicalDevice pd) {
        try (MemoryStack stack = stackPush()) {
            IntBuffer count = stack.mallocInt(1);
            check(vkEnumerateDeviceExtensionProperties(pd, (String) null, count, null), "vkEnumerateDeviceExtensionProperties");
            VkExtensionProperties.Buffer props = VkExtensionProperties.malloc(count.get(0), stack);
            check(vkEnumerateDeviceExtensionProperties(pd, (String) null, count, props), "vkEnumerateDeviceExtensionProperties");
            java.util.Set<String> names = new java.util.HashSet<>();
            for (int i = 0; i < count.get(0); i++) {
                names.add(props.get(i).extensionNameString());
            }
            return names;
        }
    }

    private DeviceProperties readProperties() {
        VkPhysicalDevice pd = physical.handle();
        try (MemoryStack stack = stackPush()) {
            VkPhysicalDeviceProperties props = VkPhysicalDeviceProperties.malloc(stack);
            vkGetPhysicalDeviceProperties(pd, props);
            String driver = driverVersion(props.vendorID(), props.driverVersion());
            if (Integer.compareUnsigned(effectiveApiVersion(), VK_API_VERSION_1_2) >= 0) {
                VkPhysicalDeviceDriverProperties driverProps = VkPhysicalDeviceDriverProperties.calloc(stack).sType$Default();
                VkPhysicalDeviceProperties2 props2 = VkPhysicalDeviceProperties2.calloc(stack).sType$Default()
                        .pNext(driverProps.address());
                vkGetPhysicalDeviceProperties2(pd, props2);
                String info = driverProps.driverInfoString();
                if (!info.isBlank()) {
                    driver = driverProps.driverNameString() + " " + info;
                }
            }
            VkPhysicalDeviceMemoryProperties memory = VkPhysicalDeviceMemoryProperties.malloc(stack);
            vkGetPhysicalDeviceMemoryProperties(pd, memory);
            List<MemoryType> types = new ArrayList<>();
            for (int i = 0; i < memory.memoryTypeCount(); i++) {
                VkMemoryType t = memory.memoryTypes(i);
                types.add(new MemoryType(i, t.heapIndex(), MemoryPropertyFlag.fromBits(t.propertyFlags())));
            }
            List<MemoryHeap> heaps = new ArrayList<>();
            for (int i = 0; i < memory.memoryHeapCount(); i++) {
                VkMemoryHeap h = memory.memoryHeaps(i);
                heaps.add(new MemoryHeap(i, h.size(), (h.flags() & VK_MEMORY_HEAP_DEVICE_LOCAL_BIT) != 0));
            }
            VkPhysicalDeviceLimits l = props.limits();
            DeviceLimits limits = new DeviceLimits(l.bufferImageGranularity(), l.nonCoherentAtomSize(),
                    Integer.toUnsignedLong(l.maxMemoryAllocationCount()), l.maxImageDimension1D(), l.maxImageDimension2D(),
                    l.maxImageDimension3D(), l.minStorageBufferOffsetAlignment());
            return new DeviceProperties(props.deviceNameString(), physical.type(), props.vendorID(), props.deviceID(),
                    VulkanInstance.versionString(props.apiVersion()), driver, types, heaps, limits, memoryBudget);
        }
    }

    /** minImportedHostPointerAlignment, or 0 when it is above the host's page size. */
    private static long importAlignment(VkPhysicalDevice pd) {
        try (MemoryStack stack = stackPush()) {
            VkPhysicalDeviceExternalMemoryHostPropertiesEXT host = VkPhysicalDeviceExternalMemoryHostPropertiesEXT.calloc(stack)
                    .sType$Default();
            VkPhysicalDeviceProperties2 props2 = VkPhysicalDeviceProperties2.calloc(stack).sType$Default().pNext(host.address());
            vkGetPhysicalDeviceProperties2(pd, props2);
            long alignment = host.minImportedHostPointerAlignment();
            return alignment > 0 && alignment <= MemoryUtil.PAGE_SIZE && Long.bitCount(alignment) == 1 ? alignment : 0;
        }
    }

    private long readMaxBufferSize() {
        if (Integer.compareUnsigned(effectiveApiVersion(), VK13.VK_API_VERSION_1_3) < 0) {
            return Long.MAX_VALUE;
        }
        try (MemoryStack stack = stackPush()) {
            VkPhysicalDeviceMaintenance4Properties m4 = VkPhysicalDeviceMaintenance4Properties.calloc(stack).sType$Default();
            VkPhysicalDeviceProperties2 props2 = VkPhysicalDeviceProperties2.calloc(stack).sType$Default().pNext(m4.address());
            vkGetPhysicalDeviceProperties2(physical.handle(), props2);
            long max = m4.maxBufferSize();
            return max == 0 ? Long.MAX_VALUE : max;
        }
    }

    /** NVIDIA packs its version as 10.8.8.6 bits; others use Vulkan's major.minor.patch. */
    static String driverVersion(int vendorId, int v) {
        if (vendorId == 0x10DE) {
            return ((v >>> 22) & 0x3ff) + "." + ((v >>> 14) & 0xff) + "." + ((v >>> 6) & 0xff) + "." + (v & 0x3f);
        }
        return VulkanInstance.versionString(v);
    }
}
