package dev.lluvia.memory.vulkan;

import dev.lluvia.memory.Image;
import dev.lluvia.memory.Memory;
import dev.lluvia.memory.MemoryUsage;
import dev.lluvia.memory.Session;
import dev.lluvia.memory.Statistics;
import dev.lluvia.memory.UnsupportedImageFormatException;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;
import static org.lwjgl.vulkan.VK10.*;
import static org.lwjgl.vulkan.VK11.VK_IMAGE_CREATE_2D_ARRAY_COMPATIBLE_BIT;
import static org.lwjgl.vulkan.VK11.VK_IMAGE_CREATE_BLOCK_TEXEL_VIEW_COMPATIBLE_BIT;
import static org.lwjgl.vulkan.VK11.VK_IMAGE_CREATE_EXTENDED_USAGE_BIT;

/**
 * The promise of {@link VulkanImageInfo}: whatever a create-info says, the library either makes
 * the image or refuses it with a typed exception before calling {@code vkCreateImage}, nothing
 * allocated; the validation layer never sees an invalid image. Seeded random create-infos (formats
 * plain, depth, compressed and unsupported; usages, flags, samples, tiling, levels, layers); the
 * seed is printed so that a failure can be replayed with {@code -Dlluvia.seed=N}.
 */
class VulkanCreateInfoPropertyTest {

    private static final int[] FORMATS = {VK_FORMAT_R8G8B8A8_UNORM, VK_FORMAT_R8G8B8A8_SRGB, VK_FORMAT_R32_SFLOAT,
            VK_FORMAT_R16G16B16A16_SFLOAT, VK_FORMAT_D32_SFLOAT, VK_FORMAT_D24_UNORM_S8_UINT, VK_FORMAT_D32_SFLOAT_S8_UINT,
            VK_FORMAT_BC1_RGB_UNORM_BLOCK, VK_FORMAT_BC3_UNORM_BLOCK, VK_FORMAT_BC7_SRGB_BLOCK, VK_FORMAT_ETC2_R8G8B8_UNORM_BLOCK,
            VK_FORMAT_ASTC_4x4_UNORM_BLOCK, VK_FORMAT_R8G8B8_UINT, VK_FORMAT_B8G8R8A8_UNORM, VK_FORMAT_A2B10G10R10_UNORM_PACK32};
    private static final int[] USAGES = {VK_IMAGE_USAGE_TRANSFER_SRC_BIT, VK_IMAGE_USAGE_TRANSFER_DST_BIT, VK_IMAGE_USAGE_SAMPLED_BIT,
            VK_IMAGE_USAGE_STORAGE_BIT, VK_IMAGE_USAGE_COLOR_ATTACHMENT_BIT, VK_IMAGE_USAGE_DEPTH_STENCIL_ATTACHMENT_BIT,
            VK_IMAGE_USAGE_TRANSIENT_ATTACHMENT_BIT, VK_IMAGE_USAGE_INPUT_ATTACHMENT_BIT};
    private static final int[] FLAGS = {VK_IMAGE_CREATE_MUTABLE_FORMAT_BIT, VK_IMAGE_CREATE_CUBE_COMPATIBLE_BIT,
            VK_IMAGE_CREATE_2D_ARRAY_COMPATIBLE_BIT, VK_IMAGE_CREATE_EXTENDED_USAGE_BIT, VK_IMAGE_CREATE_BLOCK_TEXEL_VIEW_COMPATIBLE_BIT};

    @Test
    void everyCreateInfoIsMadeOrRefusedBeforeTheDriverSeesIt() {
        long seed = Long.getLong("lluvia.seed", System.nanoTime());
        System.out.println("VulkanCreateInfoPropertyTest seed " + seed);
        Random random = new Random(seed);
        Session session = VulkanTestSupport.open(null);
        int made = 0, refused = 0;
        try (Memory memory = session.createMemory(MemoryUsage.DEVICE_ONLY)) {
            for (int i = 0; i < Integer.getInteger("lluvia.steps", 400); i++) {
                VulkanImageInfo info;
                try {
                    info = randomInfo(random);
                } catch (IllegalArgumentException e) {
                    refused++; // a rule the create-info itself states
                    continue;
                }
                Statistics before = memory.statistics();
                try {
                    Image image = memory.createImage(info);
                    assertEquals(info.format(), VulkanFormats.vkFormat(image));
                    image.close();
                    made++;
                } catch (IllegalArgumentException | UnsupportedImageFormatException e) { // a bad value, or one the device lacks
                    assertEquals(before, memory.statistics(), () -> "nothing allocated for " + info + ": " + e);
                    refused++;
                }
                VulkanBackend backend = VulkanTestSupport.backend(session);
                long messages = backend.validationErrorCount() + backend.validationWarningCount();
                final int step = i;
                assertEquals(0, messages, () -> "seed " + seed + ", step " + step + ": " + info + " reached the driver invalid:\n"
                        + String.join("\n", backend.validationMessages()));
            }
        } finally {
            VulkanTestSupport.closeAndAssertClean(session);
        }
        assertTrue(made > 20 && refused > 20, "both outcomes were tried: " + made + " made, " + refused + " refused");
    }

    private static VulkanImageInfo randomInfo(Random random) {
        int usage = 0;
        while ((usage & 0x3F) == 0) {
            usage = 0;
            for (int u : USAGES) {
                usage |= random.nextInt(3) == 0 ? u : 0;
            }
        }
        int flags = 0;
        for (int f : FLAGS) {
            flags |= random.nextInt(5) == 0 ? f : 0;
        }
        boolean cube = (flags & VK_IMAGE_CREATE_CUBE_COMPATIBLE_BIT) != 0 || random.nextInt(4) == 0;
        int size = cube || random.nextBoolean() ? 16 : 32;
        int type = (flags & VK_IMAGE_CREATE_2D_ARRAY_COMPATIBLE_BIT) != 0 || random.nextInt(8) == 0 ? VK_IMAGE_TYPE_3D : VK_IMAGE_TYPE_2D;
        int depth = type == VK_IMAGE_TYPE_3D ? 4 : 1;
        int layers = type == VK_IMAGE_TYPE_3D ? 1 : cube ? 6 : 1 + random.nextInt(2);
        int samples = new int[]{1, 1, 1, 2, 4, 8}[random.nextInt(6)];
        int levels = samples == 1 ? 1 + random.nextInt(3) : 1;
        int tiling = random.nextInt(4) == 0 ? VK_IMAGE_TILING_LINEAR : VK_IMAGE_TILING_OPTIMAL;
        int format = FORMATS[random.nextInt(FORMATS.length)];
        List<Integer> views = (flags & VK_IMAGE_CREATE_MUTABLE_FORMAT_BIT) != 0 && random.nextBoolean()
                ? List.of(format, FORMATS[random.nextInt(FORMATS.length)]) : List.of();
        return new VulkanImageInfo(flags, type, format, size, size, depth, levels, layers, samples, tiling, usage,
                VK_SHARING_MODE_EXCLUSIVE, List.of(), views, VK_IMAGE_LAYOUT_UNDEFINED, 0);
    }
}
