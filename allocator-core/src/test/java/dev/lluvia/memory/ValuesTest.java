package dev.lluvia.memory;

import org.junit.jupiter.api.Test;

import java.util.EnumSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The value types users build by hand: flags, image descriptors, options. */
class ValuesTest {

    @Test
    void flagBitsAreVulkans() {
        assertEquals(0x1 | 0x2 | 0x4, MemoryPropertyFlag.toBits(EnumSet.of(MemoryPropertyFlag.DEVICE_LOCAL,
                MemoryPropertyFlag.HOST_VISIBLE, MemoryPropertyFlag.HOST_COHERENT)));
        assertEquals(EnumSet.of(MemoryPropertyFlag.HOST_VISIBLE, MemoryPropertyFlag.HOST_CACHED),
                MemoryPropertyFlag.fromBits(0x2 | 0x8 | 0x10000));
        for (MemoryPropertyFlag f : MemoryPropertyFlag.values()) {
            assertEquals(Set.of(f), MemoryPropertyFlag.fromBits(f.bit()));
        }
        assertEquals(0x20 | 0x1 | 0x2, BufferUsage.toBits(BufferUsage.DEFAULT));
        assertEquals(0x8 | 0x4 | 0x1 | 0x2, ImageUsage.toBits(ImageUsage.DEFAULT));
    }

    @Test
    void imageDescriptorHasLluviasDefaults() {
        ImageDescriptor d = ImageDescriptor.of(32, 32, ChannelType.UINT8);
        assertEquals(1, d.depth());
        assertEquals(1, d.channelCount());
        assertEquals(ImageTiling.OPTIMAL, d.tiling());
        assertEquals(ImageUsage.DEFAULT, d.usage());
        assertEquals(2, d.dimensions());
        assertEquals(1024, d.byteSize());
        assertEquals(3, d.withDepth(4).dimensions());
        assertEquals(1, ImageDescriptor.of(64, 1, ChannelType.FLOAT32, 4).dimensions());
        assertEquals(16, ImageDescriptor.of(1, 1, ChannelType.FLOAT32, 4).pixelSize());
    }

    @Test
    void imageDescriptorRejectsWhatNoDeviceAccepts() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ImageDescriptor.of(0, 4, ChannelType.UINT8))
                .getMessage().contains("width must be positive, was 0"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ImageDescriptor.of(4, -2, ChannelType.UINT8))
                .getMessage().contains("-2"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ImageDescriptor.of(4, 4, ChannelType.UINT8).withDepth(0))
                .getMessage().contains("depth"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ImageDescriptor.of(4, 4, ChannelType.UINT8, 5))
                .getMessage().contains("5"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> ImageDescriptor.of(4, 4, ChannelType.UINT8).withUsage(Set.of())).getMessage().contains("empty"));
        assertThrows(NullPointerException.class, () -> ImageDescriptor.of(4, 4, (ChannelType) null));
        assertThrows(NullPointerException.class, () -> ImageDescriptor.of(4, 4, (ImageFormat) null));
    }

    @Test
    void memoryOptionsRejectBadValues() {
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> MemoryOptions.of(EnumSet.of(MemoryPropertyFlag.DEVICE_LOCAL)).withPageSize(-1)).getMessage().contains("-1"));
        assertEquals("flags", assertThrows(NullPointerException.class,
                () -> MemoryOptions.of((java.util.Set<MemoryPropertyFlag>) null)).getMessage());
        MemoryOptions o = MemoryOptions.of(EnumSet.of(MemoryPropertyFlag.DEVICE_LOCAL));
        assertEquals(MemoryOptions.DEFAULT_PAGE_SIZE, o.pageSize());
        assertEquals(false, o.exactFlagsMatch());
    }

    @Test
    void sessionOptionsAreImmutableCopies() {
        SessionOptions a = SessionOptions.defaults();
        SessionOptions b = a.withDebug(true).withBackend("sim").withDevice("llvmpipe").withProperty("sim.x", "1")
                .withLeakPolicy(LeakPolicy.THROW);
        assertEquals(false, a.debug());
        assertEquals(LeakPolicy.LOG, a.leakPolicy());
        assertEquals(true, b.debug());
        assertEquals("sim", b.backend());
        assertEquals("llvmpipe", b.device());
        assertEquals("1", b.properties().get("sim.x"));
        assertEquals(LeakPolicy.THROW, b.leakPolicy());
    }
}
