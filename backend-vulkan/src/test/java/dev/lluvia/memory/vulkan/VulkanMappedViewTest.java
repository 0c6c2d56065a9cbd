package dev.lluvia.memory.vulkan;

import dev.lluvia.memory.contract.ChildJvm;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The cases of issue 12 on every Vulkan device present (lavapipe in CI), each in child JVMs
 * ({@link VulkanMappingChild}) with validation on: a stale {@link dev.lluvia.memory.MappedView}
 * after Buffer, Memory and Session close throws and leaves the new buffer's bytes intact (after a
 * Session close the page is unmapped and freed: a raw view crashed the JVM there every time); and
 * Memory and Session closes racing eight threads' view accesses, {@link ChildJvm#RACE_RUNS} JVMs,
 * with no crash and no wrong byte.
 */
class VulkanMappedViewTest {

    @ParameterizedTest(name = "device {0}")
    @MethodSource("dev.lluvia.memory.vulkan.VulkanTestSupport#devices")
    void staleViewsThrowAndTheNewObjectsBytesStayIntact(String device) throws Exception {
        VulkanTestSupport.assumeVulkan();
        ChildJvm.assertStaleCasesPass(VulkanMappingChild.class, device);
    }

    @ParameterizedTest(name = "device {0}")
    @MethodSource("dev.lluvia.memory.vulkan.VulkanTestSupport#devices")
    void closesRacingEightThreadsAccessesNeverCrashNorCorrupt(String device) throws Exception {
        VulkanTestSupport.assumeVulkan();
        ChildJvm.assertRaceRunsClean(VulkanMappingChild.class, device, 4);
    }
}
