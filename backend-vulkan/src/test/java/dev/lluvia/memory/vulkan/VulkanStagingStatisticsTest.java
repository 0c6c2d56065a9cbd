package dev.lluvia.memory.vulkan;

import dev.lluvia.memory.HeapBudget;
import dev.lluvia.memory.MemoryMetrics;
import dev.lluvia.memory.Session;
import dev.lluvia.memory.Statistics;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.ByteBuffer;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import static dev.lluvia.memory.vulkan.VulkanTestSupport.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * The transfer queue's staging buffers in the session's figures: none before a staged transfer;
 * after one, {@link Session#stagingStatistics()} and {@link Session#metrics()} show them in the
 * heap of their memory type, the backend's own heap usage counts them (on a device without a
 * memory budget) and the driver's allocation count has them; the session's close frees them.
 */
class VulkanStagingStatisticsTest {

    @ParameterizedTest(name = "device {0}")
    @MethodSource("dev.lluvia.memory.vulkan.VulkanTestSupport#devices")
    void stagingBuffersShowInTheSessionsFiguresAndCountInTheHeapUsage(String device) {
        Session session = open(device);
        try {
            VulkanBackend backend = backend(session);
            int heaps = session.device().memoryHeaps().size();
            assertEquals(Collections.nCopies(heaps, Statistics.EMPTY), session.stagingStatistics(), "no staging before a staged transfer");
            VulkanTestSupport.BoundBuffer buffer = deviceBuffer(backend, 3 << 20);
            try {
                List<HeapBudget> before = session.heapBudgets();
                int allocations = backend.pages().liveAllocationCount();
                // A heap buffer is in no mapping the device can reach: its bytes go through the staging buffers.
                byte[] bytes = new byte[3 << 20];
                new Random(23).nextBytes(bytes);
                backend.copyToBuffer(buffer.buffer(), 0, ByteBuffer.wrap(bytes));

                List<Statistics> staging = session.stagingStatistics();
                Statistics total = Statistics.EMPTY;
                for (Statistics s : staging) {
                    total = total.plus(s);
                }
                assertTrue(total.pageCount() >= 1 && total.pageCount() <= StagingRing.SLOTS, total.toString());
                assertTrue(total.pageBytes() >= 1 << 20, "at least 1 MiB a staging buffer: " + total);
                assertEquals(total.pageCount(), total.allocationCount());
                assertEquals(total.pageBytes(), total.allocationBytes());
                assertEquals(allocations + total.pageCount(), backend.pages().liveAllocationCount(),
                        "each staging buffer is one device memory allocation");
                MemoryMetrics metrics = session.metrics();
                List<HeapBudget> after = session.heapBudgets();
                for (int h = 0; h < heaps; h++) {
                    assertEquals(staging.get(h).pageBytes(), metrics.heaps().get(h).stagingBytes(), "metrics of heap " + h);
                    if (!after.get(h).reported()) {
                        assertEquals(before.get(h).usage() + staging.get(h).pageBytes(), after.get(h).usage(),
                                "heap " + h + "'s usage counts its staging buffers");
                    }
                }
                assertTrue(session.statistics().pageBytes() == 0, "the staging buffers are in no Memory");

                ByteBuffer back = ByteBuffer.allocate(3 << 20);
                backend.copyFromBuffer(buffer.buffer(), 0, back);
                assertArrayEquals(bytes, back.array(), "the staged round trip");
                assertEquals(staging, session.stagingStatistics(), "buffers big enough are kept for later transfers");
            } finally {
                backend.destroyBuffer(buffer.buffer());
                backend.freePage(buffer.page());
            }
        } finally {
            closeAndAssertClean(session);
        }
        assertThrows(IllegalStateException.class, session::stagingStatistics);
    }
}
