package dev.lluvia.memory.vulkan;

import dev.lluvia.memory.Buffer;
import dev.lluvia.memory.ChannelType;
import dev.lluvia.memory.Image;
import dev.lluvia.memory.ImageDescriptor;
import dev.lluvia.memory.ImageTiling;
import dev.lluvia.memory.IncompatibleMemoryTypeException;
import dev.lluvia.memory.Memory;
import dev.lluvia.memory.MemoryPropertyFlag;
import dev.lluvia.memory.MemoryType;
import dev.lluvia.memory.Session;
import dev.lluvia.memory.UnsupportedImageFormatException;
import dev.lluvia.memory.spi.Resource;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static dev.lluvia.memory.vulkan.VulkanTestSupport.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Data written and read back through every memory type of the device: buffers through the mapping
 * (host-visible types) and through staging copies on the queue (every type, forced through the SPI),
 * images through buffer-image copies.
 */
class VulkanTransferTest {

    private static final long SEED = 0x5EED_1A7AL;

    @ParameterizedTest(name = "device {0}")
    @MethodSource("dev.lluvia.memory.vulkan.VulkanTestSupport#devices")
    void bufferBytesRoundTripThroughEveryMemoryType(String device) {
        Session session = open(device);
        Random random = new Random(SEED);
        try {
            for (Set<MemoryPropertyFlag> flags : session.supportedMemoryPropertyFlags()) {
                Memory memory = session.createMemory(flags, 1 << 20, true);
                Buffer a = memory.createBuffer(1000);
                Buffer b = memory.createBuffer(5000);
                ByteBuffer data = randomBytes(random, 5000);
                b.write(0, data.duplicate());
                a.write(0, randomBytes(random, 1000));
                ByteBuffer back = ByteBuffer.allocateDirect(5000);
                b.read(0, back);
                assertEquals(data.rewind(), back.flip(), "buffer of " + memory + " reads back what was written");
                // A piece at an odd offset, from a heap buffer, leaves the rest alone.
                ByteBuffer piece = ByteBuffer.wrap(new byte[]{1, 2, 3, 4, 5, 6, 7});
                b.write(1234, piece);
                assertEquals(7, piece.position(), "write consumes the source");
                ByteBuffer all = ByteBuffer.allocate(5000);
                b.read(0, all);
                for (int i = 0; i < 5000; i++) {
                    byte expected = i >= 1234 && i < 1241 ? (byte) (i - 1233) : data.get(i);
                    assertEquals(expected, all.get(i), "byte " + i + " of " + memory);
                }
                memory.close();
            }
        } finally {
            closeAndAssertClean(session);
        }
    }

    @ParameterizedTest(name = "device {0}")
    @MethodSource("dev.lluvia.memory.vulkan.VulkanTestSupport#devices")
    void stagedCopiesRoundTripOnEveryMemoryTypeAndAgreeWithTheMapping(String device) {
        Session session = open(device);
        Random random = new Random(SEED + 1);
        try {
            VulkanBackend backend = backend(session);
            for (MemoryType type : session.device().memoryTypes()) {
                if (type.flags().contains(MemoryPropertyFlag.PROTECTED) || type.flags().contains(MemoryPropertyFlag.LAZILY_ALLOCATED)) {
                    continue;
                }
                Resource buffer = backend.createBuffer(3 << 20, 0x20 | 0x1 | 0x2);
                if ((buffer.requirements().memoryTypeBits() & (1 << type.index())) == 0) {
                    backend.destroyBuffer(buffer);
                    continue;
                }
                long page = backend.allocatePage(type.index(), buffer.requirements().size());
                try {
                    backend.bindBuffer(buffer, page, 0);
                    ByteBuffer data = randomBytes(random, 3 << 20);
                    backend.copyToBuffer(buffer, 0, data);
                    assertEquals(0, data.position(), "the SPI leaves the source's position alone");
                    ByteBuffer back = ByteBuffer.allocateDirect(3 << 20);
                    backend.copyFromBuffer(buffer, 0, back);
                    assertEquals(data, back, "staged round trip through type " + type);
                    if (type.isHostVisible()) {
                        if (type.needsFlush()) {
                            backend.invalidate(page, 0, 3 << 20);
                        }
                        ByteBuffer mapped = backend.map(page, 0, 3 << 20);
                        assertEquals(data, mapped, "the mapping sees the staged bytes of type " + type);
                        // And the queue sees bytes written through the mapping.
                        mapped.put(77, (byte) 0x5A);
                        if (type.needsFlush()) {
                            backend.flush(page, 64, 64);
                        }
                        ByteBuffer one = ByteBuffer.allocateDirect(1);
                        backend.copyFromBuffer(buffer, 77, one);
                        assertEquals(0x5A, one.get(0));
                    }
                } finally {
                    backend.destroyBuffer(buffer);
                    backend.freePage(page);
                }
            }
        } finally {
            closeAndAssertClean(session);
        }
    }

    @ParameterizedTest(name = "device {0}")
    @MethodSource("dev.lluvia.memory.vulkan.VulkanTestSupport#devices")
    void imagePixelsRoundTripThroughEveryMemoryTypeThatHoldsImages(String device) {
        Session session = open(device);
        Random random = new Random(SEED + 2);
        List<ImageDescriptor> descriptors = List.of(
                ImageDescriptor.of(32, 32, ChannelType.UINT8),
                ImageDescriptor.of(17, 13, ChannelType.FLOAT32, 4),
                ImageDescriptor.of(100, 1, ChannelType.UINT16, 2),
                ImageDescriptor.of(8, 8, ChannelType.INT32).withDepth(4),
                ImageDescriptor.of(9, 7, ChannelType.FLOAT16, 1),
                ImageDescriptor.of(16, 16, ChannelType.UINT8, 4).withTiling(ImageTiling.LINEAR));
        int roundTrips = 0;
        try {
            for (Set<MemoryPropertyFlag> flags : session.supportedMemoryPropertyFlags()) {
                Memory memory = session.createMemory(flags, 1 << 20, true);
                for (ImageDescriptor d : descriptors) {
                    Image image;
                    try {
                        image = memory.createImage(d);
                    } catch (IncompatibleMemoryTypeException | UnsupportedImageFormatException e) {
                        continue;
                    }
                    // Reading an image never written is allowed (its bytes are undefined): the
                    // transition from the UNDEFINED layout must still be valid.
                    image.read(ByteBuffer.allocate((int) d.byteSize()));
                    ByteBuffer pixels = randomBytes(random, (int) d.byteSize());
                    image.write(pixels);
                    assertEquals(pixels.limit(), pixels.position());
                    ByteBuffer back = ByteBuffer.allocateDirect((int) d.byteSize());
                    image.read(back);
                    assertEquals(pixels.rewind(), back.flip(), image + " in " + memory);
                    // Read twice: the layout left by the first read is handled.
                    ByteBuffer again = ByteBuffer.allocate((int) d.byteSize());
                    image.read(again);
                    assertEquals(pixels.rewind(), again.flip());
                    roundTrips++;
                }
                memory.close();
            }
            assertTrue(roundTrips >= 5, "most image kinds fit some memory type; did " + roundTrips);
        } finally {
            closeAndAssertClean(session);
        }
    }

    @ParameterizedTest(name = "device {0}")
    @MethodSource("dev.lluvia.memory.vulkan.VulkanTestSupport#devices")
    void aStagedCopyLargerThanTheStagingChunkGoesInPieces(String device) {
        Session session = open(device);
        try {
            VulkanBackend backend = backend(session);
            final int size = (64 << 20) + 4099; // one 64 MiB piece and a small rest
            Resource buffer = backend.createBuffer(size + 64, 0x20 | 0x1 | 0x2);
            int type = Integer.numberOfTrailingZeros(buffer.requirements().memoryTypeBits());
            long page = backend.allocatePage(type, buffer.requirements().size());
            try {
                backend.bindBuffer(buffer, page, 0);
                ByteBuffer data = randomBytes(new Random(SEED + 3), size);
                backend.copyToBuffer(buffer, 64, data);
                ByteBuffer back = ByteBuffer.allocateDirect(size);
                backend.copyFromBuffer(buffer, 64, back);
                assertEquals(data, back, "both pieces land where they belong");
            } finally {
                backend.destroyBuffer(buffer);
                backend.freePage(page);
            }
        } finally {
            closeAndAssertClean(session);
        }
    }

    static ByteBuffer randomBytes(Random random, int n) {
        byte[] bytes = new byte[n];
        random.nextBytes(bytes);
        ByteBuffer b = ByteBuffer.allocateDirect(n);
        b.put(bytes).flip();
        return b;
    }

}
