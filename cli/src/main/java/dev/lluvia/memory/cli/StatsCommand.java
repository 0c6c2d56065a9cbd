package dev.lluvia.memory.cli;

import dev.lluvia.memory.report.Format;
import dev.lluvia.memory.DetailedStatistics;
import dev.lluvia.memory.HeapBudget;
import dev.lluvia.memory.MemoryHeap;
import dev.lluvia.memory.Session;
import dev.lluvia.memory.Statistics;
import dev.lluvia.memory.report.PageLayout;
import dev.lluvia.memory.report.SessionReport;
import dev.lluvia.memory.report.VmaDump;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code stats}: the statistics of the session after a workload, as a table (per heap with
 * budget and usage, per Memory, and the total), or with {@code --json} as a dump in VMA's
 * {@code GpuMemDump} format that VMA's {@code GpuMemDumpVis.py} draws.
 */
@Command(name = "stats", mixinStandardHelpOptions = true,
        description = {"Show the memory statistics after a workload: per heap (budget, usage) and per Memory "
                + "(pages, objects, free ranges, largest free range), or with --json a dump in the format of "
                + "VMA's GpuMemDump.schema.json.",
                "Without --trace the workload is the seed scenario (the demo's buffer and image, and a "
                        + "staging buffer).", WorkloadCommand.TRACE_HELP})
final class StatsCommand extends WorkloadCommand {

    @Option(names = "--json", description = "Print the VMA-compatible JSON dump instead of the table.")
    boolean json;

    @Override
    boolean printsBackendChoice() {
        return !json;
    }

    @Override
    int show(Session session, SessionReport report, String workload, PrintWriter out) {
        if (json) {
            out.println(VmaDump.toJson(report));
            return 0;
        }
        out.println("Device: " + session.device().name() + ", backend " + session.backendName());
        out.println(backendChoice(session));
        out.println("Workload: " + workload);
        out.println();

        int heapCount = session.device().memoryHeaps().size();
        int[] heapFree = new int[heapCount];
        long[] heapLargestFree = new long[heapCount];
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"memory", "type", "flags", "page size", "pages", "page bytes", "objects",
                "object bytes", "free ranges", "largest free"});
        for (SessionReport.MemoryReport m : report.memories()) {
            Statistics s = m.memory().statistics();
            int free = 0;
            long largest = 0;
            for (PageLayout page : m.pages()) {
                for (PageLayout.Segment f : page.freeRanges()) {
                    free++;
                    largest = Math.max(largest, f.size());
                }
            }
            int heap = m.memory().memoryType().heapIndex();
            heapFree[heap] += free;
            heapLargestFree[heap] = Math.max(heapLargestFree[heap], largest);
            rows.add(new String[] {m.name(), m.memory().memoryType().index() + " (heap " + heap + ")",
                    Format.flags(m.memory().memoryFlags()), Format.bytes(m.memory().pageSize()),
                    Integer.toString(s.pageCount()), Format.bytes(s.pageBytes()),
                    Integer.toString(s.allocationCount()), Format.bytes(s.allocationBytes()),
                    Integer.toString(free), Format.bytes(largest)});
        }
        DetailedStatistics total = session.detailedStatistics();
        Statistics t = total.totals();
        rows.add(new String[] {"total", "", "", "", Integer.toString(t.pageCount()), Format.bytes(t.pageBytes()),
                Integer.toString(t.allocationCount()), Format.bytes(t.allocationBytes()),
                Integer.toString(total.freeRangeCount()), Format.bytes(total.largestFreeRange())});

        List<String[]> heaps = new ArrayList<>();
        heaps.add(new String[] {"heap", "size", "budget", "usage", "pages", "page bytes", "objects", "object bytes",
                "free ranges", "largest free", "staging"});
        List<HeapBudget> budgets = session.heapBudgets();
        List<Statistics> perHeap = session.heapStatistics();
        List<Statistics> staging = session.stagingStatistics();
        for (MemoryHeap heap : session.device().memoryHeaps()) {
            HeapBudget b = budgets.get(heap.index());
            Statistics s = perHeap.get(heap.index());
            heaps.add(new String[] {heap.index() + (heap.deviceLocal() ? " DEVICE_LOCAL" : ""),
                    Format.bytes(heap.size()), Format.bytes(b.budget()) + (b.reported() ? "" : "*"),
                    Format.bytes(b.usage()) + (b.reported() ? "" : "*"),
                    Integer.toString(s.pageCount()), Format.bytes(s.pageBytes()),
                    Integer.toString(s.allocationCount()), Format.bytes(s.allocationBytes()),
                    Integer.toString(heapFree[heap.index()]), Format.bytes(heapLargestFree[heap.index()]),
                    Format.bytes(staging.get(heap.index()).pageBytes())});
        }
        out.println("Heaps:");
        table(out, heaps);
        if (!session.device().hasMemoryBudget()) {
            out.println("  * estimated: the device reports no VK_EXT_memory_budget");
        }
        out.println();

        out.println("Memories:");
        table(out, rows);
        return 0;
    }

    /** Left-aligned columns, two spaces apart, indented by two. */
    private static void table(PrintWriter out, List<String[]> rows) {
        int[] widths = new int[rows.get(0).length];
        for (String[] r : rows) {
            for (int i = 0; i < r.length; i++) {
                widths[i] = Math.max(widths[i], r[i].length());
            }
        }
        for (String[] r : rows) {
            StringBuilder sb = new StringBuilder(" ");
            for (int i = 0; i < r.length; i++) {
                sb.append(' ').append(String.format(Locale.ROOT, "%-" + widths[i] + "s", r[i])).append(' ');
            }
            out.println(sb.toString().stripTrailing());
        }
    }
}
