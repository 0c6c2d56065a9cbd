package dev.lluvia.memory.vulkan;

import dev.lluvia.memory.DeviceSummary;
import dev.lluvia.memory.spi.Availability;
import dev.lluvia.memory.spi.BackendOptions;
import dev.lluvia.memory.spi.MemoryBackend;
import dev.lluvia.memory.spi.MemoryBackendProvider;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The {@code vulkan} backend: real devices through LWJGL and the system's Vulkan loader
 * ({@code libvulkan.so.1}). Priority 100, above the simulated device, so a session opens real
 * hardware when there is some.
 *
 * <p>LWJGL calls native code, which JDK 22 and later warn about on stderr (and later JDKs will
 * refuse) unless the program declares it: {@code java --enable-native-access=ALL-UNNAMED} on the
 * class path, {@code --enable-native-access=org.lwjgl} on the module path (a module descriptor
 * cannot declare it), or {@code Enable-Native-Access: ALL-UNNAMED} in the manifest of an
 * executable jar, as {@code lluvia-mem.jar} does. JDK 17 accepts the flag. A fat jar of LWJGL needs
 * {@code Multi-Release: true} in its manifest too, or JDK 25 runs LWJGL's {@code sun.misc.Unsafe}
 * code and warns about that.
 */
public final class VulkanBackendProvider implements MemoryBackendProvider {

    /** Ranks above the sim backend. */
    public static final int PRIORITY = 100;

    /** The probe's answer, once computed: per JVM, shared by every provider object. */
    private static volatile Availability availability;

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
     * Lists the devices of the JVM's shared instance without validation ({@link VulkanInstance#shared}):
     * available when one supports Vulkan 1.1; otherwise unavailable with the reason, which names
     * what failed: LWJGL's natives ({@code liblwjgl.so}), the Vulkan loader ({@code libvulkan.so.1}),
     * no driver, a driver that refused to create an instance, no device, or only 1.0 devices. The answer is computed once per JVM and kept, as it does not change
     * while the JVM lives and each {@code Session.create} probes: creating and destroying an
     * instance per probe can make a driver refuse instances after a few dozen cycles (see
     * {@link VulkanInstance}). Never throws.
     */
    @Override
    public Availability probe() {
        Availability a = availability;
        if (a == null) {
            synchronized (VulkanBackendProvider.class) {
                a = availability;
                if (a == null) {
                    a = computeAvailability();
                    availability = a;
                }
            }
        }
        return a;
    }

    private static Availability computeAvailability() {
        try {
            String failure = VulkanInstance.loadLoader();
            if (failure != null) {
                return Availability.unavailable(failure);
            }
            VulkanInstance vulkan = VulkanInstance.shared(false, false);
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
        } catch (dev.lluvia.memory.BackendException e) {
            if ("VK_ERROR_INCOMPATIBLE_DRIVER".equals(e.result())) {
                return Availability.unavailable("the Vulkan loader found no driver (" + e.getMessage()
                        + "); install a GPU driver or Mesa's lavapipe (mesa-vulkan-drivers)");
            }
            return Availability.unavailable("the Vulkan driver refused to start (" + e.getMessage() + ")");
        } catch (Throwable t) {
            return Availability.unavailable("Vulkan probe failed: " + t);
        }
    }

    /**
     * The session properties the backend reads: {@value VulkanBackend#SYNC_VALIDATION_PROPERTY} and
     * {@value VulkanBackend#IMPORT_HOST_MEMORY_PROPERTY}. ({@value VulkanBackend#KEEP_INSTANCES_PROPERTY}
     * is a system property: per JVM, not per session.) A new session property must be added here.
     */
    @Override
    public java.util.Set<String> propertyKeys() {
        return java.util.Set.of(VulkanBackend.SYNC_VALIDATION_PROPERTY, VulkanBackend.IMPORT_HOST_MEMORY_PROPERTY);
    }

    /**
     * Destroys the JVM's shared Vulkan instances now if no Vulkan session is open, which unloads
     * the driver and gives back its memory; a later session or device list creates them again
     * (one more driver load, and some drivers can be loaded only a few dozen times per process).
     * Programs need not call it: the backend's shutdown hook does this before the JVM exits (some
     * drivers crash a process that exits with them loaded; {@code docs/devices.md}). Harmless
     * elsewhere.
     *
     * @return true if no instance is left (also when there was none); false if a session is open
     */
    public static boolean releaseSharedInstances() {
        return VulkanInstance.releaseShared();
    }

    /**
     * The physical devices of the JVM's shared instance (the probe's; no session, no new
     * instance): index, name, type, API version and heaps from
     * {@code vkGetPhysicalDeviceMemoryProperties}.
     */
    @Override
    public List<DeviceSummary> devices() {
        VulkanInstance vulkan = VulkanInstance.shared(false, false);
        List<DeviceSummary> infos = new ArrayList<>();
        for (VulkanInstance.PhysicalDevice d : vulkan.physicalDevices()) {
            infos.add(new DeviceSummary(d.index(), d.name(), d.type(), VulkanInstance.versionString(d.apiVersion()),
                    d.heaps(), d.usable()));
        }
        return infos;
    }

    @Override
    public MemoryBackend open(BackendOptions options) {
        return VulkanBackend.open(options);
    }
}
