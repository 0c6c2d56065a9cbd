package dev.lluvia.memory.sim;

import dev.lluvia.memory.ChannelType;
import dev.lluvia.memory.ImageDescriptor;
import dev.lluvia.memory.ImageTiling;
import dev.lluvia.memory.spi.Resource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every rule of the referee is enforced, through the SPI directly, and a refused call changes nothing. */
class SimRefereeTest {

    /** H100: buffers align 16, optimal images 1024 (types 0, 1 only), granularity 1024. */
    private final SimBackend b = new SimBackend(SimProfiles.load("nvidia-h100"), true);

    @AfterEach
    void closeWithoutLeaks() {
        b.close();
    }

    private static <T extends Throwable> T refused(Class<T> type, SimRule rule, Executable call, String... mentions) {
        T e = assertThrows(type, call);
        assertEquals(rule, ((SimViolationException) e).rule(), e.getMessage());
        for (String m : mentions) {
            assertTrue(e.getMessage().contains(m), "'" + m + "' missing from: " + e.getMessage());
        }
        return e;
    }

    private Resource buffer(long size) {
        return b.createBuffer(size, 0x23);
    }

    private Resource optimalImage(int side) {
        return b.createImage(ImageDescriptor.of(side, side, ChannelType.UINT8));
    }

    private void destroyAll(long page, Resource... buffersThenImages) {
        for (Resource h : buffersThenImages) {
            if ((h.handle() & 3) == 2) {
                b.destroyBuffer(h);
            } else {
                b.destroyImage(h);
            }
        }
        b.freePage(page);
    }

    @Test
    void aValidBindPassesAndIsCounted() {
        long page = b.allocatePage(1, 1 << 20);
        Resource buf = buffer(1024);
        Resource img = optimalImage(32);
        b.bindBuffer(buf, page, 0);
        b.bindImage(img, page, 2048);
        assertEquals(2, b.inspect().boundResourceCount());
        assertEquals(2, b.inspect().bindsChecked());
        destroyAll(page, buf, img);
        assertEquals(0, b.inspect().liveResourceCount());
    }

    @Test
    void bindToAFreedOrUnknownPage() {
        long page = b.allocatePage(1, 1 << 20);
        b.freePage(page);
        Resource buf = buffer(1024);
        BindViolationException e = refused(BindViolationException.class, SimRule.PAGE_NOT_LIVE,
                () -> b.bindBuffer(buf, page, 0), "already freed");
        assertEquals(buf.handle(), e.resource());
        assertEquals(page, e.page());
        refused(BindViolationException.class, SimRule.PAGE_NOT_LIVE, () -> b.bindBuffer(buf, 0x7777_0001L, 0), "unknown");
        refused(BindViolationException.class, SimRule.PAGE_NOT_LIVE, () -> b.bindBuffer(buf, buf.handle(), 0), "is a buffer");
        b.destroyBuffer(buf);
    }

    @Test
    void bindOfADestroyedOrWrongKindResource() {
        long page = b.allocatePage(1, 1 << 20);
        Resource buf = buffer(1024);
        Resource img = optimalImage(32);
        b.destroyBuffer(buf);
        refused(SimViolationException.class, SimRule.RESOURCE_NOT_LIVE, () -> b.bindBuffer(buf, page, 0), "already destroyed");
        refused(SimViolationException.class, SimRule.RESOURCE_NOT_LIVE, () -> b.bindBuffer(img, page, 0), "is a image");
        b.destroyImage(img);
        b.freePage(page);
    }

    @Test
    void bindTwice() {
        long page = b.allocatePage(1, 1 << 20);
        Resource buf = buffer(1024);
        b.bindBuffer(buf, page, 0);
        refused(BindViolationException.class, SimRule.ALREADY_BOUND, () -> b.bindBuffer(buf, page, 4096), "already bound");
        destroyAll(page, buf);
    }

    @Test
    void bindToAMemoryTypeOutsideMemoryTypeBits() {
        long hostPage = b.allocatePage(3, 1 << 20);
        Resource img = optimalImage(32);
        refused(BindViolationException.class, SimRule.MEMORY_TYPE, () -> b.bindImage(img, hostPage, 0),
                "memory type 3", "0x3");
        destroyAll(hostPage, img);
    }

    @Test
    void bindAtAMisalignedOffset() {
        long page = b.allocatePage(1, 1 << 20);
        Resource buf = buffer(1024);
        Resource img = optimalImage(32);
        refused(BindViolationException.class, SimRule.ALIGNMENT, () -> b.bindBuffer(buf, page, 8), "offset 8", "16");
        refused(BindViolationException.class, SimRule.ALIGNMENT, () -> b.bindImage(img, page, 512), "1024");
        refused(BindViolationException.class, SimRule.ALIGNMENT, () -> b.bindBuffer(buf, page, -16));
        assertEquals(0, b.inspect().boundResourceCount());
        destroyAll(page, buf, img);
    }

    @Test
    void bindOutsideThePage() {
        long page = b.allocatePage(1, 4096);
        Resource buf = buffer(1024);
        refused(BindViolationException.class, SimRule.OUT_OF_PAGE, () -> b.bindBuffer(buf, page, 3088), "[3088, 4112)");
        refused(BindViolationException.class, SimRule.OUT_OF_PAGE, () -> b.bindBuffer(buf, page, Long.MAX_VALUE - 15));
        b.bindBuffer(buf, page, 3072);
        destroyAll(page, buf);
    }

    @Test
    void overlapWithALiveResourceNamesIt() {
        long page = b.allocatePage(1, 1 << 20);
        Resource first = buffer(1024);
        Resource second = buffer(1024);
        b.bindBuffer(first, page, 1024);
        BindViolationException below = refused(BindViolationException.class, SimRule.OVERLAP,
                () -> b.bindBuffer(second, page, 16), "[1024, 2048)");
        assertEquals(first.handle(), below.other());
        refused(BindViolationException.class, SimRule.OVERLAP, () -> b.bindBuffer(second, page, 2032));
        refused(BindViolationException.class, SimRule.OVERLAP, () -> b.bindBuffer(second, page, 1024));
        // Touching is not overlapping, and a destroyed neighbour frees its bytes.
        b.bindBuffer(second, page, 2048);
        b.destroyBuffer(first);
        Resource third = buffer(2048);
        b.bindBuffer(third, page, 0);
        destroyAll(page, second, third);
    }

    /**
     * On the measured profiles optimal images are aligned to bufferImageGranularity and their sizes
     * are multiples of it, so no placement can break the rule there. This device (the H100 with
     * tightly laid out 256-byte optimal images and 16-byte aligned linear ones) can.
     */
    private static SimBackend smallImageDevice() {
        return smallImageDevice(true);
    }

    private static SimBackend smallImageDevice(boolean checkGranularity) {
        return new SimBackend(SimProfiles.load("nvidia-h100", Map.of(
                "lluvia.sim.profile.image.optimal.layout", "tight",
                "lluvia.sim.profile.image.linear.layout", "tight",
                "lluvia.sim.profile.image.linear.alignment", "16",
                "lluvia.sim.profile.image.linear.alignment.TRANSFER_DST", "16",
                "lluvia.sim.profile.image.linear.alignment.COLOR_ATTACHMENT", "16",
                "lluvia.sim.profile.image.optimal.alignment", "256",
                "lluvia.sim.profile.image.optimal.sizeGranularity", "256",
                "lluvia.sim.profile.image.optimal.minSize", "256")), checkGranularity);
    }

    @Test
    void granularityRefusesAnOptimalImageInTheBlockWhereABufferEnds() {
        try (SimBackend g = smallImageDevice()) {
            long page = g.allocatePage(1, 1 << 20);
            Resource buf = g.createBuffer(16, 0x20);
            Resource img = g.createImage(ImageDescriptor.of(8, 8, ChannelType.UINT8));
            g.bindBuffer(buf, page, 0);
            BindViolationException e = refused(BindViolationException.class, SimRule.GRANULARITY,
                    () -> g.bindImage(img, page, 768), "1024-byte granularity block", "[0, 16)");
            assertEquals(buf.handle(), e.other());
            assertEquals(img.handle(), e.resource());
            assertEquals(768, e.offset());
            g.bindImage(img, page, 1024);
            g.destroyBuffer(buf);
            g.destroyImage(img);
            g.freePage(page);
        }
    }

    @Test
    void granularityRefusesALinearResourceInTheBlockWhereAnImageEnds() {
        try (SimBackend g = smallImageDevice()) {
            long page = g.allocatePage(1, 1 << 20);
            Resource img = g.createImage(ImageDescriptor.of(8, 8, ChannelType.UINT8));
            Resource buf = g.createBuffer(16, 0x20);
            Resource linear = g.createImage(ImageDescriptor.of(4, 4, ChannelType.UINT8).withTiling(ImageTiling.LINEAR));
            // The image covers [2304, 2560), in block 2.
            g.bindImage(img, page, 2304);
            BindViolationException e = refused(BindViolationException.class, SimRule.GRANULARITY,
                    () -> g.bindBuffer(buf, page, 2560), "[2304, 2560)");
            assertEquals(img.handle(), e.other());
            refused(BindViolationException.class, SimRule.GRANULARITY, () -> g.bindImage(linear, page, 2048));
            // Outside block 2 on both sides, and the same kinds may share a block.
            g.bindBuffer(buf, page, 3072);
            g.bindImage(linear, page, 2032);
            Resource img2 = g.createImage(ImageDescriptor.of(8, 8, ChannelType.UINT8));
            g.bindImage(img2, page, 2560);
            g.destroyBuffer(buf);
            g.destroyImage(linear);
            g.destroyImage(img);
            g.destroyImage(img2);
            g.freePage(page);
        }
    }

    @Test
    void granularityIsNotCheckedWhenOff() {
        try (SimBackend off = smallImageDevice(false)) {
            assertFalse(off.inspect().checksGranularity());
            long page = off.allocatePage(1, 1 << 20);
            Resource img = off.createImage(ImageDescriptor.of(8, 8, ChannelType.UINT8));
            Resource buf = off.createBuffer(16, 0x20);
            off.bindImage(img, page, 0);
            // [0, 256) and [256, 272) share block 0: refused when the check is on.
            assertDoesNotThrow(() -> off.bindBuffer(buf, page, 256));
            off.destroyBuffer(buf);
            off.destroyImage(img);
            off.freePage(page);
        }
    }

    @Test
    void aDedicatedPageHoldsOnlyItsResourceAtOffsetZero() {
        SimProfile p = SimProfiles.load("nvidia-h100", Map.of("lluvia.sim.profile.image.optimal.requiresDedicatedAbove", "4096"));
        try (SimBackend d = new SimBackend(p, true, true)) {
            Resource big = d.createImage(ImageDescriptor.of(128, 128, ChannelType.UINT8));
            assertTrue(big.requirements().requiresDedicated());
            long size = big.requirements().size();
            // Not in a shared page, even alone at offset 0.
            long shared = d.allocatePage(1, 1 << 20);
            BindViolationException e = refused(BindViolationException.class, SimRule.DEDICATED,
                    () -> d.bindImage(big, shared, 0), "requires a dedicated allocation");
            assertEquals(big.handle(), e.resource());
            // A dedicated page must have the resource's size.
            refused(SimViolationException.class, SimRule.DEDICATED,
                    () -> d.allocateDedicatedPage(1, size + 1024, big, true), "size " + (size + 1024));
            refused(SimViolationException.class, SimRule.RESOURCE_NOT_LIVE,
                    () -> d.allocateDedicatedPage(1, size, big, false), "is a image");
            assertEquals(1, d.inspect().livePageCount());
            long own = d.allocateDedicatedPage(1, size, big, true);
            Resource buf = d.createBuffer(16, 0x20);
            BindViolationException other = refused(BindViolationException.class, SimRule.DEDICATED,
                    () -> d.bindBuffer(buf, own, 0), "allocated for image 128x128");
            assertEquals(big.handle(), other.other());
            d.bindImage(big, own, 0);
            refused(SimViolationException.class, SimRule.DEDICATED,
                    () -> d.allocateDedicatedPage(1, size, big, true), "already bound");
            // Still only for that image after it is destroyed.
            d.destroyImage(big);
            refused(BindViolationException.class, SimRule.DEDICATED, () -> d.bindBuffer(buf, own, 0), "(destroyed)");
            d.destroyBuffer(buf);
            d.freePage(shared);
            d.freePage(own);
        }
    }

    @Test
    void aDedicatedResourceIsBoundAtOffsetZero() {
        try (SimBackend d = new SimBackend(SimProfiles.load("llvmpipe"), true)) {
            Resource buf = d.createBuffer(4096, 0x20);
            // Without the size check a larger page passes; a smaller one never does.
            refused(SimViolationException.class, SimRule.DEDICATED,
                    () -> d.allocateDedicatedPage(0, 4032, buf, false), "size 4032");
            long page = d.allocateDedicatedPage(0, buf.requirements().size() + 64, buf, false);
            refused(BindViolationException.class, SimRule.DEDICATED, () -> d.bindBuffer(buf, page, 64), "offset 0");
            d.bindBuffer(buf, page, 0);
            d.destroyBuffer(buf);
            d.freePage(page);
        }
    }

    @Test
    void freeingAPageWithBoundResourcesNamesThem() {
        long page = b.allocatePage(1, 1 << 20);
        Resource buf = buffer(1024);
        b.bindBuffer(buf, page, 0);
        refused(SimViolationException.class, SimRule.FREE_WITH_BOUND, () -> b.freePage(page),
                "buffer of 1024 bytes 0x" + Long.toHexString(buf.handle()));
        assertEquals(1, b.inspect().livePageCount());
        destroyAll(page, buf);
    }

    @Test
    void doubleFreeDoubleDestroyAndUnknownHandles() {
        long page = b.allocatePage(1, 4096);
        b.freePage(page);
        refused(SimViolationException.class, SimRule.PAGE_NOT_LIVE, () -> b.freePage(page), "already freed");
        Resource buf = buffer(16);
        b.destroyBuffer(buf);
        refused(SimViolationException.class, SimRule.RESOURCE_NOT_LIVE, () -> b.destroyBuffer(buf), "already destroyed");
        Resource img = optimalImage(4);
        b.destroyImage(img);
        refused(SimViolationException.class, SimRule.RESOURCE_NOT_LIVE, () -> b.destroyImage(img), "already destroyed");
        refused(SimViolationException.class, SimRule.RESOURCE_NOT_LIVE, () -> b.destroyBuffer(Handles.resource(123_456_789L << 2 | 2)), "unknown");
        refused(SimViolationException.class, SimRule.RESOURCE_NOT_LIVE, () -> b.destroyImage(Handles.resource(0)), "unknown");
    }

    @Test
    void usingAFreedPage() {
        long page = b.allocatePage(2, 4096);
        b.map(page, 0, 16).put(0, (byte) 1);
        b.freePage(page);
        refused(SimViolationException.class, SimRule.PAGE_NOT_LIVE, () -> b.map(page, 0, 16), "already freed");
        refused(SimViolationException.class, SimRule.PAGE_NOT_LIVE, () -> b.flush(page, 0, 64));
        refused(SimViolationException.class, SimRule.PAGE_NOT_LIVE, () -> b.invalidate(page, 0, 64));
    }

    @Test
    void closingWithLivePagesOrResourcesReportsTheLeaks() {
        SimBackend leaky = new SimBackend(SimProfiles.load("llvmpipe"), true);
        long page = leaky.allocatePage(0, 4096);
        Resource buf = leaky.createBuffer(100, 0x20);
        leaky.bindBuffer(buf, page, 0);
        SimViolationException e = refused(SimViolationException.class, SimRule.LEAK, leaky::close,
                "1 live page(s)", "1 live resource(s)", "0x" + Long.toHexString(page), "buffer of 100 bytes");
        assertTrue(e.getMessage().contains("4096 bytes"), e.getMessage());
        // Closed anyway, idempotently; use after close is refused.
        assertDoesNotThrow(leaky::close);
        refused(SimViolationException.class, SimRule.CLOSED, () -> leaky.allocatePage(0, 4096), "closed");
    }

    @Test
    void invalidResourcesAreRefusedAtCreation() {
        refused(SimViolationException.class, SimRule.INVALID_ARGUMENT, () -> b.createBuffer(0, 0x20), "0");
        refused(SimViolationException.class, SimRule.INVALID_ARGUMENT, () -> b.createBuffer(16, 0), "usage");
        refused(SimViolationException.class, SimRule.INVALID_ARGUMENT,
                () -> b.createImage(ImageDescriptor.of(32769, 1, ChannelType.UINT8)), "32769", "32768");
        refused(SimViolationException.class, SimRule.INVALID_ARGUMENT,
                () -> b.createImage(ImageDescriptor.of(16, 16, ChannelType.UINT8).withDepth(16385)), "16384");
        assertEquals(0, b.inspect().liveResourceCount());
    }
}
