package dev.lluvia.memory.sim;

import dev.lluvia.memory.Buffer;
import dev.lluvia.memory.ChannelType;
import dev.lluvia.memory.LeakPolicy;
import dev.lluvia.memory.Memory;
import dev.lluvia.memory.MemoryObject;
import dev.lluvia.memory.MemoryPropertyFlag;
import dev.lluvia.memory.Session;
import dev.lluvia.memory.SessionOptions;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Threads working on different Memories of one session, as the core allows, on one sim device. */
class SimConcurrencyTest {

    @Test
    void threadsOnDifferentMemoriesKeepTheDeviceConsistent() throws Exception {
        final int threads = 4;
        try (Session session = Session.create(SessionOptions.defaults().withBackend("sim")
                .withDevice("mobile-noncoherent").withLeakPolicy(LeakPolicy.IGNORE))) {
            SimBackend sim = session.unwrap(SimBackend.class).orElseThrow();
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            try {
                List<Future<Integer>> results = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    final long seed = 1000 + t;
                    final EnumSet<MemoryPropertyFlag> flags = t % 2 == 0
                            ? EnumSet.of(MemoryPropertyFlag.DEVICE_LOCAL)
                            : EnumSet.of(MemoryPropertyFlag.HOST_VISIBLE, MemoryPropertyFlag.HOST_CACHED);
                    results.add(pool.submit(() -> work(session.createMemory(flags, 128 << 10), new Random(seed))));
                }
                int live = 0;
                for (Future<Integer> f : results) {
                    live += f.get(60, TimeUnit.SECONDS);
                }
                assertEquals(live, sim.inspect().liveResourceCount());
                assertEquals(live, sim.inspect().boundResourceCount());
                int pages = 0;
                for (Memory m : session.memories()) {
                    pages += m.pageCount();
                }
                assertEquals(pages, sim.inspect().livePageCount());
            } finally {
                pool.shutdownNow();
            }
        }
    }

    /** Random creates and closes; returns how many objects it left alive. */
    private static int work(Memory memory, Random random) {
        List<MemoryObject> live = new ArrayList<>();
        for (int step = 0; step < 1500; step++) {
            if (live.isEmpty() || random.nextInt(100) < 55) {
                if (random.nextBoolean()) {
                    Buffer b = memory.createBuffer(1 + random.nextInt(20_000));
                    if (memory.isMappable()) {
                        b.map().put(0, (byte) step);
                        b.flush();
                    }
                    live.add(b);
                } else {
                    live.add(memory.createImage(1 + random.nextInt(200), 1 + random.nextInt(200), ChannelType.UINT8));
                }
            } else {
                live.remove(random.nextInt(live.size())).close();
            }
        }
        return live.size();
    }
}
