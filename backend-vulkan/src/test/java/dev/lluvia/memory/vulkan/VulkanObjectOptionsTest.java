package dev.lluvia.memory.vulkan;

import dev.lluvia.memory.Buffer;
import dev.lluvia.memory.BufferUsage;
import dev.lluvia.memory.ChannelType;
import dev.lluvia.memory.Image;
import dev.lluvia.memory.ImageDescriptor;
import dev.lluvia.memory.Memory;
import dev.lluvia.memory.MemoryOptions;
import dev.lluvia.memory.MemoryPropertyFlag;
import dev.lluvia.memory.Session;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.lwjgl.system.MemoryStack;
import org.lwjgl.vulkan.EXTMemoryPriority;
import org.lwjgl.vulkan.VkExtensionProperties;
import org.lwjgl.vulkan.VkPhysicalDevice;

import java.nio.IntBuffer;
import java.util.EnumSet;

import static dev.lluvia.memory.vulkan.VulkanTestSupport.*;
import static org.junit.jupiter.api.Assertions.*;
import static org.lwjgl.vulkan.VK10.vkEnumerateDeviceExtensionProperties;

/** Memory priority, minimum alignment and user values on real devices, under validation. */
class VulkanObjectOptionsTest {

    @ParameterizedTest(name = "device {0}")
    @MethodSource("dev.lluvia.memory.vulkan.VulkanTestSupport#devices")
    void aMemoryWithAPriorityAllocatesCleanlyAndSaysWhetherTheDeviceAppliesIt(String device) {
        Session session = open(device);
        try {
            VulkanBackend backend = backend(session);
            boolean extension = hasExtension(backend.vkDevice().getPhysicalDevice(),
                    EXTMemoryPriority.VK_EXT_MEMORY_PRIORITY_EXTENSION_NAME);
            Memory memory = session.createMemory(MemoryOptions.of(EnumSet.of(MemoryPropertyFlag.DEVICE_LOCAL))
                    .withPageSize(1 << 20).withPriority(0.9f));
            System.out.println(backend.device().name() + ": VK_EXT_memory_priority " + extension
                    + ", applied " + memory.isPriorityApplied());
            // Applied exactly when the session enabled MEMORY_PRIORITY (which needs the extension).
            assertEquals(session.enabledFeatures().contains(dev.lluvia.memory.DeviceFeature.MEMORY_PRIORITY),
                    memory.isPriorityApplied());
            if (!extension) {
                assertFalse(memory.isPriorityApplied(), "no extension, so no priority");
            }
            assertEquals(0.9f, memory.priority());
            Buffer small = memory.createBuffer(4096);
            Buffer dedicated = memory.createBuffer(900_000);
            assertNotEquals(small.allocationInfo().page(), dedicated.allocationInfo().page());
        } finally {
            closeAndAssertClean(session);
        }
    }

    @ParameterizedTest(name = "device {0}")
    @MethodSource("dev.lluvia.memory.vulkan.VulkanTestSupport#devices")
    void objectsWithAMinimumAlignmentStartOnItAndKeepTheirUserValue(String device) {
        Session session = open(device);
        try {
            Memory memory = session.createMemory(EnumSet.of(MemoryPropertyFlag.DEVICE_LOCAL), 1 << 20);
            for (long a : new long[] {1, 512, 4096, 65536}) {
                Buffer b = memory.createBuffer(100, BufferUsage.DEFAULT, a);
                b.setUserValue("buffer " + a);
                assertEquals(0, b.allocationInfo().offset() % a, b.toString());
                Image i = memory.createImage(ImageDescriptor.of(7, 9, ChannelType.UINT8), a);
                assertEquals(0, i.allocationInfo().offset() % a, i.toString());
                assertEquals("buffer " + a, b.userValue());
            }
        } finally {
            closeAndAssertClean(session);
        }
    }

    static boolean hasExtension(VkPhysicalDevice pd, String name) {
        try (MemoryStack stack = MemoryStack.stackPush()) {
            IntBuffer count = stack.mallocInt(1);
            vkEnumerateDeviceExtensionProperties(pd, (String) null, count, null);
            VkExtensionProperties.Buffer props = VkExtensionProperties.malloc(count.get(0), stack);
            vkEnumerateDeviceExtensionProperties(pd, (String) null, count, props);
            for (int i = 0; i < count.get(0); i++) {
                if (props.get(i).extensionNameString().equals(name)) {
                    return true;
                }
            }
            return false;
        }
    }
}
