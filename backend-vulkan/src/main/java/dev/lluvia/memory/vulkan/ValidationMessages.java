package dev.lluvia.memory.vulkan;

import org.lwjgl.vulkan.VkDebugUtilsMessengerCallbackDataEXT;
import org.lwjgl.vulkan.VkDebugUtilsMessengerCallbackEXT;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.lwjgl.vulkan.EXTDebugUtils.*;
import static org.lwjgl.vulkan.VK10.VK_FALSE;

/**
 * Receives the messages of {@code VK_EXT_debug_utils} (the validation layer's reports), logs them
 * to {@code System.Logger} {@code dev.lluvia.memory.vulkan} and counts them, so tests can fail on
 * any validation error or warning, leaks reported at {@code vkDestroyDevice} included.
 */
final class ValidationMessages {

    private static final System.Logger LOG = System.getLogger("dev.lluvia.memory.vulkan");
    /** Keeps the first messages for failure reports; later ones are only counted and logged. */
    private static final int KEPT = 100;

    private final AtomicLong errors = new AtomicLong();
    private final AtomicLong warnings = new AtomicLong();
    private final List<String> kept = new ArrayList<>();
    private final VkDebugUtilsMessengerCallbackEXT callback;

    ValidationMessages() {
        callback = VkDebugUtilsMessengerCallbackEXT.create(this::receive);
    }

    /** The native callback to put in {@code VkDebugUtilsMessengerCreateInfoEXT}. */
    VkDebugUtilsMessengerCallbackEXT callback() {
        return callback;
    }

    long errors() {
        return errors.get();
    }

    long warnings() {
        return warnings.get();
    }

    /** The first messages of severity warning or error, with their severity, oldest first. */
    List<String> messages() {
        synchronized (kept) {
            return List.copyOf(kept);
        }
    }

    /** Frees the native callback; call after the messenger and the instance are destroyed. */
    void free() {
        callback.free();
    }

    private int receive(int severity, int types, long pCallbackData, long pUserData) {
        String text;
        try {
            VkDebugUtilsMessengerCallbackDataEXT data = VkDebugUtilsMessengerCallbackDataEXT.create(pCallbackData);
            text = data.pMessageString();
        } catch (RuntimeException e) {
            text = "(unreadable message: " + e + ")";
        }
        System.Logger.Level level;
        String tag;
        if ((severity & VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT) != 0) {
            errors.incrementAndGet();
            level = System.Logger.Level.ERROR;
            tag = "ERROR";
        } else if ((severity & VK_DEBUG_UTILS_MESSAGE_SEVERITY_WARNING_BIT_EXT) != 0) {
            warnings.incrementAndGet();
            level = System.Logger.Level.WARNING;
            tag = "WARNING";
        } else {
            LOG.log(System.Logger.Level.DEBUG, text);
            return VK_FALSE;
        }
        String line = tag + ((types & VK_DEBUG_UTILS_MESSAGE_TYPE_PERFORMANCE_BIT_EXT) != 0 ? " (performance): " : ": ") + text;
        synchronized (kept) {
            if (kept.size() < KEPT) {
                kept.add(line);
            }
        }
        LOG.log(level, "Vulkan validation " + line);
        // VK_FALSE: never abort the call that triggered the message; the counts make tests fail.
        return VK_FALSE;
    }
}
