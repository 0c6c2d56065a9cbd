package dev.lluvia.memory.cli;

import dev.lluvia.memory.report.Format;
import dev.lluvia.memory.BackendInfo;
import dev.lluvia.memory.DeviceLimits;
import dev.lluvia.memory.DeviceProperties;
import dev.lluvia.memory.DeviceSummary;
import dev.lluvia.memory.HeapBudget;
import dev.lluvia.memory.MemoryHeap;
import dev.lluvia.memory.MemoryPropertyFlag;
import dev.lluvia.memory.MemoryType;
import dev.lluvia.memory.Session;
import picocli.CommandLine.Command;

import java.io.PrintWriter;
import java.util.List;
import java.util.Set;

/**
 * {@code info}: what the library found (backends, and every device of the session's backend), and
 * what the chosen device offers, ending with Lluvia's
 * listing of {@link Session#supportedMemoryPropertyFlags()} ("Memory index: N / supported flags")
 * whose indices are the ones Lluvia's documentation uses.
 */
@Command(name = "info", mixinStandardHelpOptions = true,
        description = "Show the backends found, the device, its memory heaps and types, limits and budgets.")
final class InfoCommand extends SessionCommand {

    @Override
    int run(Session session, PrintWriter out) {
        printBackends(out, session);
        DeviceProperties device = session.device();
        out.println();
        out.println("Device: " + device.name());
        out.println("  type           : " + device.type());
        out.println("  vendor / device: " + String.format("0x%04x / 0x%04x", device.vendorId(), device.deviceId()));
        out.println("  API version    : " + device.apiVersion());
        out.println("  driver version : " + device.driverVersion());

        out.println();
        out.println("Memory heaps:");
        for (MemoryHeap heap : device.memoryHeaps()) {
            out.println("  heap " + heap.index() + ": " + Format.bytesExact(heap.size())
                    + (heap.deviceLocal() ? ", device-local" : ""));
        }

        out.println();
        out.println("Memory types:");
        for (MemoryType type : device.memoryTypes()) {
            out.println("  type " + type.index() + ": heap " + type.heapIndex() + ", flags " + Format.flags(type.flags()));
        }

        DeviceLimits limits = device.limits();
        out.println();
        out.println("Limits:");
        out.println("  bufferImageGranularity         : " + limits.bufferImageGranularity());
        out.println("  nonCoherentAtomSize            : " + limits.nonCoherentAtomSize());
        out.println("  maxMemoryAllocationCount       : " + limits.maxMemoryAllocationCount());
        out.println("  maxImageDimension1D/2D/3D      : " + limits.maxImageDimension1D() + " / "
                + limits.maxImageDimension2D() + " / " + limits.maxImageDimension3D());
        out.println("  minStorageBufferOffsetAlignment: " + limits.minStorageBufferOffsetAlignment());

        out.println();
        out.println("Heap budgets (" + (device.hasMemoryBudget()
                ? "reported by the driver, VK_EXT_memory_budget"
                : "estimated from heap sizes: the device reports no VK_EXT_memory_budget") + "):");
        for (HeapBudget b : session.heapBudgets()) {
            out.println("  heap " + b.heapIndex() + ": budget " + Format.bytesExact(b.budget())
                    + ", usage " + Format.bytesExact(b.usage()) + (b.reported() ? "" : " (estimate)"));
        }

        // Lluvia's listing, as its memory page prints it (Python's print() ends each entry with an
        // empty line).
        out.println();
        List<Set<MemoryPropertyFlag>> supported = session.supportedMemoryPropertyFlags();
        for (int n = 0; n < supported.size(); n++) {
            out.println("Memory index: " + n);
            out.println("    supported flags: " + Format.flags(supported.get(n)));
            out.println();
        }
        return 0;
    }

    private void printBackends(PrintWriter out, Session session) {
        out.println("Backends (highest priority first):");
        for (BackendInfo b : Session.availableBackends()) {
            out.println("  " + (b.name().equalsIgnoreCase(session.backendName()) ? "* " : "  ")
                    + b.name() + ": priority " + b.priority() + ", "
                    + (b.available() ? "available" : "unavailable") + " - " + b.detail());
        }
        out.println("Session: backend " + session.backendName() + ", debug " + (session.isDebugEnabled() ? "on" : "off"));
        out.println(backendChoice(session));
        out.println();
        out.println("Devices of backend " + session.backendName() + " (--device INDEX opens one; the session's is marked):");
        for (DeviceSummary d : Session.devices(session.backendName())) {
            out.println("  " + (d.name().equals(session.device().name()) ? "* " : "  ") + d.describe());
        }
    }
}
