package dev.lluvia.memory.sim;

import dev.lluvia.memory.ChannelType;
import dev.lluvia.memory.ImageDescriptor;
import dev.lluvia.memory.ImageTiling;
import dev.lluvia.memory.spi.MemoryRequirements;
import dev.lluvia.memory.spi.Resource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The requirement rules reproduce every point measured on the real H100 and llvmpipe. */
class RequirementRuleTest {

    private static MemoryRequirements image(SimBackend b, ImageDescriptor d) {
        Resource r = b.createImage(d);
        b.destroyImage(r);
        return r.requirements();
    }

    private static MemoryRequirements buffer(SimBackend b, long size) {
        Resource r = b.createBuffer(size, 0x23);
        b.destroyBuffer(r);
        return r.requirements();
    }

    @ParameterizedTest
    @ValueSource(strings = {"nvidia-h100", "llvmpipe"})
    void optimalImageSizesAreTheMeasuredOnes(String profile) {
        try (SimBackend b = new SimBackend(SimProfiles.load(profile), true)) {
            assertEquals(2048, image(b, ImageDescriptor.of(32, 32, ChannelType.UINT8)).size());
            assertEquals(4096, image(b, ImageDescriptor.of(32, 32, ChannelType.UINT8, 4)).size());
            assertEquals(4096, image(b, ImageDescriptor.of(32, 32, ChannelType.FLOAT32)).size());
            assertEquals(409_600, image(b, ImageDescriptor.of(640, 640, ChannelType.UINT8)).size());
            assertEquals(14_745_600, image(b, ImageDescriptor.of(1920, 1920, ChannelType.UINT8, 4)).size());
        }
    }

    @Test
    void h100RequirementsAreTheMeasuredOnes() {
        try (SimBackend b = new SimBackend(SimProfiles.load("nvidia-h100"), true)) {
            assertEquals(new MemoryRequirements(1024, 16, 0x1f, false, false), buffer(b, 1024));
            MemoryRequirements img = image(b, ImageDescriptor.of(32, 32, ChannelType.UINT8));
            assertEquals(1024, img.alignment());
            assertEquals(0x3, img.memoryTypeBits());
            assertFalse(img.prefersDedicated());
            // Recorded from the driver (cli/src/test/resources/devices/): rows of 128 bytes, alignment 128.
            MemoryRequirements linear = image(b, ImageDescriptor.of(32, 32, ChannelType.UINT8).withTiling(ImageTiling.LINEAR));
            assertEquals(new MemoryRequirements(4096, 128, 0x1f, false, false), linear);
            Resource uniform = b.createBuffer(1, 0x10);
            b.destroyBuffer(uniform);
            assertEquals(new MemoryRequirements(64, 64, 0x1f, false, false), uniform.requirements(), "1-byte UNIFORM_BUFFER");
        }
    }

    @Test
    void llvmpipeRequirementsAreTheMeasuredOnes() {
        try (SimBackend b = new SimBackend(SimProfiles.load("llvmpipe"), true)) {
            MemoryRequirements buf = buffer(b, 1024);
            assertEquals(1024, buf.size());
            assertEquals(64, buf.alignment());
            assertEquals(0x1, buf.memoryTypeBits());
            MemoryRequirements img = image(b, ImageDescriptor.of(32, 32, ChannelType.UINT8));
            assertEquals(16, img.alignment());
            assertEquals(0x1, img.memoryTypeBits());
        }
    }

    @Test
    void sizesRoundUpToTheGranularityAndMinimum() {
        RequirementRule rule = new RequirementRule(1024, 1024, 2048, 0x3, 0, 0);
        assertEquals(2048, rule.size(1));
        assertEquals(2048, rule.size(2048));
        assertEquals(3072, rule.size(2049));
        RequirementRule buffers = new RequirementRule(16, 16, 0, 0x1f, 0, 0);
        assertEquals(16, buffers.size(1));
        assertEquals(1040, buffers.size(1025));
    }

    @Test
    void dedicatedThresholdsAreOffByDefaultAndReportedWhenSet() {
        RequirementRule rule = new RequirementRule(1024, 1024, 2048, 0x3, 1 << 20, 64 << 20);
        assertFalse(rule.requirements(1 << 20).prefersDedicated());
        assertTrue(rule.requirements((1 << 20) + 1).prefersDedicated());
        assertFalse(rule.requirements((1 << 20) + 1).requiresDedicated());
        MemoryRequirements huge = rule.requirements((64L << 20) + 1);
        assertTrue(huge.requiresDedicated() && huge.prefersDedicated());

        for (String profile : SimProfiles.names()) {
            SimProfile p = SimProfiles.load(profile);
            assertEquals(0, p.optimalImage().prefersDedicatedAbove(), profile);
            assertEquals(0, p.buffer().requiresDedicatedAbove(), profile);
        }
    }

    @Test
    void invalidRulesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new RequirementRule(24, 24, 0, 1, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new RequirementRule(16, 0, 0, 1, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new RequirementRule(16, 16, 0, 0, 0, 0));
    }
}
