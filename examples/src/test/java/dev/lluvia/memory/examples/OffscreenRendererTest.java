package dev.lluvia.memory.examples;

import dev.lluvia.memory.spi.Availability;
import dev.lluvia.memory.vulkan.VulkanBackendProvider;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Runs {@link OffscreenRenderer} as a user would, in a JVM of its own: it must print each check it
 * made, no validation message, {@code OK}, and exit with 0. Without a Vulkan device the test is
 * skipped, saying why, unless {@code LLUVIA_VULKAN_REQUIRED=1} or {@code lluvia.vulkan.required=true}.
 */
class OffscreenRendererTest {

    @BeforeAll
    static void vulkanPresent() {
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
    }

    @Test
    void rendersAndChecksEveryPixelAndTexel() throws Exception {
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), OffscreenRenderer.class.getName(), "0");
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the example finished");
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("validation on"), out);
        assertTrue(out.contains("checked: triangles drawn with 4x MSAA and a depth test, resolved and read back: 4096 pixels right"), out);
        assertTrue(out.contains("checked: vertex buffer: the program's own VkBuffer bound to Allocation#"), out);
        assertTrue(out.contains("checked: cube map"), out);
        assertTrue(out.contains("checked: BC1-compressed texture"), out);
        assertTrue(out.contains("validation messages: 0"), out);
        assertTrue(out.strip().endsWith("OK"), out);
    }
}
