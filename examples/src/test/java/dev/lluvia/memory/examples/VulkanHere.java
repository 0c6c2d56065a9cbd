package dev.lluvia.memory.examples;

import dev.lluvia.memory.spi.Availability;
import dev.lluvia.memory.vulkan.VulkanBackendProvider;
import org.junit.jupiter.api.Assumptions;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Whether the examples' tests can run: without a Vulkan device they are skipped, saying why, unless
 * {@code LLUVIA_VULKAN_REQUIRED=1} or {@code lluvia.vulkan.required=true} (CI), which makes that a
 * failure.
 */
final class VulkanHere {

    private VulkanHere() {
    }

    /** Skips or fails the test unless Vulkan is here; returns whether Vulkan is required (validation layer included). */
    static boolean assume() {
        Availability a = new VulkanBackendProvider().probe();
        VulkanBackendProvider.releaseSharedInstances();
        String env = System.getenv("LLUVIA_VULKAN_REQUIRED");
        boolean required = Boolean.getBoolean("lluvia.vulkan.required") || "1".equals(env) || "true".equalsIgnoreCase(env);
        if (!a.available()) {
            if (required) {
                fail("no usable Vulkan here: " + a.reason());
            }
            Assumptions.abort("no usable Vulkan here: " + a.reason());
        }
        return required;
    }
}
