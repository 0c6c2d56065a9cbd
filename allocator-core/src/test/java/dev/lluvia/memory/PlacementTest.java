package dev.lluvia.memory;

import dev.lluvia.memory.alloc.AllocationAlgorithm;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The placement policy of {@link Memory} on measured device profiles: bufferImageGranularity,
 * dedicated pages, kept empty pages, heap and budget checks, non-coherent atoms, on the
 * core's {@link FakeBackend}, which checks every bind on top.
 */
class PlacementTest {

    private static Session open(FakeBackend.Config device) {
        return FakeBackend.session(device, SessionOptions.defaults().withLeakPolicy(LeakPolicy.IGNORE));
    }

    static java.util.stream.Stream<FakeBackend.Config> devices() {
        return java.util.stream.Stream.of(FakeBackend.Config.discrete(), FakeBackend.Config.cpu(),
                FakeBackend.Config.nonCoherent());
    }

    private static FakeBackend sim(Session s) {
        return FakeBackend.of(s);
    }

    @ParameterizedTest
    @MethodSource("devices")
    void linearObjectsAndOptimalImagesNeverShareAGranularityBlock(FakeBackend.Config profile) {
        for (AllocationAlgorithm algorithm : AllocationAlgorithm.values()) {
            try (Session s = open(profile)) {
                long g = s.device().limits().bufferImageGranularity();
                Memory m = s.createMemory(MemoryOptions.of(EnumSet.of(MemoryPropertyFlag.DEVICE_LOCAL))
                        .withPageSize(1 << 20).withAlgorithm(algorithm));
                long seed = 77L + profile.name().hashCode();
                Random rnd = new Random(seed);
                List<MemoryObject> live = new ArrayList<>();
                for (int step = 0; step < 3000; step++) {
                    if (live.isEmpty() || rnd.nextInt(10) < 6) {
                        switch (rnd.nextInt(3)) {
                            case 0 -> live.add(m.createBuffer(1 + rnd.nextInt(5000)));
                            case 1 -> live.add(m.createImage(1 + rnd.nextInt(64), 1 + rnd.nextInt(64), ChannelType.UINT8));
                            default -> live.add(m.createImage(ImageDescriptor.of(1 + rnd.nextInt(64), 1 + rnd.nextInt(8),
                                    ChannelType.FLOAT32).withTiling(ImageTiling.LINEAR)));
                        }
                    } else {
                        live.remove(rnd.nextInt(live.size())).close();
                    }
                }
                assertApartByGranularity(live, g, profile + " " + algorithm + " seed " + seed);
                assertEquals(live.size(), sim(s).boundResourceCount());
            }
        }
    }

    @Test
    void nothingIsWastedWhenImagesAreAlreadyGranularityAligned() {
        try (Session s = open(FakeBackend.Config.discrete())) {
            Memory m = s.createMemory(EnumSet.of(MemoryPropertyFlag.DEVICE_LOCAL));
            Buffer b = m.createBuffer(1024);
            Image i = m.createImage(32, 32, ChannelType.UINT8);
            Buffer b2 = m.createBuffer(100);
            assertEquals(new AllocationInfo(0, 0, 0, 1024), b.allocationInfo());
            assertEquals(new AllocationInfo(0, 1024, 0, 2048), i.allocationInfo());
            assertEquals(3072, b2.allocationInfo().offset(), "the image ends on a granularity boundary by itself");
        }
    }

    @Test
    void objectsAboveHalfAPageGetAPageOfTheirOwnKeptForTheNext() {
        try (Session s = open(FakeBackend.Config.discrete())) {
            Memory m = s.createMemory(EnumSet.of(MemoryPropertyFlag.DEVICE_LOCAL), 1 << 20);
            Buffer small = m.createBuffer(400 * 1024);
            Buffer big = m.createBuffer(600 * 1024);
            assertEquals(2, m.pageCount());
            assertEquals(0, big.allocationInfo().offset());
            assertEquals(600 * 1024, sim(s).pageSize(sim(s).livePages().get(1)), "dedicated page of the object's size");
            big.close();
            assertEquals(2, m.pageCount(), "a large object's plain page is kept (inside the default empty-page budget)");
            Buffer next = m.createBuffer(590 * 1024);
            assertEquals(new AllocationInfo(1, 0, 0, 590 * 1024), next.allocationInfo(), "and taken by the next large object");
            assertEquals(2, sim(s).livePageCount());
            next.close();
            small.close();
            assertEquals(2, m.pageCount(), "the empty regular page is kept too");
        }
    }

    /**
     * Objects go into the first regular page with room: a range freed in an earlier full page is
     * found again (the placement loop passes over full pages by their recorded room, which every
     * free raises), and a failed search there does not hide a later free.
     */
    @Test
    void aRangeFreedInAnEarlierFullPageIsTakenBeforeLaterPages() {
        try (Session s = open(FakeBackend.Config.cpu())) {
            Memory m = s.createMemory(EnumSet.of(MemoryPropertyFlag.DEVICE_LOCAL), 64 * 1024);
            List<Buffer> quarters = new ArrayList<>();
            for (int n = 0; n < 16; n++) {
                quarters.add(m.createBuffer(16 * 1024));
            }
            assertEquals(4, m.pageCount());
            Buffer small = quarters.get(5); // page 1
            assertEquals(1, small.allocationInfo().page());
            small.close();
            Buffer tooLarge = m.createBuffer(24 * 1024); // fails in pages 0-3, so a new page
            assertEquals(4, tooLarge.allocationInfo().page());
            Buffer again = m.createBuffer(16 * 1024);
            assertEquals(1, again.allocationInfo().page(), "the freed quarter of page 1");
            quarters.get(9).close(); // page 2, after page 2 proved too full for 24 KiB
            quarters.get(10).close();
            Buffer half = m.createBuffer(24 * 1024);
            assertEquals(2, half.allocationInfo().page(), "two freed quarters of page 2 hold 24 KiB again");
            quarters.get(0).close();
            assertEquals(0, m.createBuffer(1024).allocationInfo().page());
            assertEquals(5, m.pageCount());
        }
    }

    @Test
    void driverPreferenceForDedicatedIsHonoured() {
        FakeBackend.Config device = FakeBackend.Config.discrete();
        try (Session s = open(device.withOptimalImage(device.optimalImage().withPrefersDedicatedAbove(4096)))) {
            Memory m = s.createMemory(EnumSet.of(MemoryPropertyFlag.DEVICE_LOCAL));
            Image small = m.createImage(32, 32, ChannelType.UINT8);
            Image large = m.createImage(256, 256, ChannelType.UINT8);
            assertEquals(2, m.pageCount());
            assertTrue(small.allocationInfo().page() != large.allocationInfo().page());
            assertEquals(0, large.allocationInfo().offset());
        }
    }

    @Test
    void aOnePageBudgetKeepsOneEmptyPageAndChurnDoesNotCallTheDriver() {
        try (Session s = open(FakeBackend.Config.cpu())) {
            Memory m = s.createMemory(MemoryOptions.of(EnumSet.of(MemoryPropertyFlag.DEVICE_LOCAL)).withPageSize(64 * 1024)
                    .withEmptyPageBudget(64 * 1024));
            List<Buffer> buffers = new ArrayList<>();
            for (int n = 0; n < 12; n++) {
                buffers.add(m.createBuffer(16 * 1024));
            }
            assertEquals(3, m.pageCount());
            for (Buffer b : buffers) {
                b.close();
            }
            assertEquals(1, m.pageCount());
            assertEquals(1, sim(s).livePageCount());
            // Any page allocation from now on fails: churn at the boundary must reuse the kept page.
            sim(s).failNextPages(1000);
            for (int n = 0; n < 100; n++) {
                m.createBuffer(16 * 1024).close();
            }
            assertEquals(1, m.pageCount());
        }
    }

    @Test
    void aFullHeapIsATypedErrorAndChangesNothing() {
        try (Session s = open(FakeBackend.Config.cpu())) {
            Memory m = s.createMemory(EnumSet.of(MemoryPropertyFlag.DEVICE_LOCAL));
            Buffer keep = m.createBuffer(1024);
            OutOfDeviceMemoryException e = assertThrows(OutOfDeviceMemoryException.class,
                    () -> m.createBuffer(3L << 30));
            assertTrue(e.getMessage().contains("heap 0") && e.getMessage().contains("2147483648"), e.getMessage());
            assertEquals(0, e.heapIndex());
            assertEquals(1, m.pageCount());
            assertEquals(1, sim(s).liveResourceCount(), "the refused buffer was destroyed");
            assertEquals(1, m.objects().size());
            assertEquals(0, keep.allocationInfo().offset());
            assertEquals(1 << 20, m.createBuffer(1 << 20).size(), "the next operations work");
        }
    }

    @Test
    void theBudgetIsCheckedBeforeTheDriverIsAsked() {
        try (Session s = open(FakeBackend.Config.discrete())) {
            long heap = s.device().memoryHeaps().get(0).size();
            Memory m = s.createMemory(EnumSet.of(MemoryPropertyFlag.DEVICE_LOCAL));
            long overBudget = heap * 9 / 10; // inside the heap, above the 80 % budget the profile models
            OutOfDeviceMemoryException e = assertThrows(OutOfDeviceMemoryException.class, () -> m.createBuffer(overBudget));
            assertTrue(e.getMessage().contains("budget"), e.getMessage());
            assertEquals(0, sim(s).livePageCount());
            assertEquals(0, sim(s).liveResourceCount());
            assertEquals(0, m.pageCount());
        }
    }

    @Test
    void nonCoherentObjectsStartAndEndOnAtoms() {
        try (Session s = open(FakeBackend.Config.nonCoherent())) {
            long atom = s.device().limits().nonCoherentAtomSize();
            Memory m = s.createMemory(EnumSet.of(MemoryPropertyFlag.HOST_VISIBLE, MemoryPropertyFlag.HOST_CACHED), 1 << 20, false);
            assertTrue(m.memoryType().needsFlush());
            List<MemoryObject> buffers = new ArrayList<>();
            for (int n = 1; n < 40; n++) {
                Buffer b = m.createBuffer(n * 7);
                assertEquals(0, b.allocationInfo().offset() % atom, b.toString());
                buffers.add(b);
            }
            for (int a = 0; a < buffers.size(); a++) {
                AllocationInfo x = buffers.get(a).allocationInfo();
                for (int b = a + 1; b < buffers.size(); b++) {
                    AllocationInfo y = buffers.get(b).allocationInfo();
                    long xEnd = (x.offset() + x.size() + atom - 1) / atom * atom;
                    long yEnd = (y.offset() + y.size() + atom - 1) / atom * atom;
                    assertTrue(xEnd <= y.offset() || yEnd <= x.offset(), "atoms shared by " + x + " and " + y);
                }
            }
        }
    }

    @Test
    void everyAlgorithmCanBeChosenPerMemory() {
        try (Session s = open(FakeBackend.Config.discrete())) {
            for (AllocationAlgorithm a : AllocationAlgorithm.values()) {
                Memory m = s.createMemory(MemoryOptions.of(EnumSet.of(MemoryPropertyFlag.DEVICE_LOCAL)).withAlgorithm(a));
                assertEquals(a, m.algorithm());
                Buffer b = m.createBuffer(1000);
                assertEquals(0, b.allocationInfo().offset());
            }
            for (dev.lluvia.memory.alloc.AllocationStrategy st : dev.lluvia.memory.alloc.AllocationStrategy.values()) {
                Memory m = s.createMemory(MemoryOptions.of(EnumSet.of(MemoryPropertyFlag.DEVICE_LOCAL)).withStrategy(st));
                assertEquals(st, m.strategy());
                assertEquals(0, m.createBuffer(1000).allocationInfo().offset());
            }
            Memory byDefault = s.createMemory(EnumSet.of(MemoryPropertyFlag.DEVICE_LOCAL));
            assertEquals(AllocationAlgorithm.TLSF, byDefault.algorithm());
            assertEquals(dev.lluvia.memory.alloc.AllocationStrategy.MIN_TIME, byDefault.strategy());
        }
    }

    /** Any linear object and optimal image in one page occupy disjoint granularity blocks. */
    static void assertApartByGranularity(List<MemoryObject> live, long g, String where) {
        for (int a = 0; a < live.size(); a++) {
            MemoryObject x = live.get(a);
            for (int b = a + 1; b < live.size(); b++) {
                MemoryObject y = live.get(b);
                if (isOptimal(x) == isOptimal(y)) {
                    continue;
                }
                AllocationInfo xi = x.allocationInfo();
                AllocationInfo yi = y.allocationInfo();
                if (xi.page() != yi.page()) {
                    continue;
                }
                long xFirst = xi.offset() / g;
                long xLast = (xi.offset() + xi.size() - 1) / g;
                long yFirst = yi.offset() / g;
                long yLast = (yi.offset() + yi.size() - 1) / g;
                assertTrue(xLast < yFirst || yLast < xFirst, where + ": " + x + " and " + y + " share a granularity block");
            }
        }
    }

    private static boolean isOptimal(MemoryObject o) {
        return o instanceof Image i && i.descriptor().tiling() == ImageTiling.OPTIMAL;
    }
}
