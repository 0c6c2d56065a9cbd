package dev.lluvia.memory.sim;

import dev.lluvia.memory.Buffer;
import dev.lluvia.memory.ChannelType;
import dev.lluvia.memory.LeakPolicy;
import dev.lluvia.memory.MappedView;
import dev.lluvia.memory.Memory;
import dev.lluvia.memory.MemoryObject;
import dev.lluvia.memory.MemoryPropertyFlag;
import dev.lluvia.memory.Session;
import dev.lluvia.memory.SessionOptions;
import dev.lluvia.memory.Statistics;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Threads sharing one Session and its Memories: each allocates, frees, maps and writes its own
 * buffers and reads them back in full, and reads statistics, while the sim referee checks every
 * bind; afterwards the accounting must be exact. A variant runs with random driver faults on.
 * Also: closes racing with use (double close, close from several threads, Memory and Session
 * closed under running threads) stay harmless: one destroy per object, which the referee would
 * catch otherwise. {@code -Dlluvia.longTests=true} runs ten times the steps.
 */
class StressTest {

    private static final int STEPS = Boolean.getBoolean("lluvia.longTests") ? 20_000 : 2_000;
    private static final int THREADS = 4;

    @ParameterizedTest(name = "faults {0}")
    @ValueSource(booleans = {false, true})
    void threadsSharingASessionKeepTheirBytesAndTheAccountingExact(boolean faults) throws Exception {
        SessionOptions options = SessionOptions.defaults().withBackend("sim").withDevice("mobile-noncoherent")
                .withLeakPolicy(LeakPolicy.IGNORE);
        if (faults) {
            options = options.withProperty("lluvia.sim.fault.random", "99:0.02");
        }
        AtomicLong operations = new AtomicLong();
        AtomicLong failures = new AtomicLong();
        try (Session s = Session.create(options)) {
            SimBackend sim = s.unwrap(SimBackend.class).orElseThrow();
            List<Memory> shared = new ArrayList<>();
            for (Set<MemoryPropertyFlag> flags : s.supportedMemoryPropertyFlags()) {
                shared.add(s.createMemory(flags, 256 << 10, true));
            }
            ExecutorService pool = Executors.newFixedThreadPool(THREADS);
            CountDownLatch start = new CountDownLatch(1);
            List<Future<List<MemoryObject>>> results = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                final long seed = 7000 + t;
                results.add(pool.submit(() -> {
                    start.await();
                    return work(s, shared, new Random(seed), seed, operations, failures);
                }));
            }
            start.countDown();
            List<MemoryObject> kept = new ArrayList<>();
            for (Future<List<MemoryObject>> f : results) {
                kept.addAll(f.get(120, TimeUnit.SECONDS));
            }
            pool.shutdown();
            Referee.assertConsistent(s, "after the threads");
            assertEquals(kept.size(), s.statistics().allocationCount());
            long bytes = 0;
            for (MemoryObject o : kept) {
                bytes += o.allocationInfo().size();
            }
            assertEquals(bytes, s.statistics().allocationBytes());
            long faultsInjected = sim.inspect().faultsInjected();
            assertEquals(faultsInjected, failures.get(), "every fault surfaced as one typed exception");
            assertTrue(!faults || faultsInjected > 10, "faults struck: " + faultsInjected);
            sim.inspect().clearFaults();
            for (MemoryObject o : kept) {
                o.close();
            }
            Referee.assertConsistent(s, "after closing everything");
            for (Memory m : shared) {
                long emptyBytes = m.statistics().pageBytes();
                assertTrue(emptyBytes <= m.options().effectiveEmptyPageBudget(), "empty pages kept within the budget: " + emptyBytes);
                assertEquals(emptyBytes, m.releaseEmptyPages(), "every kept page is given back: " + m);
                assertEquals(0, m.pageCount());
            }
            assertEquals(0, sim.inspect().livePageCount());
            System.out.println("stress (faults " + faults + "): " + operations.get() + " operations, "
                    + failures.get() + " injected faults, " + THREADS + " threads");
        }
    }

    /** One thread's random work; returns the objects it leaves alive (their bytes checked). */
    private static List<MemoryObject> work(Session s, List<Memory> memories, Random rnd, long seed,
                                           AtomicLong operations, AtomicLong failures) {
        List<MemoryObject> mine = new ArrayList<>();
        List<Long> tags = new ArrayList<>();
        for (int step = 0; step < STEPS; step++) {
            String where = "thread seed " + seed + ", step " + step;
            operations.incrementAndGet();
            try {
                int op = rnd.nextInt(10);
                if (mine.isEmpty() || op < 4) {
                    Memory m = memories.get(rnd.nextInt(memories.size()));
                    MemoryObject o = rnd.nextInt(4) > 0
                            ? m.createBuffer(1 + rnd.nextInt(rnd.nextInt(10) == 0 ? 150_000 : 6_000))
                            : m.createImage(1 + rnd.nextInt(100), 1 + rnd.nextInt(100), ChannelType.UINT16);
                    long tag = seed * 1_000_000 + step;
                    if (o instanceof Buffer b && m.isMappable()) {
                        try {
                            Referee.fill(b, tag);
                        } catch (RuntimeException e) {
                            o.close();
                            throw e;
                        }
                    }
                    mine.add(o);
                    tags.add(tag);
                } else if (op < 7) {
                    int i = rnd.nextInt(mine.size());
                    check(mine.get(i), tags.get(i), where);
                    tags.remove(i);
                    mine.remove(i).close();
                } else if (op < 9) {
                    int i = rnd.nextInt(mine.size());
                    check(mine.get(i), tags.get(i), where);
                } else {
                    Statistics total = s.statistics();
                    assertTrue(total.allocationBytes() <= total.pageBytes(), where + ": " + total);
                    assertTrue(total.allocationCount() >= mine.size(), where + ": " + total);
                }
            } catch (RuntimeException e) {
                if (!Referee.isDriverFault(e)) {
                    throw new AssertionError(where + ": " + e, e);
                }
                failures.incrementAndGet();
            }
        }
        for (int i = 0; i < mine.size(); i++) {
            for (int attempt = 0; ; attempt++) {
                try {
                    check(mine.get(i), tags.get(i), "thread seed " + seed + ", end");
                    break;
                } catch (RuntimeException e) {
                    if (!Referee.isDriverFault(e) || attempt == 100) {
                        throw new AssertionError("thread seed " + seed + ", end: " + e, e);
                    }
                    failures.incrementAndGet(); // a random map fault: read again
                }
            }
        }
        return mine;
    }

    private static void check(MemoryObject o, long tag, String where) {
        if (o instanceof Buffer b && b.memory().isMappable()) {
            Referee.assertFilled(b, tag, where);
        }
    }

    @Test
    void closingOneObjectFromManyThreadsDestroysItOnce() throws Exception {
        try (Session s = Session.create(SessionOptions.defaults().withBackend("sim").withDevice("llvmpipe")
                .withLeakPolicy(LeakPolicy.IGNORE))) {
            SimBackend sim = s.unwrap(SimBackend.class).orElseThrow();
            Memory m = s.createMemory(EnumSet.of(MemoryPropertyFlag.HOST_VISIBLE), 64 << 10);
            ExecutorService pool = Executors.newFixedThreadPool(THREADS);
            AtomicInteger refused = new AtomicInteger();
            try {
                for (int round = 0; round < 200; round++) {
                    Buffer b = m.createBuffer(1024);
                    CyclicBarrier barrier = new CyclicBarrier(THREADS);
                    List<Future<?>> done = new ArrayList<>();
                    for (int t = 0; t < THREADS; t++) {
                        final int kind = t;
                        done.add(pool.submit(() -> {
                            barrier.await();
                            if (kind % 2 == 0) {
                                b.close();
                            } else {
                                try {
                                    MappedView v = b.map();
                                    v.put(0, (byte) 1); // a view taken before the close throws after it
                                    b.flush();
                                } catch (IllegalStateException closedMeanwhile) {
                                    assertTrue(closedMeanwhile.getMessage().contains("Buffer#" + b.id()));
                                    refused.incrementAndGet();
                                }
                            }
                            return null;
                        }));
                    }
                    for (Future<?> f : done) {
                        f.get(30, TimeUnit.SECONDS); // a second destroy would be a referee violation here
                    }
                    assertTrue(b.isClosed());
                    b.close();
                }
            } finally {
                pool.shutdownNow();
            }
            assertEquals(0, sim.inspect().liveResourceCount());
            assertEquals(0, m.statistics().allocationCount());
            Referee.assertConsistent(s, "after the close races");
        }
    }

    @Test
    void closingTheMemoryAndSessionUnderRunningThreadsIsHarmless() throws Exception {
        for (int round = 0; round < 20; round++) {
            Session s = Session.create(SessionOptions.defaults().withBackend("sim").withDevice("nvidia-h100")
                    .withLeakPolicy(LeakPolicy.IGNORE));
            SimBackend sim = s.unwrap(SimBackend.class).orElseThrow();
            Memory m = s.createMemory(EnumSet.of(MemoryPropertyFlag.HOST_VISIBLE), 64 << 10);
            ExecutorService pool = Executors.newFixedThreadPool(THREADS);
            CountDownLatch running = new CountDownLatch(THREADS);
            List<Future<Integer>> done = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                final int seed = round * 10 + t;
                done.add(pool.submit(() -> {
                    Random rnd = new Random(seed);
                    List<Buffer> mine = new ArrayList<>();
                    running.countDown();
                    int refused = 0;
                    for (int i = 0; i < 3000 && refused < 10; i++) {
                        try {
                            if (mine.isEmpty() || rnd.nextBoolean()) {
                                Buffer b = m.createBuffer(1 + rnd.nextInt(4000));
                                b.map().put(0, (byte) i);
                                mine.add(b);
                            } else {
                                mine.remove(rnd.nextInt(mine.size())).close();
                            }
                        } catch (IllegalStateException closed) {
                            // The memory or session was closed under this thread: named, nothing half-done.
                            assertTrue(closed.getMessage().contains("Memory[") || closed.getMessage().contains("Buffer#"),
                                    closed.getMessage());
                            refused++;
                        }
                    }
                    for (Buffer b : mine) {
                        b.close(); // double close after the memory closed them: a no-op
                    }
                    return refused;
                }));
            }
            running.await();
            if (round % 2 == 0) {
                m.close();
            }
            s.close();
            for (Future<Integer> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
            pool.shutdown();
            assertTrue(m.isClosed());
            assertEquals(0, sim.inspect().livePageCount(), "round " + round);
            assertEquals(0, sim.inspect().liveResourceCount(), "round " + round);
        }
    }
}
