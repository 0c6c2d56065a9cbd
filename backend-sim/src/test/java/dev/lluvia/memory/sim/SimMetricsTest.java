package dev.lluvia.memory.sim;

import dev.lluvia.memory.Buffer;
import dev.lluvia.memory.LeakPolicy;
import dev.lluvia.memory.Memory;
import dev.lluvia.memory.MemoryMetrics;
import dev.lluvia.memory.MemoryPropertyFlag;
import dev.lluvia.memory.Session;
import dev.lluvia.memory.SessionOptions;
import dev.lluvia.memory.TransferPath;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.EnumSet;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** {@link Session#metrics()} against what a workload on the sim's H100 profile did. */
class SimMetricsTest {

    @Test
    void snapshotMatchesTheWorkload() {
        Session s = Session.create(SessionOptions.defaults().withBackend("sim").withDevice("nvidia-h100")
                .withLeakPolicy(LeakPolicy.IGNORE));
        try (s) {
            Memory device = s.createMemory(EnumSet.of(MemoryPropertyFlag.DEVICE_LOCAL), 1 << 20, true);
            Memory host = s.createMemory(EnumSet.of(MemoryPropertyFlag.HOST_VISIBLE, MemoryPropertyFlag.HOST_COHERENT), 1 << 20, false);
            Buffer a = device.createBuffer(10_000);
            Buffer b = device.createBuffer(20_000);
            device.createBuffer(30_000);
            b.close();
            Buffer h = host.createBuffer(4096);
            a.write(0, ByteBuffer.allocate(1000));
            a.read(0, ByteBuffer.allocate(500));
            h.write(0, ByteBuffer.allocate(4096));

            MemoryMetrics m = s.metrics();
            assertEquals(s.id(), m.session());
            assertEquals(s.device().name(), m.device());
            assertEquals(s.device().memoryHeaps().size(), m.heaps().size());
            MemoryMetrics.HeapEntry heap0 = m.heaps().get(0);
            assertEquals(s.heapBudgets().get(0).budget(), heap0.budget());
            assertEquals(device.statistics().pageBytes(), heap0.pageBytes());
            assertEquals(device.statistics().allocationBytes(), heap0.objectBytes());
            assertEquals(host.statistics().pageBytes(), m.heaps().get(1).pageBytes());

            assertEquals(2, m.memories().size());
            MemoryMetrics.MemoryEntry d = m.memories().get(0);
            assertEquals("Memory 1 (type 1 [DEVICE_LOCAL])", d.name());
            assertEquals(1, d.pages());
            assertEquals(2, d.objects());
            assertEquals(device.statistics().allocationBytes(), d.objectBytes());
            assertEquals(device.detailedStatistics().freeRangeCount(), d.freeRanges());
            assertEquals(2, d.freeRanges(), "the hole b left and the end of the page");
            assertEquals(device.detailedStatistics().largestFreeRange(), d.largestFreeRange());

            Map<TransferPath, MemoryMetrics.TransferEntry> t = m.transfers();
            assertEquals(new MemoryMetrics.TransferEntry(2, 1500), t.get(TransferPath.STAGED));
            assertEquals(new MemoryMetrics.TransferEntry(1, 4096), t.get(TransferPath.MAPPED));
            assertEquals(new MemoryMetrics.TransferEntry(0, 0), t.get(TransferPath.IMPORTED));
            assertEquals(new MemoryMetrics.TransferEntry(0, 0), t.get(TransferPath.REGISTERED));
            assertEquals(new MemoryMetrics.TransferEntry(0, 0), t.get(TransferPath.PINNED));
        }
        assertThrows(IllegalStateException.class, s::metrics);
    }
}
