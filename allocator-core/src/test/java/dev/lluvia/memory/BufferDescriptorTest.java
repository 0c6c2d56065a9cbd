package dev.lluvia.memory;

import dev.lluvia.memory.spi.BufferRequest;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link BufferDescriptor} and {@link Memory#createBuffer(BufferDescriptor)} on the core's
 * {@link FakeBackend}: every component reaches the buffer (and the backend), the positional
 * overloads are the same call, and bad input is a typed exception naming the value with nothing
 * created.
 */
class BufferDescriptorTest {

    private static final Set<BufferUsage> VERTEX = EnumSet.of(BufferUsage.VERTEX_BUFFER, BufferUsage.TRANSFER_DST);

    private static Session open() {
        return FakeBackend.session(FakeBackend.Config.discrete(), SessionOptions.defaults().withLeakPolicy(LeakPolicy.IGNORE));
    }

    private static Memory deviceMemory(Session s) {
        return s.createMemory(MemoryOptions.of(EnumSet.of(MemoryPropertyFlag.DEVICE_LOCAL)).withPageSize(1 << 20));
    }

    /** A create-info of the fake backend's own, as the Vulkan module's VulkanBufferInfo is of Vulkan's. */
    private record FakeBufferInfo(String backend, long size, Set<BufferUsage> usage) implements BackendBufferInfo {
    }

    @Test
    void defaultsAreLluvias() {
        BufferDescriptor d = BufferDescriptor.of(1000);
        assertEquals(1000, d.size());
        assertEquals(BufferUsage.DEFAULT, d.usage());
        assertEquals(BufferUsage.toBits(BufferUsage.DEFAULT), d.usageBits());
        assertEquals(1, d.minAlignment());
        assertNull(d.name());
        assertNull(d.userValue());
        assertTrue(d.movable());
        assertNull(d.backendInfo());
        assertEquals(d, BufferDescriptor.of(1000, EnumSet.copyOf(BufferUsage.DEFAULT)));
    }

    @Test
    void withMethodsChangeOneComponentEach() {
        Object owner = new Object();
        BufferDescriptor d = BufferDescriptor.of(64).withSize(4096).withUsage(VERTEX).withMinAlignment(256)
                .withName("vertices").withUserValue(owner).withMovable(false);
        assertEquals(new BufferDescriptor(4096, VERTEX, 256, "vertices", owner, false, null), d);
        assertEquals(BufferUsage.VERTEX_BUFFER.bit() | BufferUsage.TRANSFER_DST.bit(), d.usageBits());
    }

    @Test
    void usageIsCopiedAndUnmodifiable() {
        Set<BufferUsage> usage = EnumSet.of(BufferUsage.UNIFORM_BUFFER);
        BufferDescriptor d = BufferDescriptor.of(16, usage);
        usage.add(BufferUsage.INDEX_BUFFER);
        assertEquals(Set.of(BufferUsage.UNIFORM_BUFFER), d.usage());
        assertThrows(UnsupportedOperationException.class, () -> d.usage().add(BufferUsage.INDEX_BUFFER));
    }

    @Test
    void usageBitsAreTakenWhereBufferUsageNamesThem() {
        for (BufferUsage u : BufferUsage.values()) {
            BufferDescriptor d = BufferDescriptor.of(16).withUsageBits(u.bit());
            assertEquals(Set.of(u), d.usage(), u.name());
            assertEquals(u.bit(), d.usageBits(), u.name());
        }
        int all = BufferUsage.toBits(EnumSet.allOf(BufferUsage.class));
        assertEquals(EnumSet.allOf(BufferUsage.class), BufferDescriptor.of(16).withUsageBits(all).usage());

        // VK_BUFFER_USAGE_ACCELERATION_STRUCTURE_STORAGE_BIT_KHR: Vulkan's, not a BufferUsage.
        IllegalArgumentException unnamed = assertThrows(IllegalArgumentException.class,
                () -> BufferDescriptor.of(16).withUsageBits(0x100000 | BufferUsage.STORAGE_BUFFER.bit()));
        assertTrue(unnamed.getMessage().contains("0x100000"), unnamed.getMessage());
        assertTrue(unnamed.getMessage().contains("VulkanBufferInfo"), unnamed.getMessage());
        IllegalArgumentException none = assertThrows(IllegalArgumentException.class,
                () -> BufferDescriptor.of(16).withUsageBits(0));
        assertTrue(none.getMessage().contains("usage"), none.getMessage());
    }

    @Test
    void badValuesAreRefusedNamingThem() {
        for (long size : new long[] {0, -1, Long.MIN_VALUE}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BufferDescriptor.of(size));
            assertTrue(e.getMessage().contains("size") && e.getMessage().contains(Long.toString(size)), e.getMessage());
        }
        for (long alignment : new long[] {0, -8, 3, 96}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> BufferDescriptor.of(16).withMinAlignment(alignment));
            assertTrue(e.getMessage().contains("minAlignment") && e.getMessage().contains(Long.toString(alignment)),
                    e.getMessage());
        }
        IllegalArgumentException empty = assertThrows(IllegalArgumentException.class,
                () -> BufferDescriptor.of(16, EnumSet.noneOf(BufferUsage.class)));
        assertTrue(empty.getMessage().contains("usage"), empty.getMessage());
        assertEquals("usage", assertThrows(NullPointerException.class, () -> BufferDescriptor.of(16, null)).getMessage());
        Set<BufferUsage> withNull = new java.util.HashSet<>();
        withNull.add(null);
        assertThrows(NullPointerException.class, () -> BufferDescriptor.of(16, withNull));
        assertEquals("info", assertThrows(NullPointerException.class,
                () -> BufferDescriptor.of((BackendBufferInfo) null)).getMessage());
    }

    @Test
    void createBufferAppliesEveryComponentBeforeListenersSeeTheBuffer() {
        try (Session s = open()) {
            List<String> seen = new ArrayList<>();
            s.addListener(new SessionListener() {
                @Override
                public void objectCreated(MemoryObject object) {
                    seen.add(object.name() + " " + object.userValue() + " " + object.isMovable());
                }
            });
            Memory m = deviceMemory(s);
            m.createBuffer(100); // something before it, so that its offset is not 0 by chance
            Buffer b = m.createBuffer(BufferDescriptor.of(1000, VERTEX).withMinAlignment(4096).withName("vertices")
                    .withUserValue(42).withMovable(false));
            assertEquals(1000, b.size());
            assertEquals(VERTEX, b.usage());
            assertEquals(4096, b.minAlignment());
            assertEquals(0, b.allocationInfo().offset() % 4096, b.allocationInfo().toString());
            assertEquals("vertices", b.name());
            assertEquals(42, b.userValue());
            assertFalse(b.isMovable());
            assertNull(b.backendInfo());
            assertEquals(List.of("null null true", "vertices 42 false"), seen);

            BufferRequest asked = FakeBackend.of(s).lastBufferRequest();
            assertEquals(new BufferRequest(1000, BufferUsage.toBits(VERTEX), false, null), asked);
            // Not movable: defragmentation refuses to start, naming it.
            IllegalStateException pinned = assertThrows(IllegalStateException.class, () -> m.beginDefragmentation(1 << 20, 10));
            assertTrue(pinned.getMessage().contains("vertices"), pinned.getMessage());
        }
    }

    @Test
    void positionalOverloadsAreTheDescriptorCall() {
        try (Session s = open()) {
            Memory m = deviceMemory(s);
            Buffer plain = m.createBuffer(300);
            assertEquals(BufferUsage.DEFAULT, plain.usage());
            assertEquals(BufferUsage.toBits(BufferUsage.DEFAULT), FakeBackend.of(s).lastBufferRequest().usageBits());
            Buffer used = m.createBuffer(300, VERTEX);
            assertEquals(VERTEX, used.usage());
            Buffer aligned = m.createBuffer(300, VERTEX, 8192);
            assertEquals(8192, aligned.minAlignment());
            assertEquals(0, aligned.allocationInfo().offset() % 8192);
            for (Buffer b : List.of(plain, used, aligned)) {
                assertNull(b.name());
                assertTrue(b.isMovable());
            }
        }
    }

    @Test
    void aBackendCreateInfoGivesSizeAndUsageAndReachesTheBackendUnread() {
        try (Session s = open()) {
            Memory m = deviceMemory(s);
            FakeBufferInfo info = new FakeBufferInfo("fake", 5000, Set.of(BufferUsage.INDEX_BUFFER));
            BufferDescriptor d = BufferDescriptor.of(info).withName("indices").withMinAlignment(2048);
            assertEquals(5000, d.size());
            assertEquals(Set.of(BufferUsage.INDEX_BUFFER), d.usage());
            Buffer b = m.createBuffer(d);
            assertSame(info, b.backendInfo());
            assertSame(info, FakeBackend.of(s).lastBufferRequest().backendInfo());
            assertEquals("indices", b.name());
            assertEquals(0, b.allocationInfo().offset() % 2048);
            // Size and usage are the create-info's: a descriptor cannot say otherwise.
            IllegalArgumentException size = assertThrows(IllegalArgumentException.class, () -> d.withSize(4000));
            assertTrue(size.getMessage().contains("4000") && size.getMessage().contains("5000"), size.getMessage());
            assertThrows(IllegalArgumentException.class, () -> d.withUsage(VERTEX));
            // No usage BufferUsage names: allowed for a create-info only.
            assertEquals(Set.of(), BufferDescriptor.of(new FakeBufferInfo("fake", 64, Set.of())).usage());
        }
    }

    @Test
    void refusedCreatesLeaveNothingBehind() {
        try (Session s = open()) {
            Memory m = deviceMemory(s);
            m.createBuffer(100);
            FakeBackend fake = FakeBackend.of(s);
            Statistics before = m.statistics();
            int resources = fake.liveResourceCount();

            FeatureNotEnabledException feature = assertThrows(FeatureNotEnabledException.class, () -> m.createBuffer(
                    BufferDescriptor.of(64, EnumSet.of(BufferUsage.SHADER_DEVICE_ADDRESS)).withName("addressed")));
            assertEquals(DeviceFeature.BUFFER_DEVICE_ADDRESS, feature.feature());
            IllegalArgumentException other = assertThrows(IllegalArgumentException.class,
                    () -> m.createBuffer(BufferDescriptor.of(new FakeBufferInfo("vulkan", 64, Set.of(BufferUsage.STORAGE_BUFFER)))));
            assertTrue(other.getMessage().contains("'vulkan'"), other.getMessage());
            assertEquals("descriptor", assertThrows(NullPointerException.class,
                    () -> m.createBuffer((BufferDescriptor) null)).getMessage());
            // Larger than the heap: refused by the heap, nothing left bound or alive.
            assertThrows(OutOfDeviceMemoryException.class, () -> m.createBuffer(BufferDescriptor.of(1L << 40)));

            assertEquals(before, m.statistics());
            assertEquals(resources, fake.liveResourceCount());
            m.close();
            assertThrows(IllegalStateException.class, () -> m.createBuffer(BufferDescriptor.of(64)));
        }
    }

    /**
     * Seeded model: random descriptors, good and bad, against one Memory. A good one makes a buffer
     * with every component as asked; a bad one is refused with nothing changed. The seed is printed
     * on failure; rerun with {@code -Dlluvia.test.seed=SEED}.
     */
    @Test
    void randomDescriptorsAreCreatedAsAskedOrRefusedWithNothingChanged() {
        final long seed = Long.getLong("lluvia.test.seed", System.nanoTime());
        final Random rnd = new Random(seed);
        final BufferUsage[] usages = BufferUsage.values();
        try (Session s = open()) {
            Memory m = deviceMemory(s);
            FakeBackend fake = FakeBackend.of(s);
            List<Buffer> live = new ArrayList<>();
            for (int step = 0; step < 2000; step++) {
                final String at = "seed " + seed + " step " + step;
                if (!live.isEmpty() && rnd.nextInt(4) == 0) {
                    live.remove(rnd.nextInt(live.size())).close();
                    continue;
                }
                long size = rnd.nextInt(20) == 0 ? -rnd.nextInt(3) : 1 + rnd.nextInt(rnd.nextBoolean() ? 256 : 200_000);
                long alignment = rnd.nextInt(20) == 0 ? 3 + 2L * rnd.nextInt(100) : 1L << rnd.nextInt(14);
                int bits = 0;
                for (int i = rnd.nextInt(4); i >= 0; i--) {
                    bits |= usages[rnd.nextInt(usages.length - 1)].bit(); // not SHADER_DEVICE_ADDRESS
                }
                if (rnd.nextInt(20) == 0) {
                    bits |= rnd.nextBoolean() ? BufferUsage.SHADER_DEVICE_ADDRESS.bit() : 0x400000;
                }
                final boolean movable = rnd.nextBoolean();
                final String name = rnd.nextBoolean() ? "b" + step : null;
                final boolean bad = size <= 0 || Long.bitCount(alignment) != 1 || (bits & ~0x1ff) != 0;
                final Statistics before = m.statistics();
                final int resources = fake.liveResourceCount();
                final long finalSize = size;
                final long finalAlignment = alignment;
                final int finalBits = bits;
                if (bad) {
                    RuntimeException e = assertThrows(RuntimeException.class, () -> m.createBuffer(BufferDescriptor.of(finalSize)
                            .withMinAlignment(finalAlignment).withUsageBits(finalBits)), at);
                    assertTrue(e instanceof IllegalArgumentException || e instanceof FeatureNotEnabledException,
                            at + ": " + e);
                    assertEquals(before, m.statistics(), at);
                    assertEquals(resources, fake.liveResourceCount(), at);
                    continue;
                }
                Buffer b = m.createBuffer(BufferDescriptor.of(size).withUsageBits(bits).withMinAlignment(alignment)
                        .withName(name).withUserValue(step).withMovable(movable));
                live.add(b);
                assertEquals(size, b.size(), at);
                assertEquals(bits, BufferUsage.toBits(b.usage()), at);
                assertEquals(bits, fake.lastBufferRequest().usageBits(), at);
                assertEquals(alignment, b.minAlignment(), at);
                assertEquals(0, b.allocationInfo().offset() % alignment, at);
                assertEquals(name, b.name(), at);
                assertEquals(step, b.userValue(), at);
                assertEquals(movable, b.isMovable(), at);
                assertEquals(before.allocationCount() + 1, m.statistics().allocationCount(), at);
            }
        } catch (AssertionError e) {
            System.err.println("BufferDescriptorTest seed " + seed);
            throw e;
        }
    }

}
