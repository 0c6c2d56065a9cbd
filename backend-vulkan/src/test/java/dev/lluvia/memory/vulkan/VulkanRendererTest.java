package dev.lluvia.memory.vulkan;

import dev.lluvia.memory.LeakPolicy;
import dev.lluvia.memory.Session;
import dev.lluvia.memory.SessionOptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.lwjgl.system.MemoryStack;
import org.lwjgl.vulkan.VkQueueFamilyProperties;

import java.nio.IntBuffer;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;
import static org.lwjgl.system.MemoryStack.stackPush;
import static org.lwjgl.vulkan.VK10.*;

/**
 * A renderer end to end on the library's memory ({@link RenderChecks}): MSAA color and depth
 * attachments, a resolve, a cube map with mip levels and a BC1 texture, all made from
 * {@link VulkanImageInfo}s, every pixel and texel checked; on the library's device and on a device
 * the program created ({@link VulkanSession#wrap}), with validation and synchronization validation
 * on and not one message.
 */
class VulkanRendererTest {

    @ParameterizedTest(name = "device {0}")
    @MethodSource("dev.lluvia.memory.vulkan.VulkanTestSupport#devices")
    void rendersOnTheLibrarysDevice(String device) {
        Session session = VulkanTestSupport.open(device);
        try {
            VulkanBackend b = VulkanTestSupport.backend(session);
            assertGraphics(b.vkDevice().getPhysicalDevice(), b.queueFamilyIndex());
            List<String> checked = RenderChecks.run(session, b.vkDevice(), b.queueFamilyIndex(), b.vkQueue(), b.queueLock());
            assertEquals(4, checked.size(), checked::toString);
        } finally {
            VulkanTestSupport.closeAndAssertClean(session);
        }
    }

    @ParameterizedTest(name = "device {0}")
    @MethodSource("dev.lluvia.memory.vulkan.VulkanTestSupport#devices")
    void rendersOnYourOwnDevice(String device) {
        VulkanTestSupport.assumeVulkan();
        try (OwnVulkan own = OwnVulkan.create(Integer.parseInt(device), false)) {
            assertTrue(own.validation, "the validation layer is installed");
            assertGraphics(own.physicalDevice, own.queueFamily);
            Session session = VulkanSession.wrap(ExistingDevice.of(own.device, own.apiVersion)
                    .withTransferQueue(own.queue, own.queueFamily, own.queueLock),
                    SessionOptions.defaults().withDebug(true).withLeakPolicy(LeakPolicy.IGNORE));
            List<String> checked;
            try {
                checked = RenderChecks.run(session, own.device, own.queueFamily, own.queue, own.queueLock);
            } finally {
                session.close();
            }
            assertEquals(4, checked.size(), checked::toString);
            own.close();
            assertEquals(0, own.errors() + own.warnings(), () -> String.join("\n", own.messages()));
        }
    }

    private static void assertGraphics(org.lwjgl.vulkan.VkPhysicalDevice physical, int family) {
        try (MemoryStack stack = stackPush()) {
            IntBuffer count = stack.mallocInt(1);
            vkGetPhysicalDeviceQueueFamilyProperties(physical, count, null);
            VkQueueFamilyProperties.Buffer families = VkQueueFamilyProperties.malloc(count.get(0), stack);
            vkGetPhysicalDeviceQueueFamilyProperties(physical, count, families);
            assertTrue((families.get(family).queueFlags() & VK_QUEUE_GRAPHICS_BIT) != 0,
                    "queue family " + family + " has graphics");
        }
    }
}
