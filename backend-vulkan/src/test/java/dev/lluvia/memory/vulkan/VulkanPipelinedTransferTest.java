package dev.lluvia.memory.vulkan;

import dev.lluvia.memory.Buffer;
import dev.lluvia.memory.ChannelType;
import dev.lluvia.memory.Image;
import dev.lluvia.memory.ImageDescriptor;
import dev.lluvia.memory.Memory;
import dev.lluvia.memory.MemoryPropertyFlag;
import dev.lluvia.memory.Session;
import dev.lluvia.memory.UnsupportedImageFormatException;
import dev.lluvia.memory.spi.Resource;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import static dev.lluvia.memory.vulkan.VulkanTestSupport.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * The queue transfer paths of {@link TransferQueue} on every device, each test run twice: with
 * host-memory imports on (where the device has {@code VK_EXT_external_memory_host}) and with
 * staging only. Sizes straddle the piece boundaries ({@link TransferQueue#CHUNK}) and the slot
 * ring ({@link TransferQueue#SLOTS}), offsets are odd, sources are direct and heap buffers, images
 * are cut in rows and in slices, and several threads transfer at once. Validation, synchronization
 * validation included, must stay silent.
 */
class VulkanPipelinedTransferTest {

    private static final int CHUNK = TransferQueue.CHUNK;

    static Stream<Arguments> devicesAndModes() {
        return devices().flatMap(d -> Stream.of(Arguments.of(d, true), Arguments.of(d, false)));
    }

    private static Session open(String device, boolean imports) {
        return VulkanTestSupport.open(device, Map.of(VulkanBackend.IMPORT_HOST_MEMORY_PROPERTY, Boolean.toString(imports)));
    }


    private static ByteBuffer random(Random random, int n, boolean direct) {
        byte[] bytes = new byte[n];
        random.nextBytes(bytes);
        return direct ? ByteBuffer.allocateDirect(n).put(bytes).flip() : ByteBuffer.wrap(bytes);
    }

    @ParameterizedTest(name = "device {0}, imports {1}")
    @MethodSource("devicesAndModes")
    void piecesAcrossChunkBoundariesAndTheSlotRingLandWhereTheyBelong(String device, boolean imports) {
        Session session = open(device, imports);
        try {
            VulkanBackend backend = backend(session);
            final long before = backend.importedTransfers();
            // Five pieces (more than the slots) and a rest of 3 bytes, at an odd offset in the buffer.
            final int size = 4 * CHUNK + 3;
            final VulkanTestSupport.BoundBuffer b = deviceBuffer(backend, size + 1001L);
            try {
                Random random = new Random(14);
                // Source at an odd position inside a larger direct buffer: the import must cover it exactly.
                ByteBuffer holder = random(random, size + 10, true);
                ByteBuffer src = holder.duplicate().position(7).limit(7 + size);
                backend.copyToBuffer(b.buffer(), 1001, src);
                assertEquals(7, src.position(), "the SPI leaves the source's position alone");
                ByteBuffer back = ByteBuffer.allocateDirect(size + 9).position(5).limit(5 + size);
                backend.copyFromBuffer(b.buffer(), 1001, back);
                assertEquals(holder.duplicate().position(7).limit(7 + size), back, "every piece round trips");
                // The bytes around the read window are untouched (the import spans whole pages).
                ByteBuffer whole = back.duplicate().clear();
                for (int i = 0; i < 5; i++) {
                    assertEquals(0, whole.get(i), "byte " + i + " before the window");
                }
                for (int i = 5 + size; i < size + 9; i++) {
                    assertEquals(0, whole.get(i), "byte " + i + " after the window");
                }
                // Nothing to copy is no copy (a zero-size region would be invalid).
                backend.copyToBuffer(b.buffer(), 5, ByteBuffer.allocateDirect(0));
                backend.copyFromBuffer(b.buffer(), size, ByteBuffer.allocate(0));
                // Exactly one chunk, one byte more, one less, from heap buffers (always staged).
                for (int n : new int[]{CHUNK, CHUNK + 1, CHUNK - 1, 1}) {
                    ByteBuffer heap = random(random, n, false);
                    backend.copyToBuffer(b.buffer(), 3, heap);
                    ByteBuffer heapBack = ByteBuffer.allocate(n);
                    backend.copyFromBuffer(b.buffer(), 3, heapBack);
                    assertEquals(heap, heapBack, n + " bytes through heap buffers");
                }
                // Reads of pieces written through a different piece grid agree byte for byte.
                ByteBuffer mid = ByteBuffer.allocateDirect(CHUNK + 17);
                backend.copyFromBuffer(b.buffer(), 1001 + CHUNK - 9, mid);
                for (int i = 0; i < mid.capacity(); i++) {
                    assertEquals(holder.get(7 + CHUNK - 9 + i), mid.get(i), "byte " + i + " of a window across a boundary");
                }
                long imported = backend.importedTransfers() - before;
                if (imports && backend.importsHostMemory()) {
                    assertEquals(3, imported, "the three direct transfers of 1 MiB or more imported; heap ones staged");
                } else {
                    assertEquals(0, imported, "nothing imported with imports off");
                }
            } finally {
                backend.destroyBuffer(b.buffer());
                backend.freePage(b.page());
            }
        } finally {
            closeAndAssertClean(session);
        }
    }

    @ParameterizedTest(name = "device {0}")
    @MethodSource("dev.lluvia.memory.vulkan.VulkanTestSupport#devices")
    void autoModeTriesBothWaysThenTakesTheFasterAndRetriesTheOther(String device) {
        Session session = VulkanTestSupport.open(device, Map.of(VulkanBackend.IMPORT_HOST_MEMORY_PROPERTY, "auto"));
        try {
            VulkanBackend backend = backend(session);
            // lavapipe and the NVIDIA driver both have the extension; a device without it has no auto mode.
            org.junit.jupiter.api.Assumptions.assumeTrue(backend.importsHostMemory(),
                    session.device().name() + " has no VK_EXT_external_memory_host");
            final int size = 2 << 20;
            final VulkanTestSupport.BoundBuffer b = deviceBuffer(backend, size);
            try {
                Random random = new Random(16);
                final long before = backend.importedTransfers();
                ByteBuffer data = random(random, size, true);
                backend.copyToBuffer(b.buffer(), 0, data);
                assertEquals(1, backend.importedTransfers() - before, "the first transfer that can import does");
                backend.copyToBuffer(b.buffer(), 0, data);
                assertEquals(1, backend.importedTransfers() - before, "the second one stages, to measure that way too");
                final int more = 2 * TransferQueue.REPROBE + 2;
                for (int i = 0; i < more; i++) {
                    data = random(random, size, true);
                    backend.copyToBuffer(b.buffer(), 0, data);
                }
                long imported = backend.importedTransfers() - before;
                assertTrue(imported >= 2 && more + 2 - imported >= 2, "both ways are taken again (imported "
                        + imported + " of " + (more + 2) + ")");
                ByteBuffer back = ByteBuffer.allocateDirect(size);
                backend.copyFromBuffer(b.buffer(), 0, back);
                assertEquals(data, back, "whichever way, the last bytes written read back");
            } finally {
                backend.destroyBuffer(b.buffer());
                backend.freePage(b.page());
            }
        } finally {
            closeAndAssertClean(session);
        }
    }

    @org.junit.jupiter.api.Test
    void anImportModeOtherThanAutoTrueOrFalseIsRefusedByName() {
        assumeVulkan();
        Exception e = assertThrows(RuntimeException.class, () -> dev.lluvia.memory.Session.create(
                dev.lluvia.memory.SessionOptions.defaults().withBackend("vulkan")
                        .withProperty(VulkanBackend.IMPORT_HOST_MEMORY_PROPERTY, "sometimes")).close());
        Throwable t = e;
        while (!(t instanceof IllegalArgumentException) && t.getCause() != null) {
            t = t.getCause();
        }
        assertInstanceOf(IllegalArgumentException.class, t, "the cause is the bad value: " + e);
        assertTrue(t.getMessage().contains("'sometimes'") && t.getMessage().contains(VulkanBackend.IMPORT_HOST_MEMORY_PROPERTY),
                t.getMessage());
    }

    @ParameterizedTest(name = "device {0}, imports {1}")
    @MethodSource("devicesAndModes")
    void largeImagesGoInPiecesOfRowsOrSlices(String device, boolean imports) {
        Session session = open(device, imports);
        try {
            Memory memory = session.createMemory(EnumSet.of(MemoryPropertyFlag.DEVICE_LOCAL), 32L << 20, false);
            Random random = new Random(15);
            int done = 0;
            // A slice larger than a chunk (pieces of rows), and a 3D image of many small slices
            // (pieces of slices); RGB-sized texels at an odd position make the import fall back.
            List<ImageDescriptor> descriptors = new ArrayList<>(List.of(
                    ImageDescriptor.of(4096, 1500, ChannelType.UINT8, 4),
                    ImageDescriptor.of(256, 256, ChannelType.UINT8, 4).withDepth(80)));
            for (ImageDescriptor d : descriptors) {
                Image image;
                try {
                    image = memory.createImage(d);
                } catch (UnsupportedImageFormatException e) {
                    continue;
                }
                int bytes = (int) d.byteSize();
                for (int position : new int[]{0, 3}) {
                    ByteBuffer holder = random(random, bytes + 3, true);
                    image.write(holder.duplicate().position(position).limit(position + bytes));
                    ByteBuffer back = ByteBuffer.allocateDirect(bytes + 3).position(position).limit(position + bytes);
                    image.read(back);
                    back.position(position);
                    assertEquals(holder.duplicate().position(position).limit(position + bytes), back,
                            image + " round trips from position " + position);
                }
                image.close();
                done++;
            }
            assertTrue(done >= 1, "at least the 2D image is supported");
            memory.close();
        } finally {
            closeAndAssertClean(session);
        }
    }

    @ParameterizedTest(name = "device {0}, imports {1}")
    @MethodSource("devicesAndModes")
    void threadsTransferringAtOnceEachGetTheirOwnBytes(String device, boolean imports) throws InterruptedException {
        Session session = open(device, imports);
        try {
            Memory memory = session.createMemory(EnumSet.of(MemoryPropertyFlag.DEVICE_LOCAL), 64L << 20, false);
            VulkanBackend backend = backend(session);
            final int threads = 4;
            final AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread[] pool = new Thread[threads];
            for (int t = 0; t < threads; t++) {
                final int id = t;
                final int size = (3 << 20) + 1000 * id + 1; // imported (direct) or staged (heap), odd sizes
                pool[t] = new Thread(() -> {
                    try {
                        Random random = new Random(100 + id);
                        VulkanTestSupport.BoundBuffer raw = deviceBuffer(backend, size);
                        try (Buffer buffer = memory.createBuffer(size)) {
                            for (int round = 0; round < 4; round++) {
                                ByteBuffer data = random(random, size, (round + id) % 2 == 0);
                                buffer.write(0, data.duplicate());
                                backend.copyToBuffer(raw.buffer(), 0, data.duplicate());
                                ByteBuffer a = ByteBuffer.allocateDirect(size);
                                ByteBuffer b = ByteBuffer.allocate(size);
                                buffer.read(0, a);
                                backend.copyFromBuffer(raw.buffer(), 0, b);
                                assertEquals(data, a.flip(), "thread " + id + " round " + round + " (Buffer)");
                                assertEquals(data, b, "thread " + id + " round " + round + " (queue)");
                            }
                        } finally {
                            backend.destroyBuffer(raw.buffer());
                            backend.freePage(raw.page());
                        }
                    } catch (Throwable e) {
                        failure.compareAndSet(null, e);
                    }
                }, "transfer-" + t);
                pool[t].start();
            }
            for (Thread t : pool) {
                t.join();
            }
            if (failure.get() != null) {
                fail(failure.get());
            }
            memory.close();
        } finally {
            closeAndAssertClean(session);
        }
    }
}
