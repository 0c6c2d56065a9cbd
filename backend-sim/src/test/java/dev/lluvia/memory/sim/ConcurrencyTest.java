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

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Several threads allocating, mapping and freeing on one shared Memory and on Memories of one
 * Session. The sim referee checks every bind (overlap, alignment, granularity) while they run;
 * afterwards the accounting of the Memory, the Session and the device must agree exactly.
 */
class ConcurrencyTest {

    @Test
    void threadsSharingOneMemoryNeverOverlapAndAccountingIsExact() throws Exception {
        final int threads = 4;
        final int steps = 3000;
        try (Session s = Session.create(SessionOptions.defaults().withBackend("sim").withDevice("nvidia-h100")
                .withLeakPolicy(LeakPolicy.IGNORE))) {
            SimBackend sim = s.unwrap(SimBackend.class).orElseThrow();
            Memory shared = s.createMemory(EnumSet.of(MemoryPropertyFlag.HOST_VISIBLE, MemoryPropertyFlag.HOST_COHERENT), 256 * 1024);
            Memory device = s.createMemory(EnumSet.of(MemoryPropertyFlag.DEVICE_LOCAL), 256 * 1024);
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            CountDownLatch start = new CountDownLatch(1);
            List<Future<List<MemoryObject>>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                final long seed = 1000 + t;
                results.add(pool.submit(() -> {
                    Random rnd = new Random(seed);
                    List<MemoryObject> mine = new ArrayList<>();
                    start.await();
                    for (int step = 0; step < steps; step++) {
                        int op = rnd.nextInt(10);
                        if (mine.isEmpty() || op < 5) {
                            if (rnd.nextBoolean()) {
                                Buffer b = shared.createBuffer(1 + rnd.nextInt(20_000));
                                MappedView v = b.map();
                                byte tag = (byte) (seed * 31 + step);
                                v.put(0, tag);
                                v.put(v.size() - 1, tag);
                                mine.add(b);
                            } else {
                                mine.add(device.createImage(1 + rnd.nextInt(100), 1 + rnd.nextInt(100), ChannelType.UINT8));
                            }
                        } else if (op < 8) {
                            mine.remove(rnd.nextInt(mine.size())).close();
                        } else {
                            // statistics and page snapshots while others allocate
                            Statistics st = shared.statistics();
                            assertTrue(st.allocationBytes() <= st.pageBytes(), () -> "seed " + seed + ": " + st);
                            for (dev.lluvia.memory.PageInfo page : device.pages()) {
                                long end = 0;
                                for (dev.lluvia.memory.PageInfo.Placed p : page.objects()) {
                                    assertTrue(p.info().offset() - p.info().leftPadding() >= end, () -> "seed " + seed + ": " + page);
                                    end = p.info().offset() + p.info().size();
                                }
                                final long pageEnd = end;
                                assertTrue(pageEnd <= page.size(), () -> "seed " + seed + ": " + page);
                            }
                        }
                    }
                    return mine;
                }));
            }
            start.countDown();
            List<MemoryObject> all = new ArrayList<>();
            for (Future<List<MemoryObject>> f : results) {
                all.addAll(f.get(120, TimeUnit.SECONDS));
            }
            pool.shutdown();
            assertEquals(all.size(), sim.inspect().liveResourceCount(), "device resources = objects the threads kept");
            assertEquals(all.size(), shared.objects().size() + device.objects().size());
            Statistics total = s.statistics();
            assertEquals(all.size(), total.allocationCount());
            assertEquals(shared.pageCount() + device.pageCount(), sim.inspect().livePageCount());
            assertEquals(total.pageBytes(), sim.inspect().heapUsage(0) + sim.inspect().heapUsage(1));
            long bytes = 0;
            for (MemoryObject o : all) {
                bytes += o.allocationInfo().size();
            }
            assertEquals(bytes, total.allocationBytes());
            for (MemoryObject o : all) {
                o.close();
            }
            assertEquals(0, sim.inspect().liveResourceCount());
            for (Memory m : List.of(shared, device)) {
                assertTrue(m.statistics().pageBytes() <= m.options().effectiveEmptyPageBudget(),
                        "empty pages kept within the budget: " + m.statistics());
            }
        }
    }

    @Test
    void memoriesOfOneSessionWorkInParallelAndSessionCloseFreesAll() throws Exception {
        Session s = Session.create(SessionOptions.defaults().withBackend("sim").withDevice("llvmpipe")
                .withLeakPolicy(LeakPolicy.IGNORE));
        SimBackend sim = s.unwrap(SimBackend.class).orElseThrow();
        ExecutorService pool = Executors.newFixedThreadPool(3);
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < 3; t++) {
            final int seed = t;
            done.add(pool.submit(() -> {
                Memory m = s.createMemory(EnumSet.of(MemoryPropertyFlag.DEVICE_LOCAL), 64 * 1024);
                Random rnd = new Random(seed);
                List<Buffer> live = new ArrayList<>();
                for (int i = 0; i < 2000; i++) {
                    if (live.isEmpty() || rnd.nextBoolean()) {
                        live.add(m.createBuffer(1 + rnd.nextInt(30_000)));
                    } else {
                        live.remove(rnd.nextInt(live.size())).close();
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : done) {
            f.get(120, TimeUnit.SECONDS);
        }
        pool.shutdown();
        assertEquals(3, s.memories().size());
        s.close();
        assertEquals(0, sim.inspect().liveResourceCount());
        assertEquals(0, sim.inspect().livePageCount());
    }
}
