package dev.lluvia.memory.vulkan;

import dev.lluvia.memory.vulkan.testing.OwnVulkan;
import dev.lluvia.memory.Buffer;
import dev.lluvia.memory.BufferUsage;
import dev.lluvia.memory.ChannelType;
import dev.lluvia.memory.DeviceFeature;
import dev.lluvia.memory.FeatureNotEnabledException;
import dev.lluvia.memory.Image;
import dev.lluvia.memory.LeakPolicy;
import dev.lluvia.memory.Memory;
import dev.lluvia.memory.MemoryUsage;
import dev.lluvia.memory.Session;
import dev.lluvia.memory.SessionOptions;
import dev.lluvia.memory.UnsupportedFeatureException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.lwjgl.system.MemoryStack;
import org.lwjgl.vulkan.VkBufferCreateInfo;
import org.lwjgl.vulkan.VkQueueFamilyProperties;

import java.nio.ByteBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.util.EnumSet;

import static org.junit.jupiter.api.Assertions.*;
import static org.lwjgl.system.MemoryStack.stackPush;
import static org.lwjgl.vulkan.VK10.*;

/**
 * Opening a session on the program's own device ({@link VulkanSession#wrap}), the library device's
 * features and queue rule, handles, and the bad input of each: a closed object's handle, a null or
 * too old device, a declared feature the device lacks, a device address without the usage or the
 * feature, no transfer queue. Each bad input is a typed exception naming the value, with nothing
 * allocated. Validation stays silent throughout (the test's own messenger on its own device).
 */
class VulkanOwnDeviceTest {

    private static final SessionOptions QUIET = SessionOptions.defaults().withDebug(true).withLeakPolicy(LeakPolicy.IGNORE);

    @Test
    void nullOrTooOldDeviceIsRefusedNamingIt() {
        NullPointerException npe = assertThrows(NullPointerException.class, () -> ExistingDevice.of(null, VK_API_VERSION_1_0));
        assertTrue(npe.getMessage().contains("VkDevice"), npe.getMessage());
        assertThrows(NullPointerException.class, () -> VulkanSession.wrap(null));
        VulkanTestSupport.assumeVulkan();
        try (OwnVulkan own = OwnVulkan.create(0, false)) {
            IllegalArgumentException old = assertThrows(IllegalArgumentException.class,
                    () -> ExistingDevice.of(own.device, VK_API_VERSION_1_0));
            assertTrue(old.getMessage().contains("1.0.0"), old.getMessage());
            IllegalArgumentException family = assertThrows(IllegalArgumentException.class,
                    () -> VulkanSession.wrap(ExistingDevice.of(own.device, own.apiVersion).withTransferQueue(own.queue, 99, null)));
            assertTrue(family.getMessage().contains("99"), family.getMessage());
            IllegalArgumentException features = assertThrows(IllegalArgumentException.class,
                    () -> VulkanSession.wrap(ExistingDevice.of(own.device, own.apiVersion),
                            QUIET.withFeatures(DeviceFeature.BUFFER_DEVICE_ADDRESS)));
            assertTrue(features.getMessage().contains("BUFFER_DEVICE_ADDRESS"), features.getMessage());
            own.close();
            assertEquals(0, own.errors() + own.warnings(), () -> String.join("\n", own.messages()));
        }
    }

    @ParameterizedTest(name = "device {0}")
    @MethodSource("dev.lluvia.memory.vulkan.VulkanTestSupport#devices")
    void closingTheSessionFreesWhatTheLibraryMadeAndLeavesTheDeviceAlive(String device) {
        VulkanTestSupport.assumeVulkan();
        try (OwnVulkan own = OwnVulkan.create(Integer.parseInt(device), false)) {
            Session session = VulkanSession.wrap(ExistingDevice.of(own.device, own.apiVersion)
                    .withTransferQueue(own.queue, own.queueFamily, own.queueLock), QUIET);
            VulkanBackend backend = VulkanTestSupport.backend(session);
            assertSame(own.device, backend.vkDevice());
            assertEquals(own.instance.address(), backend.vkInstance().address());
            assertTrue(session.enabledFeatures().contains(DeviceFeature.DEDICATED_ALLOCATION));
            Memory deviceLocal = session.createMemory(MemoryUsage.DEVICE_ONLY);
            Memory upload = session.createMemory(MemoryUsage.UPLOAD);
            Buffer a = deviceLocal.createBuffer(4096);
            Buffer b = upload.createBuffer(4096);
            Image image = deviceLocal.createImage(16, 16, ChannelType.UINT8);
            a.write(0, ByteBuffer.allocateDirect(4096));
            b.write(0, ByteBuffer.allocateDirect(4096));
            image.write(ByteBuffer.allocateDirect(256));
            assertTrue(backend.liveAllocationCount() >= 2, "pages (and the staging buffer) were allocated");
            session.close();
            assertEquals(0, backend.liveAllocationCount(), "closing the session freed every page it made");
            // The device is the program's and still works.
            assertEquals(VK_SUCCESS, vkDeviceWaitIdle(own.device));
            try (MemoryStack stack = stackPush()) {
                LongBuffer p = stack.mallocLong(1);
                assertEquals(VK_SUCCESS, vkCreateBuffer(own.device, VkBufferCreateInfo.calloc(stack).sType$Default()
                        .size(64).usage(VK_BUFFER_USAGE_STORAGE_BUFFER_BIT).sharingMode(VK_SHARING_MODE_EXCLUSIVE), null, p));
                vkDestroyBuffer(own.device, p.get(0), null);
            }
            own.close();
            assertEquals(0, own.errors() + own.warnings(), () -> String.join("\n", own.messages()));
        }
    }

    @ParameterizedTest(name = "device {0}")
    @MethodSource("dev.lluvia.memory.vulkan.VulkanTestSupport#devices")
    void badInputOnAWrappedDeviceNamesTheValueAndAllocatesNothing(String device) {
        VulkanTestSupport.assumeVulkan();
        try (OwnVulkan own = OwnVulkan.create(Integer.parseInt(device), false)) {
            // A declared feature the VkDevice was not created with.
            RuntimeException lacks = assertThrows(RuntimeException.class, () -> VulkanSession.wrap(
                    ExistingDevice.of(own.device, own.apiVersion).withFeatures(DeviceFeature.MEMORY_PRIORITY), QUIET));
            assertTrue(lacks instanceof UnsupportedFeatureException || lacks instanceof IllegalArgumentException, lacks.toString());
            assertTrue(lacks.getMessage().contains("MEMORY_PRIORITY"), lacks.getMessage());

            // No transfer queue given, no BUFFER_DEVICE_ADDRESS declared.
            Session session = VulkanSession.wrap(ExistingDevice.of(own.device, own.apiVersion), QUIET);
            VulkanBackend backend = VulkanTestSupport.backend(session);
            assertNull(backend.vkQueue());
            Memory memory = session.createMemory(MemoryUsage.DEVICE_ONLY);
            FeatureNotEnabledException noFeature = assertThrows(FeatureNotEnabledException.class, () -> memory.createBuffer(
                    256, EnumSet.of(BufferUsage.STORAGE_BUFFER, BufferUsage.SHADER_DEVICE_ADDRESS)));
            assertEquals(DeviceFeature.BUFFER_DEVICE_ADDRESS, noFeature.feature());
            assertTrue(noFeature.getMessage().contains("BUFFER_DEVICE_ADDRESS"), noFeature.getMessage());
            assertEquals(0, memory.pageCount(), "nothing was allocated");
            assertEquals(0, backend.liveAllocationCount());

            Image image = memory.createImage(8, 8, ChannelType.UINT8);
            UnsupportedOperationException noQueue = assertThrows(UnsupportedOperationException.class,
                    () -> image.write(ByteBuffer.allocateDirect(64)));
            assertTrue(noQueue.getMessage().contains("withTransferQueue"), noQueue.getMessage());

            Buffer buffer = memory.createBuffer(64);
            IllegalStateException noUsage = assertThrows(IllegalStateException.class, buffer::deviceAddress);
            assertTrue(noUsage.getMessage().contains("Buffer#" + buffer.id()) && noUsage.getMessage().contains("SHADER_DEVICE_ADDRESS"),
                    noUsage.getMessage());
            long handle = buffer.handle();
            assertNotEquals(0, handle);
            buffer.close();
            IllegalStateException closed = assertThrows(IllegalStateException.class, buffer::handle);
            assertTrue(closed.getMessage().contains("Buffer#" + buffer.id()) && closed.getMessage().contains("closed"),
                    closed.getMessage());
            assertThrows(IllegalStateException.class, buffer::pageHandle);
            assertNotEquals(0, image.handle(), "the image is alive");
            session.close();
            own.close();
            assertEquals(0, own.errors() + own.warnings(), () -> String.join("\n", own.messages()));
        }
    }

    @ParameterizedTest(name = "device {0}")
    @MethodSource("dev.lluvia.memory.vulkan.VulkanTestSupport#devices")
    void libraryDeviceQueueRuleAndFeatures(String device) {
        Session session = VulkanTestSupport.open(device);
        VulkanBackend backend = VulkanTestSupport.backend(session);
        try {
            assertNotNull(backend.vkQueue());
            int queues;
            try (MemoryStack stack = stackPush()) {
                IntBuffer count = stack.mallocInt(1);
                vkGetPhysicalDeviceQueueFamilyProperties(backend.vkPhysicalDevice(), count, null);
                VkQueueFamilyProperties.Buffer families = VkQueueFamilyProperties.malloc(count.get(0), stack);
                vkGetPhysicalDeviceQueueFamilyProperties(backend.vkPhysicalDevice(), count, families);
                queues = families.get(backend.queueFamilyIndex()).queueCount();
            }
            assertEquals(queues == 1, backend.isQueueShared(),
                    "the library shares the program's queue only when its family has one queue (" + queues + ")");
            assertNotNull(backend.queueLock());
            assertFalse(session.enabledFeatures().contains(DeviceFeature.BUFFER_DEVICE_ADDRESS), "not asked for");
            assertEquals(session.device().hasMemoryBudget(), session.enabledFeatures().contains(DeviceFeature.MEMORY_BUDGET));
        } finally {
            VulkanTestSupport.closeAndAssertClean(session);
        }
        // Memory priority: enabled when the device has it, else refused naming it, with no session left open.
        SessionOptions priority = SessionOptions.defaults().withBackend("vulkan").withDebug(true).withDevice(device)
                .withFeatures(DeviceFeature.MEMORY_PRIORITY);
        Session withPriority;
        try {
            withPriority = Session.create(priority);
        } catch (UnsupportedFeatureException e) {
            assertEquals(DeviceFeature.MEMORY_PRIORITY, e.feature());
            assertTrue(e.getMessage().contains("MEMORY_PRIORITY") && e.getMessage().contains(session.device().name()),
                    e.getMessage());
            return;
        }
        try {
            assertTrue(withPriority.enabledFeatures().contains(DeviceFeature.MEMORY_PRIORITY));
            withPriority.createMemory(MemoryUsage.DEVICE_ONLY).createBuffer(1024);
        } finally {
            VulkanTestSupport.closeAndAssertClean(withPriority);
        }
    }
}
