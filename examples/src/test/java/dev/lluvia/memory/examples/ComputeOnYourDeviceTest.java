package dev.lluvia.memory.examples;

import dev.lluvia.memory.contract.ChildJvm;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Runs the example as a user would, in a JVM of its own (a Vulkan program that goes wrong could
 * crash the JVM): from the class path, and from the module path. Both must print {@code OK} (every
 * element exact, no validation message) and exit with 0. Without a Vulkan device the test is
 * skipped, saying why, unless {@code LLUVIA_VULKAN_REQUIRED=1} or {@code lluvia.vulkan.required=true}.
 */
class ComputeOnYourDeviceTest {

    @BeforeAll
    static void vulkanPresent() {
        VulkanHere.assume();
    }

    @Test
    void runsFromTheClassPath() throws Exception {
        String out = run(List.of("-cp", System.getProperty("java.class.path"), ComputeOnYourDevice.class.getName(), "0"));
        assertOk(out);
    }

    @Test
    void runsFromTheModulePath() throws Exception {
        // Only what the example's module needs: the library's modules, LWJGL's modules and their natives.
        List<String> modules = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path path = Path.of(entry).toAbsolutePath();
            String name = path.getFileName().toString();
            // target/classes of a module in the reactor: the module is the folder above target.
            Path module = path.getParent() == null ? null : path.getParent().getParent();
            String parent = module == null || module.getFileName() == null ? "" : module.getFileName().toString();
            // Not the Vulkan tests' jar (a test dependency of this module): its packages are the library's.
            boolean ours = (name.startsWith("lluvia-memory-core") || name.startsWith("lluvia-memory-vulkan")
                    || name.startsWith("lluvia-memory-examples")) && !name.endsWith("-tests.jar")
                    || (name.equals("classes") && List.of("allocator-core", "backend-vulkan", "examples").contains(parent));
            if (ours || name.startsWith("lwjgl")) {
                modules.add(entry);
            }
        }
        String out = run(List.of("-p", String.join(File.pathSeparator, modules),
                "--add-modules", "org.lwjgl.natives,org.lwjgl.shaderc.natives",
                "-m", "dev.lluvia.memory.examples/" + ComputeOnYourDevice.class.getName(), "0"));
        assertOk(out);
    }

    /**
     * A device index past the last ends the example with its error, the instance it made destroyed
     * on the way out: exit status 1, not a crash. On NVIDIA's driver a process that exits with an
     * instance of its own alive crashes in the driver's exit code (SIGSEGV, status 134); the example
     * did so before it destroyed its instance in a finally block.
     */
    @Test
    void aDeviceIndexPastTheLastEndsWithTheErrorNotACrash() throws Exception {
        List<String> command = List.of("-XX:ErrorFile=" + System.getProperty("java.io.tmpdir") + "/hs_err_example_%p.log",
                "-cp", System.getProperty("java.class.path"), ComputeOnYourDevice.class.getName(), "99");
        ChildJvm.Result r = start(command);
        String out = r.output();
        assertFalse(r.timedOut(), out);
        assertEquals(1, r.exitCode(), () -> "an uncaught exception's status, not a crash's:\n" + out);
        assertTrue(out.contains("IllegalArgumentException: device index 99: there are"), out);
        assertFalse(out.contains("A fatal error has been detected"), out);
    }

    private static void assertOk(String out) {
        assertTrue(out.contains("saxpy: y = 2.0 * x + y over 1048576 floats: 1048576 of 1048576 exact"), out);
        assertTrue(out.contains("validation messages: 0"), out);
        assertTrue(out.strip().endsWith("OK"), out);
    }

    private static ChildJvm.Result start(List<String> args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(args);
        return ChildJvm.exec(new ProcessBuilder(command).redirectErrorStream(true), 120, "the example");
    }

    private static String run(List<String> command) throws IOException, InterruptedException {
        ChildJvm.Result r = start(command);
        String out = r.output();
        assertEquals(0, r.exitCode(), () -> "exit status of " + command.stream().collect(Collectors.joining(" ")) + ":\n" + out);
        return out;
    }
}
