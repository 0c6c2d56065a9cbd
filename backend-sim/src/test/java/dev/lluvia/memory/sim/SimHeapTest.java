package dev.lluvia.memory.sim;

import dev.lluvia.memory.BackendException;
import dev.lluvia.memory.HeapBudget;
import dev.lluvia.memory.OutOfDeviceMemoryException;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SimHeapTest {

    private static final long GIB = 1L << 30;

    @Test
    void aPageLargerThanTheRestOfItsHeapIsOutOfDeviceMemoryNamingTheNumbers() {
        try (SimBackend b = new SimBackend(SimProfiles.load("llvmpipe"), true)) {
            long first = b.allocatePage(0, GIB + GIB / 2);
            OutOfDeviceMemoryException e = assertThrows(OutOfDeviceMemoryException.class,
                    () -> b.allocatePage(0, GIB));
            String m = e.getMessage();
            assertTrue(m.contains("heap 0") && m.contains("2147483648") && m.contains(Long.toString(GIB + GIB / 2))
                    && m.contains(Long.toString(GIB)), m);
            assertEquals(0, e.heapIndex());
            assertEquals(GIB, e.requested());
            // Nothing changed: the rest of the heap is still there.
            assertEquals(1, b.inspect().livePageCount());
            assertEquals(GIB + GIB / 2, b.inspect().heapUsage(0));
            long second = b.allocatePage(0, GIB / 2);
            assertEquals(2 * GIB, b.inspect().heapUsage(0));
            b.freePage(first);
            b.freePage(second);
            assertEquals(0, b.inspect().heapUsage(0));
        }
    }

    @Test
    void heapsAreCountedSeparately() {
        try (SimBackend b = new SimBackend(SimProfiles.load("nvidia-h100"), true)) {
            // 80 GB of device-local pages, and the host heap still has all its bytes.
            long device = b.allocatePage(1, 85_520_809_984L);
            assertThrows(OutOfDeviceMemoryException.class, () -> b.allocatePage(4, 1));
            long host = b.allocatePage(3, 101_346_794_496L);
            assertThrows(OutOfDeviceMemoryException.class, () -> b.allocatePage(0, 1));
            assertEquals(85_520_809_984L, b.inspect().heapUsage(0));
            assertEquals(101_346_794_496L, b.inspect().heapUsage(1));
            b.freePage(device);
            b.freePage(host);
        }
    }

    @Test
    void tooManyPagesIsTooManyObjects() {
        SimProfile p = SimProfiles.load("nvidia-h100", Map.of("lluvia.sim.profile.limits.maxMemoryAllocationCount", "3"));
        try (SimBackend b = new SimBackend(p, true)) {
            long[] pages = {b.allocatePage(1, 4096), b.allocatePage(1, 4096), b.allocatePage(2, 4096)};
            BackendException e = assertThrows(BackendException.class, () -> b.allocatePage(1, 4096));
            assertEquals("VK_ERROR_TOO_MANY_OBJECTS", e.result());
            assertEquals("vkAllocateMemory", e.operation(), "the bare call; the numbers are in the message");
            assertTrue(e.getMessage().contains("maxMemoryAllocationCount 3"), e.getMessage());
            b.freePage(pages[0]);
            pages[0] = b.allocatePage(1, 4096);
            for (long page : pages) {
                b.freePage(page);
            }
        }
    }

    @Test
    void budgetsReportUsagePerHeap() {
        try (SimBackend b = new SimBackend(SimProfiles.load("nvidia-h100"), true)) {
            long page = b.allocatePage(4, 32L << 20);
            List<HeapBudget> budgets = b.heapBudgets();
            assertEquals(2, budgets.size());
            HeapBudget device = budgets.get(0);
            assertTrue(device.reported());
            assertEquals(32L << 20, device.usage());
            // Modelled as 80% of the heap.
            assertEquals(85_520_809_984L / 100 * 80, device.budget());
            assertEquals(0, budgets.get(1).usage());
            b.freePage(page);
            assertEquals(0, b.heapBudgets().get(0).usage());
        }
        try (SimBackend b = new SimBackend(SimProfiles.load("llvmpipe"), true)) {
            HeapBudget only = b.heapBudgets().get(0);
            assertFalse(only.reported());
            assertEquals(2_147_483_648L, only.budget());
        }
    }

    @Test
    void injectedFailuresFailTheNextPagesOnly() {
        try (SimBackend b = new SimBackend(SimProfiles.load("llvmpipe"), true)) {
            b.inspect().injectPageAllocationFailures(2);
            assertThrows(OutOfDeviceMemoryException.class, () -> b.allocatePage(0, 4096));
            assertThrows(OutOfDeviceMemoryException.class, () -> b.allocatePage(0, 4096));
            assertEquals(0, b.inspect().livePageCount());
            b.freePage(b.allocatePage(0, 4096));
        }
    }

    @Test
    void badPageArgumentsAreViolations() {
        try (SimBackend b = new SimBackend(SimProfiles.load("llvmpipe"), true)) {
            SimViolationException e = assertThrows(SimViolationException.class, () -> b.allocatePage(1, 4096));
            assertEquals(SimRule.INVALID_ARGUMENT, e.rule());
            assertTrue(e.getMessage().contains("memory type 1"), e.getMessage());
            e = assertThrows(SimViolationException.class, () -> b.allocatePage(0, 0));
            assertEquals(SimRule.INVALID_ARGUMENT, e.rule());
            assertEquals(0, b.inspect().livePageCount());
        }
    }
}
