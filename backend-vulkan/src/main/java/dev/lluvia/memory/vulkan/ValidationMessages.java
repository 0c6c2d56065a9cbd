package dev.lluvia.memory.vulkan;

import org.lwjgl.system.MemoryStack;
import org.lwjgl.vulkan.VkDebugUtilsMessengerCallbackDataEXT;
import org.lwjgl.vulkan.VkDebugUtilsMessengerCallbackEXT;
import org.lwjgl.vulkan.VkDebugUtilsMessengerCreateInfoEXT;
import org.lwjgl.vulkan.VkDebugUtilsObjectNameInfoEXT;
import org.lwjgl.vulkan.VkInstance;

import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import static org.lwjgl.system.MemoryStack.stackPush;
import static org.lwjgl.vulkan.EXTDebugUtils.*;
import static org.lwjgl.vulkan.VK10.*;

/**
 * Receives the messages of {@code VK_EXT_debug_utils} (the validation layer's reports), logs them
 * to {@code System.Logger} {@code dev.lluvia.memory.vulkan} and counts them, so tests can fail on
 * any validation error or warning, leaks reported at {@code vkDestroyDevice} included.
 *
 * <p>Each debug session {@linkplain #attach attaches} its own messenger to the JVM's shared debug
 * instance ({@link VulkanInstance}) when it opens and {@linkplain #close destroys} it when it
 * closes, after its device, so the counts are the session's. A messenger hears everything the
 * instance and all its devices report, so with several debug sessions open at once on the same
 * instance a message could reach them all: messages that name a {@code VkDevice}, {@code VkQueue}
 * or {@code VkCommandBuffer} but none of this session's ({@link #own}) are logged at DEBUG and
 * not counted here (the owning session counts them). Messages that name none of those (about the
 * instance, a physical device, or non-dispatchable handles only, such as during
 * {@code vkCreateDevice}) cannot be told apart and are counted by every debug session open then.
 */
final class ValidationMessages implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger("dev.lluvia.memory.vulkan");
    /** Keeps the first messages for failure reports; later ones are only counted and logged. */
    private static final int KEPT = 100;

    private final AtomicLong errors = new AtomicLong();
    private final AtomicLong warnings = new AtomicLong();
    private final List<String> kept = new ArrayList<>();
    private final VkDebugUtilsMessengerCallbackEXT callback;
    /** Dispatchable handles (device, queue, command buffers) of this session, to skip other sessions' messages. */
    private final Set<Long> owned = ConcurrentHashMap.newKeySet();
    /** The instance the messenger is on; null for the messenger chained into vkCreateInstance. */
    private final VkInstance instance;
    private long messenger = VK_NULL_HANDLE;
    private boolean closed;

    /** Counts the messages of a messenger chained into {@code vkCreateInstance}; see {@link #messengerInfo}. */
    ValidationMessages() {
        this(null);
    }

    private ValidationMessages(VkInstance instance) {
        this.instance = instance;
        this.callback = VkDebugUtilsMessengerCallbackEXT.create(this::receive);
    }

    /**
     * Creates a messenger on {@code vulkan} for one session, or returns null when the instance has
     * no {@code VK_EXT_debug_utils} (debug off, or not offered).
     *
     * @throws dev.lluvia.memory.BackendException if {@code vkCreateDebugUtilsMessengerEXT} fails
     */
    static ValidationMessages attach(VulkanInstance vulkan) {
        if (!vulkan.debugUtils) {
            return null;
        }
        ValidationMessages messages = new ValidationMessages(vulkan.instance);
        try (MemoryStack stack = stackPush()) {
            LongBuffer pMessenger = stack.mallocLong(1);
            int r = vkCreateDebugUtilsMessengerEXT(vulkan.instance, messages.messengerInfo(stack), null, pMessenger);
            if (r != VK_SUCCESS) {
                messages.free();
                VulkanResults.check(r, "vkCreateDebugUtilsMessengerEXT");
            }
            messages.messenger = pMessenger.get(0);
            return messages;
        }
    }

    /** The create info of a messenger that reports here: warnings and errors of every type. */
    VkDebugUtilsMessengerCreateInfoEXT messengerInfo(MemoryStack stack) {
        return VkDebugUtilsMessengerCreateInfoEXT.calloc(stack).sType$Default()
                .messageSeverity(VK_DEBUG_UTILS_MESSAGE_SEVERITY_WARNING_BIT_EXT | VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT)
                .messageType(VK_DEBUG_UTILS_MESSAGE_TYPE_GENERAL_BIT_EXT | VK_DEBUG_UTILS_MESSAGE_TYPE_VALIDATION_BIT_EXT
                        | VK_DEBUG_UTILS_MESSAGE_TYPE_PERFORMANCE_BIT_EXT)
                .pfnUserCallback(callback);
    }

    /**
     * Marks a dispatchable handle ({@code VkDevice}, {@code VkQueue}, {@code VkCommandBuffer}) as
     * this session's, so messages naming it are counted here even when other sessions are open.
     */
    void own(long dispatchableHandle) {
        owned.add(dispatchableHandle);
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

    /**
     * Destroys the messenger and frees the native callback; idempotent. Call after the session's
     * device is destroyed, so the leaks {@code vkDestroyDevice} reports are counted. The counts
     * stay readable.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (messenger != VK_NULL_HANDLE) {
            vkDestroyDebugUtilsMessengerEXT(instance, messenger, null);
            messenger = VK_NULL_HANDLE;
        }
        free();
    }

    /** Frees the native callback; only once nothing can call it any more. */
    void free() {
        callback.free();
    }

    /** Whether the message names dispatchable device-level handles, none of them this session's. */
    private boolean onlyOtherSessions(VkDebugUtilsMessengerCallbackDataEXT data) {
        if (owned.isEmpty()) {
            return false;
        }
        VkDebugUtilsObjectNameInfoEXT.Buffer objects = data.pObjects();
        if (objects == null) {
            return false;
        }
        boolean named = false;
        for (int i = 0; i < objects.remaining(); i++) {
            VkDebugUtilsObjectNameInfoEXT o = objects.get(objects.position() + i);
            int type = o.objectType();
            if (type == VK_OBJECT_TYPE_DEVICE || type == VK_OBJECT_TYPE_QUEUE || type == VK_OBJECT_TYPE_COMMAND_BUFFER) {
                if (owned.contains(o.objectHandle())) {
                    return false;
                }
                named = true;
            }
        }
        return named;
    }

    private int receive(int severity, int types, long pCallbackData, long pUserData) {
        String text;
        try {
            VkDebugUtilsMessengerCallbackDataEXT data = VkDebugUtilsMessengerCallbackDataEXT.create(pCallbackData);
            text = data.pMessageString();
            if (onlyOtherSessions(data)) {
                LOG.log(System.Logger.Level.DEBUG, () -> "Vulkan validation message for another session: " + data.pMessageString());
                return VK_FALSE;
            }
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
