package dev.lluvia.memory.vulkan;

import dev.lluvia.memory.Session;
import dev.lluvia.memory.contract.ChildJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static dev.lluvia.memory.vulkan.VulkanTestSupport.assumeVulkan;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Whole programs in their own JVMs, as users run them, ending with a normal JVM exit and no call at
 * the end of {@code main}: {@link VulkanStress} (threads opening and closing sessions on every device
 * with the probe between them) and {@link VulkanLifecycleProgram} leaving sessions open at exit.
 * Each must exit with status 0 and leave no {@code hs_err} file: on NVIDIA's driver, a JVM that
 * exits with the driver loaded crashes (docs/devices.md), so these are the tests of the shutdown
 * hook. Small here (CI on lavapipe); {@code scripts/gpu-lifecycle.sh} runs them many times on a GPU.
 */
class VulkanLifecycleJvmTest {

    @TempDir
    Path dir;

    @Test
    void stressProgramOnEveryDeviceExitsCleanly() throws Exception {
        assumeVulkan();
        String out = runJvm(VulkanStress.class, "7", "3", "4", "2");
        assertTrue(out.contains("stress: ok"), out);
    }

    @Test
    void sessionsLeftOpenAtExitAreClosedByTheShutdownHook() throws Exception {
        assumeVulkan();
        String out = runJvm(VulkanLifecycleProgram.class, "probe", "seq", "0", "debug", "open", "100", "4");
        assertTrue(out.contains("1 sessions left open"), out);
        assertTrue(out.contains("still open at JVM exit"), "the hook closed the open session and said so: " + out);
    }

    /** Regression: the hook closed backends only, leaving the Memories' mapped views open on freed pages. */
    @Test
    void theShutdownHookClosesTheSessionAndShutsItsViews() throws Exception {
        assumeVulkan();
        String out = runJvm(VulkanShutdownProgram.class, "hook");
        assertTrue(out.contains("shutdown: ok"), out);
    }

    /** Regression: two closers (the program's and the hook) could both pass the closed check and destroy. */
    @Test
    void twoThreadsClosingOneBackendDestroyItOnce() throws Exception {
        assumeVulkan();
        String out = runJvm(VulkanShutdownProgram.class, "race");
        assertTrue(out.contains("shutdown: ok"), out);
    }

    /** Regression: a bad lluvia.vulkan.keepInstances was read in close() and threw out of it. */
    @Test
    void aBadKeepInstancesValueFailsTheOpeningNotTheClose() throws Exception {
        assumeVulkan();
        String key = VulkanBackend.KEEP_INSTANCES_PROPERTY;
        String before = System.getProperty(key);
        Session session = VulkanTestSupport.open(VulkanTestSupport.deviceNames().get(0));
        try {
            int open = VulkanInstance.openBackends();
            System.setProperty(key, "sometimes");
            session.close(); // read at opening: the bad value set since cannot make the close throw
            assertEquals(open - 1, VulkanInstance.openBackends());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> VulkanTestSupport.open(VulkanTestSupport.deviceNames().get(0)));
            assertTrue(e.getMessage().contains("sometimes"), e.getMessage());
            assertEquals(open - 1, VulkanInstance.openBackends(), "a refused opening acquires nothing");
        } finally {
            if (before == null) {
                System.clearProperty(key);
            } else {
                System.setProperty(key, before);
            }
            session.close();
        }
    }

    @Test
    void probeAloneExitsCleanly() throws Exception {
        assumeVulkan();
        runJvm(VulkanLifecycleProgram.class, "probe", "seq", "", "nodebug", "close");
    }

    /** Runs {@code main} in a fresh JVM; asserts exit status 0 and no hs_err file; returns the output. */
    private String runJvm(Class<?> main, String... args) throws IOException, InterruptedException, java.net.URISyntaxException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", VulkanNoLoaderTest.childClassPath(), "-XX:ErrorFile=" + dir.resolve("hs_err_%p.log"), "-XX:ErrorLogTimeout=5",
                main.getName()));
        command.addAll(List.of(args));
        ChildJvm.Result r = ChildJvm.exec(new ProcessBuilder(command).redirectErrorStream(true), 120, main.getSimpleName());
        String out = r.output();
        assertFalse(r.timedOut(), "the JVM finished within 120 s: " + out);
        List<Path> crashes;
        try (Stream<Path> files = Files.list(dir)) {
            crashes = files.filter(f -> f.getFileName().toString().startsWith("hs_err")).toList();
        }
        assertTrue(crashes.isEmpty(), () -> "the JVM crashed: " + crashes + "\n" + out);
        assertEquals(0, r.exitCode(), out);
        return out;
    }
}
