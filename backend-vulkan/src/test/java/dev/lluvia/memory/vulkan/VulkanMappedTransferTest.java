package dev.lluvia.memory.vulkan;

import dev.lluvia.memory.Buffer;
import dev.lluvia.memory.BufferUsage;
import dev.lluvia.memory.ChannelType;
import dev.lluvia.memory.Image;
import dev.lluvia.memory.ImageDescriptor;
import dev.lluvia.memory.Memory;
import dev.lluvia.memory.MemoryOptions;
import dev.lluvia.memory.MemoryPropertyFlag;
import dev.lluvia.memory.MemoryUsage;
import dev.lluvia.memory.Session;
import dev.lluvia.memory.spi.Resource;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.lwjgl.system.MemoryUtil;
import org.lwjgl.vulkan.KHRExternalMemoryFd;

import java.nio.ByteBuffer;
import java.util.EnumSet;
import java.util.Map;

import static dev.lluvia.memory.vulkan.VulkanTestSupport.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Transfers whose host bytes lie in memory this backend mapped (a {@code mapByteBuffer()} of a
 * host-visible buffer) go straight between that page and the device, with no staging copy: every
 * byte lands, the path taken is the mapped one where it may be and staging where it may not (the
 * target's own page, an image copy at an offset that is not a texel multiple), another session's
 * mapping is not taken for this one's, and freeing a page waits for a transfer using it.
 * Validation, synchronization validation included, must stay silent.
 */
class VulkanMappedTransferTest {

    /** Larger than a piece, not a multiple of one, so the direct copy has several regions. */
    private static final int SIZE = 3 * TransferQueue.CHUNK + 4099;

    private static Session open(String device) {
        // Imports on where the device has them: the mapped path must come first all the same.
        return VulkanTestSupport.open(device, Map.of(VulkanBackend.IMPORT_HOST_MEMORY_PROPERTY, "true"));
    }


    /**
     * Copies {@code src} into a new device buffer, asserts that {@code mapped} of those copies took
     * the mapped way, and that every byte reads back (through staging: a heap buffer).
     */
    private static void uploadAndReadBack(VulkanBackend backend, ByteBuffer src, int mapped, String why) {
        VulkanTestSupport.BoundBuffer b = deviceBuffer(backend, src.remaining());
        try {
            final long before = backend.mappedTransfers();
            backend.copyToBuffer(b.buffer(), 0, src);
            assertEquals(before + mapped, backend.mappedTransfers(), why);
            ByteBuffer back = ByteBuffer.allocate(src.remaining());
            backend.copyFromBuffer(b.buffer(), 0, back);
            assertEquals(src, back.clear(), "every byte went up");
        } finally {
            backend.destroyBuffer(b.buffer());
            backend.freePage(b.page());
        }
    }

    @ParameterizedTest(name = "device {0}")
    @MethodSource("dev.lluvia.memory.vulkan.VulkanTestSupport#devices")
    void bytesInAMappedHostBufferGoStraightToTheDeviceAndBack(String device) {
        Session session = open(device);
        try (Memory host = session.createMemory(MemoryUsage.READBACK)) {
            VulkanBackend backend = backend(session);
            Buffer staging = host.createBuffer(SIZE + 64L, BufferUsage.DEFAULT);
            ByteBuffer mapped = staging.mapByteBuffer();
            ByteBuffer src = mapped.duplicate().position(5).limit(5 + SIZE);
            fill(src, 1);
            VulkanTestSupport.BoundBuffer b = deviceBuffer(backend, SIZE + 100L);
            try {
                final long mappedBefore = backend.mappedTransfers();
                final long importedBefore = backend.importedTransfers();
                backend.copyToBuffer(b.buffer(), 17, src);
                assertEquals(5, src.position(), "the SPI leaves the source's position alone");
                assertEquals(1, backend.mappedTransfers() - mappedBefore, "the upload read the mapped page itself");
                // Read back through staging (a heap buffer never takes a direct path), then through the mapping.
                ByteBuffer viaStaging = ByteBuffer.allocate(SIZE);
                backend.copyFromBuffer(b.buffer(), 17, viaStaging);
                assertEquals(src, viaStaging.clear(), "every byte went up");
                ByteBuffer dst = mapped.duplicate().position(SIZE + 5 - SIZE / 2).limit(SIZE + 5 - SIZE / 2 + SIZE / 3);
                backend.copyFromBuffer(b.buffer(), 17 + 11, dst);
                assertEquals(2, backend.mappedTransfers() - mappedBefore, "the download wrote the mapped page itself");
                for (int i = 0; i < dst.remaining(); i++) {
                    assertEquals(viaStaging.get(11 + i), dst.get(dst.position() + i), "byte " + i + " came down");
                }
                assertEquals(importedBefore, backend.importedTransfers(), "mapped bytes are never imported");
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
    void theTargetsOwnPageAndImageOffsetsThatAreNoTexelMultipleAreStaged(String device) {
        Session session = open(device);
        try {
            VulkanBackend backend = backend(session);
            // A host-visible page holding the target buffer in its first half and the source bytes in its second.
            Resource target = backend.createBuffer(1 << 20, 0x1 | 0x2);
            int type = -1;
            for (var t : backend.device().memoryTypes()) {
                if ((target.requirements().memoryTypeBits() & (1 << t.index())) != 0 && t.isHostVisible()) {
                    type = t.index();
                    break;
                }
            }
            long page = backend.allocatePage(type, 2L << 20);
            try {
                backend.bindBuffer(target, page, 0);
                ByteBuffer src = backend.map(page, 1 << 20, 1 << 20);
                fill(src, 2);
                final long before = backend.mappedTransfers();
                backend.copyToBuffer(target, 0, src);
                assertEquals(before, backend.mappedTransfers(), "a copy inside the target's own page is staged");
                ByteBuffer back = ByteBuffer.allocate(1 << 20);
                backend.copyFromBuffer(target, 0, back);
                assertEquals(src.clear(), back.clear(), "and lands all the same");
            } finally {
                backend.destroyBuffer(target);
                backend.freePage(page);
            }
            try (Memory host = session.createMemory(MemoryUsage.READBACK);
                 Memory images = session.createMemory(EnumSet.of(MemoryPropertyFlag.DEVICE_LOCAL), 64L << 20, false);
                 Image image = images.createImage(ImageDescriptor.of(512, 512, ChannelType.UINT8, 4))) {
                final int bytes = 512 * 512 * 4;
                ByteBuffer mapped = host.createBuffer(bytes + 64L, BufferUsage.DEFAULT).mapByteBuffer();
                ByteBuffer aligned = mapped.duplicate().position(16).limit(16 + bytes);
                fill(aligned, 3);
                final long before = backend.mappedTransfers();
                image.write(aligned.duplicate());
                assertEquals(before + 1, backend.mappedTransfers(), "an image at a texel-multiple offset copies from the page");
                ByteBuffer odd = host.createBuffer(bytes + 64L, BufferUsage.DEFAULT).mapByteBuffer().position(1).limit(1 + bytes);
                image.read(odd.duplicate());
                assertEquals(before + 1, backend.mappedTransfers(), "offset 1 is no multiple of 4 bytes: staged");
                assertEquals(aligned, odd, "both ways land every texel");
            }
        } finally {
            closeAndAssertClean(session);
        }
    }

    @ParameterizedTest(name = "device {0}")
    @MethodSource("dev.lluvia.memory.vulkan.VulkanTestSupport#devices")
    void anotherSessionsMappingIsStagedNotTakenForThisDevice(String device) {
        Session mine = open(device);
        Session other = open(device);
        try (Memory foreign = other.createMemory(MemoryUsage.READBACK)) {
            VulkanBackend backend = backend(mine);
            ByteBuffer src = foreign.createBuffer(1 << 20, BufferUsage.DEFAULT).mapByteBuffer();
            fill(src, 4);
            uploadAndReadBack(backend, src, 0, "only this backend's pages are its own");
        } finally {
            closeAndAssertClean(other);
            closeAndAssertClean(mine);
        }
    }

    @ParameterizedTest(name = "device {0}")
    @MethodSource("dev.lluvia.memory.vulkan.VulkanTestSupport#devices")
    void freeingAPageWaitsForTheTransferUsingIt(String device) throws Exception {
        Session session = open(device);
        try {
            VulkanBackend backend = backend(session);
            int type = -1;
            for (var t : backend.device().memoryTypes()) {
                if (t.isHostVisible()) {
                    type = t.index();
                    break;
                }
            }
            long page = backend.allocatePage(type, 1 << 20);
            long address = MemoryUtil.memAddress(backend.map(page, 0, 1 << 20));
            VulkanPages pages = backend.pages();
            VulkanPages.Page used = pages.acquireMapped(address + 100, 1000);
            assertNotNull(used, "the mapped page is found by an address inside it");
            assertNull(pages.acquireMapped(address + (1 << 20) - 10, 20), "a range running past the page is not");
            assertWaitsUntil("the free waits while a transfer holds the page", () -> backend.freePage(page), () -> {
                assertNull(pages.acquireMapped(address + 100, 1000), "a page being freed is found by no new transfer");
                pages.releaseMapped(used);
            });
        } finally {
            closeAndAssertClean(session);
        }
    }

    @ParameterizedTest(name = "device {0}")
    @MethodSource("dev.lluvia.memory.vulkan.VulkanTestSupport#devices")
    void anExportablePagesWindowIsExportableToo(String device) {
        Session session = open(device);
        try {
            VulkanBackend backend = backend(session);
            if (!VulkanObjectOptionsTest.hasExtension(backend.vkDevice().getPhysicalDevice(),
                    KHRExternalMemoryFd.VK_KHR_EXTERNAL_MEMORY_FD_EXTENSION_NAME)) {
                System.out.println(backend.device().name() + ": no VK_KHR_external_memory_fd, no exportable pages");
                return;
            }
            // Every buffer bound to exportable memory must be made exportable (VUID-vkBindBufferMemory-memory-02726),
            // the transfer window over the page as well.
            Memory host = session.createMemory(MemoryOptions.of(MemoryUsage.READBACK).withPageSize(4 << 20).withExportable(true));
            ByteBuffer src = host.createBuffer(1 << 20, BufferUsage.DEFAULT).mapByteBuffer();
            fill(src, 5);
            uploadAndReadBack(backend, src, 1, "the upload read the exportable page itself");
        } finally {
            closeAndAssertClean(session);
        }
    }

    @ParameterizedTest(name = "device {0}")
    @MethodSource("dev.lluvia.memory.vulkan.VulkanTestSupport#devices")
    void aReadOnlyDestinationIsRefusedBeforeAnythingIsCopied(String device) {
        Session session = open(device);
        try (Memory memory = session.createMemory(EnumSet.of(MemoryPropertyFlag.DEVICE_LOCAL), 32L << 20, false)) {
            VulkanBackend backend = backend(session);
            Buffer buffer = memory.createBuffer(1 << 20);
            Image image = memory.createImage(ImageDescriptor.of(64, 64, ChannelType.UINT8, 4));
            // A staged download copies into the destination's address: a read-only mapped file would fault.
            ByteBuffer readOnly = ByteBuffer.allocateDirect(1 << 20).asReadOnlyBuffer();
            assertThrows(java.nio.ReadOnlyBufferException.class, () -> buffer.read(0, readOnly));
            // The core's resource objects are its own: the backend is given one of the buffer's handle.
            assertThrows(java.nio.ReadOnlyBufferException.class,
                    () -> backend.copyFromBuffer(new Resource(buffer.handle(), null), 0, readOnly));
            ByteBuffer readOnlyPixels = ByteBuffer.allocateDirect(64 * 64 * 4).asReadOnlyBuffer();
            assertThrows(java.nio.ReadOnlyBufferException.class, () -> image.read(readOnlyPixels));
            assertThrows(java.nio.ReadOnlyBufferException.class,
                    () -> backend.copyFromImage(new Resource(image.handle(), null), image.descriptor(), readOnlyPixels));
            assertEquals(0, readOnly.position(), "nothing moved");
            ByteBuffer back = ByteBuffer.allocate(1 << 20);
            buffer.read(0, back); // the buffer is still usable
        } finally {
            closeAndAssertClean(session);
        }
    }

    @ParameterizedTest(name = "device {0}")
    @MethodSource("dev.lluvia.memory.vulkan.VulkanTestSupport#devices")
    void bytesPastADedicatedBuffersEndAreStagedNotCopiedThroughIt(String device) {
        Session session = open(device);
        try {
            VulkanBackend backend = backend(session);
            final long n = (3L << 20) + 1; // an odd size: the requirement rounds the page up past it
            Resource host = backend.createBuffer(n, 0x20 | 0x1 | 0x2);
            int type = -1;
            for (var t : backend.device().memoryTypes()) {
                if ((host.requirements().memoryTypeBits() & (1 << t.index())) != 0 && t.isHostVisible()) {
                    type = t.index();
                    break;
                }
            }
            final long pageSize = host.requirements().size();
            long page = backend.allocateDedicatedPage(type, pageSize, host, false);
            VulkanTestSupport.BoundBuffer b = deviceBuffer(backend, 1 << 20);
            try {
                backend.bindBuffer(host, page, 0);
                assertEquals(n, backend.pages().requirePage(page).windowSize, "a dedicated buffer's window is the buffer");
                // Bytes past the buffer's end exist only where the driver's requirement pads its size
                // (lavapipe's does not): there the rest of this test runs.
                org.junit.jupiter.api.Assumptions.assumeTrue(pageSize > n + 16,
                        "the driver asks for no more than the buffer's size (" + pageSize + " for " + n + ")");
                ByteBuffer whole = backend.map(page, 0, pageSize);
                fill(whole, 6);
                final long before = backend.mappedTransfers();
                ByteBuffer inside = whole.duplicate().position(16).limit((int) n);
                backend.copyToBuffer(b.buffer(), 0, inside);
                assertEquals(before + 1, backend.mappedTransfers(), "bytes inside the dedicated buffer go through it");
                ByteBuffer across = whole.duplicate().position((int) n - 10).limit((int) n + 16);
                backend.copyToBuffer(b.buffer(), 0, across);
                assertEquals(before + 1, backend.mappedTransfers(), "bytes running past its end are staged");
                ByteBuffer back = ByteBuffer.allocate(26);
                backend.copyFromBuffer(b.buffer(), 0, back);
                assertEquals(across, back.clear(), "and land all the same");
            } finally {
                backend.destroyBuffer(b.buffer());
                backend.freePage(b.page());
                backend.destroyBuffer(host);
                backend.freePage(page);
            }
        } finally {
            closeAndAssertClean(session);
        }
    }
}
