package dev.lluvia.memory.vulkan.testing;

import org.lwjgl.PointerBuffer;
import org.lwjgl.system.MemoryStack;
import org.lwjgl.vulkan.*;

import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;

import static org.lwjgl.system.MemoryStack.stackPush;
import static org.lwjgl.vulkan.EXTDebugUtils.*;
import static org.lwjgl.vulkan.EXTValidationFeatures.*;
import static org.lwjgl.vulkan.VK10.*;
import static org.lwjgl.vulkan.VK11.vkGetPhysicalDeviceFeatures2;
import static org.lwjgl.vulkan.VK12.VK_API_VERSION_1_2;
import static org.lwjgl.vulkan.VK13.VK_API_VERSION_1_3;

/**
 * What a program that brings its own Vulkan does, for the tests that wrap such a device: its own
 * {@code VkInstance} (with the validation layer, synchronization validation and a messenger of its
 * own that counts every warning and error, those of instance creation and destruction included),
 * a {@code VkDevice} on one physical device with one compute queue, and {@code bufferDeviceAddress}
 * when asked for and supported. Nothing of the library is used to make them. Public, in a package
 * of its own, for the examples' tests too (the renderer example on a device the program made).
 */
public final class OwnVulkan implements AutoCloseable {

    /** The Khronos validation layer, turned on where it is installed. */
    public static final String VALIDATION_LAYER = "VK_LAYER_KHRONOS_validation";

    public final VkInstance instance;
    public final int apiVersion;
    public final VkPhysicalDevice physicalDevice;
    public final VkDevice device;
    public final VkQueue queue;
    public final int queueFamily;
    /** The program's rule for its queue: whoever submits holds this lock; the library is given it too. */
    public final Lock queueLock = new ReentrantLock();
    public final boolean bufferDeviceAddress;
    public final boolean validation;

    private final VkDebugUtilsMessengerCallbackEXT callback;
    private final long messenger;
    private final AtomicLong errors = new AtomicLong();
    private final AtomicLong warnings = new AtomicLong();
    private final List<String> messages = new ArrayList<>();
    private boolean closed;

    private OwnVulkan(int deviceIndex, boolean wantDeviceAddress) {
        this.callback = VkDebugUtilsMessengerCallbackEXT.create((severity, types, data, user) -> {
            String text = VkDebugUtilsMessengerCallbackDataEXT.create(data).pMessageString();
            if ((severity & VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT) != 0) {
                errors.incrementAndGet();
            } else {
                warnings.incrementAndGet();
            }
            synchronized (messages) {
                messages.add(text);
            }
            return VK_FALSE;
        });
        try (MemoryStack stack = stackPush()) {
            int loader = VK.getInstanceVersionSupported();
            this.apiVersion = Integer.compareUnsigned(loader, VK_API_VERSION_1_3) >= 0 ? VK_API_VERSION_1_3 : loader;
            this.validation = hasLayer(stack, VALIDATION_LAYER);
            VkDebugUtilsMessengerCreateInfoEXT messengerInfo = VkDebugUtilsMessengerCreateInfoEXT.calloc(stack).sType$Default()
                    .messageSeverity(VK_DEBUG_UTILS_MESSAGE_SEVERITY_WARNING_BIT_EXT | VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT)
                    .messageType(VK_DEBUG_UTILS_MESSAGE_TYPE_GENERAL_BIT_EXT | VK_DEBUG_UTILS_MESSAGE_TYPE_VALIDATION_BIT_EXT
                            | VK_DEBUG_UTILS_MESSAGE_TYPE_PERFORMANCE_BIT_EXT)
                    .pfnUserCallback(callback);
            VkInstanceCreateInfo ci = VkInstanceCreateInfo.calloc(stack).sType$Default()
                    .pApplicationInfo(VkApplicationInfo.calloc(stack).sType$Default()
                            .pApplicationName(stack.UTF8("own-device test")).apiVersion(apiVersion));
            if (validation) {
                ci.ppEnabledLayerNames(stack.pointers(stack.UTF8(VALIDATION_LAYER)))
                        .ppEnabledExtensionNames(stack.pointers(stack.UTF8(VK_EXT_DEBUG_UTILS_EXTENSION_NAME),
                                stack.UTF8(VK_EXT_VALIDATION_FEATURES_EXTENSION_NAME)));
                VkValidationFeaturesEXT features = VkValidationFeaturesEXT.calloc(stack).sType$Default()
                        .pEnabledValidationFeatures(stack.ints(VK_VALIDATION_FEATURE_ENABLE_SYNCHRONIZATION_VALIDATION_EXT));
                messengerInfo.pNext(features.address());
                ci.pNext(messengerInfo.address());
            }
            PointerBuffer p = stack.mallocPointer(1);
            check(vkCreateInstance(ci, null, p), "vkCreateInstance");
            this.instance = new VkInstance(p.get(0), ci);
            if (validation) {
                LongBuffer pMessenger = stack.mallocLong(1);
                check(vkCreateDebugUtilsMessengerEXT(instance, messengerInfo.pNext(0), null, pMessenger),
                        "vkCreateDebugUtilsMessengerEXT");
                this.messenger = pMessenger.get(0);
            } else {
                this.messenger = VK_NULL_HANDLE;
            }

            IntBuffer count = stack.mallocInt(1);
            check(vkEnumeratePhysicalDevices(instance, count, null), "vkEnumeratePhysicalDevices");
            PointerBuffer devices = stack.mallocPointer(count.get(0));
            check(vkEnumeratePhysicalDevices(instance, count, devices), "vkEnumeratePhysicalDevices");
            this.physicalDevice = new VkPhysicalDevice(devices.get(deviceIndex), instance);
            VkPhysicalDeviceProperties props = VkPhysicalDeviceProperties.malloc(stack);
            vkGetPhysicalDeviceProperties(physicalDevice, props);
            int deviceApi = Integer.compareUnsigned(props.apiVersion(), apiVersion) < 0 ? props.apiVersion() : apiVersion;

            vkGetPhysicalDeviceQueueFamilyProperties(physicalDevice, count, null);
            VkQueueFamilyProperties.Buffer families = VkQueueFamilyProperties.malloc(count.get(0), stack);
            vkGetPhysicalDeviceQueueFamilyProperties(physicalDevice, count, families);
            int family = -1;
            for (int i = 0; i < count.get(0) && family < 0; i++) {
                if ((families.get(i).queueFlags() & VK_QUEUE_COMPUTE_BIT) != 0) {
                    family = i;
                }
            }
            if (family < 0) {
                throw new IllegalStateException(props.deviceNameString() + " has no compute queue");
            }
            this.queueFamily = family;

            boolean address = false;
            if (wantDeviceAddress && Integer.compareUnsigned(deviceApi, VK_API_VERSION_1_2) >= 0) {
                VkPhysicalDeviceVulkan12Features v12 = VkPhysicalDeviceVulkan12Features.calloc(stack).sType$Default();
                vkGetPhysicalDeviceFeatures2(physicalDevice, VkPhysicalDeviceFeatures2.calloc(stack).sType$Default().pNext(v12.address()));
                address = v12.bufferDeviceAddress();
            }
            this.bufferDeviceAddress = address;
            VkDeviceQueueCreateInfo.Buffer queues = VkDeviceQueueCreateInfo.calloc(1, stack);
            queues.get(0).sType$Default().queueFamilyIndex(family).pQueuePriorities(stack.floats(1.0f));
            VkDeviceCreateInfo dci = VkDeviceCreateInfo.calloc(stack).sType$Default().pQueueCreateInfos(queues);
            if (address) {
                dci.pNext(VkPhysicalDeviceVulkan12Features.calloc(stack).sType$Default().bufferDeviceAddress(true).address());
            }
            check(vkCreateDevice(physicalDevice, dci, null, p), "vkCreateDevice");
            this.device = new VkDevice(p.get(0), physicalDevice, dci, deviceApi);
            vkGetDeviceQueue(device, family, 0, p);
            this.queue = new VkQueue(p.get(0), device);
        } catch (RuntimeException | Error e) {
            callback.free();
            throw e;
        }
    }

    /** The program's instance and device on physical device {@code deviceIndex}. */
    public static OwnVulkan create(int deviceIndex, boolean wantDeviceAddress) {
        return new OwnVulkan(deviceIndex, wantDeviceAddress);
    }

    private static boolean hasLayer(MemoryStack stack, String name) {
        IntBuffer count = stack.mallocInt(1);
        check(vkEnumerateInstanceLayerProperties(count, null), "vkEnumerateInstanceLayerProperties");
        VkLayerProperties.Buffer layers = VkLayerProperties.malloc(count.get(0), stack);
        check(vkEnumerateInstanceLayerProperties(count, layers), "vkEnumerateInstanceLayerProperties");
        for (int i = 0; i < count.get(0); i++) {
            if (layers.get(i).layerNameString().equals(name)) {
                return true;
            }
        }
        return false;
    }

    public long errors() {
        return errors.get();
    }

    public long warnings() {
        return warnings.get();
    }

    public List<String> messages() {
        synchronized (messages) {
            return List.copyOf(messages);
        }
    }

    /** Destroys the device, the messenger and the instance, in that order; idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        vkDestroyDevice(device, null);
        if (messenger != VK_NULL_HANDLE) {
            vkDestroyDebugUtilsMessengerEXT(instance, messenger, null);
        }
        vkDestroyInstance(instance, null);
        callback.free();
    }

    private static void check(int result, String call) {
        if (result != VK_SUCCESS) {
            throw new IllegalStateException(call + " failed: VkResult " + result);
        }
    }
}
