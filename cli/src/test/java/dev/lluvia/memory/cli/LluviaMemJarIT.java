package dev.lluvia.memory.cli;

import com.networknt.schema.Error;
import dev.lluvia.memory.contract.ChildJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;

import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code lluvia-mem.jar} as a user runs it, in a child JVM on the JDK that runs the tests (so
 * {@code .ci/run}'s second build checks JDK 25): every command and option works from the jar
 * (Jackson, picocli, LWJGL and its natives inside), prints nothing on stderr, and every mistake a
 * user makes is one line on stderr and exit code 2, without a stack trace.
 *
 * <p>Some runs are on a machine without a Vulkan loader: LWJGL is told to load a loader library
 * that does not exist ({@code org.lwjgl.vulkan.libname}, a bare name searched for as
 * {@code libvulkan.so.1} is), which is what a machine with no Vulkan driver package looks like to
 * it. Then the commands must say on stdout which backend they chose and why, and a library
 * program falling back to the simulated device must get the warning once.
 */
class LluviaMemJarIT {

    private static final String NO_LOADER = "-Dorg.lwjgl.vulkan.libname=liblluvia-test-no-vulkan.so.1";

    private record Run(int exit, String out, String err) {
        String transcript() {
            return "exit " + exit + "\n--- stdout ---\n" + out + "--- stderr ---\n" + err;
        }
    }

    @Test
    void demoWithoutVulkanLoaderPrintsNothingOnStderrAndSaysWhyItRunsOnTheSim() throws Exception {
        Run run = java(NO_LOADER, "-jar", jar(), "demo");
        assertEquals(0, run.exit(), run.transcript());
        assertEquals("", run.err(), "stderr must be empty: " + run.transcript());
        assertTrue(run.out().startsWith("Session: backend sim, "), run.transcript());
        assertTrue(run.out().contains("Backend: sim, because vulkan is unavailable: no Vulkan loader"),
                run.transcript());
        assertTrue(run.out().contains("liblluvia-test-no-vulkan.so.1"), "the reason names the library: " + run.transcript());
        assertTrue(run.out().contains("round trip: ok"), run.transcript());
    }

    @Test
    void infoWithoutVulkanLoaderListsTheReasonQuietly() throws Exception {
        Run run = java(NO_LOADER, "-jar", jar(), "info");
        assertEquals(0, run.exit(), run.transcript());
        assertEquals("", run.err(), "stderr must be empty: " + run.transcript());
        assertTrue(run.out().contains("vulkan: priority 100, unavailable - no Vulkan loader"), run.transcript());
        assertTrue(run.out().contains("* sim: priority 10, available"), run.transcript());
        assertTrue(run.out().contains("Backend: sim, because vulkan is unavailable"), run.transcript());
    }

    @Test
    void namedBackendIsReportedAsNamed() throws Exception {
        Run run = java(NO_LOADER, "-jar", jar(), "demo", "--profile", "llvmpipe");
        assertEquals(0, run.exit(), run.transcript());
        assertEquals("", run.err(), run.transcript());
        assertTrue(run.out().contains("Backend: sim, named with --profile"), run.transcript());
    }

    /** A library user (not the CLI) is warned, once for two sessions, with the reason. */
    @Test
    void fallbackToTheSimIsLoggedAtWarningOnceWithTheReason() throws Exception {
        Run run = java(NO_LOADER, "--enable-native-access=ALL-UNNAMED", "-cp", jar() + File.pathSeparator + testClasses(),
                FallbackProbe.class.getName());
        assertEquals(0, run.exit(), run.transcript());
        assertEquals("session 0: sim\nsession 1: sim\n", run.out(), run.transcript());
        List<String> warnings = run.err().lines().filter(l -> l.startsWith("WARNING: ")).toList();
        assertEquals(1, warnings.size(), "one warning for two sessions: " + run.transcript());
        String warning = warnings.get(0);
        assertTrue(warning.contains("memory backend 'sim' chosen because the backends ranked above it are unavailable")
                && warning.contains("vulkan: no Vulkan loader") && warning.contains("liblluvia-test-no-vulkan.so.1"),
                warning);
        assertTrue(warning.contains("-Dlluvia.backend=NAME"), "says how to choose on purpose: " + warning);
        assertFalse(run.err().contains("[LWJGL]"), run.transcript());
    }

    /** Choosing the sim on purpose is not a fallback: nothing to warn about. */
    @Test
    void namedBackendIsNotWarnedAbout() throws Exception {
        Run run = java(NO_LOADER, "-Dlluvia.backend=sim", "--enable-native-access=ALL-UNNAMED", "-cp", jar() + File.pathSeparator + testClasses(),
                FallbackProbe.class.getName());
        assertEquals(0, run.exit(), run.transcript());
        assertEquals("session 0: sim\nsession 1: sim\n", run.out(), run.transcript());
        assertEquals("", run.err(), run.transcript());
    }

    @Test
    void infoAndDemoOnTheBestBackendPrintNothingOnStderr() throws Exception {
        for (String command : new String[] {"info", "demo"}) {
            Run run = java("-jar", jar(), command);
            assertEquals(0, run.exit(), run.transcript());
            assertEquals("", run.err(), "stderr must be empty: " + run.transcript());
            assertTrue(run.out().contains("Backend: "), run.transcript());
        }
    }

    @Test
    void versionAndHelpComeFromTheJar() throws Exception {
        Run version = java("-jar", jar(), "--version");
        assertEquals(0, version.exit(), version.transcript());
        assertTrue(version.out().startsWith("lluvia-mem " + System.getProperty("lluvia.cli.version", "")),
                "the manifest's version: " + version.transcript());
        assertFalse(version.out().contains("development build"), version.transcript());
        for (String command : new String[] {"info", "demo", "stats", "map"}) {
            Run help = java("-jar", jar(), "help", command);
            assertEquals(0, help.exit(), help.transcript());
            assertTrue(help.out().contains("Usage: lluvia-mem " + command), help.transcript());
            assertEquals("", help.err(), help.transcript());
        }
    }

    @Test
    void statsPrintsTheTable() throws Exception {
        Run run = java("-jar", jar(), "stats", "--profile", "llvmpipe");
        assertEquals(0, run.exit(), run.transcript());
        assertEquals("", run.err(), run.transcript());
        assertTrue(run.out().contains("Workload: seed scenario") && run.out().contains("Memories:")
                && run.out().contains("  total "), run.transcript());
    }

    /** Jackson is in the jar: the dump is printed, and it is valid against VMA's schema. */
    @Test
    void statsJsonIsAValidVmaDump() throws Exception {
        Run run = java("-jar", jar(), "stats", "--json", "--profile", "llvmpipe", "--backend-property",
                "lluvia.sim.profile.limits.nonCoherentAtomSize=128");
        assertEquals(0, run.exit(), run.transcript());
        assertEquals("", run.err(), run.transcript());
        JsonNode dump = JsonMapper.builder().build().readTree(run.out());
        List<Error> errors = StatsAndMapCommandTest.schema().validate(dump);
        assertTrue(errors.isEmpty(), errors + "\n" + run.transcript());
        assertEquals(3, dump.get("Total").get("AllocationCount").asInt(), run.transcript());
    }

    @Test
    void mapWritesAPngOfATrace(@TempDir Path dir) throws Exception {
        Path png = dir.resolve("frame.png");
        Run run = java("-jar", jar(), "map", "--png", png.toString(), "--trace", "examples/frame.trace",
                "--profile", "nvidia-h100");
        assertEquals(0, run.exit(), run.transcript());
        assertEquals("", run.err(), run.transcript());
        assertTrue(run.out().startsWith("wrote " + png + " ("), run.transcript());
        assertTrue(run.out().contains("trace frame.trace (20 events)"), run.transcript());
        BufferedImage image = ImageIO.read(png.toFile());
        assertNotNull(image, "the PNG decodes");
        assertTrue(run.out().contains(image.getWidth() + "x" + image.getHeight() + " pixels"), run.transcript());
    }

    @Test
    void statsReplaysATrace() throws Exception {
        Run run = java("-jar", jar(), "stats", "--trace", "examples/frame.trace", "--profile", "llvmpipe");
        assertEquals(0, run.exit(), run.transcript());
        assertEquals("", run.err(), run.transcript());
        assertTrue(run.out().contains("Workload: trace frame.trace (20 events)"), run.transcript());
    }

    @Test
    void mapToAFolderIsOneLine(@TempDir Path dir) throws Exception {
        assertUsageError(dir.toString() + ": it is a folder", "map", "--png", dir.toString(), "--profile", "llvmpipe");
        assertTrue(Files.isDirectory(dir), "the folder is still there");
    }

    @Test
    void mapIntoAMissingFolderIsOneLine(@TempDir Path dir) throws Exception {
        Path png = dir.resolve("no-such-folder").resolve("x.png");
        assertUsageError("folder " + png.getParent() + " does not exist", "map", "--png", png.toString(),
                "--profile", "llvmpipe");
    }

    @Test
    void mapToAnUnwritablePathIsOneLine(@TempDir Path dir) throws Exception {
        Path readOnly = dir.resolve("read-only");
        Files.createDirectory(readOnly, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("r-xr-xr-x")));
        Path png = readOnly.resolve("x.png");
        if (Files.isWritable(readOnly)) {
            // Running as root, which ignores permissions: sysfs refuses new files even to root.
            png = Path.of("/sys/lluvia-test.png");
            assumeTrue(Files.isDirectory(png.getParent()), "no read-only place to write to here");
        }
        assertUsageError(png + ": permission denied", "map", "--png", png.toString(), "--profile", "llvmpipe");
    }

    @Test
    void anUnknownLluviaPropertyIsOneLineNamingIt() throws Exception {
        assertUsageError("unknown session property 'lluvia.sim.nosuch'", "info", "--backend-property", "lluvia.sim.nosuch=1");
    }

    @Test
    void anOutOfRangeProfileOverrideIsOneLineNamingIt() throws Exception {
        Run run = assertUsageError("limits.nonCoherentAtomSize: must be a power of two, was -3", "info",
                "--profile", "llvmpipe", "--backend-property", "lluvia.sim.profile.limits.nonCoherentAtomSize=-3");
        assertTrue(run.err().contains("lluvia.sim.profile.limits.nonCoherentAtomSize"), run.transcript());
    }

    @Test
    void aBinaryTraceFileIsOneLine(@TempDir Path dir) throws Exception {
        Path trace = dir.resolve("binary.trace");
        Files.write(trace, new byte[] {'m', 'e', 'm', (byte) 0xC3, (byte) 0x28, 0, (byte) 0xFF, '\n'});
        Run run = assertUsageError("is not a text file in UTF-8", "stats", "--trace", trace.toString(), "--profile", "llvmpipe");
        assertFalse(run.err().contains("MalformedInputException"), run.transcript());
    }

    /**
     * A library program on the class path, with the flag the documentation gives for JDK 22 and
     * later ({@code --enable-native-access=ALL-UNNAMED}; JDK 17 accepts it too), prints nothing on
     * stderr when it runs on Vulkan: no native-access warning, no {@code sun.misc.Unsafe} warning
     * (LWJGL's multi-release jar uses the FFM API on JDK 25).
     */
    @Test
    void aProgramOnVulkanPrintsNothingOnStderr() throws Exception {
        Run run = java("--enable-native-access=ALL-UNNAMED", "-cp", jar() + File.pathSeparator + testClasses(),
                FallbackProbe.class.getName());
        assertEquals(0, run.exit(), run.transcript());
        if (!run.out().startsWith("session 0: vulkan")) {
            assertFalse("1".equals(System.getenv("LLUVIA_VULKAN_REQUIRED")),
                    "LLUVIA_VULKAN_REQUIRED=1 but no Vulkan device: " + run.transcript());
            assumeFalse(true, "no Vulkan device here: " + run.transcript());
        }
        assertEquals("", run.err(), "stderr must be empty on " + Runtime.version() + ": " + run.transcript());
    }

    /** One line on stderr that contains {@code message}, exit code 2, nothing on stdout. */
    private static Run assertUsageError(String message, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("-jar", jar()));
        command.addAll(List.of(args));
        Run run = java(command.toArray(String[]::new));
        assertEquals(2, run.exit(), run.transcript());
        assertEquals(1, run.err().lines().count(), "one line on stderr: " + run.transcript());
        assertTrue(run.err().startsWith("lluvia-mem: ") && run.err().contains(message), run.transcript());
        assertFalse(run.err().contains("Exception"), "no exception class names: " + run.transcript());
        assertEquals("", run.out(), run.transcript());
        return run;
    }

    private static String jar() {
        String jar = System.getProperty("lluvia.cli.jar");
        assertNotNull(jar, "lluvia.cli.jar (set by the cli pom's failsafe configuration)");
        assertTrue(Files.isRegularFile(Path.of(jar)), "built: " + jar);
        return jar;
    }

    private static String testClasses() throws URISyntaxException {
        return Path.of(FallbackProbe.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }

    private static Run java(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of(args));
        ChildJvm.Result r = ChildJvm.exec(new ProcessBuilder(command), 120, "the CLI's JVM");
        assertFalse(r.timedOut(), "the child JVM finished: " + command + "\n" + r.output());
        return new Run(r.exitCode(), r.output().replace(System.lineSeparator(), "\n"),
                r.errors().replace(System.lineSeparator(), "\n"));
    }
}
