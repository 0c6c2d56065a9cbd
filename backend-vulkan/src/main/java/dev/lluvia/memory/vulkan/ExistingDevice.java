package dev.lluvia.memory.vulkan;

import dev.lluvia.memory.DeviceFeature;
import org.lwjgl.vulkan.VkDevice;
import org.lwjgl.vulkan.VkInstance;
import org.lwjgl.vulkan.VkPhysicalDevice;
import org.lwjgl.vulkan.VkQueue;

import java.util.Objects;
import java.util.Set;
import java.util.concurrent.locks.Lock;

/**
 * A Vulkan device a program created itself with LWJGL, described for {@link VulkanSession#wrap}, as
 * VMA's {@code VmaAllocatorCreateInfo} describes one: the device (LWJGL's {@link VkDevice} carries
 * its {@link VkPhysicalDevice} and {@link VkInstance}), the API version the program created them
 * for, which features and extensions it enabled that the allocator may use, and optionally a queue
 * for the library's transfers ({@code Buffer.write/read} on memory the host cannot map, and
 * {@code Image.write/read}).
 *
 * <pre>{@code
 * ExistingDevice mine = ExistingDevice.of(device, VK_API_VERSION_1_3)
 *         .withFeatures(DeviceFeature.BUFFER_DEVICE_ADDRESS)
 *         .withTransferQueue(queue, queueFamily, queueLock);   // the program takes queueLock too
 * try (Session session = VulkanSession.wrap(mine)) { ... }
 * }</pre>
 *
 * @param device              the program's device; never destroyed by the library
 * @param apiVersion          the API version the program's instance was created for
 *                            ({@code VkApplicationInfo.apiVersion}), 1.1 or newer
 * @param enabledFeatures     what the program enabled: {@link DeviceFeature#BUFFER_DEVICE_ADDRESS} (the
 *                            {@code bufferDeviceAddress} feature), {@link DeviceFeature#MEMORY_BUDGET}
 *                            ({@code VK_EXT_memory_budget}), {@link DeviceFeature#MEMORY_PRIORITY}
 *                            ({@code VK_EXT_memory_priority} with {@code memoryPriority});
 *                            {@link DeviceFeature#DEDICATED_ALLOCATION} is core in 1.1 and always used
 * @param transferQueue       a queue of the device for the library's transfers, or null for none
 *                            (then only host-visible memory can be written and read from the host)
 * @param transferQueueFamily the family {@code transferQueue} was taken from; -1 without a queue
 * @param transferQueueLock   how access to {@code transferQueue} is serialised: the library holds this
 *                            lock around each of its submissions, so a program that also submits to the
 *                            queue holds it around its own {@code vkQueueSubmit}; null when the queue is
 *                            the library's alone
 * @param featureChain        the address of the {@code pNext} chain of feature structures the program gave
 *                            {@code VkDeviceCreateInfo} ({@code VkPhysicalDeviceFeatures2},
 *                            {@code VkPhysicalDeviceVulkan12Features}, {@code VkPhysicalDeviceBufferDeviceAddressFeatures},
 *                            {@code VkPhysicalDeviceMemoryPriorityFeaturesEXT}, ...), or 0. Vulkan has no query
 *                            of the features a device was created with, so this is the only way the library
 *                            can check {@code enabledFeatures}: with it, {@link VulkanSession#wrap} refuses a
 *                            declared {@link DeviceFeature#BUFFER_DEVICE_ADDRESS} or
 *                            {@link DeviceFeature#MEMORY_PRIORITY} whose feature the chain does not enable
 *                            (an {@link IllegalArgumentException} naming it). It is read during
 *                            {@code wrap} only. <b>Without it (0) those declared features are trusted</b>: a
 *                            wrong declaration is not detected by the library, and the driver is then used
 *                            against the spec (the program's validation messenger reports
 *                            {@code VUID-VkMemoryAllocateInfo-flags-03331} at the first page and
 *                            {@code VUID-vkGetBufferDeviceAddress-bufferDeviceAddress-03324} at the first
 *                            device address; without validation the behaviour is undefined)
 */
public record ExistingDevice(VkDevice device, int apiVersion, Set<DeviceFeature> enabledFeatures,
                             VkQueue transferQueue, int transferQueueFamily, Lock transferQueueLock,
                             long featureChain) {

    public ExistingDevice {
        Objects.requireNonNull(device, "device (the program's VkDevice)");
        if (Integer.compareUnsigned(apiVersion, org.lwjgl.vulkan.VK11.VK_API_VERSION_1_1) < 0) {
            throw new IllegalArgumentException("apiVersion " + VulkanInstance.versionString(apiVersion)
                    + " is too old: the allocator needs Vulkan 1.1 or newer");
        }
        Objects.requireNonNull(enabledFeatures, "enabledFeatures");
        enabledFeatures = DeviceFeature.setOf(enabledFeatures);
        if (transferQueue == null) {
            if (transferQueueLock != null) {
                throw new IllegalArgumentException("a transfer queue lock was given without a transfer queue");
            }
            transferQueueFamily = -1;
        } else if (transferQueueFamily < 0) {
            throw new IllegalArgumentException("transferQueueFamily must be the queue's family index, was " + transferQueueFamily);
        }
    }

    /** A device with no features declared and no transfer queue. */
    public static ExistingDevice of(VkDevice device, int apiVersion) {
        return new ExistingDevice(device, apiVersion, Set.of(), null, -1, null, 0);
    }

    /** Declares the features the program enabled on the device (replacing those declared before). */
    public ExistingDevice withFeatures(Set<DeviceFeature> features) {
        return new ExistingDevice(device, apiVersion, features, transferQueue, transferQueueFamily, transferQueueLock,
                featureChain);
    }

    /** Declares the features the program enabled on the device; see {@link #withFeatures(Set)}. */
    public ExistingDevice withFeatures(DeviceFeature... features) {
        return withFeatures(Set.of(features));
    }

    /**
     * Gives the library a queue for its transfers. {@code lock} is how access to the queue is
     * serialised: the library takes it around each submission (and while waiting for the queue at
     * close), so if the program submits to the same queue it takes the same lock; null when the
     * program never uses this queue.
     */
    public ExistingDevice withTransferQueue(VkQueue queue, int family, Lock lock) {
        Objects.requireNonNull(queue, "queue");
        return new ExistingDevice(device, apiVersion, enabledFeatures, queue, family, lock, featureChain);
    }

    /**
     * Gives the feature structures the device was created with, so that the declared features are
     * checked; see the {@code featureChain} component. Pass the {@code pNext} of the program's
     * {@code VkDeviceCreateInfo} (e.g. {@code createInfo.pNext()}), still alive at {@code wrap}.
     */
    public ExistingDevice withFeatureChain(long chain) {
        return new ExistingDevice(device, apiVersion, enabledFeatures, transferQueue, transferQueueFamily,
                transferQueueLock, chain);
    }

    /** The device's instance. */
    public VkInstance instance() {
        return device.getPhysicalDevice().getInstance();
    }

    /** The device's physical device. */
    public VkPhysicalDevice physicalDevice() {
        return device.getPhysicalDevice();
    }
}
