package dev.lluvia.memory;

import dev.lluvia.memory.spi.Resource;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The fake backend's own checks fail as a driver's validation would, so the core tests on it can fail. */
class FakeBackendTest {

    @Test
    void badBindsAreCaught() {
        FakeBackend fake = new FakeBackend(FakeBackend.Config.discrete());
        long page = fake.allocatePage(1, 1 << 20);
        Resource a = fake.createBuffer(1024, 0);
        Resource b = fake.createBuffer(1024, 0);
        Resource image = fake.createImage(ImageDescriptor.of(32, 32, ChannelType.UINT8));
        assertEquals(2048, image.requirements().size());
        assertMessageContains("not aligned", () -> fake.bindBuffer(a, page, 8));
        fake.bindBuffer(a, page, 0);
        assertMessageContains("overlaps", () -> fake.bindBuffer(b, page, 512));
        assertMessageContains("outside the page", () -> fake.bindBuffer(b, page, (1 << 20) - 512));
        long hostPage = fake.allocatePage(2, 1 << 20);
        assertMessageContains("memoryTypeBits", () -> fake.bindImage(image, hostPage, 0));
        assertMessageContains("resource is bound", () -> fake.freePage(page));
        fake.destroyBuffer(a);
        fake.destroyBuffer(b);
        fake.destroyImage(image);
        fake.freePage(page);
        fake.freePage(hostPage);
        fake.close();
    }

    @Test
    void nonCoherentPagesKeepHostAndDeviceCopiesApartUntilFlushOrInvalidate() {
        FakeBackend fake = new FakeBackend(FakeBackend.Config.nonCoherent());
        long page = fake.allocatePage(2, 4096);
        ByteBuffer host = fake.map(page, 0, 4096);
        host.put(10, (byte) 7);
        fake.writeDeviceBytes(page, 20, new byte[]{9});
        assertEquals(0, host.get(20), "a device write is invisible before invalidate");
        fake.invalidate(page, 0, 256);
        assertEquals(9, host.get(20));
        assertEquals(0, host.get(10), "invalidate dropped the unflushed host write");
        fake.freePage(page);
        assertEquals(0, fake.heapUsage(0));
        fake.failNextPages(1);
        assertThrows(OutOfDeviceMemoryException.class, () -> fake.allocatePage(0, 4096));
        assertEquals(0, fake.livePageCount());
        fake.close();
    }

    private static void assertMessageContains(String part, org.junit.jupiter.api.function.Executable call) {
        AssertionError e = assertThrows(AssertionError.class, call);
        assertTrue(e.getMessage().contains(part), e.getMessage());
    }
}
