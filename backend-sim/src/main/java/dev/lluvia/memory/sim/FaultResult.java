package dev.lluvia.memory.sim;

import dev.lluvia.memory.BackendException;
import dev.lluvia.memory.LluviaException;
import dev.lluvia.memory.OutOfDeviceMemoryException;
import dev.lluvia.memory.OutOfHostMemoryException;

import java.util.Locale;

/**
 * What an injected fault returns: the {@code VkResult} a driver gives, and the library's typed
 * exception for it, so a test sees exactly what a user of a real device would.
 */
public enum FaultResult {
    /** {@code VK_ERROR_OUT_OF_DEVICE_MEMORY}: an {@link OutOfDeviceMemoryException}. */
    OUT_OF_DEVICE_MEMORY("VK_ERROR_OUT_OF_DEVICE_MEMORY"),
    /** {@code VK_ERROR_OUT_OF_HOST_MEMORY}: an {@link OutOfHostMemoryException}. */
    OUT_OF_HOST_MEMORY("VK_ERROR_OUT_OF_HOST_MEMORY"),
    /**
     * {@code VK_ERROR_DEVICE_LOST}: a {@link BackendException} whose {@link BackendException#result()}
     * is {@code VK_ERROR_DEVICE_LOST}. A real device stays lost; the sim's is lost for the one call,
     * so a test can check that the library is still consistent and usable afterwards.
     */
    DEVICE_LOST("VK_ERROR_DEVICE_LOST");

    private final String vkResult;

    FaultResult(String vkResult) {
        this.vkResult = vkResult;
    }

    /** The Vulkan result name, e.g. {@code VK_ERROR_DEVICE_LOST}. */
    public String vkResult() {
        return vkResult;
    }

    /**
     * The exception a backend throws for this result from {@code call} (the SPI call, e.g.
     * {@code allocatePage}); {@code what} and {@code why} explain it in the message.
     */
    LluviaException exception(String call, String what, String why, int heapIndex, long bytes) {
        final String operation = "sim " + call + " " + what;
        return switch (this) {
            case OUT_OF_DEVICE_MEMORY -> new OutOfDeviceMemoryException(operation + " failed: " + vkResult + " " + why,
                    heapIndex, bytes);
            case OUT_OF_HOST_MEMORY -> new OutOfHostMemoryException(operation + " failed: " + vkResult + " " + why);
            case DEVICE_LOST -> new BackendException(call, vkResult, operation + " " + why);
        };
    }

    /**
     * The result of a name: the constant ({@code DEVICE_LOST}) or the Vulkan name
     * ({@code VK_ERROR_DEVICE_LOST}), case-insensitive.
     *
     * @throws IllegalArgumentException naming the value and the results that exist
     */
    public static FaultResult of(String name) {
        String n = name.trim().toUpperCase(Locale.ROOT);
        for (FaultResult r : values()) {
            if (r.name().equals(n) || r.vkResult.equals(n)) {
                return r;
            }
        }
        throw new IllegalArgumentException("unknown fault result '" + name + "'; the results are "
                + "OUT_OF_DEVICE_MEMORY, OUT_OF_HOST_MEMORY, DEVICE_LOST");
    }
}
