package dev.lluvia.memory.vulkan;

import dev.lluvia.memory.ChannelType;
import dev.lluvia.memory.Image;
import dev.lluvia.memory.ImageDescriptor;
import dev.lluvia.memory.ImageFormat;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Objects;

import static org.lwjgl.vulkan.VK10.*;

/**
 * The {@code VkFormat} of every image, for the program's {@code VkImageView}s, render passes and
 * copies. An image made from an {@link ImageDescriptor} has an explicit {@link ImageFormat} or
 * Lluvia's {@link ChannelType} x channel count (1 to 4), which names one format: unsigned integers
 * as {@code _UINT}, signed as {@code _SINT}, floats as {@code _SFLOAT} ({@code FLOAT16} is
 * {@code R16_SFLOAT}); an image made from a {@link VulkanImageInfo} has that create-info's format.
 * Whether the device supports a format for an image's tiling and usage is asked of the device when
 * the image is created.
 */
public final class VulkanFormats {

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

    /** The {@code VkFormat} of an image, however it was made. */
    public static int vkFormat(Image image) {
        Objects.requireNonNull(image, "image");
        if (image.backendInfo() instanceof VulkanImageInfo info) {
            return info.format();
        }
        return vkFormat(image.descriptor());
    }

    /** The {@code VkFormat} an image of {@code descriptor} has: its explicit format, else its channel type x count. */
    public static int vkFormat(ImageDescriptor descriptor) {
        Objects.requireNonNull(descriptor, "descriptor");
        return descriptor.format() != null ? descriptor.format().vkFormat()
                : format(descriptor.channelType(), descriptor.channelCount());
    }

    /**
     * The name of a {@code VkFormat} value as LWJGL spells its constant (e.g.
     * {@code VK_FORMAT_BC1_RGBA_UNORM_BLOCK}), or {@code "VkFormat <value>"} for one it does not know.
     * For messages.
     */
    public static String name(int vkFormat) {
        for (Class<?> c : new Class<?>[]{org.lwjgl.vulkan.VK10.class, org.lwjgl.vulkan.VK11.class, org.lwjgl.vulkan.VK13.class,
                org.lwjgl.vulkan.VK14.class}) {
            for (Field f : c.getFields()) {
                if (f.getName().startsWith("VK_FORMAT_") && f.getType() == int.class && Modifier.isStatic(f.getModifiers())
                        && !f.getName().startsWith("VK_FORMAT_FEATURE_")) {
                    try {
                        if (f.getInt(null) == vkFormat) {
                            return f.getName();
                        }
                    } catch (IllegalAccessException e) {
                        throw new AssertionError(e);
                    }
                }
            }
        }
        return "VkFormat " + vkFormat;
    }

    /** The {@code VkFormat} of {@code channelCount} channels of {@code type}. */
    static int format(ChannelType type, int channelCount) {
        if (channelCount < 1 || channelCount > 4) {
            throw new IllegalArgumentException("channelCount must be 1 to 4, was " + channelCount);
        }
        return FORMATS[type.ordinal()][channelCount - 1];
    }

    /** The explicit {@link ImageFormat} whose value is {@code vkFormat}, or null. */
    static ImageFormat imageFormat(int vkFormat) {
        for (ImageFormat f : ImageFormat.values()) {
            if (f.vkFormat() == vkFormat) {
                return f;
            }
        }
        return null;
    }

    /** The channel type whose formats hold {@code vkFormat} (its count is {@link #channelCount}), or null. */
    static ChannelType channelType(int vkFormat) {
        for (ChannelType t : ChannelType.values()) {
            for (int f : FORMATS[t.ordinal()]) {
                if (f == vkFormat) {
                    return t;
                }
            }
        }
        return null;
    }

    /** The channel count of a channel-type format ({@link #channelType} not null). */
    static int channelCount(int vkFormat) {
        ChannelType t = channelType(vkFormat);
        int[] formats = FORMATS[t.ordinal()];
        for (int i = 0; i < formats.length; i++) {
            if (formats[i] == vkFormat) {
                return i + 1;
            }
        }
        throw new IllegalArgumentException(name(vkFormat) + " is not a channel-type format");
    }
}
