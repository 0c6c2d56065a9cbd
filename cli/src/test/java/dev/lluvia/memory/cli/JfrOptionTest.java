package dev.lluvia.memory.cli;

import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

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
    void demoRecordsItsPagesObjectsAndStatistics(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("demo.jfr");
        CliRun run = CliRun.of("demo", "--profile", "nvidia-h100", "--jfr", file.toString());
        assertEquals(0, run.exitCode(), run.transcript());
        Map<String, Integer> counts = counts(file);
        // The demo: a 1024-byte buffer and a 32x32 image in device memory, a mapped buffer for the
        // round trip (through its mapped view, so no Transfer event), one page per Memory that got
        // objects; the statistics of the H100's two heaps and two Memories as the session closed.
        assertEquals(3, counts.get("ObjectCreated"), counts.toString());
        assertEquals(3, counts.get("ObjectClosed"), counts.toString());
        assertEquals(2, counts.get("PageAllocated"), counts.toString());
        assertEquals(2, counts.get("PageFreed"), counts.toString());
        assertEquals(2 + 2, counts.get("BudgetPressure"), "pressure from 0%: one per page and one per heap at close");
        assertEquals(2, counts.get("HeapStatistics"), counts.toString());
        assertEquals(2, counts.get("MemoryStatistics"), counts.toString());
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
