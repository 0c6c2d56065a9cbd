package dev.lluvia.memory.vulkan;

import dev.lluvia.memory.contract.ChildJvm;
import dev.lluvia.memory.contract.LongRun;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link LongRun} on every Vulkan device present (lavapipe in CI), in a child JVM
 * ({@link VulkanMappingChild}) with validation on: eight threads, defragmentation, aliases, views
 * and transfers, and no validation message after the session closes; CI runs 200,000 operations,
 * {@code -Dlluvia.longTests=true} 10^7.
 */
class VulkanLongRunTest {

    @ParameterizedTest(name = "device {0}")
    @MethodSource("dev.lluvia.memory.vulkan.VulkanTestSupport#devices")
    void eightThreadsOfRandomWorkRunClean(String device) throws Exception {
        VulkanTestSupport.assumeVulkan();
        ChildJvm.assertLongRunClean(VulkanMappingChild.class, device, 200_000, 22);
    }
}
