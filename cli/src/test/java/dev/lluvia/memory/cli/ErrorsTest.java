package dev.lluvia.memory.cli;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What a user who mistypes sees: one line that names the mistake and the choices, exit code 2. */
class ErrorsTest {

    @Test
    void anUnknownBackendExitsWith2AndListsTheBackendsFound() {
        for (String command : new String[] {"info", "demo"}) {
            CliRun run = CliRun.of(command, "--backend", "nosuch");
            assertEquals(Main.EXIT_USAGE, run.exitCode(), run.transcript());
            assertTrue(run.err().startsWith("lluvia-mem: "), run.transcript());
            assertTrue(run.err().contains("'nosuch'"), run.transcript());
            assertTrue(run.err().contains("sim"), "the message should list the backends found\n" + run.transcript());
            assertFalse(run.err().contains("\tat "), "no stack trace without --verbose\n" + run.transcript());
            assertEquals("", run.out(), run.transcript());
        }
    }

    @Test
    void anUnknownProfileExitsWith2AndListsTheProfiles() {
        CliRun run = CliRun.of("demo", "--profile", "nosuch-gpu");
        assertEquals(Main.EXIT_USAGE, run.exitCode(), run.transcript());
        assertTrue(run.err().contains("nosuch-gpu"), run.transcript());
        assertTrue(run.err().contains("nvidia-h100") && run.err().contains("llvmpipe"),
                "the message should list the known profiles\n" + run.transcript());
        assertFalse(run.err().contains("\tat "), run.transcript());
        assertEquals("", run.out(), run.transcript());
    }

    @Test
    void verbosePrintsTheStackTrace() {
        CliRun run = CliRun.of("info", "--backend", "nosuch", "--verbose");
        assertEquals(Main.EXIT_USAGE, run.exitCode(), run.transcript());
        assertTrue(run.err().contains("\tat "), run.transcript());
    }

    @Test
    void aProfileWithAnotherBackendIsAUsageError() {
        CliRun run = CliRun.of("info", "--profile", "nvidia-h100", "--backend", "vulkan");
        assertEquals(Main.EXIT_USAGE, run.exitCode(), run.transcript());
        assertTrue(run.err().startsWith("lluvia-mem: --profile nvidia-h100")
                && run.err().contains("--backend vulkan"), run.transcript());
        assertTrue(run.err().contains("Try 'lluvia-mem info --help'"), run.transcript());
        assertFalse(run.err().contains("Usage:"), "the message must not drown in the help text\n" + run.transcript());
        assertEquals("", run.out(), run.transcript());
    }

    @Test
    void aProfileWithTheSimBackendNamedIsFine() {
        CliRun run = CliRun.of("info", "--profile", "nvidia-h100", "--backend", "sim");
        assertEquals(0, run.exitCode(), run.transcript());
    }

    @Test
    void aProfileAndADifferentDeviceIsAUsageError() {
        CliRun run = CliRun.of("demo", "--profile", "nvidia-h100", "--device", "llvmpipe");
        assertEquals(Main.EXIT_USAGE, run.exitCode(), run.transcript());
        assertTrue(run.err().contains("--device llvmpipe"), run.transcript());
        assertEquals("", run.out(), run.transcript());
    }

    @Test
    void anUnknownOptionIsAUsageError() {
        CliRun run = CliRun.of("demo", "--gpu", "1");
        assertEquals(Main.EXIT_USAGE, run.exitCode(), run.transcript());
        assertTrue(run.err().contains("--gpu"), run.transcript());
    }

    @Test
    void aMisspeltOptionGetsASuggestion() {
        CliRun run = CliRun.of("demo", "--profil", "nvidia-h100");
        assertEquals(Main.EXIT_USAGE, run.exitCode(), run.transcript());
        assertTrue(run.err().contains("--profile"), run.transcript());
    }

    @Test
    void aBadBackendPropertyIsReportedWithItsValue() {
        CliRun run = CliRun.of("info", "--profile", "llvmpipe", "--backend-property", "lluvia.sim.checkGranularity=maybe");
        assertEquals(Main.EXIT_USAGE, run.exitCode(), run.transcript());
        assertTrue(run.err().contains("'maybe'"), run.transcript());
    }

    @Test
    void noCommandShowsTheCommandsAndExitsWith2() {
        CliRun run = CliRun.of();
        assertEquals(Main.EXIT_USAGE, run.exitCode(), run.transcript());
        assertTrue(run.err().contains("info") && run.err().contains("demo"), run.transcript());
    }

    @Test
    void helpOfACommandListsTheSessionOptions() {
        CliRun run = CliRun.of("demo", "--help");
        assertEquals(0, run.exitCode(), run.transcript());
        for (String option : new String[] {"--backend", "--profile", "--device", "--debug", "--verbose"}) {
            assertTrue(run.out().contains(option), option + " missing from\n" + run.transcript());
        }
    }
}
