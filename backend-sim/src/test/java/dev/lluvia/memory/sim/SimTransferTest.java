package dev.lluvia.memory.sim;

import dev.lluvia.memory.Buffer;
import dev.lluvia.memory.BufferUsage;
import dev.lluvia.memory.ChannelType;
import dev.lluvia.memory.Image;
import dev.lluvia.memory.ImageDescriptor;
import dev.lluvia.memory.LeakPolicy;
import dev.lluvia.memory.Memory;
import dev.lluvia.memory.MemoryPropertyFlag;
import dev.lluvia.memory.MemoryType;
import dev.lluvia.memory.Session;
import dev.lluvia.memory.SessionOptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.ByteBuffer;
import java.util.EnumSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Buffer and image transfers on every memory type of every profile: mapped copies on host-visible
 * memory, the backend's copy path elsewhere. The bytes live in the sim's pages, so a placement bug
 * that let objects overlap would show here as corrupted data.
 */
class SimTransferTest {

    private static Session open(String profile) {
        return Session.create(SessionOptions.defaults().withBackend("sim").withDevice(profile)
                .withLeakPolicy(LeakPolicy.IGNORE));
    }

    private static ByteBuffer pattern(int length, int seed) {
        ByteBuffer b = ByteBuffer.allocate(length);
        for (int i = 0; i < length; i++) {
            b.put(i, (byte) (i * 13 + seed));
        }
        return b;
    }

    @ParameterizedTest
    @ValueSource(strings = {"nvidia-h100", "llvmpipe", "mobile-noncoherent"})
    void bufferBytesRoundTripThroughEveryMemoryType(String profile) {
        try (Session s = open(profile)) {
            SimBackend sim = s.unwrap(SimBackend.class).orElseThrow();
            for (MemoryType type : s.device().memoryTypes()) {
                if (type.flags().isEmpty()) {
                    continue;
                }
                Memory m = s.createMemory(type.flags(), 1 << 20, true);
                Buffer[] buffers = new Buffer[8];
                for (int n = 0; n < buffers.length; n++) {
                    buffers[n] = m.createBuffer(1000 + 333 * n);
                    buffers[n].write(0, pattern((int) buffers[n].size(), n));
                }
                for (int n = 0; n < buffers.length; n++) {
                    ByteBuffer back = ByteBuffer.allocate((int) buffers[n].size());
                    buffers[n].read(0, back);
                    assertEquals(back.limit(), back.position(), "read advances the destination");
                    assertArrayEquals(pattern((int) buffers[n].size(), n).array(), back.array(),
                            profile + " type " + type.index() + " buffer " + n);
                }
                // The device side holds the bytes too: a write through a mapping was flushed.
                Buffer first = buffers[0];
                byte[] device = sim.inspect().readDeviceBytes(pageOf(sim), first.allocationInfo().offset(), 16);
                assertArrayEquals(java.util.Arrays.copyOf(pattern(16, 0).array(), 16), device,
                        profile + " type " + type.index());
                ByteBuffer part = ByteBuffer.allocate(10);
                buffers[3].read(5, part);
                assertArrayEquals(java.util.Arrays.copyOfRange(pattern(2000, 3).array(), 5, 15), part.array());
                m.close();
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"nvidia-h100", "llvmpipe", "mobile-noncoherent"})
    void imagePixelsRoundTrip(String profile) {
        try (Session s = open(profile)) {
            Memory m = s.createMemory(EnumSet.of(MemoryPropertyFlag.DEVICE_LOCAL));
            Image a = m.createImage(ImageDescriptor.of(37, 11, ChannelType.FLOAT32, 2));
            Image b = m.createImage(ImageDescriptor.of(64, 64, ChannelType.UINT8, 4));
            a.write(pattern((int) a.descriptor().byteSize(), 1));
            b.write(pattern((int) b.descriptor().byteSize(), 2));
            ByteBuffer back = ByteBuffer.allocate((int) a.descriptor().byteSize());
            a.read(back);
            assertArrayEquals(pattern((int) a.descriptor().byteSize(), 1).array(), back.array());
            IllegalArgumentException wrong = assertThrows(IllegalArgumentException.class,
                    () -> a.write(ByteBuffer.allocate(12)));
            assertTrue(wrong.getMessage().contains("12"), wrong.getMessage());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"nvidia-h100"})
    void transfersCheckRangeAndUsage(String profile) {
        try (Session s = open(profile)) {
            Memory device = s.createMemory(EnumSet.of(MemoryPropertyFlag.DEVICE_LOCAL));
            Buffer b = device.createBuffer(100);
            IndexOutOfBoundsException past = assertThrows(IndexOutOfBoundsException.class,
                    () -> b.write(90, ByteBuffer.allocate(20)));
            assertTrue(past.getMessage().contains("110") && past.getMessage().contains("100"), past.getMessage());
            Buffer noTransfer = device.createBuffer(64, Set.of(BufferUsage.STORAGE_BUFFER));
            IllegalArgumentException usage = assertThrows(IllegalArgumentException.class,
                    () -> noTransfer.write(0, ByteBuffer.allocate(8)));
            assertTrue(usage.getMessage().contains("TRANSFER_DST"), usage.getMessage());
        }
    }

    /** The page of the only live Memory (each loop round closes its Memory; the buffers fit one page). */
    private static long pageOf(SimBackend sim) {
        assertEquals(1, sim.inspect().livePageCount());
        return sim.inspect().livePages().get(sim.inspect().livePages().size() - 1);
    }
}
