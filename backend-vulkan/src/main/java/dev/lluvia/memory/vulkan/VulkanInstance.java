package dev.lluvia.memory.vulkan;

import dev.lluvia.memory.DeviceType;
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
import org.lwjgl.vulkan.VkPhysicalDeviceProperties;
import org.lwjgl.vulkan.VkValidationFeaturesEXT;

import java.nio.IntBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static dev.lluvia.memory.vulkan.VulkanResults.check;
import static org.lwjgl.system.MemoryStack.stackPush;
import static org.lwjgl.vulkan.EXTDebugUtils.*;
import static org.lwjgl.vulkan.EXTValidationFeatures.*;
import static org.lwjgl.vulkan.VK10.*;
import static org.lwjgl.vulkan.VK11.VK_API_VERSION_1_1;
import static org.lwjgl.vulkan.VK12.VK_API_VERSION_1_2;
import static org.lwjgl.vulkan.VK13.VK_API_VERSION_1_3;

/**
 * A {@code VkInstance}, with the validation layer when debug checks are asked for, and the
 * physical devices it sees. There is one instance per JVM per configuration (debug off; debug
 * with synchronization validation; debug without), made the first time {@link #shared} asks for
 * it and shared by the provider's probe and every {@link VulkanBackend}; destroyed only by
 * {@link #releaseShared}, when no backend is open.
 *
 * <p>Why shared: on an NVIDIA H100 (driver 580.159.04, in a container), after 30 cycles of
 * {@code vkCreateInstance} + {@code vkDestroyInstance} in one process the next
 * {@code vkCreateInstance} fails with {@code VK_ERROR_INCOMPATIBLE_DRIVER}; with an instance per
 * session (and one more per probe) the 15th session of a JVM failed. The loader's log says why:
 * {@code libnvidia-tls.so: cannot allocate memory in static TLS block}, then "Failed loading
 * library associated with ICD JSON libGLX_nvidia.so.0". Each time the last instance goes, the
 * loader unloads the driver, and each reload takes static TLS that glibc does not give back.
 * While one instance lives the driver stays loaded, and 100 sessions (a third with validation)
 * ran in one JVM. The non-debug instance is therefore made first ({@link #shared} makes it before
 * a debug one), so the extension queries of a debug instance find the driver loaded too.
 *
 * <p>Why not kept until exit: measured on the same machine, a JVM whose main thread ends while
 * the NVIDIA driver is loaded dies with SIGSEGV in {@code libEGL_nvidia.so.0} (also with a shutdown
 * hook that destroys the instances: hooks run too late), and exits cleanly when the last instance
 * was destroyed on the main thread before. So the instances are destroyed when the last session
 * closes ({@link #closed}): a program that opens a session, works and closes it exits cleanly. A
 * later session creates them again (one more driver load, of the 30 or so the process can
 * afford). Programs that open and close many sessions in turn set {@value #KEEP_PROPERTY} and call
 * {@link VulkanBackendProvider#releaseSharedInstances()} at the end of {@code main}; the test
 * suite does (see {@code ReleaseVulkanAfterTests}). A probe alone (no session ever opened)
 * leaves the non-debug instance until a session closes or the release is called.
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
    /** Backends open on the shared instances; guarded by the class lock. */
    private static int openBackends;

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
     * Loads {@code libvulkan.so.1} through LWJGL once per JVM.
     *
     * @return null when the loader is present, otherwise why not
     */
    static synchronized String loadLoader() {
        if (!loaderChecked) {
            try {
                VK.getFunctionProvider();
                loaderFailure = null;
            } catch (Throwable t) {
                // LinkageError (no libvulkan / no LWJGL natives), IllegalStateException (no loader
                // found by LWJGL): either way no Vulkan here. The JVM keeps the class unusable.
                loaderFailure = "no Vulkan loader (libvulkan.so.1): " + t;
            }
            loaderChecked = true;
        }
        return loaderFailure;
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
            SHARED[slot] = create(debug, debug && synchronizationChecks);
            LOG.log(System.Logger.Level.DEBUG, () -> "created the JVM's Vulkan instance"
                    + (debug ? " with debug checks" + (synchronizationChecks ? " and synchronization validation" : "") : "")
                    + "; it lives until releaseShared()");
        }
        return SHARED[slot];
    }

    /** {@link #shared}, counted as used by an open backend until {@link #closed()}. */
    static synchronized VulkanInstance acquire(boolean debug, boolean synchronizationChecks) {
        VulkanInstance vulkan = shared(debug, synchronizationChecks);
        openBackends++;
        return vulkan;
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

    /**
     * A backend from {@link #acquire} closed. When it was the last, the shared instances are
     * destroyed (and the driver unloaded) unless {@value VulkanBackend#KEEP_INSTANCES_PROPERTY} is {@code true}: a program
     * that closes its sessions then exits cleanly on NVIDIA without knowing about any of this.
     */
    static synchronized void closed() {
        openBackends--;
        if (openBackends == 0
                && !LluviaProperties.flag(Map.of(), VulkanBackend.KEEP_INSTANCES_PROPERTY, false)) {
            releaseShared();
        }
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
                vkDestroyInstance(vulkan.instance, null);
                if (vulkan.creationMessages != null) {
                    // The chained messenger also reports during vkDestroyInstance; free it after.
                    vulkan.creationMessages.free();
                }
                LOG.log(System.Logger.Level.DEBUG, "destroyed the JVM's shared Vulkan instance " + slot);
            }
        }
        return true;
    }

    /** Creates an instance; only {@link #shared} calls this. */
    private static VulkanInstance create(boolean debug, boolean synchronizationChecks) {
        String failure = loadLoader();
        if (failure != null) {
            throw new dev.lluvia.memory.BackendException("loading the Vulkan loader", failure);
        }
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
            VkApplicationInfo app = VkApplicationInfo.calloc(stack).sType$Default()
                    .pApplicationName(stack.UTF8("lluvia-memory"))
                    .pEngineName(stack.UTF8("lluvia-memory"))
                    .apiVersion(apiVersion);
            VkInstanceCreateInfo ci = VkInstanceCreateInfo.calloc(stack).sType$Default()
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
