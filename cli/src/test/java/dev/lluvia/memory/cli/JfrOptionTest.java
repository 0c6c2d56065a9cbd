package dev.lluvia.memory.cli;

import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code --jfr FILE} on demo, stats and map: a recording of the command's allocator events. */
class JfrOptionTest {

    private static Map<String, Integer> counts(Path file) throws IOException {
        Map<String, Integer> counts = new TreeMap<>();
        for (RecordedEvent e : RecordingFile.readAllEvents(file)) {
            String name = e.getEventType().getName();
            if (name.startsWith("dev.lluvia.memory.")) {
                counts.merge(name.substring("dev.lluvia.memory.".length()), 1, Integer::sum);
            }
        }
        return counts;
    }

    @Test
    void demoRecordsEveryEventKind(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("demo.jfr");
        CliRun run = CliRun.of("demo", "--profile", "nvidia-h100", "--jfr", file.toString());
        assertEquals(0, run.exitCode(), run.transcript());
        Map<String, Integer> counts = counts(file);
        assertEquals(new TreeSet<>(JfrOption.EVENTS), counts.keySet(), "every kind, and no other: " + counts);
        // The scenario: a 1024-byte buffer and a 32x32 image in device memory, a mapped buffer for
        // the round trip (through its mapped view, so no Transfer event); 10 tiles; the 64 MiB
        // buffer; 2 half-page buffers in the capped Memory (the third is refused: no object).
        assertEquals(3 + DemoSteps.TILES + 1 + 2, counts.get("ObjectCreated"), counts.toString());
        // Closed by their own close: the leaked half-page buffers are not.
        assertEquals(3 + DemoSteps.TILES + 1, counts.get("ObjectClosed"), counts.toString());
        // Pages: device memory 2 (tiles), the 64 MiB buffer's dedicated one, host memory 1, capped 1;
        // the defragmentation frees one, the rest go as their Memories close.
        assertEquals(5, counts.get("PageAllocated"), counts.toString());
        assertEquals(5, counts.get("PageFreed"), counts.toString());
        assertEquals(1, counts.get("CreateRefused"), counts.toString());
        assertEquals(1, counts.get("LeakReported"), counts.toString());
        assertEquals(2, counts.get("Transfer"), counts.toString());
        assertEquals(2, counts.get("DefragmentationPass"), "the pass that moved and the one that found nothing more");
        assertTrue(counts.get("BudgetPressure") >= 5 + 2, "pressure from 0%: one per page and per heap at close");
    }

    @Test
    void statsAndMapRecordTheirWorkload(@TempDir Path dir) throws IOException {
        for (String command : new String[] {"stats", "map"}) {
            Path file = dir.resolve(command + ".jfr");
            CliRun run = command.equals("map")
                    ? CliRun.of("map", "--png", dir.resolve("m.png").toString(), "--profile", "llvmpipe", "--jfr", file.toString())
                    : CliRun.of("stats", "--profile", "llvmpipe", "--jfr", file.toString());
            assertEquals(0, run.exitCode(), run.transcript());
            Map<String, Integer> counts = counts(file);
            assertTrue(counts.getOrDefault("ObjectCreated", 0) > 0, command + ": " + counts);
            assertTrue(counts.getOrDefault("PageAllocated", 0) > 0, command + ": " + counts);
        }
    }
}
