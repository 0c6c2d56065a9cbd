package dev.lluvia.memory.examples;

import dev.lluvia.memory.LeakPolicy;
import dev.lluvia.memory.Session;
import dev.lluvia.memory.SessionOptions;
import dev.lluvia.memory.contract.ChildJvm;
import dev.lluvia.memory.vulkan.ExistingDevice;
import dev.lluvia.memory.vulkan.VulkanBackend;
import dev.lluvia.memory.vulkan.VulkanSession;
import dev.lluvia.memory.vulkan.testing.OwnVulkan;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.lwjgl.system.MemoryStack;
import org.lwjgl.vulkan.VkPhysicalDevice;
import org.lwjgl.vulkan.VkQueueFamilyProperties;

import java.nio.IntBuffer;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;
import static org.lwjgl.system.MemoryStack.stackPush;
import static org.lwjgl.vulkan.VK10.*;

/**
 * Runs {@link OffscreenRenderer} as a user would, in a JVM of its own: it must print each check it
 * made, no validation message, {@code OK}, and exit with 0; and {@link OffscreenRenderer#render} in
 * this JVM on the library's device and on a device the program created ({@link OwnVulkan}, wrapped
 * with {@link VulkanSession#wrap}), every pixel and texel checked with validation and
 * synchronization validation on and not one message. Without a Vulkan device the tests are
 * skipped, saying why, unless {@code LLUVIA_VULKAN_REQUIRED=1} or {@code lluvia.vulkan.required=true}.
 */
class OffscreenRendererTest {

    private static boolean required;

    @BeforeAll
    static void vulkanPresent() {
        required = VulkanHere.assume();
    }

    @Test
    void rendersAndChecksEveryPixelAndTexel() throws Exception {
        ChildJvm.Result r = ChildJvm.run(OffscreenRenderer.class, 120, "0");
        String out = r.output();
        assertEquals(0, r.exitCode(), out);
        assertTrue(out.contains("validation on"), out);
        assertTrue(out.contains("checked: triangles drawn with 4x MSAA and a depth test, resolved and read back: 4096 pixels right"), out);
        assertTrue(out.contains("checked: vertex buffer: the program's own VkBuffer bound to Allocation#"), out);
        assertTrue(out.contains("checked: cube map"), out);
        assertTrue(out.contains("checked: BC1-compressed texture"), out);
        assertTrue(out.contains("validation messages: 0"), out);
        assertTrue(out.strip().endsWith("OK"), out);
    }

    @Test
    void rendersOnTheLibrarysDevice() {
        VulkanBackend vulkan;
        List<String> checked = new ArrayList<>();
        try (Session session = Session.create(SessionOptions.defaults().withBackend("vulkan").withDevice("0").withDebug(true)
                .withLeakPolicy(LeakPolicy.IGNORE))) {
            vulkan = session.unwrap(VulkanBackend.class).orElseThrow();
            assertTrue(vulkan.isValidationEnabled() || !required, "the validation layer is installed");
            assertGraphics(vulkan.vkDevice().getPhysicalDevice(), vulkan.queueFamilyIndex());
            OffscreenRenderer.render(session, vulkan.vkDevice(), vulkan.queueFamilyIndex(), vulkan.vkQueue(), vulkan.queueLock(),
                    checked);
        }
        assertEquals(5, checked.size(), checked::toString);
        assertEquals(0, vulkan.validationErrorCount() + vulkan.validationWarningCount(),
                () -> String.join("\n", vulkan.validationMessages()));
    }

    @Test
    void rendersOnYourOwnDevice() {
        try (OwnVulkan own = OwnVulkan.create(0, false)) {
            assertTrue(own.validation || !required, "the validation layer " + OwnVulkan.VALIDATION_LAYER + " is installed");
            assertGraphics(own.physicalDevice, own.queueFamily);
            List<String> checked = new ArrayList<>();
            try (Session session = VulkanSession.wrap(ExistingDevice.of(own.device, own.apiVersion)
                            .withTransferQueue(own.queue, own.queueFamily, own.queueLock),
                    SessionOptions.defaults().withDebug(true).withLeakPolicy(LeakPolicy.IGNORE))) {
                OffscreenRenderer.render(session, own.device, own.queueFamily, own.queue, own.queueLock, checked);
            }
            assertEquals(5, checked.size(), checked::toString);
            own.close();
            assertEquals(0, own.errors() + own.warnings(), () -> String.join("\n", own.messages()));
        }
    }

    private static void assertGraphics(VkPhysicalDevice physical, int family) {
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
