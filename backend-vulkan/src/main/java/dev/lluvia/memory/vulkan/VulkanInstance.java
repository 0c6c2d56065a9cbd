package dev.lluvia.memory.vulkan;

import dev.lluvia.memory.DeviceType;
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
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
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
 * A {@code VkInstance}, with the validation layer and a debug-utils messenger when debug checks are
 * asked for, and the physical devices it sees. Used by the provider's probe (without debug) and by
 * each {@link VulkanBackend}, which owns its instance.
 */
final class VulkanInstance implements AutoCloseable {

    static final String VALIDATION_LAYER = "VK_LAYER_KHRONOS_validation";
    private static final System.Logger LOG = System.getLogger("dev.lluvia.memory.vulkan");

    /** Why the Vulkan loader could not be loaded, remembered: a failed class init cannot be retried. */
    private static volatile String loaderFailure;
    private static volatile boolean loaderChecked;

    final VkInstance instance;
    /** The instance's API version: the highest of 1.3, 1.2, 1.1 that the loader supports. */
    final int apiVersion;
    /** Counts and logs validation messages; null when debug checks are off. */
    final ValidationMessages validation;
    final boolean validationEnabled;
    private final long messenger;
    private boolean closed;

    private VulkanInstance(VkInstance instance, int apiVersion, ValidationMessages validation,
                           boolean validationEnabled, long messenger) {
        this.instance = instance;
        this.apiVersion = apiVersion;
        this.validation = validation;
        this.validationEnabled = validationEnabled;
        this.messenger = messenger;
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

    /** Creates an instance; with {@code debug}, the validation layer and a counting messenger when installed. */
    static VulkanInstance create(boolean debug) {
        return create(debug, debug);
    }

    /**
     * Creates an instance.
     *
     * @param debug                 the validation layer and a counting messenger, when installed
     * @param synchronizationChecks with {@code debug}, also the layer's synchronization validation
     *                              ({@code VK_EXT_validation_features}), which checks the barriers of
     *                              the transfers
     */
    static VulkanInstance create(boolean debug, boolean synchronizationChecks) {
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
        ValidationMessages validation = null;
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
                    validation = new ValidationMessages();
                    messengerInfo = messengerInfo(stack, validation);
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
                // Chained, so messages of vkCreateInstance and vkDestroyInstance are counted too.
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
            long messenger = VK_NULL_HANDLE;
            if (messengerInfo != null) {
                LongBuffer pMessenger = stack.mallocLong(1);
                int r = vkCreateDebugUtilsMessengerEXT(instance, messengerInfo, null, pMessenger);
                if (r != VK_SUCCESS) {
                    vkDestroyInstance(instance, null);
                    check(r, "vkCreateDebugUtilsMessengerEXT");
                }
                messenger = pMessenger.get(0);
            }
            return new VulkanInstance(instance, apiVersion, validation, layer, messenger);
        } catch (RuntimeException | Error e) {
            if (validation != null) {
                validation.free();
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

    long errors() {
        return validation == null ? 0 : validation.errors();
    }

    /** Destroys the messenger and the instance; idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (messenger != VK_NULL_HANDLE) {
            vkDestroyDebugUtilsMessengerEXT(instance, messenger, null);
        }
        vkDestroyInstance(instance, null);
        if (validation != null) {
            validation.free();
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

    private static VkDebugUtilsMessengerCreateInfoEXT messengerInfo(MemoryStack stack, ValidationMessages validation) {
        return VkDebugUtilsMessengerCreateInfoEXT.calloc(stack).sType$Default()
                .messageSeverity(VK_DEBUG_UTILS_MESSAGE_SEVERITY_WARNING_BIT_EXT | VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT)
                .messageType(VK_DEBUG_UTILS_MESSAGE_TYPE_GENERAL_BIT_EXT | VK_DEBUG_UTILS_MESSAGE_TYPE_VALIDATION_BIT_EXT
                        | VK_DEBUG_UTILS_MESSAGE_TYPE_PERFORMANCE_BIT_EXT)
                .pfnUserCallback(validation.callback());
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
