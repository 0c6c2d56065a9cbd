package dev.lluvia.memory.sim;

import dev.lluvia.memory.AllocationInfo;
import dev.lluvia.memory.ChannelType;
import dev.lluvia.memory.DetailedStatistics;
import dev.lluvia.memory.HeapBudget;
import dev.lluvia.memory.Image;
import dev.lluvia.memory.ImageDescriptor;
import dev.lluvia.memory.ImageTiling;
import dev.lluvia.memory.ImageUsage;
import dev.lluvia.memory.IncompatibleMemoryTypeException;
import dev.lluvia.memory.Memory;
import dev.lluvia.memory.MemoryObject;
import dev.lluvia.memory.MemoryPropertyFlag;
import dev.lluvia.memory.PageInfo;
import dev.lluvia.memory.Session;
import dev.lluvia.memory.SessionOptions;
import dev.lluvia.memory.Statistics;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The statistics a user reads ({@link Memory#statistics()}, {@link Memory#detailedStatistics()},
 * the session's totals and per-heap sums, the heap usage the device reports, and the page
 * snapshots of {@link Memory#pages()}) agree with a model kept beside a seeded random sequence of
 * creates and closes on every profile.
 *
 * <p>The model knows the live objects with the sizes the API reported and the quantum rules (in a
 * regular page an object holds its size rounded up to nonCoherentAtomSize on non-coherent memory,
 * to bufferImageGranularity when an optimal image; a dedicated page is at least its object's size, and kept empty only within the budget);
 * from them and the page snapshots it computes the
 * free ranges (page bytes minus the objects' reserved ranges) and every total. Replay a failure
 * with {@code -Dlluvia.sim.seed=N}.
 */
class SimStatisticsModelTest {

    private static final int STEPS = 1_500;
    private static final int CHECK_EVERY = 25;

    static List<String> profiles() {
        return SimProfiles.names();
    }

    @ParameterizedTest
    @MethodSource("profiles")
    void statisticsAgreeWithTheModelAfterRandomCreatesAndCloses(String profile) {
        long seed = Long.getLong("lluvia.sim.seed", 0x57a7_0000L + profile.hashCode());
        try {
            run(profile, seed);
        } catch (RuntimeException | AssertionError e) {
            throw new AssertionError("statistics model on " + profile + " failed with seed " + seed
                    + " (replay with -Dlluvia.sim.seed=" + seed + "): " + e, e);
        }
    }

    private static void run(String profile, long seed) {
        Random random = new Random(seed);
        try (Session session = Session.create(SessionOptions.defaults().withBackend("sim").withDevice(profile))) {
            List<Memory> memories = new ArrayList<>();
            for (Set<MemoryPropertyFlag> flags : session.supportedMemoryPropertyFlags()) {
                memories.add(session.createMemory(flags, 256 << 10, true));
            }
            // The model: live objects and their sizes as reported when created.
            Map<MemoryObject, Long> sizes = new HashMap<>();
            List<MemoryObject> live = new ArrayList<>();
            for (int step = 0; step < STEPS; step++) {
                if (live.isEmpty() || random.nextInt(100) < 55) {
                    Memory memory = memories.get(random.nextInt(memories.size()));
                    try {
                        MemoryObject o = random.nextBoolean()
                                ? memory.createBuffer(1 + random.nextInt(random.nextInt(10) == 0 ? 300_000 : 5_000))
                                : memory.createImage(randomImage(random));
                        live.add(o);
                        sizes.put(o, o.allocationInfo().size());
                    } catch (IncompatibleMemoryTypeException expected) {
                        // The profile's images cannot live in this memory type; nothing was created.
                    }
                } else {
                    MemoryObject o = live.remove(random.nextInt(live.size()));
                    o.close();
                    sizes.remove(o);
                }
                if (step % CHECK_EVERY == 0 || step == STEPS - 1) {
                    check(session, memories, sizes, step);
                }
            }
            for (MemoryObject o : live) {
                o.close();
            }
            sizes.clear();
            check(session, memories, sizes, STEPS);
            assertEquals(0, session.statistics().allocationCount(), "objects after closing every one");
        }
    }

    private static void check(Session session, List<Memory> memories, Map<MemoryObject, Long> sizes, int step) {
        String at = " at step " + step;
        int heaps = session.device().memoryHeaps().size();
        Statistics[] heapModel = new Statistics[heaps];
        java.util.Arrays.fill(heapModel, Statistics.EMPTY);
        Statistics totalModel = Statistics.EMPTY;
        for (Memory memory : memories) {
            String where = memory + at;
            List<PageInfo> pages = memory.pages();
            int objects = 0;
            long objectBytes = 0;
            long smallestObject = 0;
            long largestObject = 0;
            long pageBytes = 0;
            int freeRanges = 0;
            long largestFree = 0;
            long smallestFree = 0;
            long emptyBytes = 0;
            for (PageInfo page : pages) {
                pageBytes += page.size();
                if (page.dedicated()) {
                    // One object, or none: a large object's plain page kept for the next one.
                    assertTrue(page.objects().size() <= 1, "a dedicated page holds one object at most: " + where);
                } else {
                    assertEquals(memory.pageSize(), page.size(), "regular page size: " + where);
                }
                if (page.objects().isEmpty()) {
                    emptyBytes += page.size();
                }
                long cursor = 0;
                for (PageInfo.Placed p : page.objects()) {
                    AllocationInfo info = p.info();
                    Long modelSize = sizes.get(p.object());
                    assertTrue(modelSize != null, "the snapshot shows an object the model does not know: " + p.object() + at);
                    assertEquals(modelSize, info.size(), "size of " + p.object() + at);
                    assertEquals(page.index(), info.page(), "page of " + p.object() + at);
                    assertEquals(page.dedicated() ? info.size() : reservedSize(memory, p.object(), info.size()), p.reservedSize(),
                            "bytes reserved for " + p.object() + at);
                    assertTrue(p.reservedStart() >= cursor, "objects overlap or are out of order: " + p.object() + at);
                    assertTrue(p.reservedEnd() <= page.size(), p.object() + " ends past its page" + at);
                    if (p.reservedStart() > cursor) {
                        long free = p.reservedStart() - cursor;
                        freeRanges++;
                        largestFree = Math.max(largestFree, free);
                        smallestFree = smallestFree == 0 ? free : Math.min(smallestFree, free);
                    }
                    cursor = p.reservedEnd();
                    objects++;
                    objectBytes += info.size();
                    largestObject = Math.max(largestObject, info.size());
                    smallestObject = smallestObject == 0 ? info.size() : Math.min(smallestObject, info.size());
                }
                if (cursor < page.size()) {
                    long free = page.size() - cursor;
                    freeRanges++;
                    largestFree = Math.max(largestFree, free);
                    smallestFree = smallestFree == 0 ? free : Math.min(smallestFree, free);
                }
            }
            long modelObjects = sizes.keySet().stream().filter(o -> o.memory() == memory).count();
            assertEquals(modelObjects, objects, "objects in the page snapshots: " + where);
            assertTrue(emptyBytes <= memory.options().effectiveEmptyPageBudget(),
                    "empty pages are kept within the budget: " + emptyBytes + " bytes in " + where);

            Statistics expected = new Statistics(pages.size(), pageBytes, objects, objectBytes);
            assertEquals(expected, memory.statistics(), "statistics(): " + where);
            assertEquals(pages.size(), memory.pageCount(), "pageCount(): " + where);
            DetailedStatistics detailed = memory.detailedStatistics();
            assertEquals(new DetailedStatistics(expected, freeRanges, largestFree, smallestFree, largestObject,
                    smallestObject), detailed, "detailedStatistics(): " + where);

            int heap = memory.memoryType().heapIndex();
            heapModel[heap] = heapModel[heap].plus(expected);
            totalModel = totalModel.plus(expected);
        }
        assertEquals(List.of(heapModel), session.heapStatistics(), "heapStatistics()" + at);
        assertEquals(totalModel, session.statistics(), "statistics()" + at);
        assertEquals(totalModel, session.detailedStatistics().totals(), "detailedStatistics().totals()" + at);
        for (HeapBudget b : session.heapBudgets()) {
            assertEquals(heapModel[b.heapIndex()].pageBytes(), b.usage(),
                    "the sim's usage of heap " + b.heapIndex() + " is the session's page bytes" + at);
        }
    }

    /** What the model expects a page to hold for an object: its size rounded up to the memory's quantum. */
    private static long reservedSize(Memory memory, MemoryObject object, long size) {
        var limits = memory.session().device().limits();
        long quantum = memory.memoryType().needsFlush() ? Math.max(1, limits.nonCoherentAtomSize()) : 1;
        if (object instanceof Image image && image.descriptor().tiling() == ImageTiling.OPTIMAL) {
            quantum = Math.max(quantum, limits.bufferImageGranularity());
        }
        return (size + quantum - 1) / quantum * quantum;
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
