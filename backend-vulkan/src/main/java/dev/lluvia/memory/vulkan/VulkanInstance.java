package dev.lluvia.memory.vulkan;

import dev.lluvia.memory.DeviceType;
import dev.lluvia.memory.MemoryHeap;
import dev.lluvia.memory.LluviaProperties;
import org.lwjgl.PointerBuffer;
import org.lwjgl.system.MemoryStack;
import org.lwjgl.vulkan.VK;
import org.lwjgl.vulkan.VkApplicationInfo;
import org.lwjgl.vulkan.VkDebugUtilsMessengerCreateInfoEXT;
import org.lwjgl.vulkan.VkExtensionProperties;
import org.lwjgl.vulkan.VkInstance;
import org.lwjgl.vulkan.VkInstanceCreateInfo;
import org.lwjgl.vulkan.VkLayerProperties;
import org.lwjgl.vulkan.VkPhysicalDevice;
import org.lwjgl.vulkan.VkPhysicalDeviceMemoryProperties;
import org.lwjgl.vulkan.VkPhysicalDeviceProperties;
import org.lwjgl.vulkan.VkValidationFeaturesEXT;

import java.nio.IntBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static dev.lluvia.memory.vulkan.VulkanResults.check;
import static org.lwjgl.system.MemoryStack.stackPush;
import static org.lwjgl.vulkan.EXTDebugUtils.*;
import static org.lwjgl.vulkan.EXTValidationFeatures.*;
import static org.lwjgl.vulkan.KHRPortabilityEnumeration.*;
import static org.lwjgl.vulkan.VK10.*;
import static org.lwjgl.vulkan.VK11.VK_API_VERSION_1_1;
import static org.lwjgl.vulkan.VK12.VK_API_VERSION_1_2;
import static org.lwjgl.vulkan.VK13.VK_API_VERSION_1_3;

/**
 * A {@code VkInstance}, with the validation layer when debug checks are asked for, and the
 * physical devices it sees. There is one instance per JVM per configuration (debug off; debug
 * with synchronization validation; debug without), made the first time {@link #shared} asks for
 * it and shared by the provider's probe, its device list and every {@link VulkanBackend}.
 *
 * <p>The lifecycle follows two facts of NVIDIA's driver (580.159.04; measured on an H100 and on
 * two H200s, docs/devices.md):
 * <ul>
 *   <li>Each time the last instance goes, the loader unloads the driver, and each load takes
 *       static TLS that glibc does not give back: after about 30 loads in a process,
 *       {@code vkCreateInstance} fails with {@code VK_ERROR_INCOMPATIBLE_DRIVER}
 *       ("libnvidia-tls.so: cannot allocate memory in static TLS block"). So the instances are
 *       kept between sessions and the probe uses the same one: the driver is loaded once.</li>
 *   <li>A process that exits with the driver loaded dies with SIGSEGV in
 *       {@code libEGL_nvidia.so.0} on one of the driver's own threads (every such exit crashed on
 *       the H200, pinned or not, devices open or closed); one that unloaded it first exits
 *       cleanly, but only when the unloading thread is the one that loaded the driver, or that
 *       thread has ended: unloading it from another thread (a shutdown hook, a worker) while the
 *       loading thread lives crashed the same way, every time. So every {@code vkCreateInstance}
 *       and {@code vkDestroyInstance} runs on one daemon thread of the library
 *       ({@link #DRIVER_THREAD}), and a shutdown hook ({@link #shutdown}) closes the sessions
 *       still open and has that thread destroy the instances, which unloads the driver before
 *       the process ends. A program needs no call at the end of {@code main}.</li>
 * </ul>
 * With {@value VulkanBackend#KEEP_INSTANCES_PROPERTY}{@code =false} the instances are also destroyed whenever the last
 * session closes (the driver's memory is given back between sessions, at the cost of a load per
 * session); {@link VulkanBackendProvider#releaseSharedInstances()} destroys them on demand.
 *
 * <p>Validation messages: each debug session makes its own {@code VkDebugUtilsMessengerEXT} on the
 * shared debug instance ({@link ValidationMessages#attach}), so counts stay per session. The
 * messages of {@code vkCreateInstance} and {@code vkDestroyInstance} go to a messenger chained
 * into the create info, the only way to see them; they are logged and counted in
 * {@link #creationMessages}, not in any session's counts (the instance is made once, by the
 * first session or probe that needs it, and destroyed only by {@link #releaseShared}).
 */
final class VulkanInstance {

    static final String VALIDATION_LAYER = "VK_LAYER_KHRONOS_validation";
    private static final System.Logger LOG = System.getLogger("dev.lluvia.memory.vulkan");

    /** Why the Vulkan loader could not be loaded, remembered: a failed class init cannot be retried. */
    private static volatile String loaderFailure;
    private static volatile boolean loaderChecked;

    /**
     * The shared instances: [0] without debug, [1] debug with synchronization validation, [2] debug
     * without. Guarded by the class lock; a slot stays empty while its creation fails, so a later
     * call tries again.
     */
    private static final VulkanInstance[] SHARED = new VulkanInstance[3];
    /** Backends open on the shared instances (acquired, closed not yet called); guarded by the class lock. */
    private static int openBackends;
    /** The backends made on them and not closed, for the shutdown hook; guarded by the class lock. */
    private static final Set<VulkanBackend> OPEN = new java.util.LinkedHashSet<>();
    /**
     * {@value VulkanBackend#KEEP_INSTANCES_PROPERTY} as the last {@link #acquire} read it; guarded
     * by the class lock. Read when a backend opens, so a bad value fails there and not in a close.
     */
    private static boolean keepInstances = true;

    final VkInstance instance;
    /** The instance's API version: the highest of 1.3, 1.2, 1.1 that the loader supports. */
    final int apiVersion;
    /** Whether the validation layer is on (debug asked for and the layer installed). */
    final boolean validationEnabled;
    /** Whether {@code VK_EXT_debug_utils} is enabled, so sessions can attach messengers. */
    final boolean debugUtils;
    /**
     * Messages of {@code vkCreateInstance} (from the messenger chained into its create info); null
     * without debug-utils. Its native callback is never freed: the instance keeps it.
     */
    final ValidationMessages creationMessages;

    private VulkanInstance(VkInstance instance, int apiVersion, boolean validationEnabled, boolean debugUtils,
                           ValidationMessages creationMessages) {
        this.instance = instance;
        this.apiVersion = apiVersion;
        this.validationEnabled = validationEnabled;
        this.debugUtils = debugUtils;
        this.creationMessages = creationMessages;
    }

    /**
     * Loads the Vulkan loader ({@code libvulkan.so.1}) through LWJGL once per JVM, quietly: what
     * LWJGL prints when it cannot is kept out of {@code System.err} ({@link LwjglDebugStream}) and
     * logged at DEBUG; the returned reason says what is missing.
     *
     * @return null when the loader is present, otherwise why not
     */
    static synchronized String loadLoader() {
        if (!loaderChecked) {
            StringBuilder lwjglOutput = new StringBuilder();
            loaderFailure = null;
            try {
                // LWJGL's own native library first, so that its absence is not blamed on Vulkan.
                LwjglDebugStream.capture(() -> {
                    org.lwjgl.system.Library.initialize();
                    return null;
                }, lwjglOutput);
            } catch (Throwable t) {
                loaderFailure = "LWJGL's natives did not load (" + t + "): put the jar org.lwjgl:lwjgl:"
                        + org.lwjgl.Version.VERSION_MAJOR + "." + org.lwjgl.Version.VERSION_MINOR + "."
                        + org.lwjgl.Version.VERSION_REVISION + ":" + nativesClassifier()
                        + " on the class path (on the module path it is the module org.lwjgl.natives: add it"
                        + " with --add-modules org.lwjgl.natives)";
            }
            if (loaderFailure == null) {
                try {
                    LwjglDebugStream.capture(VK::getFunctionProvider, lwjglOutput);
                } catch (Throwable t) {
                    // UnsatisfiedLinkError or IllegalStateException (LWJGL found no loader): no
                    // Vulkan here. The JVM keeps the class unusable.
                    loaderFailure = "no Vulkan loader (libvulkan.so.1): " + t;
                }
            }
            if (!lwjglOutput.isEmpty()) {
                LOG.log(System.Logger.Level.DEBUG, () -> "LWJGL, loading the Vulkan loader:\n" + lwjglOutput);
            }
            loaderChecked = true;
        }
        return loaderFailure;
    }

    /** The classifier of LWJGL's natives jar for this machine, as LWJGL publishes them. */
    static String nativesClassifier() {
        String os = switch (org.lwjgl.system.Platform.get()) {
            case LINUX -> "linux";
            case MACOSX -> "macos";
            case WINDOWS -> "windows";
            case FREEBSD -> "freebsd";
        };
        String arch = switch (org.lwjgl.system.Platform.getArchitecture()) {
            case X64 -> "";
            case X86 -> "-x86";
            case ARM64 -> "-arm64";
            case ARM32 -> "-arm32";
            case PPC64LE -> "-ppc64le";
            case RISCV64 -> "-riscv64";
        };
        return "natives-" + os + arch;
    }

    /**
     * The JVM's instance for this configuration, created on first use (see the class comment for
     * why it is shared). Thread-safe.
     *
     * @param debug                 the validation layer and {@code VK_EXT_debug_utils}, when installed
     * @param synchronizationChecks with {@code debug}, also the layer's synchronization validation
     *                              ({@code VK_EXT_validation_features}), which checks the barriers of
     *                              the transfers; ignored without {@code debug}
     * @throws dev.lluvia.memory.BackendException if there is no loader or {@code vkCreateInstance} fails
     */
    static synchronized VulkanInstance shared(boolean debug, boolean synchronizationChecks) {
        int slot = !debug ? 0 : synchronizationChecks ? 1 : 2;
        if (slot != 0 && SHARED[0] == null) {
            // Keeps the driver loaded while the debug instance's extension queries run (see above).
            shared(false, false);
        }
        if (SHARED[slot] == null) {
            String failure = loadLoader();
            if (failure != null) {
                throw new dev.lluvia.memory.BackendException("loading the Vulkan loader", failure);
            }
            SHARED[slot] = onDriverThread(() -> create(debug, debug && synchronizationChecks));
            LOG.log(System.Logger.Level.DEBUG, () -> "created the JVM's Vulkan instance"
                    + (debug ? " with debug checks" + (synchronizationChecks ? " and synchronization validation" : "") : "")
                    + "; it lives until the JVM's shutdown hook or releaseShared()");
        }
        return SHARED[slot];
    }

    /**
     * {@link #shared}, counted as used by an open backend until {@link #closed}. Reads
     * {@value VulkanBackend#KEEP_INSTANCES_PROPERTY} here, so that a bad value fails the opening
     * (nothing acquired) and never a close.
     *
     * @throws IllegalArgumentException if {@value VulkanBackend#KEEP_INSTANCES_PROPERTY} is not true or false
     */
    static synchronized VulkanInstance acquire(boolean debug, boolean synchronizationChecks) {
        boolean keep = LluviaProperties.flag(Map.of(), VulkanBackend.KEEP_INSTANCES_PROPERTY, true);
        VulkanInstance vulkan = shared(debug, synchronizationChecks);
        keepInstances = keep;
        openBackends++;
        return vulkan;
    }

    /** Backends open on the shared instances now. */
    static synchronized int openBackends() {
        return openBackends;
    }

    /** Whether any shared instance exists now (for tests). */
    static synchronized boolean anyShared() {
        for (VulkanInstance v : SHARED) {
            if (v != null) {
                return true;
            }
        }
        return false;
    }

    /** {@link VulkanBackend#open} made a backend on an instance from {@link #acquire}. */
    static synchronized void opened(VulkanBackend backend) {
        OPEN.add(backend);
    }

    /**
     * A backend from {@link #acquire} closed ({@code null}: its opening failed). With
     * {@value VulkanBackend#KEEP_INSTANCES_PROPERTY}{@code =false} (as read by the last
     * {@link #acquire}), closing the last one destroys the instances, which unloads the driver
     * until the next session; by default they stay for the next session and the shutdown hook
     * destroys them.
     */
    static synchronized void closed(VulkanBackend backend) {
        if (backend != null) {
            OPEN.remove(backend);
        }
        openBackends--;
        if (openBackends == 0 && !keepInstances) {
            releaseShared();
        }
    }

    private static boolean hookRegistered;

    /**
     * Once per JVM, with the first instance: a shutdown hook that closes the Vulkan sessions still
     * open and destroys the shared instances, so the loader unloads the driver before the process
     * exits. On NVIDIA's driver (580, H200) a process that exits with the driver loaded dies with
     * SIGSEGV in {@code libEGL_nvidia.so.0} on one of the driver's threads (docs/devices.md).
     */
    private static void registerShutdownHook() {
        if (hookRegistered) {
            return;
        }
        hookRegistered = true;
        Runtime.getRuntime().addShutdownHook(new Thread(VulkanInstance::shutdown, "lluvia-vulkan-shutdown"));
    }

    /**
     * The shutdown hook's work: close what is open (logged), then destroy the instances. A backend
     * owned by a session is closed through the session, so its Memories close and their mapped
     * views are shut before the pages are freed; the backend's own close follows in any case
     * (idempotent), in case the session's failed or none owns it.
     */
    static void shutdown() {
        List<VulkanBackend> open;
        synchronized (VulkanInstance.class) {
            open = new ArrayList<>(OPEN);
        }
        for (VulkanBackend backend : open) {
            // System.err, not the logger: java.util.logging may already be reset by its own hook.
            System.err.println("lluvia-memory: closing " + backend + ", still open at JVM exit, so that the"
                    + " Vulkan driver is unloaded before the process ends");
            Runnable session = backend.sessionCloser();
            if (session != null) {
                try {
                    session.run();
                } catch (RuntimeException | Error e) {
                    // A leak report under LeakPolicy.THROW, or a failed free: the backend still closes.
                    System.err.println("lluvia-memory: closing the session of " + backend + " at JVM exit failed: " + e);
                }
            }
            try {
                backend.close();
            } catch (RuntimeException | Error e) {
                System.err.println("lluvia-memory: closing " + backend + " at JVM exit failed: " + e);
            }
        }
        releaseShared();
    }

    /**
     * Destroys the shared instances (debug ones first, so the driver stays loaded until the last)
     * when no backend is open; the next {@link #shared} creates them again.
     *
     * @return whether they are destroyed (true also when there were none)
     */
    static synchronized boolean releaseShared() {
        if (openBackends > 0) {
            return false;
        }
        for (int slot : new int[] {1, 2, 0}) {
            VulkanInstance vulkan = SHARED[slot];
            if (vulkan != null) {
                SHARED[slot] = null;
                onDriverThread(() -> {
                    vkDestroyInstance(vulkan.instance, null);
                    if (vulkan.creationMessages != null) {
                        // The chained messenger also reports during vkDestroyInstance; free it after.
                        vulkan.creationMessages.free();
                    }
                    return null;
                });
                LOG.log(System.Logger.Level.DEBUG, "destroyed the JVM's shared Vulkan instance " + slot);
            }
        }
        return true;
    }

    /**
     * The one thread that creates and destroys the instances, so the thread that loads the driver
     * is the one that unloads it (see the class comment); a daemon, idle between calls.
     */
    private static final ExecutorService DRIVER_THREAD = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "lluvia-vulkan-driver");
        t.setDaemon(true);
        return t;
    });

    /**
     * Runs {@code work} on {@link #DRIVER_THREAD} and waits for it, also when interrupted (the
     * interrupt is kept): an instance is made or destroyed whole, never left half-done.
     */
    private static <T> T onDriverThread(Callable<T> work) {
        Future<T> result = DRIVER_THREAD.submit(work);
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return result.get();
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (ExecutionException e) {
                    Throwable cause = e.getCause();
                    if (cause instanceof RuntimeException re) {
                        throw re;
                    }
                    if (cause instanceof Error error) {
                        throw error;
                    }
                    throw new IllegalStateException(cause);
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Creates an instance; only {@link #shared} calls this, on {@link #DRIVER_THREAD}. */
    private static VulkanInstance create(boolean debug, boolean synchronizationChecks) {
        int loaderVersion = VK.getInstanceVersionSupported();
        if (loaderVersion < VK_API_VERSION_1_1) {
            throw new dev.lluvia.memory.BackendException("vkEnumerateInstanceVersion",
                    "the Vulkan loader supports only " + versionString(loaderVersion) + "; 1.1 or newer is needed");
        }
        int apiVersion = loaderVersion >= VK_API_VERSION_1_3 ? VK_API_VERSION_1_3
                : loaderVersion >= VK_API_VERSION_1_2 ? VK_API_VERSION_1_2 : VK_API_VERSION_1_1;
        ValidationMessages creation = null;
        boolean layer = false;
        try (MemoryStack stack = stackPush()) {
            List<String> layers = new ArrayList<>();
            List<String> extensions = new ArrayList<>();
            VkDebugUtilsMessengerCreateInfoEXT messengerInfo = null;
            VkValidationFeaturesEXT features = null;
            if (debug) {
                layer = instanceLayers().contains(VALIDATION_LAYER);
                if (layer) {
                    layers.add(VALIDATION_LAYER);
                } else {
                    LOG.log(System.Logger.Level.WARNING, "debug checks asked for, but the Vulkan validation layer "
                            + VALIDATION_LAYER + " is not installed (Debian: vulkan-validationlayers); running without it");
                }
                Set<String> available = instanceExtensions(null);
                if (layer) {
                    available.addAll(instanceExtensions(VALIDATION_LAYER));
                }
                if (available.contains(VK_EXT_DEBUG_UTILS_EXTENSION_NAME)) {
                    extensions.add(VK_EXT_DEBUG_UTILS_EXTENSION_NAME);
                    creation = new ValidationMessages();
                    messengerInfo = creation.messengerInfo(stack);
                }
                if (layer && synchronizationChecks && available.contains(VK_EXT_VALIDATION_FEATURES_EXTENSION_NAME)) {
                    extensions.add(VK_EXT_VALIDATION_FEATURES_EXTENSION_NAME);
                    features = VkValidationFeaturesEXT.calloc(stack).sType$Default()
                            .pEnabledValidationFeatures(stack.ints(VK_VALIDATION_FEATURE_ENABLE_SYNCHRONIZATION_VALIDATION_EXT));
                }
            }
            // MoltenVK (macOS) is a portability driver: the loader (1.3.216 and later) lists its
            // devices only to an instance that enables VK_KHR_portability_enumeration and sets the
            // enumerate-portability flag. Both are harmless where every driver is conformant.
            boolean portability = instanceExtensions(null).contains(VK_KHR_PORTABILITY_ENUMERATION_EXTENSION_NAME);
            if (portability) {
                extensions.add(VK_KHR_PORTABILITY_ENUMERATION_EXTENSION_NAME);
            }
            VkApplicationInfo app = VkApplicationInfo.calloc(stack).sType$Default()
                    .pApplicationName(stack.UTF8("lluvia-memory"))
                    .pEngineName(stack.UTF8("lluvia-memory"))
                    .apiVersion(apiVersion);
            VkInstanceCreateInfo ci = VkInstanceCreateInfo.calloc(stack).sType$Default()
                    .flags(portability ? VK_INSTANCE_CREATE_ENUMERATE_PORTABILITY_BIT_KHR : 0)
                    .pApplicationInfo(app)
                    .ppEnabledLayerNames(names(stack, layers))
                    .ppEnabledExtensionNames(names(stack, extensions));
            if (messengerInfo != null) {
                // Chained, so the messages of vkCreateInstance are seen; sessions attach their own.
                messengerInfo.pNext(ci.pNext());
                ci.pNext(messengerInfo.address());
            }
            if (features != null) {
                features.pNext(ci.pNext());
                ci.pNext(features.address());
            }
            PointerBuffer pInstance = stack.mallocPointer(1);
            check(vkCreateInstance(ci, null, pInstance), "vkCreateInstance");
            registerShutdownHook();
            VkInstance instance = new VkInstance(pInstance.get(0), ci);
            return new VulkanInstance(instance, apiVersion, layer, creation != null, creation);
        } catch (RuntimeException | Error e) {
            if (creation != null) {
                creation.free();
            }
            throw e;
        }
    }

    /** One physical device as enumerated. */
    record PhysicalDevice(int index, VkPhysicalDevice handle, String name, DeviceType type, int apiVersion) {

        /** The device's memory heaps ({@code vkGetPhysicalDeviceMemoryProperties}). */
        List<MemoryHeap> heaps() {
            try (MemoryStack stack = stackPush()) {
                VkPhysicalDeviceMemoryProperties mp = VkPhysicalDeviceMemoryProperties.malloc(stack);
                vkGetPhysicalDeviceMemoryProperties(handle, mp);
                List<MemoryHeap> heaps = new ArrayList<>();
                for (int i = 0; i < mp.memoryHeapCount(); i++) {
                    heaps.add(new MemoryHeap(i, mp.memoryHeaps(i).size(),
                            (mp.memoryHeaps(i).flags() & VK_MEMORY_HEAP_DEVICE_LOCAL_BIT) != 0));
                }
                return heaps;
            }
        }

        /** Whether the backend can use it: Vulkan 1.1 or newer. */
        boolean usable() {
            return apiVersion >= VK_API_VERSION_1_1;
        }

        /** "0: llvmpipe (LLVM 15.0.6, 256 bits) [CPU, Vulkan 1.3.230]". */
        String describe() {
            return index + ": " + name + " [" + type + ", Vulkan " + versionString(apiVersion) + "]";
        }
    }

    /** The physical devices in the order the loader lists them. */
    List<PhysicalDevice> physicalDevices() {
        try (MemoryStack stack = stackPush()) {
            IntBuffer count = stack.mallocInt(1);
            check(vkEnumeratePhysicalDevices(instance, count, null), "vkEnumeratePhysicalDevices");
            PointerBuffer handles = stack.mallocPointer(count.get(0));
            check(vkEnumeratePhysicalDevices(instance, count, handles), "vkEnumeratePhysicalDevices");
            List<PhysicalDevice> devices = new ArrayList<>();
            VkPhysicalDeviceProperties props = VkPhysicalDeviceProperties.malloc(stack);
            for (int i = 0; i < count.get(0); i++) {
                VkPhysicalDevice pd = new VkPhysicalDevice(handles.get(i), instance);
                vkGetPhysicalDeviceProperties(pd, props);
                devices.add(new PhysicalDevice(i, pd, props.deviceNameString(), deviceType(props.deviceType()),
                        props.apiVersion()));
            }
            return devices;
        }
    }

    static DeviceType deviceType(int vkType) {
        return switch (vkType) {
            case VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU -> DeviceType.DISCRETE_GPU;
            case VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU -> DeviceType.INTEGRATED_GPU;
            case VK_PHYSICAL_DEVICE_TYPE_VIRTUAL_GPU -> DeviceType.VIRTUAL_GPU;
            case VK_PHYSICAL_DEVICE_TYPE_CPU -> DeviceType.CPU;
            default -> DeviceType.OTHER;
        };
    }

    /** "1.3.230" from a packed Vulkan API version. */
    static String versionString(int v) {
        return VK_API_VERSION_MAJOR(v) + "." + VK_API_VERSION_MINOR(v) + "." + VK_API_VERSION_PATCH(v);
    }

    private static Set<String> instanceLayers() {
        try (MemoryStack stack = stackPush()) {
            IntBuffer count = stack.mallocInt(1);
            check(vkEnumerateInstanceLayerProperties(count, null), "vkEnumerateInstanceLayerProperties");
            VkLayerProperties.Buffer props = VkLayerProperties.malloc(count.get(0), stack);
            check(vkEnumerateInstanceLayerProperties(count, props), "vkEnumerateInstanceLayerProperties");
            Set<String> names = new HashSet<>();
            for (int i = 0; i < count.get(0); i++) {
                names.add(props.get(i).layerNameString());
            }
            return names;
        }
    }

    private static Set<String> instanceExtensions(String layer) {
        try (MemoryStack stack = stackPush()) {
            IntBuffer count = stack.mallocInt(1);
            check(vkEnumerateInstanceExtensionProperties(layer, count, null), "vkEnumerateInstanceExtensionProperties");
            VkExtensionProperties.Buffer props = VkExtensionProperties.malloc(count.get(0), stack);
            check(vkEnumerateInstanceExtensionProperties(layer, count, props), "vkEnumerateInstanceExtensionProperties");
            Set<String> names = new HashSet<>();
            for (int i = 0; i < count.get(0); i++) {
                names.add(props.get(i).extensionNameString());
            }
            return names;
        }
    }

    static PointerBuffer names(MemoryStack stack, List<String> names) {
        if (names.isEmpty()) {
            return null;
        }
        PointerBuffer p = stack.mallocPointer(names.size());
        for (String n : names) {
            p.put(stack.UTF8(n));
        }
        return p.flip();
    }
}
