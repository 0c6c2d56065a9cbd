package dev.lluvia.memory.cli;

import dev.lluvia.memory.Buffer;
import dev.lluvia.memory.ChannelType;
import dev.lluvia.memory.Image;
import dev.lluvia.memory.LeakPolicy;
import dev.lluvia.memory.Memory;
import dev.lluvia.memory.MemoryPropertyFlag;
import dev.lluvia.memory.Session;
import dev.lluvia.memory.SessionOptions;
import dev.lluvia.memory.UnsupportedMemoryFlagsException;
import dev.lluvia.memory.report.SessionReport;
import dev.lluvia.memory.report.Trace;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.EnumSet;

/**
 * A command that shows a session's memory after a workload: the trace given with
 * {@code --trace FILE}, or else the seed scenario, so that there is something to see.
 *
 * <p>The seed scenario is the {@code demo}'s: a device-local Memory (32 MiB pages) holding the
 * 1024-byte buffer {@code buffer} and the 32x32 UINT8 image {@code image}, and a host-visible
 * Memory holding the 4096-byte buffer {@code staging}.
 *
 * <p>The objects are meant to be alive when the session closes, so leaks are not reported.
 */
abstract class WorkloadCommand extends SessionCommand {

    @picocli.CommandLine.Mixin
    JfrOption jfr;

    @Override
    final JfrOption jfrOption() {
        return jfr;
    }

    /** The trace format, for the commands' help. */
    static final String TRACE_HELP = "Trace format, one event per line (# comments; sizes in bytes or with KiB/MiB/GiB): "
            + "'memory ID FLAG[,FLAG...] [pageSize=SIZE] [exact] [algorithm=TLSF|FIRST_FIT|LINEAR] "
            + "[strategy=MIN_TIME|MIN_MEMORY]', "
            + "'buffer ID MEMORY SIZE [usage=USAGE[,USAGE...]]', "
            + "'image ID MEMORY WxH[xD] CHANNELTYPE [CHANNELS] [OPTIMAL|LINEAR]', 'close ID'. "
            + "Objects are named after their IDs.";

    @Option(names = "--trace", paramLabel = "FILE",
            description = "Replay this trace of create/close events first, and show the memory it leaves. "
                    + "Without it: the seed scenario (the demo's buffer and image in a device-local memory, "
                    + "a 4 KiB staging buffer in a host-visible one).")
    Path trace;

    @Override
    SessionOptions sessionOptions() {
        return super.sessionOptions().withLeakPolicy(LeakPolicy.IGNORE);
    }

    @Override
    final int run(Session session, PrintWriter out) {
        String workload;
        if (trace != null) {
            Trace.Replay replay = Trace.read(trace).replay(session);
            workload = "trace " + trace.getFileName() + " (" + replay.events() + " events)";
        } else {
            seedScenario(session);
            workload = "seed scenario (demo's buffer and image, a staging buffer)";
        }
        return show(session, SessionReport.of(session), workload, out);
    }

    /** Shows the memory after the workload; returns the exit code. */
    abstract int show(Session session, SessionReport report, String workload, PrintWriter out);

    /** The demo's objects, named, left alive. */
    static void seedScenario(Session session) {
        Memory device = session.createMemory(EnumSet.of(MemoryPropertyFlag.DEVICE_LOCAL), DemoCommand.PAGE_SIZE, false);
        Memory host;
        try {
            host = session.createMemory(DemoCommand.HOST_FLAGS);
        } catch (UnsupportedMemoryFlagsException e) {
            host = session.createMemory(DemoCommand.HOST_FLAGS_FALLBACK);
        }
        Buffer buffer = device.createBuffer(1024);
        buffer.setName("buffer");
        Image image = device.createImage(32, 32, ChannelType.UINT8);
        image.setName("image");
        Buffer staging = host.createBuffer(DemoCommand.ROUND_TRIP_BYTES);
        staging.setName("staging");
    }
}
