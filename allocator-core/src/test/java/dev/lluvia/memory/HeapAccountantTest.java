package dev.lluvia.memory;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link HeapAccountant}: a reservation succeeds whole or changes nothing, concurrent reservations
 * never take a heap past its size, and the budget check gives back what it refused.
 */
class HeapAccountantTest {

    private static final long SEED = 0x13B;

    @Test
    void aRefusedReservationChangesNothing() {
        HeapAccountant heaps = new HeapAccountant(new FakeBackend(FakeBackend.Config.cpu()));
        long heap = 2L << 30;
        assertSame(HeapAccountant.Outcome.RESERVED, heaps.tryReserve(0, heap - 100), "the fast path shares one value");
        HeapAccountant.Outcome refused = heaps.tryReserve(0, 101);
        assertFalse(refused.reserved());
        OutOfDeviceMemoryException e = refused.exception();
        assertTrue(e.getMessage().contains("heap 0"), e.getMessage());
        assertEquals(0, e.heapIndex());
        assertEquals(101, e.requested());
        assertEquals(heap - 100, heaps.used(0));
        assertTrue(heaps.tryReserve(0, 100).reserved());
        assertEquals(heap, heaps.used(0));
        heaps.release(0, heap);
        assertEquals(0, heaps.used(0));
    }

    /** With no budget from the driver, the backend's staging buffers take their bytes of the heap's size. */
    @Test
    void stagingMemoryCountsAgainstTheHeapWithoutABudget() {
        FakeBackend backend = new FakeBackend(FakeBackend.Config.cpu());
        HeapAccountant heaps = new HeapAccountant(backend);
        long heap = 2L << 30;
        backend.holdStaging(0, 1 << 20);
        HeapAccountant.Outcome refused = heaps.tryReserve(0, heap - 100);
        assertFalse(refused.reserved());
        assertTrue(refused.exception().getMessage().contains(" 1048576 by its transfers' staging buffers"),
                refused.exception().getMessage());
        assertEquals(0, heaps.used(0), "a refusal reserves nothing");
        assertTrue(heaps.tryReserve(0, heap - (1 << 20)).reserved(), "the heap less the staging fits");
        backend.holdStaging(0, 0);
        assertTrue(heaps.tryReserve(0, 1 << 20).reserved(), "freed staging bytes are the heap's again");
        assertEquals(heap, heaps.used(0));
    }

    @Test
    void overBudgetIsRefusedAndGivenBack() {
        // The discrete fake reports 80 % of heap 0 (80 GiB) as budget: 70 GiB fits the heap, not the budget.
        HeapAccountant heaps = new HeapAccountant(new FakeBackend(FakeBackend.Config.discrete()));
        HeapAccountant.Outcome refused = heaps.tryReserve(0, 70L << 30);
        assertTrue(refused.refusal().contains("over budget"), refused.refusal());
        assertEquals(0, heaps.used(0));
        assertTrue(heaps.tryReserve(0, 60L << 30).reserved());
        assertEquals(60L << 30, heaps.used(0));
    }

    /** Regression: a budget query that threw kept the bytes reserved for good. */
    @Test
    void aFailedBudgetQueryGivesTheReservationBack() {
        FakeBackend backend = new FakeBackend(FakeBackend.Config.discrete());
        HeapAccountant heaps = new HeapAccountant(backend);
        backend.failNextBudgets(1);
        BackendException e = assertThrows(BackendException.class, () -> heaps.tryReserve(0, 1L << 30));
        assertTrue(e.getMessage().contains("heapBudgets"), e.getMessage());
        assertEquals(0, heaps.used(0));
        assertTrue(heaps.tryReserve(0, 1L << 30).reserved());
        assertEquals(1L << 30, heaps.used(0));
    }

    @Test
    void aPageLargerThanItsHeapIsRefusedAtCreation() {
        HeapAccountant heaps = new HeapAccountant(new FakeBackend(FakeBackend.Config.cpu()));
        MemoryType type = new FakeBackend(FakeBackend.Config.cpu()).device().memoryTypes().get(0);
        OutOfDeviceMemoryException e = assertThrows(OutOfDeviceMemoryException.class, () -> heaps.requireFits(type, 3L << 30));
        assertTrue(e.getMessage().contains("pageSize " + (3L << 30)), e.getMessage());
        assertEquals(0, e.heapIndex());
        assertEquals(3L << 30, e.requested());
        heaps.requireFits(type, 2L << 30);
    }

    /**
     * Threads reserve and release seeded random sizes; a shadow count of the bytes each thread holds
     * must never pass the heap, every reservation the heap can give must succeed when the heap is
     * idle, and all is given back at the end.
     */
    @Test
    void concurrentReservationsNeverOvershootTheHeap() throws Exception {
        HeapAccountant heaps = new HeapAccountant(new FakeBackend(FakeBackend.Config.cpu()));
        final long heap = 2L << 30;
        final int threads = 4;
        AtomicLong held = new AtomicLong();
        AtomicLong refused = new AtomicLong();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Random random = new Random(SEED + t);
            Thread w = new Thread(() -> {
                List<Long> mine = new ArrayList<>();
                try {
                    start.await();
                    for (int i = 0; i < 20_000; i++) {
                        if (mine.isEmpty() || random.nextInt(3) != 0) {
                            long size = 1 + random.nextInt(256 << 20);
                            if (!heaps.tryReserve(0, size).reserved()) {
                                refused.incrementAndGet();
                                continue;
                            }
                            mine.add(size);
                            long now = held.addAndGet(size);
                            if (heaps.used(0) > heap || now > heap) {
                                throw new AssertionError("heap overshot: used " + heaps.used(0) + ", held " + now);
                            }
                        } else {
                            long size = mine.remove(random.nextInt(mine.size()));
                            held.addAndGet(-size);
                            heaps.release(0, size);
                        }
                    }
                    for (long size : mine) {
                        held.addAndGet(-size);
                        heaps.release(0, size);
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            });
            workers.add(w);
            w.start();
        }
        start.countDown();
        for (Thread w : workers) {
            w.join();
        }
        if (failure.get() != null) {
            throw new AssertionError(failure.get());
        }
        assertTrue(refused.get() > 0, "the workload never filled the heap, so it tested nothing");
        assertEquals(0, heaps.used(0));
        assertEquals(0, held.get());
    }
}
