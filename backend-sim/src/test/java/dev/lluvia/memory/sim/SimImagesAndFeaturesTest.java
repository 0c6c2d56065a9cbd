package dev.lluvia.memory.sim;

import dev.lluvia.memory.Buffer;
import dev.lluvia.memory.BufferUsage;
import dev.lluvia.memory.ChannelType;
import dev.lluvia.memory.DeviceFeature;
import dev.lluvia.memory.Image;
import dev.lluvia.memory.ImageDescriptor;
import dev.lluvia.memory.ImageFormat;
import dev.lluvia.memory.ImageTiling;
import dev.lluvia.memory.ImageUsage;
import dev.lluvia.memory.Memory;
import dev.lluvia.memory.MemoryPropertyFlag;
import dev.lluvia.memory.Session;
import dev.lluvia.memory.SessionOptions;
import dev.lluvia.memory.UnsupportedFeatureException;
import dev.lluvia.memory.UnsupportedImageFormatException;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

/**
 * What the sim does for the parts of the API real programs need: explicit image formats, mip
 * levels and array layers with the drivers' shared rules, device features from the profile, and
 * device addresses of buffers; so the contract suite can stay backend independent.
 */
class SimImagesAndFeaturesTest {

    /** Some tests leave objects for the session's close to free: its leak report is kept off stderr. */
    @org.junit.jupiter.api.extension.RegisterExtension
    final dev.lluvia.memory.testing.CapturedLog log =
            dev.lluvia.memory.testing.CapturedLog.leakReports();

    private static Session open(String profile, DeviceFeature... features) {
        return Session.create(SessionOptions.defaults().withBackend("sim").withDevice(profile).withFeatures(features));
    }

    @Test
    void requirementsCoverEveryLevelOfEveryLayerAndTransfersMoveLevelZeroOfEachLayer() {
        try (Session s = open("nvidia-h100")) {
            SimBackend sim = s.unwrap(SimBackend.class).orElseThrow();
            Memory memory = s.createMemory(EnumSet.of(MemoryPropertyFlag.DEVICE_LOCAL));
            ImageDescriptor d = ImageDescriptor.of(64, 32, ImageFormat.R8G8B8A8_UNORM).withMipLevels(7).withArrayLayers(3);
            Image image = memory.createImage(d);
            assertEquals(sim.profile().optimalImage().requirements(sim.profile().optimalLayout().bytes(d)).size(),
                    image.allocationInfo().size());
            assertTrue(image.allocationInfo().size() >= d.byteSizeAllLevels());
            assertEquals(ImageFormat.R8G8B8A8_UNORM, image.format());
            assertTrue(image.toString().contains("R8G8B8A8_UNORM") && image.toString().contains("7 levels")
                    && image.toString().contains("3 layers"), image.toString());
            ByteBuffer pixels = ByteBuffer.allocateDirect((int) d.byteSize());
            for (int i = 0; i < pixels.capacity(); i++) {
                pixels.put(i, (byte) (i * 7 + 3));
            }
            image.write(pixels.duplicate());
            ByteBuffer back = ByteBuffer.allocateDirect((int) d.byteSize());
            image.read(back);
            assertEquals(pixels, back.flip());
            Referee.assertConsistent(s, "after images with levels and layers");
        }
    }

    @Test
    void formatsTheDriversRefuseAreRefusedNamingThemWithNothingAllocated() {
        try (Session s = open("llvmpipe")) {
            Memory memory = s.createMemory(EnumSet.of(MemoryPropertyFlag.DEVICE_LOCAL));
            Set<ImageUsage> depthUse = EnumSet.of(ImageUsage.DEPTH_STENCIL_ATTACHMENT, ImageUsage.TRANSFER_DST);
            List<ImageDescriptor> refused = List.of(
                    ImageDescriptor.of(16, 16, ImageFormat.D32_SFLOAT),                                   // storage
                    ImageDescriptor.of(16, 16, ImageFormat.D16_UNORM).withUsage(depthUse).withTiling(ImageTiling.LINEAR),
                    ImageDescriptor.of(16, 16, ImageFormat.R8G8B8A8_SRGB),                                // storage
                    ImageDescriptor.of(16, 16, ChannelType.UINT8).withUsage(depthUse),
                    ImageDescriptor.of(16, 16, ChannelType.FLOAT32, 3).withTiling(ImageTiling.LINEAR),     // storage
                    ImageDescriptor.of(16, 16, ChannelType.UINT16, 3).withUsage(EnumSet.of(ImageUsage.SAMPLED)),
                    ImageDescriptor.of(16, 16, ChannelType.UINT8).withArrayLayers(2049));
            for (ImageDescriptor d : refused) {
                UnsupportedImageFormatException e = assertThrows(UnsupportedImageFormatException.class,
                        () -> memory.createImage(d), d.toString());
                assertTrue(e.getMessage().contains(d.formatName()), e.getMessage());
                assertEquals(0, memory.pageCount(), "nothing allocated for " + d);
            }
            assertNotNull(memory.createImage(ImageDescriptor.of(16, 16, ImageFormat.D32_SFLOAT).withUsage(depthUse)));
            assertNotNull(memory.createImage(ImageDescriptor.of(16, 16, ImageFormat.R8G8B8A8_SRGB)
                    .withUsage(EnumSet.of(ImageUsage.SAMPLED, ImageUsage.TRANSFER_DST))));
        }
    }

    @Test
    void featuresComeFromTheProfile() {
        try (Session s = open("nvidia-h100", DeviceFeature.BUFFER_DEVICE_ADDRESS, DeviceFeature.MEMORY_PRIORITY)) {
            assertEquals(EnumSet.allOf(DeviceFeature.class), s.enabledFeatures());
        }
        try (Session s = open("llvmpipe")) {
            assertEquals(Set.of(DeviceFeature.DEDICATED_ALLOCATION), s.enabledFeatures(), "llvmpipe has no memory budget");
        }
        UnsupportedFeatureException e = assertThrows(UnsupportedFeatureException.class,
                () -> open("llvmpipe", DeviceFeature.MEMORY_PRIORITY));
        assertEquals(DeviceFeature.MEMORY_PRIORITY, e.feature());
        assertTrue(e.getMessage().contains("MEMORY_PRIORITY") && e.getMessage().contains("llvmpipe"), e.getMessage());
        // A profile key override turns a feature on.
        try (Session s = Session.create(SessionOptions.defaults().withBackend("sim").withDevice("mobile-noncoherent")
                .withProperty(SimProfiles.OVERRIDE_PREFIX + "features", "BUFFER_DEVICE_ADDRESS")
                .withFeatures(DeviceFeature.BUFFER_DEVICE_ADDRESS))) {
            assertTrue(s.enabledFeatures().contains(DeviceFeature.BUFFER_DEVICE_ADDRESS));
        }
    }

    @Test
    void deviceAddressesArePageAddressPlusOffsetAndUniqueAcrossPages() {
        try (Session s = open("nvidia-h100", DeviceFeature.BUFFER_DEVICE_ADDRESS)) {
            Set<BufferUsage> usage = EnumSet.of(BufferUsage.STORAGE_BUFFER, BufferUsage.SHADER_DEVICE_ADDRESS);
            Memory small = s.createMemory(EnumSet.of(MemoryPropertyFlag.DEVICE_LOCAL), 1 << 16);
            Buffer a = small.createBuffer(1000, usage);
            Buffer b = small.createBuffer(1000, usage);
            Buffer c = small.createBuffer(1 << 17, usage); // a page of its own
            assertEquals(a.pageHandle(), b.pageHandle());
            assertNotEquals(a.pageHandle(), c.pageHandle());
            assertEquals(b.allocationInfo().offset() - a.allocationInfo().offset(), b.deviceAddress() - a.deviceAddress());
            assertTrue(a.deviceAddress() >= SimPages.PAGE_ADDRESS_BASE);
            long ca = c.deviceAddress();
            assertTrue(ca + c.size() <= a.deviceAddress() || a.deviceAddress() + small.pageSize() <= ca,
                    "pages have disjoint address ranges");
        }
    }
}
