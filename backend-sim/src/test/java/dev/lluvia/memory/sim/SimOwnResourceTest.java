package dev.lluvia.memory.sim;

import dev.lluvia.memory.Allocation;
import dev.lluvia.memory.AllocationRequest;
import dev.lluvia.memory.Buffer;
import dev.lluvia.memory.ChannelType;
import dev.lluvia.memory.ImageDescriptor;
import dev.lluvia.memory.ImageTiling;
import dev.lluvia.memory.IncompatibleMemoryTypeException;
import dev.lluvia.memory.LeakPolicy;
import dev.lluvia.memory.Memory;
import dev.lluvia.memory.MemoryCorruptionException;
import dev.lluvia.memory.MemoryLeakException;
import dev.lluvia.memory.MemoryPropertyFlag;
import dev.lluvia.memory.ResourceKind;
import dev.lluvia.memory.ResourceRequirements;
import dev.lluvia.memory.Session;
import dev.lluvia.memory.SessionOptions;
import dev.lluvia.memory.spi.Resource;
import org.junit.jupiter.api.Test;

import java.util.EnumSet;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Allocations for the program's own resources on the sim: from a requirements record they are
 * placed by the library's rules (granularity against its optimal images, checked by the referee
 * when neighbours are bound), and a sim resource standing for the program's is bound through the
 * referee; they report, leak and check margins like the library's objects.
 */
class SimOwnResourceTest {

    private static Session open(String profile, boolean debug, LeakPolicy leaks) {
        return Session.create(SessionOptions.defaults().withBackend("sim").withDevice(profile).withDebug(debug)
                .withLeakPolicy(leaks));
    }

    private static SimBackend sim(Session s) {
        return s.unwrap(SimBackend.class).orElseThrow();
    }

    @Test
    void allocationsFromRecordsKeepGranularityWithTheLibrarysImagesUnderTheReferee() {
        long seed = new SplittableRandom().nextLong();
        SplittableRandom random = new SplittableRandom(seed);
        try (Session session = open("nvidia-h100", false, LeakPolicy.IGNORE)) {
            long granularity = session.device().limits().bufferImageGranularity();
            assertTrue(granularity > 1, "the profile has a granularity to keep");
            Memory memory = session.createMemory(EnumSet.of(MemoryPropertyFlag.DEVICE_LOCAL), 1 << 20);
            java.util.List<Allocation> linear = new java.util.ArrayList<>();
            for (int i = 0; i < 40; i++) {
                // Small linear allocations between the library's optimal images: the images' binds
                // would be refused by the referee if an allocation shared their granularity block.
                linear.add(memory.allocate(AllocationRequest.of(
                        ResourceRequirements.of(1 + random.nextInt(700), 16, -1), ResourceKind.BUFFER)));
                memory.createImage(ImageDescriptor.of(8 + random.nextInt(24), 8, ChannelType.UINT8));
            }
            for (Allocation a : linear) {
                long start = a.allocationInfo().offset();
                long end = start + a.size();
                for (var o : memory.objects()) {
                    if (o instanceof dev.lluvia.memory.Image && o.allocationInfo().page() == a.allocationInfo().page()) {
                        long is = o.allocationInfo().offset();
                        long ie = is + o.allocationInfo().size();
                        assertTrue((end - 1) / granularity < is / granularity || (ie - 1) / granularity < start / granularity,
                                () -> a + " shares a granularity block with " + o + " (seed " + seed + ")");
                    }
                }
            }
            assertEquals(80, memory.statistics().allocationCount());
        }
    }

    @Test
    void aSimResourceStandingForTheProgramsIsBoundThroughTheReferee() {
        try (Session session = open("nvidia-h100", false, LeakPolicy.IGNORE)) {
            SimBackend sim = sim(session);
            Memory memory = session.createMemory(EnumSet.of(MemoryPropertyFlag.HOST_VISIBLE, MemoryPropertyFlag.HOST_COHERENT));
            Buffer neighbour = memory.createBuffer(100);
            Resource own = sim.createBuffer(1000, 0x20);
            Allocation allocation = memory.allocate(AllocationRequest.forBuffer(own.handle()));
            assertEquals(own.requirements().size(), allocation.size());
            assertEquals(own.requirements().alignment(), allocation.requirements().alignment());
            allocation.bindBuffer(own.handle());
            assertEquals(own.handle(), allocation.boundResource());
            IllegalStateException twice = assertThrows(IllegalStateException.class, () -> allocation.bindBuffer(own.handle()));
            assertTrue(twice.getMessage().contains("bound to it already"), twice.getMessage());
            // A pNext chain means nothing to the sim.
            Resource other = sim.createBuffer(64, 0x20);
            Allocation second = memory.allocate(AllocationRequest.forBuffer(other.handle()));
            IllegalArgumentException chain = assertThrows(IllegalArgumentException.class,
                    () -> second.bindBuffer(other.handle(), 0, 0x1000));
            assertTrue(chain.getMessage().contains("0x1000"), chain.getMessage());
            // A resource larger than the allocation.
            Resource big = sim.createBuffer(4096, 0x20);
            IllegalArgumentException tooBig = assertThrows(IllegalArgumentException.class, () -> second.bindBuffer(big.handle()));
            assertTrue(tooBig.getMessage().contains("needs " + big.requirements().size()), tooBig.getMessage());
            second.bindBuffer(other.handle());
            // The program destroys its resources before the range goes back (the referee checks).
            sim.destroyBuffer(own);
            sim.destroyBuffer(other);
            sim.destroyBuffer(big);
            allocation.close();
            second.close();
            assertEquals(1, memory.statistics().allocationCount());
            neighbour.close();
        }
    }

    @Test
    void defragmentationMovesTheLibrarysObjectsAroundAnAllocationAndLeavesItInPlace() {
        try (Session session = open("nvidia-h100", false, LeakPolicy.IGNORE)) {
            Memory memory = session.createMemory(EnumSet.of(MemoryPropertyFlag.HOST_VISIBLE, MemoryPropertyFlag.HOST_COHERENT),
                    1 << 20);
            java.util.List<Buffer> buffers = new java.util.ArrayList<>();
            for (int i = 0; i < 8; i++) {
                buffers.add(memory.createBuffer(64 * 1024));
            }
            Allocation pinned = memory.allocate(AllocationRequest.of(ResourceRequirements.of(64 * 1024, 256, -1),
                    ResourceKind.BUFFER));
            for (int i = 0; i < 12; i++) {
                buffers.add(memory.createBuffer(64 * 1024)); // the page of 16 is full; 5 go to a second page
            }
            assertEquals(2, memory.pageCount());
            pinned.map().putLong(8, 0x5EED);
            var before = pinned.allocationInfo();
            for (int i = 0; i < 8; i += 2) {
                buffers.get(i).close();
            }
            var defrag = memory.beginDefragmentation(Long.MAX_VALUE, Integer.MAX_VALUE);
            int moved = 0;
            while (!defrag.isDone()) {
                moved += defrag.pass().size();
            }
            defrag.end();
            assertTrue(moved > 0, "the library's buffers moved");
            assertEquals(before, pinned.allocationInfo());
            assertEquals(0, pinned.moveCount());
            assertEquals(0x5EED, pinned.map().getLong(8));
        }
    }

    @Test
    void badRequestsNameTheValueAndAllocateNothing() {
        try (Session session = open("nvidia-h100", false, LeakPolicy.IGNORE)) {
            Memory memory = session.createMemory(EnumSet.of(MemoryPropertyFlag.DEVICE_LOCAL));
            int type = memory.memoryType().index();
            IncompatibleMemoryTypeException bits = assertThrows(IncompatibleMemoryTypeException.class,
                    () -> memory.allocate(AllocationRequest.of(ResourceRequirements.of(256, 16, ~(1 << type)), ResourceKind.BUFFER)));
            assertTrue(bits.getMessage().contains(Integer.toHexString(~(1 << type))), bits.getMessage());
            assertTrue(assertThrows(IllegalArgumentException.class, () -> ResourceRequirements.of(256, 24, -1))
                    .getMessage().contains("24"));
            assertTrue(assertThrows(IllegalArgumentException.class, () -> ResourceRequirements.of(256, 0, -1))
                    .getMessage().contains("0"));
            assertTrue(assertThrows(IllegalArgumentException.class, () -> ResourceRequirements.of(0, 16, -1))
                    .getMessage().contains("size"));
            // Requires dedicated with no resource named: Vulkan wants the resource in that allocation.
            IllegalArgumentException dedicated = assertThrows(IllegalArgumentException.class, () -> memory.allocate(
                    AllocationRequest.of(new ResourceRequirements(256, 16, -1, false, true), ResourceKind.BUFFER)));
            assertTrue(dedicated.getMessage().contains("dedicated"), dedicated.getMessage());
            assertThrows(IllegalArgumentException.class, () -> AllocationRequest.forBuffer(0));
            assertThrows(IllegalArgumentException.class,
                    () -> AllocationRequest.of(ResourceRequirements.of(256, 16, -1), ResourceKind.BUFFER).withMinAlignment(3));
            assertEquals(0, memory.pageCount(), "nothing was allocated");
            // Prefers dedicated, no resource: a page of its own with nothing named.
            Allocation own = memory.allocate(AllocationRequest.of(new ResourceRequirements(256, 16, -1, true, false),
                    ResourceKind.OPTIMAL_IMAGE));
            assertEquals(1, memory.pageCount());
            assertEquals(256, memory.pages().get(0).size());
            IllegalArgumentException alias = assertThrows(IllegalArgumentException.class,
                    () -> memory.createAliasingBuffer(own, 0, 64, dev.lluvia.memory.BufferUsage.DEFAULT));
            assertTrue(alias.getMessage().contains("Allocation#" + own.id()), alias.getMessage());
            own.close();
            // Nothing was named to the driver, so the page is a plain one: kept for the next large
            // object within the empty-page budget, like a large object's, and given back on request.
            assertEquals(1, memory.pageCount(), "its plain page is kept");
            memory.releaseEmptyPages();
            assertEquals(0, memory.pageCount(), "and given back");
        }
    }

    @Test
    void allocationsReportLeaksAndDamagedMarginsLikeObjects() {
        Session session = open("nvidia-h100", true, LeakPolicy.THROW);
        Memory memory = session.createMemory(EnumSet.of(MemoryPropertyFlag.HOST_VISIBLE, MemoryPropertyFlag.HOST_COHERENT));
        assertTrue(memory.hasDebugMargins());
        Allocation a = memory.allocate(AllocationRequest.of(ResourceRequirements.of(256, 64, -1), ResourceKind.BUFFER));
        a.setName("vertices");
        a.map().putLong(0, 42);
        assertEquals(42, a.map().getLong(0));
        assertThrows(IndexOutOfBoundsException.class, () -> a.map(200, 100));
        // A write past its end, through a raw view of the page: the margin catches it.
        long page = a.pageHandle();
        byte magic = sim(session).map(page, a.allocationInfo().offset() + 256, 1).get(0);
        sim(session).map(page, a.allocationInfo().offset() + 256, 1).put(0, (byte) (magic + 1));
        MemoryCorruptionException damaged = assertThrows(MemoryCorruptionException.class, memory::checkCorruption);
        assertTrue(damaged.getMessage().contains("Allocation#" + a.id()), damaged.getMessage());
        sim(session).map(page, a.allocationInfo().offset() + 256, 1).put(0, magic); // repaired
        assertEquals(1, memory.checkCorruption());
        Allocation leaked = memory.allocate(AllocationRequest.of(ResourceRequirements.of(64, 64, -1), ResourceKind.LINEAR_IMAGE));
        a.close();
        MemoryLeakException leak = assertThrows(MemoryLeakException.class, session::close);
        assertTrue(leak.getMessage().contains("Allocation#" + leaked.id() + " (64 bytes LINEAR_IMAGE)"), leak.getMessage());
    }
}
