package dev.lluvia.memory.vulkan;

import dev.lluvia.memory.BackendException;
import dev.lluvia.memory.OutOfDeviceMemoryException;
import dev.lluvia.memory.OutOfHostMemoryException;

/**
 * The one place a {@code VkResult} is turned into the library's exceptions: out of device memory
 * becomes {@link OutOfDeviceMemoryException}, out of host memory {@link OutOfHostMemoryException},
 * anything else but {@code VK_SUCCESS} a {@link BackendException} with the call and the result's name.
 */
final class VulkanResults {

    private VulkanResults() {
    }

    /** Throws unless {@code result} is {@code VK_SUCCESS}. */
    static void check(int result, String call) {
        if (result != 0) {
            throw failure(result, call, -1, 0);
        }
    }

    /** As {@link #check(int, String)}, naming the heap and the bytes asked for when memory runs out. */
    static void check(int result, String call, int heapIndex, long requested) {
        if (result != 0) {
            throw failure(result, call, heapIndex, requested);
        }
    }

    static RuntimeException failure(int result, String call, int heapIndex, long requested) {
        String name = name(result);
        return switch (result) {
            case -2 -> new OutOfDeviceMemoryException(call + " failed: " + name
                    + (heapIndex >= 0 ? " (heap " + heapIndex + ", " + requested + " bytes asked for)" : ""),
                    heapIndex, requested);
            case -1 -> new OutOfHostMemoryException(call + " failed: " + name);
            default -> new BackendException(call, name);
        };
    }

    /** The {@code VkResult} name of a code, or {@code VkResult(code)} for one this table does not know. */
    static String name(int result) {
        return switch (result) {
            case 0 -> "VK_SUCCESS";
            case 1 -> "VK_NOT_READY";
            case 2 -> "VK_TIMEOUT";
            case 3 -> "VK_EVENT_SET";
            case 4 -> "VK_EVENT_RESET";
            case 5 -> "VK_INCOMPLETE";
            case -1 -> "VK_ERROR_OUT_OF_HOST_MEMORY";
            case -2 -> "VK_ERROR_OUT_OF_DEVICE_MEMORY";
            case -3 -> "VK_ERROR_INITIALIZATION_FAILED";
            case -4 -> "VK_ERROR_DEVICE_LOST";
            case -5 -> "VK_ERROR_MEMORY_MAP_FAILED";
            case -6 -> "VK_ERROR_LAYER_NOT_PRESENT";
            case -7 -> "VK_ERROR_EXTENSION_NOT_PRESENT";
            case -8 -> "VK_ERROR_FEATURE_NOT_PRESENT";
            case -9 -> "VK_ERROR_INCOMPATIBLE_DRIVER";
            case -10 -> "VK_ERROR_TOO_MANY_OBJECTS";
            case -11 -> "VK_ERROR_FORMAT_NOT_SUPPORTED";
            case -12 -> "VK_ERROR_FRAGMENTED_POOL";
            case -13 -> "VK_ERROR_UNKNOWN";
            case -1000069000 -> "VK_ERROR_OUT_OF_POOL_MEMORY";
            case -1000072003 -> "VK_ERROR_INVALID_EXTERNAL_HANDLE";
            case -1000161000 -> "VK_ERROR_FRAGMENTATION";
            case -1000257000 -> "VK_ERROR_INVALID_OPAQUE_CAPTURE_ADDRESS";
            case -1000011001 -> "VK_ERROR_VALIDATION_FAILED_EXT";
            case -1000174001 -> "VK_ERROR_NOT_PERMITTED_KHR";
            default -> "VkResult(" + result + ")";
        };
    }
}
