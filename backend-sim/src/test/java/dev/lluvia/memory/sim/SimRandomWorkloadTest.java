package dev.lluvia.memory.sim;

import dev.lluvia.memory.ChannelType;
import dev.lluvia.memory.ImageDescriptor;
import dev.lluvia.memory.ImageTiling;
import dev.lluvia.memory.ImageUsage;
import dev.lluvia.memory.IncompatibleMemoryTypeException;
import dev.lluvia.memory.LeakPolicy;
import dev.lluvia.memory.Memory;
import dev.lluvia.memory.MemoryObject;
import dev.lluvia.memory.MemoryPropertyFlag;
import dev.lluvia.memory.Session;
import dev.lluvia.memory.SessionOptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Seeded random create/close sequences through the public API on every profile. The sim's
 * referee checks every bind (inside the page, aligned, no overlap, memoryTypeBits, and
 * granularity when {@code -Dlluvia.sim.checkGranularity=true}); this test adds that the backend's live
 * counts match the objects the API reports, and that closing the session leaks nothing.
 * The seed is printed on failure; replay one with {@code -Dlluvia.sim.seed=N}.
 */
class SimRandomWorkloadTest {

    private static final int STEPS = 3_000;

    static List<String> profiles() {
        return SimProfiles.names();
    }

    @ParameterizedTest
    @MethodSource("profiles")
    void randomCreateAndCloseKeepsTheRefereeHappy(String profile) {
        long seed = Long.getLong("lluvia.sim.seed", 0x5eed_0000L + profile.hashCode());
        try {
            run(profile, seed);
        } catch (RuntimeException | AssertionError e) {
            throw new AssertionError("random workload on " + profile + " failed with seed " + seed
                    + " (replay with -Dlluvia.sim.seed=" + seed + "): " + e, e);
        }
    }

    /**
     * The same kind of workload with random faults on every fault point (3% of calls, any of the
     * three results): every failure must be a typed driver fault, and after each the accounting is
     * exact and every live buffer keeps its bytes ({@link SimFaultInjectionTest#workload}).
     * {@code -Dlluvia.longTests=true} runs ten times as many steps.
     */
    @ParameterizedTest
    @MethodSource("profiles")
    void randomWorkloadUnderRandomFaults(String profile) {
        long seed = Long.getLong("lluvia.sim.seed", 0xfa17_0000L + profile.hashCode());
        int steps = Boolean.getBoolean("lluvia.longTests") ? 10 * STEPS : STEPS;
        SessionOptions options = SessionOptions.defaults().withBackend("sim").withDevice(profile)
                .withLeakPolicy(LeakPolicy.IGNORE).withProperty("lluvia.sim.fault.random", seed + ":0.03");
        try {
            SimFaultInjectionTest.FaultStats st = SimFaultInjectionTest.workload(options, seed, steps);
            System.out.println("random faults on " + profile + ": " + st);
            org.junit.jupiter.api.Assertions.assertTrue(st.faults() > 10, "faults struck: " + st);
        } catch (RuntimeException | AssertionError e) {
            throw new AssertionError("faulty workload on " + profile + " failed with seed " + seed
                    + " (replay with -Dlluvia.sim.seed=" + seed + "): " + e, e);
        }
    }

    private static void run(String profile, long seed) {
        Random random = new Random(seed);
        // Closing the session with live objects is part of the test: no leak warning wanted.
        SessionOptions options = SessionOptions.defaults().withBackend("sim").withDevice(profile)
                .withLeakPolicy(LeakPolicy.IGNORE);
        try (Session session = Session.create(options)) {
            SimBackend sim = session.unwrap(SimBackend.class).orElseThrow();
            List<Memory> memories = new ArrayList<>();
            for (Set<MemoryPropertyFlag> flags : session.supportedMemoryPropertyFlags()) {
                memories.add(session.createMemory(flags, 256 << 10, true));
            }
            List<MemoryObject> live = new ArrayList<>();
            for (int step = 0; step < STEPS; step++) {
                if (live.isEmpty() || random.nextInt(100) < 55) {
                    Memory memory = memories.get(random.nextInt(memories.size()));
                    try {
                        live.add(random.nextBoolean()
                                ? memory.createBuffer(1 + random.nextInt(random.nextInt(10) == 0 ? 400_000 : 5_000))
                                : memory.createImage(randomImage(random)));
                    } catch (IncompatibleMemoryTypeException expected) {
                        // The profile's images cannot live in this memory type; nothing was created.
                    }
                } else {
                    live.remove(random.nextInt(live.size())).close();
                }
                if (step % 100 == 0) {
                    assertEquals(live.size(), sim.inspect().liveResourceCount(), "live resources at step " + step);
                    assertEquals(live.size(), sim.inspect().boundResourceCount(), "bound resources at step " + step);
                    int pages = 0;
                    for (Memory m : memories) {
                        pages += m.pageCount();
                    }
                    assertEquals(pages, sim.inspect().livePageCount(), "live pages at step " + step);
                }
            }
        }
    }

    private static ImageDescriptor randomImage(Random random) {
        // Formats and shapes every profile accepts (no 64-bit or three-channel formats, linear
        // images 2D): the profiles refuse the others as their drivers do.
        ChannelType[] types = ChannelType.values();
        int[] counts = {1, 2, 4};
        ImageDescriptor d = ImageDescriptor.of(1 + random.nextInt(300), 2 + random.nextInt(299),
                types[random.nextInt(types.length - 1)], counts[random.nextInt(counts.length)]);
        if (random.nextInt(4) == 0) {
            d = d.withTiling(ImageTiling.LINEAR).withUsage(Set.of(ImageUsage.TRANSFER_SRC, ImageUsage.TRANSFER_DST));
        }
        return d;
    }
}
