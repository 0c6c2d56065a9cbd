package dev.lluvia.memory.cli;

import dev.lluvia.memory.report.Format;
import dev.lluvia.memory.AllocationInfo;
import dev.lluvia.memory.Buffer;
import dev.lluvia.memory.ChannelType;
import dev.lluvia.memory.Image;
import dev.lluvia.memory.LeakPolicy;
import dev.lluvia.memory.MappedView;
import dev.lluvia.memory.Memory;
import dev.lluvia.memory.MemoryObject;
import dev.lluvia.memory.MemoryPropertyFlag;
import dev.lluvia.memory.Session;
import dev.lluvia.memory.SessionOptions;
import dev.lluvia.memory.UnsupportedMemoryFlagsException;
import picocli.CommandLine.Command;

import java.io.PrintWriter;
import java.util.EnumSet;
import java.util.Set;

/**
 * {@code demo}: the scenario of Lluvia's memory page, step by step, with its output format:
 * a device-local and a host-visible Memory, their attributes before any allocation, a 1024-byte
 * buffer and a 32x32 Uint8 image from the device-local one and where they landed, and then a
 * write and read back through a mapped host-visible buffer. Then what a long-running program
 * meets ({@link DemoSteps}): a defragmentation, a large transfer, a create refused at a Memory's
 * page limit and a leak found at close; so that a recording of the demo ({@code --jfr}) holds
 * every kind of the allocator's Flight Recorder events.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Run the Lluvia memory page's scenario: create memories, allocate a buffer and an image, "
                + "print where they live, and round-trip bytes through a mapped buffer; then defragment, "
                + "transfer 64 MiB, meet a page limit and a leak.")
final class DemoCommand extends SessionCommand {

    @picocli.CommandLine.Mixin
    JfrOption jfr;

    @Override
    final JfrOption jfrOption() {
        return jfr;
    }

    /** Lluvia's page size in the seed's example: 32 MiB. */
    static final long PAGE_SIZE = 32L * 1024 * 1024;
    /** Bytes written and read back through the mapped host-visible buffer. */
    static final int ROUND_TRIP_BYTES = 4096;
    private static final String ROUND_TRIP_OK = "round trip: ok";

    static final Set<MemoryPropertyFlag> HOST_FLAGS = EnumSet.of(MemoryPropertyFlag.DEVICE_LOCAL,
            MemoryPropertyFlag.HOST_VISIBLE, MemoryPropertyFlag.HOST_COHERENT);
    static final Set<MemoryPropertyFlag> HOST_FLAGS_FALLBACK = EnumSet.of(MemoryPropertyFlag.HOST_VISIBLE,
            MemoryPropertyFlag.HOST_COHERENT);

    @Override
    int run(Session session, PrintWriter out) {
        out.println("Session: backend " + session.backendName() + ", device " + session.device().name()
                + ", debug " + (session.isDebugEnabled() ? "on" : "off"));
        out.println(backendChoice(session));

        Memory devMemory = session.createMemory(EnumSet.of(MemoryPropertyFlag.DEVICE_LOCAL), PAGE_SIZE, false);
        Memory hostMemory;
        try {
            hostMemory = session.createMemory(HOST_FLAGS);
        } catch (UnsupportedMemoryFlagsException e) {
            // Devices without resizable BAR have no DEVICE_LOCAL|HOST_VISIBLE type; staging memory
            // on the host is what Lluvia users fall back to there.
            out.println("note: no memory type has " + Format.flags(HOST_FLAGS) + "; using "
                    + Format.flags(HOST_FLAGS_FALLBACK) + " for the host memory");
            hostMemory = session.createMemory(HOST_FLAGS_FALLBACK);
        }

        out.println();
        printAttributes(out, "device memory", devMemory);
        out.println();
        printAttributes(out, "host memory", hostMemory);

        try (Buffer buffer = devMemory.createBuffer(1024);
             Image image = devMemory.createImage(32, 32, ChannelType.UINT8)) {
            out.println();
            printAllocation(out, "buffer", buffer);
            out.println();
            printAllocation(out, "image", image);
            out.println();
            out.println("device memory pageCount after allocation: " + devMemory.pageCount());
        }

        out.println();
        String roundTrip = roundTrip(hostMemory);
        out.println(roundTrip);
        if (!roundTrip.startsWith(ROUND_TRIP_OK)) {
            return Main.EXIT_INTERNAL;
        }
        DemoSteps.defragment(devMemory, out);
        boolean transferred = DemoSteps.transfer(session, devMemory, out);
        DemoSteps.pageLimitAndLeak(session, out);
        if (jfr.file != null) {
            out.println();
            out.println("recording: every step's events go to " + jfr.file + " as the session closes; see them with "
                    + "jfr print --categories \"Lluvia Memory\" " + jfr.file);
        }
        return transferred ? 0 : Main.EXIT_INTERNAL;
    }

    /** The shared options with leak policy THROW: the demo's leak is caught and printed, not logged. */
    @Override
    SessionOptions sessionOptions() {
        return super.sessionOptions().withLeakPolicy(LeakPolicy.THROW);
    }

    /** The seed's attribute listing of a Memory. */
    private static void printAttributes(PrintWriter out, String title, Memory memory) {
        out.println(title + ":");
        out.println("flags      : " + Format.flags(memory.memoryFlags()));
        out.println("isMappable : " + memory.isMappable());
        out.println("pageCount  : " + memory.pageCount());
        out.println("pageSize   : " + memory.pageSize());
    }

    /** The seed's allocation info listing of an object. */
    private static void printAllocation(PrintWriter out, String title, MemoryObject object) {
        AllocationInfo info = object.allocationInfo();
        out.println(title + ":");
        out.println("  page         : " + info.page());
        out.println("  offset       : " + info.offset());
        out.println("  left padding : " + info.leftPadding());
        out.println("  size         : " + info.size());
    }

    /**
     * Writes a pattern through one mapping of a fresh host-visible buffer and reads it back through
     * another, so that the bytes must have gone through the page and not stayed in one view.
     */
    private static String roundTrip(Memory hostMemory) {
        try (Buffer staging = hostMemory.createBuffer(ROUND_TRIP_BYTES)) {
            MappedView write = staging.map();
            for (int i = 0; i < ROUND_TRIP_BYTES; i++) {
                write.put(i, pattern(i));
            }
            staging.flush();
            staging.invalidate();
            MappedView read = staging.map();
            for (int i = 0; i < ROUND_TRIP_BYTES; i++) {
                if (read.get(i) != pattern(i)) {
                    return "round trip: FAILED at byte " + i + " (wrote " + (pattern(i) & 0xFF)
                            + ", read " + (read.get(i) & 0xFF) + ")";
                }
            }
            return ROUND_TRIP_OK + " (" + ROUND_TRIP_BYTES + " bytes)";
        }
    }

    private static byte pattern(int i) {
        return (byte) (i * 31 + 7);
    }
}
