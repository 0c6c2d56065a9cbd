package dev.lluvia.memory.vulkan;

import dev.lluvia.memory.ChannelType;

import static org.lwjgl.vulkan.VK10.*;

/**
 * Lluvia's image formats: a {@link ChannelType} and a channel count (1 to 4) name one
 * {@code VkFormat}, unsigned integers as {@code _UINT}, signed as {@code _SINT}, floats as
 * {@code _SFLOAT} ({@code FLOAT16} is {@code R16_SFLOAT}). Whether the device supports the format
 * for an image's tiling and usage is asked of the device when the image is created.
 */
final class VulkanFormats {

    /** By channel type ordinal, then channel count - 1. */
    private static final int[][] FORMATS = new int[ChannelType.values().length][];

    static {
        FORMATS[ChannelType.UINT8.ordinal()] = new int[]{VK_FORMAT_R8_UINT, VK_FORMAT_R8G8_UINT, VK_FORMAT_R8G8B8_UINT, VK_FORMAT_R8G8B8A8_UINT};
        FORMATS[ChannelType.INT8.ordinal()] = new int[]{VK_FORMAT_R8_SINT, VK_FORMAT_R8G8_SINT, VK_FORMAT_R8G8B8_SINT, VK_FORMAT_R8G8B8A8_SINT};
        FORMATS[ChannelType.UINT16.ordinal()] = new int[]{VK_FORMAT_R16_UINT, VK_FORMAT_R16G16_UINT, VK_FORMAT_R16G16B16_UINT, VK_FORMAT_R16G16B16A16_UINT};
        FORMATS[ChannelType.INT16.ordinal()] = new int[]{VK_FORMAT_R16_SINT, VK_FORMAT_R16G16_SINT, VK_FORMAT_R16G16B16_SINT, VK_FORMAT_R16G16B16A16_SINT};
        FORMATS[ChannelType.UINT32.ordinal()] = new int[]{VK_FORMAT_R32_UINT, VK_FORMAT_R32G32_UINT, VK_FORMAT_R32G32B32_UINT, VK_FORMAT_R32G32B32A32_UINT};
        FORMATS[ChannelType.INT32.ordinal()] = new int[]{VK_FORMAT_R32_SINT, VK_FORMAT_R32G32_SINT, VK_FORMAT_R32G32B32_SINT, VK_FORMAT_R32G32B32A32_SINT};
        FORMATS[ChannelType.FLOAT16.ordinal()] = new int[]{VK_FORMAT_R16_SFLOAT, VK_FORMAT_R16G16_SFLOAT, VK_FORMAT_R16G16B16_SFLOAT, VK_FORMAT_R16G16B16A16_SFLOAT};
        FORMATS[ChannelType.FLOAT32.ordinal()] = new int[]{VK_FORMAT_R32_SFLOAT, VK_FORMAT_R32G32_SFLOAT, VK_FORMAT_R32G32B32_SFLOAT, VK_FORMAT_R32G32B32A32_SFLOAT};
        FORMATS[ChannelType.FLOAT64.ordinal()] = new int[]{VK_FORMAT_R64_SFLOAT, VK_FORMAT_R64G64_SFLOAT, VK_FORMAT_R64G64B64_SFLOAT, VK_FORMAT_R64G64B64A64_SFLOAT};
    }

    private VulkanFormats() {
    }

    /** The {@code VkFormat} of {@code channelCount} channels of {@code type}. */
    static int format(ChannelType type, int channelCount) {
        if (channelCount < 1 || channelCount > 4) {
            throw new IllegalArgumentException("channelCount must be 1 to 4, was " + channelCount);
        }
        return FORMATS[type.ordinal()][channelCount - 1];
    }
}
