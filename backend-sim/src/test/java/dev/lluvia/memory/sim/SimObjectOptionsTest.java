package dev.lluvia.memory.sim;

import dev.lluvia.memory.Buffer;
import dev.lluvia.memory.BufferUsage;
import dev.lluvia.memory.ChannelType;
import dev.lluvia.memory.DeviceFeature;
import dev.lluvia.memory.Image;
import dev.lluvia.memory.ImageDescriptor;
import dev.lluvia.memory.LeakPolicy;
import dev.lluvia.memory.Memory;
import dev.lluvia.memory.MemoryOptions;
import dev.lluvia.memory.MemoryPropertyFlag;
import dev.lluvia.memory.Session;
import dev.lluvia.memory.SessionOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.EnumSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Per object: a user value and a minimum alignment; per Memory: a memory priority. */
class SimObjectOptionsTest {

    /** A session on {@code profile}, asking for {@link DeviceFeature#MEMORY_PRIORITY} when {@code memoryPriority}. */
    private static Session open(String profile, boolean memoryPriority) {
        SessionOptions options = SessionOptions.defaults().withBackend("sim").withDevice(profile)
                .withLeakPolicy(LeakPolicy.IGNORE);
        return Session.create(memoryPriority ? options.withFeatures(DeviceFeature.MEMORY_PRIORITY) : options);
    }

    private static SimBackend sim(Session session) {
        return session.unwrap(SimBackend.class).orElseThrow();
    }

    @Test
    void anObjectKeepsTheUserValueItWasGivenAlsoAfterClose() {
        try (Session session = open("nvidia-h100", true)) {
            Memory memory = session.createMemory(MemoryPropertyFlag.DEVICE_LOCAL);
            Buffer buffer = memory.createBuffer(1024);
            Image image = memory.createImage(8, 8, ChannelType.UINT8);
            assertNull(buffer.userValue());
            Object owner = new Object();
            buffer.setUserValue(owner);
            image.setUserValue(42);
            assertSame(owner, buffer.userValue());
            assertEquals(42, image.userValue());
            buffer.close();
            assertSame(owner, buffer.userValue(), "the value stays readable after close");
            image.setUserValue(null);
            assertNull(image.userValue());
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"nvidia-h100", "llvmpipe", "mobile-noncoherent"})
    void objectsWithAMinimumAlignmentStartOnIt(String profile) {
        try (Session session = open(profile, false)) {
            Memory memory = session.createMemory(MemoryOptions.of(EnumSet.of(MemoryPropertyFlag.DEVICE_LOCAL))
                    .withPageSize(1 << 20));
            long[] alignments = {1, 256, 4096, 65536, 2048, 1 << 17};
            for (int round = 0; round < 3; round++) {
                for (long a : alignments) {
                    Buffer b = memory.createBuffer(100 + round * 7, BufferUsage.DEFAULT, a);
                    assertEquals(0, b.allocationInfo().offset() % a, b + " asked for " + a);
                    assertEquals(a, b.minAlignment());
                    Image i = memory.createImage(ImageDescriptor.of(3, 5, ChannelType.UINT8), a);
                    assertEquals(0, i.allocationInfo().offset() % a, i + " asked for " + a);
                }
            }
            // The referee checked every bind; the driver's own alignment still holds.
            assertTrue(sim(session).inspect().bindsChecked() >= 36);
        }
    }

    @ParameterizedTest(name = "minAlignment {0}")
    @ValueSource(longs = {0, -64, 3, 48, 1000})
    void aMinimumAlignmentThatIsNotAPowerOfTwoIsRefusedNamingItAndCreatesNothing(long bad) {
        try (Session session = open("nvidia-h100", true)) {
            Memory memory = session.createMemory(MemoryPropertyFlag.DEVICE_LOCAL);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> memory.createBuffer(64, BufferUsage.DEFAULT, bad));
            assertTrue(e.getMessage().contains("was " + bad), e.getMessage());
            e = assertThrows(IllegalArgumentException.class,
                    () -> memory.createImage(ImageDescriptor.of(4, 4, ChannelType.UINT8), bad));
            assertTrue(e.getMessage().contains("was " + bad), e.getMessage());
            assertEquals(0, memory.pageCount());
            assertEquals(0, sim(session).inspect().liveResourceCount(), "no buffer or image was left behind");
        }
    }

    @Test
    void pagesGetTheMemorysPriorityWhereTheDeviceHasMemoryPriority() {
        try (Session session = open("nvidia-h100", true)) {
            Memory low = session.createMemory(MemoryOptions.of(EnumSet.of(MemoryPropertyFlag.DEVICE_LOCAL))
                    .withPageSize(1 << 20).withPriority(0.25f));
            Memory normal = session.createMemory(MemoryOptions.of(EnumSet.of(MemoryPropertyFlag.DEVICE_LOCAL))
                    .withPageSize(1 << 20));
            assertTrue(low.isPriorityApplied());
            assertEquals(0.25f, low.priority());
            assertEquals(MemoryOptions.DEFAULT_PRIORITY, normal.priority());
            SimBackend sim = sim(session);
            low.createBuffer(1024);
            long lowPage = sim.inspect().livePages().get(0);
            low.createBuffer(800_000); // larger than half a page: a dedicated page
            long dedicated = sim.inspect().livePages().get(1);
            normal.createBuffer(1024);
            long normalPage = sim.inspect().livePages().get(2);
            assertEquals(0.25f, sim.inspect().pagePriority(lowPage));
            assertEquals(0.25f, sim.inspect().pagePriority(dedicated), "dedicated pages too");
            assertEquals(0.5f, sim.inspect().pagePriority(normalPage));
        }
    }

    @Test
    void withoutMemoryPriorityThePriorityIsKeptButNotApplied() {
        // The H100 has the extension; the session did not ask for it, so its pages get none.
        try (Session session = open("nvidia-h100", false)) {
            Memory memory = session.createMemory(MemoryOptions.of(EnumSet.of(MemoryPropertyFlag.DEVICE_LOCAL))
                    .withPriority(1.0f));
            assertFalse(memory.isPriorityApplied());
            assertEquals(1.0f, memory.priority());
            memory.createBuffer(64);
            assertEquals(0.5f, sim(session).inspect().pagePriority(sim(session).inspect().livePages().get(0)),
                    "the driver never saw the priority");
        }
    }

    @ParameterizedTest(name = "priority {0}")
    @ValueSource(floats = {-0.1f, 1.01f, Float.NaN, Float.POSITIVE_INFINITY, -0f - 1})
    void aPriorityOutsideZeroToOneIsRefusedNamingIt(float bad) {
        MemoryOptions options = MemoryOptions.of(EnumSet.of(MemoryPropertyFlag.DEVICE_LOCAL));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> options.withPriority(bad));
        assertTrue(e.getMessage().contains("was " + bad), e.getMessage());
    }

    @Test
    void anExportableMemoryIsRefusedOnADeviceWithoutExternalMemoryAndNothingIsCreated() {
        try (Session session = open("mobile-noncoherent", false)) {
            dev.lluvia.memory.UnsupportedExternalMemoryException e = assertThrows(
                    dev.lluvia.memory.UnsupportedExternalMemoryException.class,
                    () -> session.createMemory(MemoryOptions.of(EnumSet.of(MemoryPropertyFlag.DEVICE_LOCAL)).withExportable(true)));
            assertTrue(e.getMessage().contains("VK_KHR_external_memory_fd") && e.getMessage().contains("Mobile GPU"), e.getMessage());
            assertTrue(session.memories().isEmpty());
            Memory plain = session.createMemory(MemoryPropertyFlag.DEVICE_LOCAL);
            plain.createBuffer(64);
            IllegalStateException s = assertThrows(IllegalStateException.class, () -> plain.exportFd(0));
            assertTrue(s.getMessage().contains("withExportable(true)"), s.getMessage());
        }
    }
}
