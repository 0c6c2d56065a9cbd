package dev.lluvia.memory.cli;

import dev.lluvia.memory.Session;
import dev.lluvia.memory.report.MemoryMap;
import dev.lluvia.memory.report.SessionReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Path;

/** {@code map --png FILE}: a picture of every page after a workload (see {@link MemoryMap}). */
@Command(name = "map", mixinStandardHelpOptions = true,
        description = {"Draw the memory after a workload as a PNG: every page a bar, buffers, optimal and linear "
                + "images in their colours, padding and free space visible, with a legend and a title with "
                + "the device and totals. Every bar is the full width whatever its page's size (the label "
                + "says the size); an object is at least 2 pixels wide.",
                "Without --trace the workload is the seed scenario (the demo's buffer and image, and a "
                        + "staging buffer).", WorkloadCommand.TRACE_HELP})
final class MapCommand extends WorkloadCommand {

    @Option(names = "--png", paramLabel = "FILE", required = true, description = "Where to write the picture.")
    Path png;

    @Override
    int show(Session session, SessionReport report, String workload, PrintWriter out) {
        MemoryMap.Picture picture = MemoryMap.draw(report);
        picture.writePng(png);
        out.println("wrote " + png + " (" + picture.image().getWidth() + "x" + picture.image().getHeight() + " pixels, "
                + picture.bars().size() + " page" + (picture.bars().size() == 1 ? "" : "s") + "): " + workload
                + " on " + session.device().name());
        out.println(backendChoice(session));
        return 0;
    }
}
