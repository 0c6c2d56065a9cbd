package dev.lluvia.memory.cli;

import jdk.jfr.Recording;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * {@code --jfr FILE}: records the command's work with Flight Recorder into FILE, every allocator
 * event included (every object, whatever its size; every transfer, however short; budget
 * pressure from 0%), for {@code jfr print --categories "Lluvia Memory" FILE} or JDK Mission Control.
 */
final class JfrOption {

    /** The allocator's events; HeapStatistics and MemoryStatistics also come at the recording's end. */
    static final List<String> EVENTS = List.of("PageAllocated", "PageFreed", "ObjectCreated", "ObjectClosed",
            "CreateRefused", "DefragmentationPass", "Transfer", "BudgetPressure", "LeakReported",
            "HeapStatistics", "MemoryStatistics");

    @Option(names = "--jfr", paramLabel = "FILE",
            description = "Record the allocator's Flight Recorder events (all of them) into FILE.")
    Path file;

    /** The started recording, or null without {@code --jfr}. */
    Recording start() {
        if (file == null) {
            return null;
        }
        Recording r = new Recording();
        r.setName("lluvia-mem");
        for (String e : EVENTS) {
            r.enable("dev.lluvia.memory." + e).withThreshold(Duration.ZERO);
        }
        r.enable("dev.lluvia.memory.ObjectCreated").with("minSize", "0");
        r.enable("dev.lluvia.memory.ObjectClosed").with("minSize", "0");
        r.enable("dev.lluvia.memory.BudgetPressure").with("pressure", "0");
        r.enable("dev.lluvia.memory.HeapStatistics").with("period", "1 s");
        r.enable("dev.lluvia.memory.MemoryStatistics").with("period", "1 s");
        r.start();
        return r;
    }

    /** Stops {@code r} (null: nothing) and writes it to the file. */
    void finish(Recording r) {
        if (r == null) {
            return;
        }
        try (r) {
            r.stop();
            r.dump(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the recording to " + file, e);
        }
    }
}
