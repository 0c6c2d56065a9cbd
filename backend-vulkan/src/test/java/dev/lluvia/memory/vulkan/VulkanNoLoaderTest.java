package dev.lluvia.memory.vulkan;

import dev.lluvia.memory.Session;
import dev.lluvia.memory.contract.ChildJvm;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Without a working Vulkan the provider says what failed instead of throwing, quietly (nothing on
 * stderr, not LWJGL's advice either), {@link Session#availableBackends()} shows the same reason, and
 * a session asking for {@code vulkan}, or for the best backend when there is no other, fails with
 * {@link dev.lluvia.memory.BackendNotFoundException} carrying it. One cause per test, each in a
 * fresh JVM (a JVM that loaded a library keeps it) running {@link NoLoaderProbe}: LWJGL's natives
 * left off the class path, LWJGL's {@code org.lwjgl.vulkan.libname} naming a loader that does not
 * exist, and the loader's {@code VK_DRIVER_FILES} naming no driver. Runs everywhere, Vulkan or not.
 */
class VulkanNoLoaderTest {

    /** The child's output: stdout, and stderr which must stay empty. */
    private record Run(int exit, String out, String err) {
        String transcript() {
            return "exit " + exit + "\n" + out + "--- stderr ---\n" + err;
        }

        /** Every place a user can read the reason: probe, backend list, both session attempts. */
        void assertReasonEverywhere(String reason) {
            assertEquals(0, exit, transcript());
            // LWJGL's "[LWJGL] Failed to load a library. Possible solutions: ..." advice stays out of
            // the user's terminal: the reason is in the probe's answer instead.
            assertEquals("", err, "nothing on stderr: " + transcript());
            assertTrue(out.contains("probe available=false reason=" + reason), transcript());
            assertTrue(out.contains("backend vulkan available=false detail=" + reason), transcript());
            assertTrue(out.contains("session BackendNotFoundException: memory backend 'vulkan' is unavailable: " + reason),
                    transcript());
            assertTrue(out.contains("session BackendNotFoundException: no memory backend is available (vulkan: " + reason),
                    transcript());
        }
    }

    @Test
    void aMissingLoaderIsNamed() throws Exception {
        // A bare name, searched for as the real libvulkan.so.1 is (an absolute path fails without
        // LWJGL's advice, so it would not test the quiet probe).
        String missing = "liblluvia-test-no-vulkan.so.1";
        Run run = probe(true, Map.of(), "-Dorg.lwjgl.vulkan.libname=" + missing);
        run.assertReasonEverywhere("no Vulkan loader (libvulkan.so.1): ");
        assertTrue(run.out().contains(missing), "the reason names the missing loader: " + run.transcript());
    }

    /** LWJGL's own liblwjgl.so missing is not reported as a missing Vulkan loader. */
    @Test
    void missingLwjglNativesAreNamedNotTheLoader() throws Exception {
        Run run = probe(false, Map.of());
        run.assertReasonEverywhere("LWJGL's natives did not load (");
        assertTrue(run.out().contains("liblwjgl"), "names LWJGL's library: " + run.transcript());
        assertTrue(run.out().contains("org.lwjgl:lwjgl:3.4.1:" + VulkanInstance.nativesClassifier())
                && run.out().contains("--add-modules org.lwjgl.natives"), "says what to add: " + run.transcript());
        assertFalse(run.out().contains("Vulkan loader"), run.transcript());
    }

    @Test
    void aLoaderWithoutDriverIsNamed() throws Exception {
        Run run = probe(true, Map.of("VK_DRIVER_FILES", "/nonexistent/lluvia-no-driver.json",
                "VK_ICD_FILENAMES", "/nonexistent/lluvia-no-driver.json"));
        run.assertReasonEverywhere("the Vulkan loader found no driver (");
        assertTrue(run.out().contains("VK_ERROR_INCOMPATIBLE_DRIVER"), run.transcript());
    }

    private static Run probe(boolean natives, Map<String, String> environment, String... jvmOptions) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        // The flag a program needs on JDK 22+ (JEP 472), so that the JDK's own warning is not what fills stderr.
        command.add("--enable-native-access=ALL-UNNAMED");
        command.addAll(List.of(jvmOptions));
        command.addAll(List.of("-cp", childClassPath(natives), NoLoaderProbe.class.getName()));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().putAll(environment);
        ChildJvm.Result r = ChildJvm.exec(pb, 60, "the no-loader probe");
        assertFalse(r.timedOut(), "the child JVM finished:\n" + r.output());
        return new Run(r.exitCode(), "command: " + command + "\n" + r.output(), r.errors());
    }

    /** The jars and folders of this module's code, the core, LWJGL, its natives (if asked) and the tests. */
    static String childClassPath() throws URISyntaxException {
        return childClassPath(true);
    }

    private static String childClassPath(boolean natives) throws URISyntaxException {
        Set<String> entries = new LinkedHashSet<>();
        for (Class<?> c : List.of(NoLoaderProbe.class, VulkanBackendProvider.class, Session.class,
                org.lwjgl.Version.class, org.lwjgl.vulkan.VK.class)) {
            entries.add(Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString());
        }
        URL lib = VulkanNoLoaderTest.class.getClassLoader().getResource("linux/x64/org/lwjgl/liblwjgl.so");
        if (natives && lib != null && lib.getProtocol().equals("jar")) {
            String jar = lib.getPath().substring(0, lib.getPath().indexOf("!/"));
            entries.add(Path.of(new java.net.URI(jar)).toString());
        }
        return String.join(File.pathSeparator, entries);
    }
}
