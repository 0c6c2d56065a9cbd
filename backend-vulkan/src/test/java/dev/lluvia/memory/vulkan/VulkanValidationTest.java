package dev.lluvia.memory.vulkan;

import dev.lluvia.memory.Session;
import org.junit.jupiter.api.Test;
import org.lwjgl.system.MemoryStack;
import org.lwjgl.vulkan.VkBufferCreateInfo;

import java.nio.LongBuffer;

import static dev.lluvia.memory.vulkan.VulkanTestSupport.*;
import static org.junit.jupiter.api.Assertions.*;
import static org.lwjgl.vulkan.VK10.*;

/** The validation counts every other test relies on do count. */
class VulkanValidationTest {

    /** The leak the tests provoke is logged at SEVERE: kept and asserted, not printed. */
    @org.junit.jupiter.api.extension.RegisterExtension
    final dev.lluvia.memory.testing.CapturedLog log = dev.lluvia.memory.testing.CapturedLog.expectingWarnings(
            m -> m.startsWith("Vulkan validation ERROR: ") && m.contains("VUID-vkDestroyDevice-device-00378"));

    @Test
    void aLeakedBufferIsCountedAsAValidationErrorWhenTheDeviceIsDestroyed() {
        Session session = open(null);
        VulkanBackend backend = backend(session);
        assumeTrue(backend.isValidationEnabled());
        leakABuffer(backend);
        assertEquals(0, backend.validationErrorCount(), "nothing wrong yet");
        session.close();
        assertTrue(backend.validationErrorCount() > 0, "the leaked VkBuffer is reported at vkDestroyDevice");
        assertFalse(log.messages().isEmpty(), "the error is logged");
        assertTrue(String.join("\n", backend.validationMessages()).contains("VkBuffer"), backend.validationMessages().toString());
    }

    @Test
    void aSessionOpenAtTheSameTimeDoesNotCountAnotherSessionsLeak() {
        // Both sessions' messengers are on the JVM's one debug instance and hear both devices.
        Session bystander = open(null);
        try {
            assumeTrue(backend(bystander).isValidationEnabled());
            Session leaking = open(null);
            VulkanBackend backend = backend(leaking);
            assertSame(backend(bystander).vkInstance(), backend.vkInstance(), "one shared debug instance");
            leakABuffer(backend);
            leaking.close();
            assertTrue(backend.validationErrorCount() > 0, "the leaking session counts its leak");
            assertFalse(log.messages().isEmpty(), "the error is logged");
            assertEquals(0, backend(bystander).validationErrorCount() + backend(bystander).validationWarningCount(),
                    () -> "the other session counted: " + backend(bystander).validationMessages());
        } finally {
            closeAndAssertClean(bystander);
        }
    }

    private static void leakABuffer(VulkanBackend backend) {
        try (MemoryStack stack = MemoryStack.stackPush()) {
            LongBuffer pBuffer = stack.mallocLong(1);
            assertEquals(VK_SUCCESS, vkCreateBuffer(backend.vkDevice(), VkBufferCreateInfo.calloc(stack).sType$Default()
                    .size(256).usage(VK_BUFFER_USAGE_STORAGE_BUFFER_BIT).sharingMode(VK_SHARING_MODE_EXCLUSIVE), null, pBuffer));
        }
    }

    @Test
    void withoutDebugThereIsNoValidationAndNothingToCount() {
        assumeVulkan();
        Session session = Session.create(dev.lluvia.memory.SessionOptions.defaults().withBackend("vulkan")
                .withLeakPolicy(dev.lluvia.memory.LeakPolicy.IGNORE));
        VulkanBackend backend = backend(session);
        assertFalse(backend.isValidationEnabled());
        session.createMemory(java.util.EnumSet.of(dev.lluvia.memory.MemoryPropertyFlag.DEVICE_LOCAL)).createBuffer(64);
        session.close();
        assertEquals(0, backend.validationErrorCount() + backend.validationWarningCount());
        assertTrue(backend.validationMessages().isEmpty());
    }

    private static void assumeTrue(boolean validation) {
        org.junit.jupiter.api.Assumptions.assumeTrue(validation, "the validation layer is not installed");
    }
}
