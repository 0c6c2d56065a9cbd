package dev.lluvia.memory.cli;

import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code lluvia-mem.jar} as a user runs it, in a child JVM, on a machine without a Vulkan loader:
 * LWJGL is told to load a loader library that does not exist ({@code org.lwjgl.vulkan.libname}, a
 * bare name searched for as {@code libvulkan.so.1} is), which is what a machine with no Vulkan
 * driver package looks like to it. Then the commands must print nothing on stderr (no LWJGL advice,
 * no duplicate of what stdout says), say on stdout which backend they chose and why, and a library
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
        Run run = java(NO_LOADER, "-cp", jar() + File.pathSeparator + testClasses(), FallbackProbe.class.getName());
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
        Run run = java(NO_LOADER, "-Dlluvia.backend=sim", "-cp", jar() + File.pathSeparator + testClasses(),
                FallbackProbe.class.getName());
        assertEquals(0, run.exit(), run.transcript());
        assertEquals("session 0: sim\nsession 1: sim\n", run.out(), run.transcript());
        assertEquals("", run.err(), run.transcript());
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
        Process p = new ProcessBuilder(command).start();
        p.getOutputStream().close();
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
        String out = read(p.getInputStream());
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the child JVM finished: " + command);
        return new Run(p.exitValue(), out.replace(System.lineSeparator(), "\n"),
                err.join().replace(System.lineSeparator(), "\n"));
    }

    private static String read(java.io.InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
