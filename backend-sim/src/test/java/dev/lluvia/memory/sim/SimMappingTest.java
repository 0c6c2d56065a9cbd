package dev.lluvia.memory.sim;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SimMappingTest {

    private static byte[] pattern(int n, int seed) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i * 31 + seed);
        }
        return b;
    }

    @Test
    void aMappingViewsExactlyTheRangeAndKeepsWhatIsWritten() {
        try (SimBackend b = new SimBackend(SimProfiles.load("nvidia-h100"), true)) {
            long page = b.allocatePage(3, 1 << 16);
            ByteBuffer view = b.map(page, 4096, 1000);
            assertEquals(1000, view.capacity());
            assertEquals(0, view.position());
            view.put(pattern(1000, 7));
            // A second, wider mapping sees the bytes at the same page offsets and nothing else changed.
            ByteBuffer wide = b.map(page, 4000, 1200);
            byte[] got = new byte[1200];
            wide.get(got);
            for (int i = 0; i < 96; i++) {
                assertEquals(0, got[i], "byte before the range at " + (4000 + i));
            }
            byte[] middle = new byte[1000];
            System.arraycopy(got, 96, middle, 0, 1000);
            assertArrayEquals(pattern(1000, 7), middle);
            assertEquals(0, got[1199]);
            // On a coherent page the device sees host writes without a flush.
            assertArrayEquals(pattern(1000, 7), b.inspect().readDeviceBytes(page, 4096, 1000));
            b.freePage(page);
        }
    }

    @Test
    void mappingADeviceOnlyPageIsAViolation() {
        try (SimBackend b = new SimBackend(SimProfiles.load("nvidia-h100"), true)) {
            long page = b.allocatePage(1, 4096);
            SimViolationException e = assertThrows(SimViolationException.class, () -> b.map(page, 0, 16));
            assertEquals(SimRule.NOT_HOST_VISIBLE, e.rule());
            assertTrue(e.getMessage().contains("memory type 1"), e.getMessage());
            assertEquals(SimRule.NOT_HOST_VISIBLE, assertThrows(SimViolationException.class, () -> b.flush(page, 0, 64)).rule());
            b.freePage(page);
        }
    }

    @Test
    void mappingOutsideThePageIsAViolation() {
        try (SimBackend b = new SimBackend(SimProfiles.load("llvmpipe"), true)) {
            long page = b.allocatePage(0, 4096);
            assertEquals(SimRule.RANGE, assertThrows(SimViolationException.class, () -> b.map(page, 4000, 97)).rule());
            assertEquals(SimRule.RANGE, assertThrows(SimViolationException.class, () -> b.map(page, -1, 1)).rule());
            assertEquals(96, b.map(page, 4000, 96).capacity());
            b.freePage(page);
        }
    }

    @Test
    void aNonCoherentPageNeedsFlushAndInvalidate() {
        try (SimBackend b = new SimBackend(SimProfiles.load("mobile-noncoherent"), true)) {
            long page = b.allocatePage(2, 1 << 16);
            ByteBuffer view = b.map(page, 512, 256);
            view.put(0, pattern(256, 3));
            // Not flushed: the device still sees zeros.
            assertArrayEquals(new byte[256], b.inspect().readDeviceBytes(page, 512, 256));
            b.flush(page, 512, 256);
            assertArrayEquals(pattern(256, 3), b.inspect().readDeviceBytes(page, 512, 256));

            // The device writes; the host sees it only after an invalidate.
            b.inspect().writeDeviceBytes(page, 512, pattern(256, 99));
            byte[] host = new byte[256];
            view.get(0, host);
            assertArrayEquals(pattern(256, 3), host);
            b.invalidate(page, 512, 256);
            view.get(0, host);
            assertArrayEquals(pattern(256, 99), host);

            // A flush covers only its range.
            b.map(page, 0, 256).put(0, pattern(256, 5));
            b.map(page, 768, 256).put(0, pattern(256, 6));
            b.flush(page, 0, 256);
            assertArrayEquals(pattern(256, 5), b.inspect().readDeviceBytes(page, 0, 256));
            assertArrayEquals(new byte[256], b.inspect().readDeviceBytes(page, 768, 256));
            b.freePage(page);
        }
    }

    @Test
    void flushRangesMustBeAlignedToTheAtomOrReachThePageEnd() {
        try (SimBackend b = new SimBackend(SimProfiles.load("mobile-noncoherent"), true)) {
            long page = b.allocatePage(2, 1000);
            b.map(page, 0, 1000);
            SimViolationException e = assertThrows(SimViolationException.class, () -> b.flush(page, 64, 256));
            assertEquals(SimRule.ATOM_ALIGNMENT, e.rule());
            assertTrue(e.getMessage().contains("256") && e.getMessage().contains("[64, 320)"), e.getMessage());
            assertEquals(SimRule.ATOM_ALIGNMENT,
                    assertThrows(SimViolationException.class, () -> b.invalidate(page, 0, 100)).rule());
            assertEquals(SimRule.ATOM_ALIGNMENT,
                    assertThrows(SimViolationException.class, () -> b.flush(page, 256, 700)).rule());
            assertEquals(SimRule.RANGE, assertThrows(SimViolationException.class, () -> b.flush(page, 768, 256)).rule());
            // A size that reaches the page end need not be a multiple of the atom.
            assertDoesNotThrow(() -> b.flush(page, 768, 232));
            assertDoesNotThrow(() -> b.invalidate(page, 0, 1000));
            assertDoesNotThrow(() -> b.flush(page, 256, 512));
            b.freePage(page);
        }
    }

    @Test
    void coherentFlushesAreCheckedButChangeNothing() {
        try (SimBackend b = new SimBackend(SimProfiles.load("nvidia-h100"), true)) {
            long page = b.allocatePage(2, 4096);
            b.map(page, 0, 64).put(0, (byte) 42);
            b.flush(page, 0, 64);
            assertEquals(42, b.inspect().readDeviceBytes(page, 0, 1)[0]);
            assertEquals(SimRule.ATOM_ALIGNMENT, assertThrows(SimViolationException.class, () -> b.flush(page, 8, 64)).rule());
            b.freePage(page);
        }
    }

    @Test
    void pagesOverTwoGibibytesAreBackedInChunks() {
        try (SimBackend b = new SimBackend(SimProfiles.load("nvidia-h100"), true)) {
            long size = (2L << 30) + 8192;
            long page = b.allocatePage(2, size);
            // Only the last chunk (8 KiB) gets memory.
            ByteBuffer tail = b.map(page, 2L << 30, 8192);
            tail.put(8191, (byte) 9);
            assertEquals(9, b.inspect().readDeviceBytes(page, size - 1, 1)[0]);
            UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                    () -> b.map(page, (2L << 30) - 16, 32));
            assertTrue(e.getMessage().contains("chunk boundary at " + (2L << 30)), e.getMessage());
            assertEquals(SimRule.RANGE, assertThrows(SimViolationException.class, () -> b.map(page, 0, size)).rule());
            b.freePage(page);
        }
    }
}
