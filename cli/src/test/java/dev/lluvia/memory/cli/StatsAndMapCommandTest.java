package dev.lluvia.memory.cli;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code stats} and {@code map} as a user runs them. */
class StatsAndMapCommandTest {

    @Test
    void statsWithoutATraceShowsTheSeedScenarioAsATable() {
        CliRun run = CliRun.of("stats", "--profile", "nvidia-h100");
        assertEquals(0, run.exitCode(), run.transcript());
        String out = run.out();
        assertTrue(out.startsWith("Device: NVIDIA H100 80GB HBM3 (simulated), backend sim\n"), run.transcript());
        assertTrue(out.contains("Workload: seed scenario"), run.transcript());
        // Heap 0 holds both pages (type 1 and the resizable-BAR type 4): 64 MiB, 3 objects, 7 KiB; the sim stages nothing.
        assertTrue(out.matches("(?s).*\\n  0 DEVICE_LOCAL +79\\.65 GiB +63\\.72 GiB +64 MiB +2 +64 MiB +3 +7 KiB +2 +32 MiB +0 B\\n.*"),
                run.transcript());
        // The device memory: one 32 MiB page with the 1 KiB buffer and the 2 KiB image, one free range.
        assertTrue(out.matches("(?s).*\\n  Memory#0 +1 \\(heap 0\\) +\\[DEVICE_LOCAL\\] +32 MiB +1 +32 MiB +2 +3 KiB +1 +32 MiB\\n.*"),
                run.transcript());
        assertTrue(out.matches("(?s).*\\n  total +2 +64 MiB +3 +7 KiB +2 +32 MiB\\n"), run.transcript());
        assertEquals("", run.err(), run.transcript());
    }

    @Test
    void statsJsonIsAValidVmaDumpOfTheSeedScenario() throws IOException {
        CliRun run = CliRun.of("stats", "--json", "--profile", "llvmpipe");
        assertEquals(0, run.exitCode(), run.transcript());
        JsonNode dump = JsonMapper.builder().build().readTree(run.out());
        List<Error> errors = schema().validate(dump);
        assertTrue(errors.isEmpty(), errors + "\n" + run.transcript());
        assertEquals("Vulkan", dump.get("General").get("API").asString());
        assertEquals(3, dump.get("Total").get("AllocationCount").asInt());
        JsonNode subs = dump.get("CustomPools").get("Type 0").get(0).get("Blocks").get("0").get("Suballocations");
        assertEquals("buffer", subs.get(0).get("Name").asString());
        assertEquals(0, subs.get(0).get("Offset").asLong());
        assertEquals(1024, subs.get(0).get("Size").asLong());
        assertEquals("image", subs.get(1).get("Name").asString());
        assertEquals("IMAGE_OPTIMAL", subs.get(1).get("Type").asString());
    }

    @Test
    void statsReplaysATrace() {
        CliRun run = CliRun.of("stats", "--trace", "examples/frame.trace", "--profile", "nvidia-h100");
        assertEquals(0, run.exitCode(), run.transcript());
        assertTrue(run.out().contains("Workload: trace frame.trace (20 events)\n"), run.transcript());
        // 11 live objects in the device memory (3 pages: 2 regular, 1 dedicated), 1 in the host one.
        assertTrue(run.out().matches("(?s).*\\n  Memory#0 +1 \\(heap 0\\) .* 32 MiB +3 +320 MiB +11 .*"), run.transcript());
        assertTrue(run.out().matches("(?s).*\\n  Memory#1 +2 \\(heap 1\\) .* 8 MiB +1 +8 MiB +1 +1 MiB .*"), run.transcript());
    }

    @Test
    void aBadTraceLineIsAUsageErrorThatNamesTheLineAndToken(@TempDir Path dir) throws IOException {
        Path trace = dir.resolve("bad.trace");
        Files.writeString(trace, "# my workload\nmemory m DEVICE_LOCAL\nbuffer b m 12 parsecs\n");
        for (String command : new String[] {"stats", "map"}) {
            CliRun run = command.equals("map")
                    ? CliRun.of("map", "--png", dir.resolve("x.png").toString(), "--trace", trace.toString(), "--profile", "llvmpipe")
                    : CliRun.of("stats", "--trace", trace.toString(), "--profile", "llvmpipe");
            assertEquals(Main.EXIT_USAGE, run.exitCode(), run.transcript());
            assertEquals("lluvia-mem: bad.trace line 3: unexpected 'parsecs' (usage=USAGE[,USAGE...] or align=N)\n", run.err(),
                    run.transcript());
            assertEquals("", run.out(), run.transcript());
        }
        assertFalse(Files.exists(dir.resolve("x.png")), "no picture of a trace that did not replay");
    }

    @Test
    void aMissingTraceFileIsReported(@TempDir Path dir) {
        CliRun run = CliRun.of("stats", "--trace", dir.resolve("nope.trace").toString(), "--profile", "llvmpipe");
        assertEquals(Main.EXIT_USAGE, run.exitCode(), run.transcript());
        assertEquals("lluvia-mem: trace file " + dir.resolve("nope.trace") + " does not exist\n", run.err(), run.transcript());
    }

    @Test
    void mapWritesAPngOfEveryPage(@TempDir Path dir) throws IOException {
        Path png = dir.resolve("frame.png");
        CliRun run = CliRun.of("map", "--png", png.toString(), "--trace", "examples/frame.trace", "--profile", "nvidia-h100");
        assertEquals(0, run.exitCode(), run.transcript());
        assertTrue(run.out().startsWith("wrote " + png + " (1200x"), run.transcript());
        assertTrue(run.out().contains(" 4 pages): trace frame.trace (20 events) on NVIDIA H100"), run.transcript());
        BufferedImage image = ImageIO.read(png.toFile());
        assertNotNull(image, "the PNG decodes");
        assertEquals(1200, image.getWidth());
        assertTrue(run.out().contains("1200x" + image.getHeight() + " pixels"), run.transcript());
    }

    @Test
    void mapNeedsAPngFile() {
        CliRun run = CliRun.of("map", "--profile", "llvmpipe");
        assertEquals(Main.EXIT_USAGE, run.exitCode(), run.transcript());
        assertTrue(run.err().contains("--png"), run.transcript());
    }

    @Test
    void helpDescribesWhatIsShownAndTheTraceFormat() {
        for (String command : new String[] {"stats", "map"}) {
            CliRun run = CliRun.of(command, "--help");
            assertEquals(0, run.exitCode(), run.transcript());
            String help = run.out().replaceAll("\\s+", " ");
            assertTrue(help.contains("Without --trace the workload is the seed scenario"), run.transcript());
            assertTrue(help.contains("'buffer ID MEMORY SIZE [usage=USAGE[,USAGE...]]'"), run.transcript());
            assertTrue(help.contains("--profile"), run.transcript());
        }
    }

    /** VMA's GpuMemDump.schema.json (from the report module's test jar). */
    static Schema schema() throws IOException {
        try (InputStream in = StatsAndMapCommandTest.class.getResourceAsStream("/vma/GpuMemDump.schema.json")) {
            return SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12).getSchema(in);
        }
    }
}
