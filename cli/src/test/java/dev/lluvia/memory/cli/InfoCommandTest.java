package dev.lluvia.memory.cli;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class InfoCommandTest {

    /** The seed's four flag sets, in Lluvia's order, with the enum's names in enum order. */
    private static final String H100_LISTING = """
            Memory index: 0
                supported flags: [DEVICE_LOCAL]

            Memory index: 1
                supported flags: [HOST_VISIBLE, HOST_COHERENT]

            Memory index: 2
                supported flags: [HOST_VISIBLE, HOST_COHERENT, HOST_CACHED]

            Memory index: 3
                supported flags: [DEVICE_LOCAL, HOST_VISIBLE, HOST_COHERENT]

            """;

    @Test
    void infoOnTheH100ProfileEndsWithTheSeedsListingOfSupportedFlags() {
        CliRun run = CliRun.of("info", "--profile", "nvidia-h100");
        assertEquals(0, run.exitCode(), run.transcript());
        assertTrue(run.out().endsWith("\n\n" + H100_LISTING), run.transcript());
        assertEquals("", run.err(), run.transcript());
    }

    @Test
    void infoOnTheH100ProfileShowsHeapsTypesAndLimitsAsMeasured() {
        CliRun run = CliRun.of("info", "--profile", "nvidia-h100");
        assertEquals(0, run.exitCode(), run.transcript());
        String out = run.out();
        assertTrue(out.contains("  heap 0: 79.65 GiB (85520809984 bytes), device-local\n"), run.transcript());
        assertTrue(out.contains("  heap 1: 94.39 GiB (101346794496 bytes)\n"), run.transcript());
        for (String type : List.of(
                "  type 0: heap 1, flags []\n",
                "  type 1: heap 0, flags [DEVICE_LOCAL]\n",
                "  type 2: heap 1, flags [HOST_VISIBLE, HOST_COHERENT]\n",
                "  type 3: heap 1, flags [HOST_VISIBLE, HOST_COHERENT, HOST_CACHED]\n",
                "  type 4: heap 0, flags [DEVICE_LOCAL, HOST_VISIBLE, HOST_COHERENT]\n")) {
            assertTrue(out.contains(type), "missing '" + type.strip() + "' in\n" + run.transcript());
        }
        assertTrue(out.contains("  bufferImageGranularity         : 1024\n"), run.transcript());
        assertTrue(out.contains("  nonCoherentAtomSize            : 64\n"), run.transcript());
        assertTrue(out.contains("Session: backend sim,"), run.transcript());
    }

    @Test
    void infoListsEveryDeviceOfTheBackendAndMarksTheSessionsOne() {
        CliRun run = CliRun.of("info", "--profile", "nvidia-h200");
        assertEquals(0, run.exitCode(), run.transcript());
        String out = run.out();
        assertTrue(out.contains("Devices of backend sim"), run.transcript());
        assertTrue(out.contains("    0: NVIDIA H100 80GB HBM3 (simulated) [DISCRETE_GPU, Vulkan 1.4.312], heaps 85520809984 B"
                + " device-local, 101346794496 B\n"), run.transcript());
        assertTrue(out.contains("    1: llvmpipe (LLVM 15.0.6, 256 bits) (simulated) [CPU, Vulkan 1.3.230]"), run.transcript());
        assertTrue(out.contains("  * 3: NVIDIA H200 (simulated) [DISCRETE_GPU, Vulkan 1.4.312], heaps 150754820096 B"
                + " device-local, 101346797568 B\n"), run.transcript());
    }

    @Test
    void infoOnLlvmpipeListsItsOneFlagSet() {
        CliRun run = CliRun.of("info", "--profile", "llvmpipe");
        assertEquals(0, run.exitCode(), run.transcript());
        assertTrue(run.out().endsWith("""

                Memory index: 0
                    supported flags: [DEVICE_LOCAL, HOST_VISIBLE, HOST_COHERENT, HOST_CACHED]

                """), run.transcript());
        assertFalse(run.out().contains("Memory index: 1"), run.transcript());
        assertTrue(run.out().contains("  heap 0: 2 GiB (2147483648 bytes), device-local\n"), run.transcript());
        assertTrue(run.out().contains("estimated from heap sizes"), "llvmpipe has no VK_EXT_memory_budget\n"
                + run.transcript());
    }

    @Test
    void withoutOptionsInfoOpensTheFirstAvailableBackendOfTheList() {
        CliRun run = CliRun.of("info");
        assertEquals(0, run.exitCode(), run.transcript());
        // The list is in priority order; the marked one must be the first that is available.
        List<String> backends = run.out().lines()
                .dropWhile(l -> !l.startsWith("Backends (highest priority first):")).skip(1)
                .takeWhile(l -> !l.startsWith("Session:"))
                .toList();
        String firstAvailable = backends.stream().filter(l -> l.contains(", available"))
                .findFirst().orElseThrow(() -> new AssertionError("no available backend listed\n" + run.transcript()));
        assertTrue(firstAvailable.startsWith("  * "), "the chosen backend is not the best available one\n"
                + run.transcript());
        assertEquals(1, backends.stream().filter(l -> l.startsWith("  * ")).count(), run.transcript());
        String name = firstAvailable.substring(4, firstAvailable.indexOf(':'));
        assertTrue(run.out().contains("Session: backend " + name + ","), run.transcript());
    }
}
