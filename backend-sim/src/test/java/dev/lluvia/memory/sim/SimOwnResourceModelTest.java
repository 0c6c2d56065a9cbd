package dev.lluvia.memory.sim;

import dev.lluvia.memory.Allocation;
import dev.lluvia.memory.AllocationInfo;
import dev.lluvia.memory.AllocationRequest;
import dev.lluvia.memory.ChannelType;
import dev.lluvia.memory.ImageDescriptor;
import dev.lluvia.memory.IncompatibleMemoryTypeException;
import dev.lluvia.memory.LeakPolicy;
import dev.lluvia.memory.Memory;
import dev.lluvia.memory.MemoryObject;
import dev.lluvia.memory.MemoryOptions;
import dev.lluvia.memory.MemoryPropertyFlag;
import dev.lluvia.memory.PageInfo;
import dev.lluvia.memory.PageLimitException;
import dev.lluvia.memory.ResourceKind;
import dev.lluvia.memory.ResourceRequirements;
import dev.lluvia.memory.Session;
import dev.lluvia.memory.SessionOptions;
import dev.lluvia.memory.Statistics;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Seeded model-based test: random sequences of allocations for the program's resources (good and
 * bad requirements, every kind, some of them bound to sim resources), the library's buffers and
 * images, and closes, in Memories with random page bounds and never-allocate. After each step:
 * every live object inside its page, aligned, no two overlapping, an optimal image never sharing a
 * granularity block with a linear object (the referee checks the library's binds and the bound
 * allocations too); the page count within the bounds; a refused step changed nothing. A failure
 * message carries the seed and step; rerun with that seed (the {@code seeds} below) to replay.
 */
class SimOwnResourceModelTest {

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 20, 2026})
    void randomSequencesKeepThePlacementRules(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        String profile = random.nextBoolean() ? "nvidia-h100" : "mobile-noncoherent";
        try (Session session = Session.create(SessionOptions.defaults().withBackend("sim").withDevice(profile)
                .withDebug(random.nextBoolean()).withLeakPolicy(LeakPolicy.IGNORE))) {
            SimBackend sim = session.unwrap(SimBackend.class).orElseThrow();
            int min = random.nextInt(3);
            int max = min + 1 + random.nextInt(4);
            Memory memory = session.createMemory(MemoryOptions.of(EnumSet.of(MemoryPropertyFlag.DEVICE_LOCAL))
                    .withPageSize(256 * 1024).withPageBounds(min, max).withNeverAllocate(random.nextInt(5) == 0));
            int type = memory.memoryType().index();
            long granularity = session.device().limits().bufferImageGranularity();
            List<MemoryObject> live = new ArrayList<>();
            List<Long> boundSimResources = new ArrayList<>();
            for (int step = 0; step < 300; step++) {
                String at = "seed " + seed + ", step " + step + " (" + profile + ", pages " + min + ".." + max + ")";
                Statistics before = memory.statistics();
                int op = random.nextInt(10);
                try {
                    if (op < 4) {
                        long alignment = 1L << random.nextInt(12);
                        int bits = random.nextInt(6) == 0 ? ~(1 << type) : -1;
                        ResourceKind kind = ResourceKind.values()[random.nextInt(3)];
                        ResourceRequirements req = new ResourceRequirements(1 + random.nextInt(150_000), alignment, bits,
                                random.nextInt(8) == 0, false);
                        live.add(memory.allocate(AllocationRequest.of(req, kind)));
                        assertNotEquals(~(1 << type), bits, at + ": excluded type accepted");
                    } else if (op == 4) {
                        // A sim resource standing for the program's, allocated for and bound.
                        var own = sim.createBuffer(1 + random.nextInt(60_000), 0x20);
                        Allocation a;
                        try {
                            a = memory.allocate(AllocationRequest.forBuffer(own.handle()));
                        } catch (RuntimeException e) {
                            sim.destroyBuffer(own);
                            throw e;
                        }
                        a.bindBuffer(own.handle());
                        a.setUserValue(own.handle());
                        boundSimResources.add(own.handle());
                        live.add(a);
                    } else if (op == 5) {
                        live.add(memory.createBuffer(1 + random.nextInt(100_000)));
                    } else if (op == 6) {
                        live.add(memory.createImage(ImageDescriptor.of(1 + random.nextInt(200), 1 + random.nextInt(200),
                                ChannelType.UINT8)));
                    } else if (!live.isEmpty()) {
                        MemoryObject o = live.remove(random.nextInt(live.size()));
                        if (o.userValue() instanceof Long own) {
                            sim.destroyBuffer(Handles.resource(own)); // the program's resource goes before its memory
                            boundSimResources.remove(own);
                        }
                        o.close();
                    }
                } catch (IncompatibleMemoryTypeException | PageLimitException e) {
                    assertEquals(before, memory.statistics(), at + ": a refused step changed the statistics");
                } catch (dev.lluvia.memory.OutOfDeviceMemoryException e) {
                    assertEquals(before, memory.statistics(), at + ": a refused step changed the statistics");
                }
                check(memory, granularity, min, max, at);
            }
            for (long own : boundSimResources) {
                sim.destroyBuffer(Handles.resource(own));
            }
        }
    }

    private static void check(Memory memory, long granularity, int min, int max, String at) {
        assertTrue(memory.pageCount() >= min && memory.pageCount() <= max, at + ": " + memory.pageCount() + " pages");
        for (PageInfo page : memory.pages()) {
            List<PageInfo.Placed> objects = page.objects();
            for (int i = 0; i < objects.size(); i++) {
                PageInfo.Placed p = objects.get(i);
                AllocationInfo info = p.info();
                assertTrue(info.offset() >= 0 && info.offset() + info.size() <= page.size(), at + ": outside its page: " + p);
                if (p.object() instanceof Allocation a) {
                    assertEquals(0, info.offset() % a.requirements().alignment(), at + ": misaligned " + p);
                }
                for (int j = i + 1; j < objects.size(); j++) {
                    PageInfo.Placed q = objects.get(j);
                    assertTrue(p.reservedEnd() <= q.reservedStart() || q.reservedEnd() <= p.reservedStart(),
                            at + ": overlap of " + p + " and " + q);
                    if (optimal(p.object()) != optimal(q.object()) && !page.dedicated()) {
                        long pEnd = info.offset() + info.size() - 1;
                        long qEnd = q.info().offset() + q.info().size() - 1;
                        assertTrue(pEnd / granularity < q.info().offset() / granularity
                                        || qEnd / granularity < info.offset() / granularity,
                                at + ": granularity block shared by " + p + " and " + q);
                    }
                }
            }
        }
    }

    private static boolean optimal(MemoryObject o) {
        return o instanceof dev.lluvia.memory.Image i ? i.descriptor().tiling() == dev.lluvia.memory.ImageTiling.OPTIMAL
                : o instanceof Allocation a && a.resourceKind() == ResourceKind.OPTIMAL_IMAGE;
    }
}
