package dev.lluvia.memory.sim;

import dev.lluvia.memory.Buffer;
import dev.lluvia.memory.BufferUsage;
import dev.lluvia.memory.ChannelType;
import dev.lluvia.memory.ImageDescriptor;
import dev.lluvia.memory.ImageFormat;
import dev.lluvia.memory.ImageTiling;
import dev.lluvia.memory.ImageUsage;
import dev.lluvia.memory.Memory;
import dev.lluvia.memory.MemoryOptions;
import dev.lluvia.memory.MemoryPropertyFlag;
import dev.lluvia.memory.Session;
import dev.lluvia.memory.SessionOptions;
import dev.lluvia.memory.UnsupportedExternalMemoryException;
import dev.lluvia.memory.UnsupportedImageFormatException;
import dev.lluvia.memory.spi.BufferRequest;
import dev.lluvia.memory.spi.MemoryRequirements;
import org.junit.jupiter.api.Test;

import java.util.EnumSet;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The profile rules fitted to the drivers' answers (the answers themselves are compared in the cli
 * module's RecordedDevicesTest and SimMatchesDriverTest): shared rule files, mip levels and layers
 * laid out level by level, refusals that depend on usage, linear levels and layers, and exportable
 * memories.
 */
class SimProfileRulesTest {

    @Test
    void theH100AndH200ShareOneRuleSetAndDifferInIdsAndHeaps() {
        SimProfile h100 = SimProfiles.load("nvidia-h100");
        SimProfile h200 = SimProfiles.load("nvidia-h200");
        assertEquals(h100.buffer(), h200.buffer());
        assertEquals(h100.optimalImage(), h200.optimalImage());
        assertEquals(h100.linearImage(), h200.linearImage());
        assertEquals(h100.optimalLayout(), h200.optimalLayout());
        assertEquals(h100.linearLayout(), h200.linearLayout());
        assertEquals(h100.device().memoryTypes(), h200.device().memoryTypes());
        assertEquals(h100.device().limits(), h200.device().limits());
        assertNotEquals(h100.device().deviceId(), h200.device().deviceId());
        assertNotEquals(h100.device().memoryHeaps(), h200.device().memoryHeaps());
        assertEquals("NVIDIA 580.159.04", h100.device().driverVersion());
        // A session's override still wins over the shared file.
        SimProfile small = SimProfiles.load("nvidia-h100", Map.of("lluvia.sim.profile.buffer.alignment", "256"));
        assertEquals(256, small.buffer().alignment());
    }

    @Test
    void everyMipLevelOfEveryLayerIsLaidOutAsLevelZeroIs() {
        SimProfile llvmpipe = SimProfiles.load("llvmpipe");
        // lavapipe's answer: rows of 64 bytes at least, heights aligned to 4, level by level.
        ImageDescriptor d = ImageDescriptor.of(100, 30, ImageFormat.R8_UNORM).withMipLevels(7);
        assertEquals(6656, llvmpipe.optimalLayout().bytes(d));
        assertEquals(6 * 6656, llvmpipe.optimalLayout().bytes(d.withArrayLayers(6)));
        assertEquals(4096, llvmpipe.optimalLayout().bytes(d.withMipLevels(1)));
        // The tight layout is the tightly packed size of every level.
        assertEquals(d.byteSizeAllLevels(), ImageLayout.tight().bytes(d));
    }

    @Test
    void refusalsDependOnUsageLevelsAndLayers() {
        ImageLayout linear = SimProfiles.load("llvmpipe").linearLayout();
        ImageDescriptor rgb32 = new ImageDescriptor(16, 16, 1, ChannelType.FLOAT32, 3, ImageTiling.LINEAR,
                EnumSet.of(ImageUsage.SAMPLED));
        assertNull(linear.whyRefused(rgb32));
        String why = linear.whyRefused(rgb32.withUsage(EnumSet.of(ImageUsage.SAMPLED, ImageUsage.STORAGE)));
        assertTrue(why != null && why.contains("STORAGE"), why);
        // Three-channel 16-bit formats are refused whatever the usage.
        assertNotNull(linear.whyRefused(new ImageDescriptor(16, 16, 1, ChannelType.UINT16, 3, ImageTiling.LINEAR,
                EnumSet.of(ImageUsage.SAMPLED))));
        // lavapipe gives linear images levels and layers; NVIDIA's linear images have one of each.
        ImageDescriptor levels = ImageDescriptor.of(64, 64, ChannelType.UINT8).withTiling(ImageTiling.LINEAR).withMipLevels(3);
        assertNull(linear.whyRefused(levels));
        assertTrue(SimProfiles.load("nvidia-h100").linearLayout().whyRefused(levels).contains("mip levels"));
        assertTrue(SimProfiles.load("nvidia-h100").optimalLayout().whyRefused(ImageDescriptor.of(8, 8, ChannelType.UINT8)
                .withArrayLayers(2049)).contains("array layers"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SimProfiles.load("llvmpipe", Map.of("lluvia.sim.profile.image.linear.maxMipLevels", "0")));
        assertTrue(e.getMessage().contains("llvmpipe") && e.getMessage().contains("image.linear"), e.getMessage());
    }

    @Test
    void nvidiaRulesFittedToTheRecordedAnswers() {
        // Each value below is the H100's and H200's answer (cli/src/test/resources/devices/).
        SimProfile h100 = SimProfiles.load("nvidia-h100");
        RequirementRule buffer = h100.buffer();
        assertEquals(new MemoryRequirements(8, 4, 0x1f, false, false), buffer.requirements(5, BufferUsage.INDEX_BUFFER.bit()));
        assertEquals(new MemoryRequirements(16, 16, 0x1f, false, false),
                buffer.requirements(5, BufferUsage.INDEX_BUFFER.bit() | BufferUsage.VERTEX_BUFFER.bit()));
        assertEquals(new MemoryRequirements(128, 64, 0x1f, false, false), buffer.requirements(99, BufferUsage.UNIFORM_BUFFER.bit()));
        // Linear rows and images: 32 bytes, 128 for transfer destinations (R8 33x17: rows of 64 or 128).
        ImageDescriptor linear = ImageDescriptor.of(33, 17, ImageFormat.R8_UNORM).withTiling(ImageTiling.LINEAR)
                .withUsage(EnumSet.of(ImageUsage.STORAGE));
        assertEquals(1088, h100.linearLayout().bytes(linear));
        assertEquals(32, h100.linearImage().requirements(1088, ImageUsage.STORAGE.bit()).alignment());
        ImageDescriptor linearDst = linear.withUsage(EnumSet.of(ImageUsage.TRANSFER_DST));
        assertEquals(2176, h100.linearLayout().bytes(linearDst));
        assertEquals(128, h100.linearImage().requirements(2176, ImageUsage.TRANSFER_DST.bit()).alignment());
        // A mip chain is always whole: 2 levels of 100x30 R8 take what 7 take.
        ImageDescriptor chain = ImageDescriptor.of(100, 30, ImageFormat.R8_UNORM).withMipLevels(2);
        assertEquals(7680, h100.optimalLayout().bytes(chain));
        assertEquals(7680, h100.optimalLayout().bytes(chain.withMipLevels(7)));
        // Layers of a chain start on a block of level 0: 4 GOBs for 30 rows, 2 for 17 rows.
        assertEquals(6 * 8192, h100.optimalLayout().bytes(chain.withMipLevels(7).withArrayLayers(6)));
        ImageDescriptor rgba = ImageDescriptor.of(100, 30, ImageFormat.R8G8B8A8_UNORM).withMipLevels(7).withArrayLayers(6);
        assertEquals(135168, h100.optimalLayout().bytes(rgba));
        assertEquals(15360, h100.optimalLayout().bytes(ImageDescriptor.of(33, 17, ImageFormat.R8_UNORM).withMipLevels(6).withArrayLayers(3)));
        // 3D: blocks at most 16 slices deep; depth attachments not blocked in depth at all.
        ImageDescriptor deep = ImageDescriptor.of(4, 4, ImageFormat.R8_UNORM).withDepth(300)
                .withUsage(EnumSet.of(ImageUsage.SAMPLED)).withMipLevels(9);
        assertEquals(331264, h100.optimalLayout().bytes(deep));
        ImageDescriptor depth = ImageDescriptor.of(33, 9, ImageFormat.D16_UNORM).withDepth(5)
                .withUsage(EnumSet.of(ImageUsage.DEPTH_STENCIL_ATTACHMENT, ImageUsage.SAMPLED));
        assertEquals(10240, h100.optimalLayout().bytes(depth));
        assertEquals(16384, h100.optimalLayout().bytes(depth.withUsage(EnumSet.of(ImageUsage.TRANSFER_DST))));
        // Exportable resources: not the host-visible device-local type.
        assertEquals(0xf, h100.exportableMemoryTypeBits());
        try (SimBackend b = new SimBackend(h100, true)) {
            var exportable = b.createBuffer(BufferRequest.of(64, BufferUsage.STORAGE_BUFFER.bit()).withExportable(true));
            var plain = b.createBuffer(BufferRequest.of(64, BufferUsage.STORAGE_BUFFER.bit()));
            assertEquals(0xf, exportable.requirements().memoryTypeBits());
            assertEquals(0x1f, plain.requirements().memoryTypeBits());
            b.destroyBuffer(exportable);
            b.destroyBuffer(plain);
        }
    }

    /**
     * 3D images on the H100, as the driver answered random descriptors of {@code SimMatchesDriverTest}
     * (seed 109193261395, 2026-12-06): blocks one GOB high, at most 16 slices deep; "WxHxD format
     * levels bytes usage".
     */
    @Test
    void nvidia3dImagesAreLaidOutAsTheH100LaysThemOut() {
        ImageLayout optimal = SimProfiles.load("nvidia-h100").optimalLayout();
        for (String answer : List.of(
                "85x23x35 D16_UNORM 1 221184 TRANSFER_DST",
                "70x56x23 R8_UNORM 1 229376 SAMPLED|STORAGE",
                "7x18x19 R16G16B16A16_UINT 4 69120 SAMPLED|STORAGE",
                "51x49x6 R32G32B32A32_SFLOAT 1 372736 STORAGE",
                "34x91x16 R8_UINT 1 98304 STORAGE|TRANSFER_DST",
                "84x76x12 R32G32B32A32_UINT 1 1720320 SAMPLED",
                "20x49x4 R8_SINT 1 14336 TRANSFER_DST|TRANSFER_SRC",
                "81x66x4 R16_SINT 1 55296 SAMPLED|TRANSFER_DST",
                "93x89x30 R16G16_SFLOAT 2 1357312 COLOR_ATTACHMENT|SAMPLED",
                "12x39x31 R8G8_UINT 1 81920 SAMPLED|TRANSFER_DST|TRANSFER_SRC",
                "61x56x38 R32G32_UINT 5 1674752 TRANSFER_DST",
                "5x84x41 R32_SFLOAT 4 403456 SAMPLED|TRANSFER_DST",
                "84x97x2 R8G8B8A8_UNORM 1 79872 COLOR_ATTACHMENT|TRANSFER_DST",
                "86x55x9 R32G32B32A32_UINT 1 1261568 COLOR_ATTACHMENT|SAMPLED|TRANSFER_SRC",
                "6x21x16 R8G8B8A8_SINT 2 36352 COLOR_ATTACHMENT|STORAGE",
                "77x45x13 B8G8R8A8_UNORM 1 245760 COLOR_ATTACHMENT|SAMPLED|TRANSFER_SRC",
                "91x20x12 R32_SFLOAT 1 147456 COLOR_ATTACHMENT|SAMPLED|TRANSFER_DST|TRANSFER_SRC",
                "15x70x39 R8G8B8A8_UINT 5 331776 COLOR_ATTACHMENT",
                "17x43x3 R8G8B8A8_SRGB 3 28672 COLOR_ATTACHMENT|TRANSFER_DST")) {
            String[] f = answer.split(" ");
            String[] side = f[0].split("x");
            EnumSet<ImageUsage> usage = EnumSet.noneOf(ImageUsage.class);
            for (String u : f[4].split("\\|")) {
                usage.add(ImageUsage.valueOf(u));
            }
            ImageDescriptor d = descriptor(Integer.parseInt(side[0]), Integer.parseInt(side[1]), f[1])
                    .withDepth(Integer.parseInt(side[2])).withMipLevels(Integer.parseInt(f[2])).withUsage(usage);
            assertEquals(Long.parseLong(f[3]), optimal.bytes(d), answer);
        }
    }

    @Test
    void storageIntoDepthImagesIsTheProfilesToRefuse() {
        // The H100 made these (random descriptors of SimMatchesDriverTest, seed 138109025941); lavapipe refuses them.
        ImageDescriptor d32 = ImageDescriptor.of(527, 457, ImageFormat.D32_SFLOAT).withUsage(EnumSet.of(ImageUsage.SAMPLED, ImageUsage.STORAGE));
        ImageDescriptor d16 = ImageDescriptor.of(9, 86, ImageFormat.D16_UNORM).withDepth(8).withMipLevels(3)
                .withUsage(EnumSet.of(ImageUsage.STORAGE, ImageUsage.TRANSFER_SRC));
        try (SimBackend h100 = new SimBackend(SimProfiles.load("nvidia-h100"), true);
             SimBackend llvmpipe = new SimBackend(SimProfiles.load("llvmpipe"), true)) {
            var a = h100.createImage(d32);
            var b = h100.createImage(d16);
            assertEquals(1081344, a.requirements().size());
            assertEquals(62976, b.requirements().size());
            UnsupportedImageFormatException e = assertThrows(UnsupportedImageFormatException.class, () -> llvmpipe.createImage(d32));
            assertTrue(e.getMessage().contains("STORAGE"), e.getMessage());
            h100.destroyImage(a);
            h100.destroyImage(b);
        }
    }

    @Test
    void linearDepthImagesAreTheProfilesToRefuse() {
        // The H100 made this one (random descriptors of SimMatchesDriverTest, seed 103982687728) and
        // refused linear D16/D32 images for TRANSFER_DST or depth attachment + sampled (its recording).
        ImageDescriptor source = ImageDescriptor.of(1415, 88, ImageFormat.D32_SFLOAT).withTiling(ImageTiling.LINEAR)
                .withUsage(EnumSet.of(ImageUsage.TRANSFER_SRC));
        ImageDescriptor destination = source.withUsage(EnumSet.of(ImageUsage.TRANSFER_DST));
        try (SimBackend h100 = new SimBackend(SimProfiles.load("nvidia-h100"), true);
             SimBackend llvmpipe = new SimBackend(SimProfiles.load("llvmpipe"), true)) {
            var a = h100.createImage(source);
            assertEquals(498432, a.requirements().size()); // rows of 1415 x 4 bytes padded to 5664
            assertEquals(32, a.requirements().alignment());
            assertEquals(0x1f, a.requirements().memoryTypeBits());
            h100.destroyImage(a);
            assertThrows(UnsupportedImageFormatException.class, () -> h100.createImage(destination));
            UnsupportedImageFormatException e = assertThrows(UnsupportedImageFormatException.class, () -> llvmpipe.createImage(source));
            assertTrue(e.getMessage().contains("D32_SFLOAT"), e.getMessage());
        }
    }

    /** An explicit format by its Vulkan name, or Lluvia's own for the names it makes (R8_SINT, R16G16_SFLOAT, ...). */
    private static ImageDescriptor descriptor(int width, int height, String format) {
        for (ImageFormat f : ImageFormat.values()) {
            if (f.name().equals(format)) {
                return ImageDescriptor.of(width, height, f);
            }
        }
        for (ChannelType t : ChannelType.values()) {
            for (int count = 1; count <= 4; count++) {
                ImageDescriptor d = ImageDescriptor.of(width, height, t, count);
                if (d.formatName().equals(format)) {
                    return d;
                }
            }
        }
        throw new AssertionError("no format " + format);
    }

    @Test
    void aUsageKeyNamingNoUsageIsRefusedNamingIt() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SimProfiles.load("nvidia-h100", Map.of("lluvia.sim.profile.buffer.alignment.SAMPLED", "64")));
        assertTrue(e.getMessage().contains("buffer.alignment.SAMPLED") && e.getMessage().contains("UNIFORM_BUFFER"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> SimProfiles.load("nvidia-h100", Map.of("lluvia.sim.profile.externalMemoryFd.memoryTypeBits", "0x40")));
        assertTrue(e.getMessage().contains("externalMemoryFd.memoryTypeBits"), e.getMessage());
    }

    @Test
    void anUnknownUsageKeyIsRefusedNamingIt() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new ImageLayout("tight", 1, 1, 1, 1, 1, 1,
                false, Map.of("SHINY", java.util.List.of("*")), 1, 1));
        assertTrue(e.getMessage().contains("SHINY"), e.getMessage());
    }

    @Test
    void exportableMemoriesArePlacedWhereTheProfileHasExternalMemoryAndExportFdSaysWhyNot() {
        try (Session s = Session.create(SessionOptions.defaults().withBackend("sim").withDevice("nvidia-h100"))) {
            Memory m = s.createMemory(MemoryOptions.of(EnumSet.of(MemoryPropertyFlag.DEVICE_LOCAL)).withExportable(true));
            Buffer b = m.createBuffer(1000);
            assertEquals(1008, b.allocationInfo().size());
            UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, () -> m.exportFd(0));
            assertTrue(e.getMessage().contains("file descriptor"), e.getMessage());
            b.close();
        }
        try (Session s = Session.create(SessionOptions.defaults().withBackend("sim").withDevice("mobile-noncoherent"))) {
            assertThrows(UnsupportedExternalMemoryException.class, () -> s.createMemory(
                    MemoryOptions.of(EnumSet.of(MemoryPropertyFlag.DEVICE_LOCAL)).withExportable(true)));
            assertEquals(0, s.memories().size());
            SimBackend sim = s.unwrap(SimBackend.class).orElseThrow();
            assertThrows(UnsupportedExternalMemoryException.class, () -> sim.createBuffer(BufferRequest.of(64, 0x20).withExportable(true)));
        }
    }
}
