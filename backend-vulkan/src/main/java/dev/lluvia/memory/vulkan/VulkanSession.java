package dev.lluvia.memory.vulkan;

import dev.lluvia.memory.Session;
import dev.lluvia.memory.SessionOptions;

import java.util.Objects;

/**
 * Opens a {@link Session} on a Vulkan device the program created itself, the second way to open a
 * session (the first, {@code Session.create}, makes the device).
 *
 * <p>What the session owns: every page ({@code VkDeviceMemory}), buffer and image the library
 * makes, and its transfer objects (a staging buffer, a command pool, a fence). Closing the session
 * frees those and nothing else: the program's {@code VkInstance}, {@code VkDevice} and queues stay
 * alive, and the program destroys them after closing the session. Validation messages stay the
 * program's: the library attaches no messenger to a wrapped device (its
 * {@link VulkanBackend#validationErrorCount()} stays 0), so the program's own messenger hears them.
 */
public final class VulkanSession {

    private VulkanSession() {
    }

    /** {@link #wrap(ExistingDevice, SessionOptions)} with the default options. */
    public static Session wrap(ExistingDevice device) {
        return wrap(device, SessionOptions.defaults());
    }

    /**
     * Opens a session on the program's device.
     *
     * @param device  the device and what it enabled
     * @param options used for {@link SessionOptions#debug()} (leak reports say where objects were made)
     *                and {@link SessionOptions#leakPolicy()}; backend, device, properties and features
     *                are those of {@code device}, so they must be left unset
     * @throws NullPointerException                          if {@code device} is null
     * <p>What is checked of the declared features ({@link ExistingDevice#enabledFeatures()}): each
     * must be supported by the physical device; an extension feature ({@code MEMORY_BUDGET},
     * {@code MEMORY_PRIORITY}) must be among the extensions the {@code VkDevice} was created with
     * (LWJGL's {@code VkDevice} knows them); {@code BUFFER_DEVICE_ADDRESS} needs
     * {@code vkGetBufferDeviceAddress} to be loaded. Whether a <i>feature</i> ({@code bufferDeviceAddress},
     * {@code memoryPriority}) was enabled Vulkan cannot say: it is checked only when the program gives
     * its {@code VkDeviceCreateInfo} feature chain ({@link ExistingDevice#withFeatureChain}); without
     * the chain a declared feature is trusted, and a wrong declaration shows only as the driver's
     * misuse (validation errors in the program's messenger, undefined behaviour without one).
     *
     * @throws dev.lluvia.memory.UnsupportedFeatureException if a declared feature is one the physical device lacks
     * @throws IllegalArgumentException                      if a declared feature is not usable on the VkDevice as
     *                                                       created (or, given the feature chain, not enabled
     *                                                       in it), the queue family does not exist, or
     *                                                       {@code options} names a backend, device or features
     */
    public static Session wrap(ExistingDevice device, SessionOptions options) {
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(options, "options");
        if (options.backend() != null && !VulkanBackend.NAME.equals(options.backend())) {
            throw new IllegalArgumentException("a wrapped device is on the vulkan backend, not '" + options.backend() + "'");
        }
        if (options.device() != null) {
            throw new IllegalArgumentException("options name device '" + options.device()
                    + "', but a wrapped device is the program's own: leave it unset");
        }
        if (!options.features().isEmpty()) {
            throw new IllegalArgumentException("features " + options.features() + " cannot be asked for on a wrapped "
                    + "device: enable them when creating it and declare them with ExistingDevice.withFeatures");
        }
        VulkanBackend backend = VulkanBackend.wrap(device);
        try {
            return Session.create(backend, options);
        } catch (RuntimeException | Error e) {
            backend.close();
            throw e;
        }
    }
}
