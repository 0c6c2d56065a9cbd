package dev.lluvia.memory.vulkan;

import dev.lluvia.memory.BackendException;
import dev.lluvia.memory.OutOfDeviceMemoryException;
import dev.lluvia.memory.OutOfHostMemoryException;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;
import static org.lwjgl.vulkan.VK10.*;

/** Every VkResult goes through one check; each kind of failure becomes the library's typed exception. Needs no device. */
class VulkanResultsTest {

    @Test
    void successPassesQuietly() {
        assertDoesNotThrow(() -> VulkanResults.check(VK_SUCCESS, "vkAllocateMemory"));
    }

    @Test
    void outOfDeviceMemoryNamesTheCallHeapAndSize() {
        OutOfDeviceMemoryException e = assertThrows(OutOfDeviceMemoryException.class,
                () -> VulkanResults.check(VK_ERROR_OUT_OF_DEVICE_MEMORY, "vkAllocateMemory", 1, 1L << 33));
        assertEquals(1, e.heapIndex());
        assertEquals(1L << 33, e.requested());
        assertTrue(e.getMessage().contains("vkAllocateMemory") && e.getMessage().contains("VK_ERROR_OUT_OF_DEVICE_MEMORY")
                && e.getMessage().contains("heap 1"), e.getMessage());
        OutOfDeviceMemoryException unknownHeap = assertThrows(OutOfDeviceMemoryException.class,
                () -> VulkanResults.check(VK_ERROR_OUT_OF_DEVICE_MEMORY, "vkCreateBuffer"));
        assertEquals(-1, unknownHeap.heapIndex());
    }

    @Test
    void outOfHostMemoryIsItsOwnException() {
        OutOfHostMemoryException e = assertThrows(OutOfHostMemoryException.class,
                () -> VulkanResults.check(VK_ERROR_OUT_OF_HOST_MEMORY, "vkCreateImage"));
        assertTrue(e.getMessage().contains("vkCreateImage") && e.getMessage().contains("VK_ERROR_OUT_OF_HOST_MEMORY"));
    }

    @Test
    void everythingElseIsABackendExceptionWithCallAndResultName() {
        BackendException e = assertThrows(BackendException.class,
                () -> VulkanResults.check(VK_ERROR_DEVICE_LOST, "vkWaitForFences"));
        assertEquals("vkWaitForFences", e.operation());
        assertEquals("VK_ERROR_DEVICE_LOST", e.result());
        assertEquals("VK_TIMEOUT", assertThrows(BackendException.class,
                () -> VulkanResults.check(VK_TIMEOUT, "vkWaitForFences")).result(), "a positive code is no success either");
        assertEquals("VkResult(-424242)", assertThrows(BackendException.class,
                () -> VulkanResults.check(-424242, "vkQueueSubmit")).result(), "an unknown code keeps its number");
    }
}
