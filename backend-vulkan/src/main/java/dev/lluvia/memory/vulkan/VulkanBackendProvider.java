package dev.lluvia.memory.vulkan;

import dev.lluvia.memory.spi.Availability;
import dev.lluvia.memory.spi.BackendOptions;
import dev.lluvia.memory.spi.MemoryBackend;
import dev.lluvia.memory.spi.MemoryBackendProvider;

import java.util.List;
import java.util.stream.Collectors;

/**
 * The {@code vulkan} backend: real devices through LWJGL and the system's Vulkan loader
 * ({@code libvulkan.so.1}). Priority 100, above the simulated device, so a session opens real
 * hardware when there is some.
 */
public final class VulkanBackendProvider implements MemoryBackendProvider {

    /** Ranks above the sim backend. */
    public static final int PRIORITY = 100;

    /** Public for {@link java.util.ServiceLoader}. */
    public VulkanBackendProvider() {
    }

    @Override
    public String name() {
        return VulkanBackend.NAME;
    }

    @Override
    public int priority() {
        return PRIORITY;
    }

    /**
     * Creates an instance (without validation) and lists its devices: available when one supports
     * Vulkan 1.1; otherwise unavailable with the reason (no loader, no device, only 1.0 devices).
     * Never throws.
     */
    @Override
    public Availability probe() {
        try {
            String failure = VulkanInstance.loadLoader();
            if (failure != null) {
                return Availability.unavailable(failure);
            }
            try (VulkanInstance vulkan = VulkanInstance.create(false)) {
                List<VulkanInstance.PhysicalDevice> devices = vulkan.physicalDevices();
                String listing = devices.stream().map(VulkanInstance.PhysicalDevice::describe)
                        .collect(Collectors.joining("; "));
                if (devices.isEmpty()) {
                    return Availability.unavailable("the Vulkan loader found no device (no driver installed?)");
                }
                if (devices.stream().noneMatch(VulkanInstance.PhysicalDevice::usable)) {
                    return Availability.unavailable("no Vulkan device supports API 1.1: " + listing);
                }
                return Availability.available(listing);
            }
        } catch (dev.lluvia.memory.BackendException e) {
            if ("VK_ERROR_INCOMPATIBLE_DRIVER".equals(e.result())) {
                return Availability.unavailable("the Vulkan loader found no driver (" + e.getMessage()
                        + "); install a GPU driver or Mesa's lavapipe (mesa-vulkan-drivers)");
            }
            return Availability.unavailable("Vulkan probe failed: " + e.getMessage());
        } catch (Throwable t) {
            return Availability.unavailable("Vulkan probe failed: " + t);
        }
    }

    @Override
    public MemoryBackend open(BackendOptions options) {
        return VulkanBackend.open(options);
    }
}
