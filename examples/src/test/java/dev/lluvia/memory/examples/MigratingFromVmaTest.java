package dev.lluvia.memory.examples;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.lwjgl.PointerBuffer;
import org.lwjgl.system.MemoryStack;
import org.lwjgl.vulkan.*;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.LongBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

import static org.junit.jupiter.api.Assertions.*;
import static org.lwjgl.system.MemoryStack.stackPush;
import static org.lwjgl.vulkan.EXTDebugUtils.*;
import static org.lwjgl.vulkan.EXTValidationFeatures.*;
import static org.lwjgl.vulkan.VK10.*;
import static org.lwjgl.vulkan.VK13.VK_API_VERSION_1_3;

/**
 * The program of {@code docs/migrating-from-vma.md} both ways, on one device the test made (with
 * the validation layer, synchronization validation and its own messenger): {@link UploadWithVma}
 * (lwjgl-vma) and {@link MigratedFromVma} (the library) read back the same bytes, and validation
 * says nothing about either.
 */
class MigratingFromVmaTest {

    /** Whether Vulkan, validation layer included, must be here (CI): set by {@link #vulkanPresent()}. */
    private static boolean required;

    private static boolean hasValidationLayer(MemoryStack stack) {
        java.nio.IntBuffer count = stack.mallocInt(1);
        vkEnumerateInstanceLayerProperties(count, null);
        VkLayerProperties.Buffer layers = VkLayerProperties.malloc(count.get(0), stack);
        vkEnumerateInstanceLayerProperties(count, layers);
        for (VkLayerProperties layer : layers) {
            if (layer.layerNameString().equals("VK_LAYER_KHRONOS_validation")) {
                return true;
            }
        }
        return false;
    }

    @BeforeAll
    static void vulkanPresent() {
        required = VulkanHere.assume();
    }

    @Test
    void bothVersionsReadBackTheSameBytesWithoutAValidationMessage() {
        List<String> messages = new ArrayList<>();
        VkDebugUtilsMessengerCallbackEXT callback = VkDebugUtilsMessengerCallbackEXT.create((severity, type, data, user) -> {
            synchronized (messages) {
                messages.add(VkDebugUtilsMessengerCallbackDataEXT.create(data).pMessageString());
            }
            return VK_FALSE;
        });
        ByteBuffer vertices = ByteBuffer.allocateDirect(3 * 6 * Float.BYTES);
        for (int i = 0; i < vertices.capacity(); i++) {
            vertices.put(i, (byte) (i * 13 + 5));
        }
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8);
        try (MemoryStack stack = stackPush()) {
            VkDebugUtilsMessengerCreateInfoEXT messengerInfo = VkDebugUtilsMessengerCreateInfoEXT.calloc(stack).sType$Default()
                    .messageSeverity(VK_DEBUG_UTILS_MESSAGE_SEVERITY_WARNING_BIT_EXT | VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT)
                    .messageType(VK_DEBUG_UTILS_MESSAGE_TYPE_GENERAL_BIT_EXT | VK_DEBUG_UTILS_MESSAGE_TYPE_VALIDATION_BIT_EXT)
                    .pfnUserCallback(callback)
                    .pNext(VkValidationFeaturesEXT.calloc(stack).sType$Default()
                            .pEnabledValidationFeatures(stack.ints(VK_VALIDATION_FEATURE_ENABLE_SYNCHRONIZATION_VALIDATION_EXT)).address());
            VkInstanceCreateInfo ici = VkInstanceCreateInfo.calloc(stack).sType$Default()
                    .pApplicationInfo(VkApplicationInfo.calloc(stack).sType$Default().apiVersion(VK_API_VERSION_1_3));
            boolean validation = hasValidationLayer(stack);
            if (!validation && required) {
                fail("the validation layer is not installed; Vulkan tests are required to run with it");
            }
            if (validation) {
                ici.ppEnabledLayerNames(stack.pointers(stack.UTF8("VK_LAYER_KHRONOS_validation")))
                        .ppEnabledExtensionNames(stack.pointers(stack.UTF8(VK_EXT_DEBUG_UTILS_EXTENSION_NAME),
                                stack.UTF8(VK_EXT_VALIDATION_FEATURES_EXTENSION_NAME)))
                        .pNext(messengerInfo.address());
            }
            PointerBuffer p = stack.mallocPointer(1);
            assertEquals(VK_SUCCESS, vkCreateInstance(ici, null, p), "vkCreateInstance with the validation layer");
            VkInstance instance = new VkInstance(p.get(0), ici);
            try {
                assertEquals(VK_SUCCESS, vkEnumeratePhysicalDevices(instance, stack.ints(1), p));
                VkPhysicalDevice physical = new VkPhysicalDevice(p.get(0), instance);
                VkPhysicalDeviceProperties props = VkPhysicalDeviceProperties.malloc(stack);
                vkGetPhysicalDeviceProperties(physical, props);
                int api = Integer.compareUnsigned(props.apiVersion(), VK_API_VERSION_1_3) < 0 ? props.apiVersion() : VK_API_VERSION_1_3;
                VkDeviceCreateInfo dci = VkDeviceCreateInfo.calloc(stack).sType$Default().pQueueCreateInfos(
                        VkDeviceQueueCreateInfo.calloc(1, stack).sType$Default().queueFamilyIndex(0).pQueuePriorities(stack.floats(1f)));
                assertEquals(VK_SUCCESS, vkCreateDevice(physical, dci, null, p));
                VkDevice device = new VkDevice(p.get(0), physical, dci, api);
                try {
                    vkGetDeviceQueue(device, 0, 0, p);
                    VkQueue queue = new VkQueue(p.get(0), device);
                    ReentrantLock lock = new ReentrantLock();
                    ByteBuffer vma = UploadWithVma.run(instance, physical, device, api, queue, 0, lock, vertices.duplicate(), out);
                    ByteBuffer library = MigratedFromVma.run(device, api, queue, 0, lock, vertices.duplicate(), out);
                    assertEquals(vertices.rewind(), vma.rewind(), "VMA read back what it wrote");
                    assertEquals(vertices.rewind(), library.rewind(), "the library read back what it wrote");
                } finally {
                    vkDestroyDevice(device, null);
                }
            } finally {
                vkDestroyInstance(instance, null);
            }
        } finally {
            callback.free();
        }
        String text = printed.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("vma: 4 allocations"), text);
        assertTrue(text.contains("library: 2 objects"), text);
        assertEquals(List.of(), messages, "validation messages");
    }
}
