package dev.lluvia.memory;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * A snapshot of one session for a metrics scraper ({@link Session#metrics()}): each heap's budget
 * and usage (with the transfers' staging memory), each Memory's pages, objects and free ranges, and the transfers so far by
 * {@link TransferPath}. Plain values, so that a Micrometer or OpenTelemetry gauge can poll it
 * without the library depending on either (the examples module has a poller and a binder).
 * Each Memory's figures are consistent in themselves; the snapshot as a whole is not atomic.
 *
 * @param session   the session's {@link Session#id()}
 * @param device    the device's name
 * @param heaps     one per heap, in heap order
 * @param memories  one per open Memory, in creation order
 * @param transfers by path, every path present (zeros where none went that way)
 */
public record MemoryMetrics(long session, String device, List<HeapEntry> heaps, List<MemoryEntry> memories,
                            Map<TransferPath, TransferEntry> transfers) {

    /**
     * Copies the lists and the map, unmodifiable.
     *
     * @param session   the session's {@link Session#id()}
     * @param device    the device's name
     * @param heaps     one per heap, in heap order
     * @param memories  one per open Memory, in creation order
     * @param transfers by path
     */
    public MemoryMetrics {
        heaps = List.copyOf(heaps);
        memories = List.copyOf(memories);
        transfers = Collections.unmodifiableMap(new EnumMap<>(transfers));
    }

    /**
     * One heap.
     *
     * @param heap           the heap's index
     * @param size           the heap's size in bytes
     * @param budget         bytes the process may use ({@link HeapBudget#budget()})
     * @param usage          bytes the process uses ({@link HeapBudget#usage()})
     * @param budgetReported whether the driver reported budget and usage ({@code VK_EXT_memory_budget})
     * @param pageBytes      bytes of this session's pages in the heap
     * @param objectBytes    bytes of this session's live objects in the heap
     * @param stagingBytes   bytes of the transfers' staging buffers in the heap ({@link Session#stagingStatistics()})
     */
    public record HeapEntry(int heap, long size, long budget, long usage, boolean budgetReported,
                            long pageBytes, long objectBytes, long stagingBytes) {
    }

    /**
     * One Memory.
     *
     * @param number           {@link Memory#number()}
     * @param name             how JFR events name it, e.g. {@code Memory 1 (type 1 [DEVICE_LOCAL])}
     * @param memoryType       its memory type's index
     * @param heap             its heap's index
     * @param pages            live pages
     * @param pageBytes        bytes of its pages
     * @param objects          live objects
     * @param objectBytes      bytes of its live objects
     * @param freeRanges       free ranges in its regular pages
     * @param largestFreeRange bytes of the largest of them
     */
    public record MemoryEntry(int number, String name, int memoryType, int heap, int pages, long pageBytes,
                              int objects, long objectBytes, int freeRanges, long largestFreeRange) {
    }

    /**
     * The transfers that took one path.
     *
     * @param transfers how many
     * @param bytes     their bytes
     */
    public record TransferEntry(long transfers, long bytes) {
    }

    /** {@code Memory 2 (type 1 [DEVICE_LOCAL])}: its number in the session and its memory type. */
    static String name(Memory memory) {
        return "Memory " + memory.number() + " (type " + memory.memoryType().index() + " " + memory.memoryFlags() + ")";
    }

    /** The snapshot of {@code session}; walks every page of every Memory. */
    static MemoryMetrics of(Session session) {
        List<HeapBudget> budgets = session.heapBudgets();
        List<Statistics> perHeap = session.heapStatistics();
        List<Statistics> staging = session.stagingStatistics();
        List<HeapEntry> heaps = new ArrayList<>(budgets.size());
        for (HeapBudget b : budgets) {
            Statistics s = perHeap.get(b.heapIndex());
            heaps.add(new HeapEntry(b.heapIndex(), session.device().memoryHeaps().get(b.heapIndex()).size(),
                    b.budget(), b.usage(), b.reported(), s.pageBytes(), s.allocationBytes(),
                    staging.get(b.heapIndex()).pageBytes()));
        }
        List<MemoryEntry> memories = new ArrayList<>();
        for (Memory m : session.memories()) {
            if (m.isClosed()) {
                continue;
            }
            DetailedStatistics d = m.detailedStatisticsIfOpen();
            Statistics t = d.totals();
            memories.add(new MemoryEntry(m.number(), name(m), m.memoryType().index(), m.memoryType().heapIndex(),
                    t.pageCount(), t.pageBytes(), t.allocationCount(), t.allocationBytes(), d.freeRangeCount(),
                    d.largestFreeRange()));
        }
        Map<TransferPath, TransferEntry> transfers = new EnumMap<>(TransferPath.class);
        for (TransferPath p : TransferPath.values()) {
            transfers.put(p, new TransferEntry(session.transfers.transfers(p), session.transfers.bytes(p)));
        }
        return new MemoryMetrics(session.id(), session.device().name(), heaps, memories, transfers);
    }
}
