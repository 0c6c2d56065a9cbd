package dev.lluvia.memory.vulkan;

import dev.lluvia.memory.Session;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Without a Vulkan loader the provider says so instead of throwing, quietly (nothing on stderr, not
 * LWJGL's advice either), and a session asking for {@code vulkan} fails with
 * {@link dev.lluvia.memory.BackendNotFoundException} carrying the reason.
 * Needs a fresh JVM (a JVM that loaded the loader keeps it), so it runs {@link NoLoaderProbe} in one,
 * with LWJGL's {@code org.lwjgl.vulkan.libname} naming a library that does not exist. Runs
 * everywhere, Vulkan or not.
 */
class VulkanNoLoaderTest {

    @Test
    void probeReportsTheMissingLoaderAndSessionCreationNamesIt() throws Exception {
        // A bare name, searched for as the real libvulkan.so.1 is (an absolute path fails without
        // LWJGL's advice, so it would not test the quiet probe).
        String missing = "liblluvia-test-no-vulkan.so.1";
        ProcessBuilder pb = new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", childClassPath(),
                "-Dorg.lwjgl.vulkan.libname=" + missing,
                NoLoaderProbe.class.getName());
        pb.redirectError(ProcessBuilder.Redirect.PIPE);
        Process p = pb.start();
        // stderr is small (empty when all is well); read it after stdout is drained.
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the child JVM finished");
        out = "class path: " + pb.command().get(2) + "\n" + out + "--- stderr ---\n" + err;
        assertEquals(0, p.exitValue(), out);
        // LWJGL's "[LWJGL] Failed to load a library. Possible solutions: ..." advice stays out of
        // the user's terminal: the reason is in the probe's answer instead.
        assertEquals("", err, "nothing on stderr: " + out);
        assertTrue(out.contains("probe available=false"), out);
        assertTrue(out.contains("no Vulkan loader") && out.contains(missing), "the reason names the missing loader: " + out);
        assertTrue(out.contains("session BackendNotFoundException: memory backend 'vulkan' is unavailable: no Vulkan loader"), out);
    }

    /** The jars and folders of this module's code, the core, LWJGL, its natives and the tests. */
    static String childClassPath() throws URISyntaxException {
        Set<String> entries = new LinkedHashSet<>();
        for (Class<?> c : List.of(NoLoaderProbe.class, VulkanBackendProvider.class, Session.class,
                org.lwjgl.Version.class, org.lwjgl.vulkan.VK.class)) {
            entries.add(Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString());
        }
        URL natives = VulkanNoLoaderTest.class.getClassLoader().getResource("linux/x64/org/lwjgl/liblwjgl.so");
        if (natives != null && natives.getProtocol().equals("jar")) {
            String jar = natives.getPath().substring(0, natives.getPath().indexOf("!/"));
            entries.add(Path.of(new java.net.URI(jar)).toString());
        }
        return String.join(File.pathSeparator, entries);
    }
}
