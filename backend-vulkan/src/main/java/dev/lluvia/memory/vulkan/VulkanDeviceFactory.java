package dev.lluvia.memory.vulkan;

import dev.lluvia.memory.DeviceFeature;
import dev.lluvia.memory.DeviceLimits;
import dev.lluvia.memory.DeviceNotFoundException;
import dev.lluvia.memory.DeviceProperties;
import dev.lluvia.memory.MemoryHeap;
import dev.lluvia.memory.MemoryPropertyFlag;
import dev.lluvia.memory.MemoryType;
import dev.lluvia.memory.UnsupportedFeatureException;
import org.lwjgl.PointerBuffer;
import org.lwjgl.system.MemoryStack;
import org.lwjgl.system.MemoryUtil;
import org.lwjgl.vulkan.*;

import java.nio.IntBuffer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
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
 * Opening a device for {@link VulkanBackend}: choosing the physical device, its queue family and
 * queues, negotiating extensions and features (or checking those a program's own device declares),
 * and reading its properties. Kept apart from the backend so the backend holds only the live device.
 */
final class VulkanDeviceFactory {

    private VulkanDeviceFactory() {
    }

    /** A device and its queues, made by {@link #createDevice} or checked by {@link #wrapped} on one given by the program. */
    record DeviceSetup(VkDevice device, boolean owned, VkQueue queue, VkQueue transferQueue, int family,
                       Lock queueLock, boolean queueShared, Set<DeviceFeature> features,
                       long importAlignment, boolean externalMemoryFd) {
    }

    /**
     * Checks what the program declares for its own device ({@link VulkanSession#wrap}) against the device
     * and its VkDevice's capabilities, and describes it: the library enables nothing on a device it did not create.
     */
    static DeviceSetup wrapped(ExistingDevice d, VkPhysicalDevice pd, VulkanInstance.PhysicalDevice physical) {
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
        if (d.featureChain() != 0) {
            requireInChain(d.featureChain(), d.enabledFeatures());
        }
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
        return setup;
    }

    /** The longest feature chain walked; a longer one is taken for a loop. */
    private static final int MAX_FEATURE_CHAIN = 64;

    /**
     * Refuses a declared feature that the program's {@code VkDeviceCreateInfo} feature chain does not
     * enable: {@link DeviceFeature#BUFFER_DEVICE_ADDRESS} needs {@code bufferDeviceAddress} in
     * {@code VkPhysicalDeviceVulkan12Features} or {@code VkPhysicalDeviceBufferDeviceAddressFeatures};
     * {@link DeviceFeature#MEMORY_PRIORITY} needs {@code memoryPriority} in
     * {@code VkPhysicalDeviceMemoryPriorityFeaturesEXT}. The other features are extensions, which the
     * LWJGL {@code VkDevice} knows and the caller checks.
     */
    static void requireInChain(long chain, Set<DeviceFeature> declared) {
        boolean address = false;
        boolean priority = false;
        int n = 0;
        for (long p = chain; p != 0; p = MemoryUtil.memGetAddress(p + VkBaseInStructure.PNEXT)) {
            if (++n > MAX_FEATURE_CHAIN) {
                throw new IllegalArgumentException("the feature chain at 0x" + Long.toHexString(chain) + " is longer than "
                        + MAX_FEATURE_CHAIN + " structures: a loop?");
            }
            int sType = MemoryUtil.memGetInt(p);
            if (sType == VK12.VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_2_FEATURES) {
                address |= VkPhysicalDeviceVulkan12Features.create(p).bufferDeviceAddress();
            } else if (sType == VK12.VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_BUFFER_DEVICE_ADDRESS_FEATURES) {
                address |= VkPhysicalDeviceBufferDeviceAddressFeatures.create(p).bufferDeviceAddress();
            } else if (sType == EXTMemoryPriority.VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_MEMORY_PRIORITY_FEATURES_EXT) {
                priority |= VkPhysicalDeviceMemoryPriorityFeaturesEXT.create(p).memoryPriority();
            }
        }
        if (declared.contains(DeviceFeature.BUFFER_DEVICE_ADDRESS) && !address) {
            throw new IllegalArgumentException("the wrapped device declares BUFFER_DEVICE_ADDRESS, but its feature chain"
                    + " (0x" + Long.toHexString(chain) + ") does not enable bufferDeviceAddress in"
                    + " VkPhysicalDeviceVulkan12Features or VkPhysicalDeviceBufferDeviceAddressFeatures");
        }
        if (declared.contains(DeviceFeature.MEMORY_PRIORITY) && !priority) {
            throw new IllegalArgumentException("the wrapped device declares MEMORY_PRIORITY, but its feature chain"
                    + " (0x" + Long.toHexString(chain) + ") does not enable memoryPriority in"
                    + " VkPhysicalDeviceMemoryPriorityFeaturesEXT");
        }
    }

    /** The version both the instance (or program) and the device support. */
    static int apiVersion(int deviceApi, int instanceApi) {
        return Integer.compareUnsigned(deviceApi, instanceApi) < 0 ? deviceApi : instanceApi;
    }

    /** The physical device as enumerated on {@code instance} (its index there, or -1 if not listed). */
    static VulkanInstance.PhysicalDevice describe(VkInstance instance, VkPhysicalDevice pd) {
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
    static DeviceSetup createDevice(VulkanInstance.PhysicalDevice physical, int api, Set<DeviceFeature> requested) {
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
        // Enabled whenever offered: registered host memory needs it, whatever the transfers' import setting.
        long importAlignment = available.contains(VK_EXT_EXTERNAL_MEMORY_HOST_EXTENSION_NAME) ? importAlignment(pd) : 0;
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
    static List<Integer> queueFamilyFlags(VkPhysicalDevice pd) {
        return queueFamilyProperty(pd, VkQueueFamilyProperties::queueFlags);
    }

    /** The queue count of each queue family, in family order. */
    static List<Integer> queueFamilies(VkPhysicalDevice pd) {
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

    static DeviceProperties readProperties(VulkanInstance.PhysicalDevice physical, int api, boolean memoryBudget) {
        VkPhysicalDevice pd = physical.handle();
        try (MemoryStack stack = stackPush()) {
            VkPhysicalDeviceProperties props = VkPhysicalDeviceProperties.malloc(stack);
            vkGetPhysicalDeviceProperties(pd, props);
            String driver = driverVersion(props.vendorID(), props.driverVersion());
            if (Integer.compareUnsigned(api, VK_API_VERSION_1_2) >= 0) {
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
    static long importAlignment(VkPhysicalDevice pd) {
        try (MemoryStack stack = stackPush()) {
            VkPhysicalDeviceExternalMemoryHostPropertiesEXT host = VkPhysicalDeviceExternalMemoryHostPropertiesEXT.calloc(stack)
                    .sType$Default();
            VkPhysicalDeviceProperties2 props2 = VkPhysicalDeviceProperties2.calloc(stack).sType$Default().pNext(host.address());
            vkGetPhysicalDeviceProperties2(pd, props2);
            long alignment = host.minImportedHostPointerAlignment();
            return alignment > 0 && alignment <= MemoryUtil.PAGE_SIZE && Long.bitCount(alignment) == 1 ? alignment : 0;
        }
    }

    static long readMaxBufferSize(VkPhysicalDevice pd, int api) {
        if (Integer.compareUnsigned(api, VK13.VK_API_VERSION_1_3) < 0) {
            return Long.MAX_VALUE;
        }
        try (MemoryStack stack = stackPush()) {
            VkPhysicalDeviceMaintenance4Properties m4 = VkPhysicalDeviceMaintenance4Properties.calloc(stack).sType$Default();
            VkPhysicalDeviceProperties2 props2 = VkPhysicalDeviceProperties2.calloc(stack).sType$Default().pNext(m4.address());
            vkGetPhysicalDeviceProperties2(pd, props2);
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
