package dev.lluvia.memory;

/**
 * Explicit Vulkan image formats ({@code VkFormat}) for images that Lluvia's channel types do not
 * describe: normalized (UNORM, SNORM), sRGB, BGRA, packed and depth formats. An
 * {@link ImageDescriptor} has either one of these or Lluvia's {@link ChannelType} x channel count
 * (which name {@code _UINT}, {@code _SINT} and {@code _SFLOAT} formats).
 *
 * <p>Each format also gives the channel type and count its texels are stored as, so that
 * {@link ImageDescriptor#pixelSize()} and the bytes of {@code Image.write/read} are right: e.g.
 * {@code R8G8B8A8_SRGB} is stored as 4 x {@code UINT8}, {@code D32_SFLOAT} as 1 x {@code FLOAT32},
 * {@code X8_D24_UNORM_PACK32} as 1 x {@code UINT32}. Whether the device supports a format with an
 * image's tiling, usage, mip levels and layers is asked of the device when the image is created.
 */
public enum ImageFormat {
    /** {@code VK_FORMAT_R8_UNORM}: one 8-bit unsigned normalized channel. */
    R8_UNORM(9, ChannelType.UINT8, 1, false),
    /** {@code VK_FORMAT_R8G8_UNORM}: two 8-bit unsigned normalized channels. */
    R8G8_UNORM(16, ChannelType.UINT8, 2, false),
    /** {@code VK_FORMAT_R8G8B8A8_UNORM}: RGBA, 8-bit unsigned normalized. */
    R8G8B8A8_UNORM(37, ChannelType.UINT8, 4, false),
    /** {@code VK_FORMAT_R8G8B8A8_SNORM}: RGBA, 8-bit signed normalized. */
    R8G8B8A8_SNORM(38, ChannelType.INT8, 4, false),
    /** {@code VK_FORMAT_R8G8B8A8_SRGB}: RGBA, 8-bit, sRGB-encoded color. */
    R8G8B8A8_SRGB(43, ChannelType.UINT8, 4, false),
    /** {@code VK_FORMAT_B8G8R8A8_UNORM}: BGRA, 8-bit unsigned normalized. */
    B8G8R8A8_UNORM(44, ChannelType.UINT8, 4, false),
    /** {@code VK_FORMAT_B8G8R8A8_SRGB}: BGRA, 8-bit, sRGB-encoded color. */
    B8G8R8A8_SRGB(50, ChannelType.UINT8, 4, false),
    /** {@code VK_FORMAT_A2B10G10R10_UNORM_PACK32}: 10-bit RGB and 2-bit alpha packed in 32 bits. */
    A2B10G10R10_UNORM_PACK32(64, ChannelType.UINT32, 1, false),
    /** {@code VK_FORMAT_R16_UNORM}: one 16-bit unsigned normalized channel. */
    R16_UNORM(70, ChannelType.UINT16, 1, false),
    /** {@code VK_FORMAT_R16G16B16A16_UNORM}: RGBA, 16-bit unsigned normalized. */
    R16G16B16A16_UNORM(91, ChannelType.UINT16, 4, false),
    /** {@code VK_FORMAT_D16_UNORM}: 16-bit depth. */
    D16_UNORM(124, ChannelType.UINT16, 1, true),
    /** {@code VK_FORMAT_X8_D24_UNORM_PACK32}: 24-bit depth in 32 bits. */
    X8_D24_UNORM_PACK32(125, ChannelType.UINT32, 1, true),
    /** {@code VK_FORMAT_D32_SFLOAT}: 32-bit floating-point depth. */
    D32_SFLOAT(126, ChannelType.FLOAT32, 1, true);

    private final int vkFormat;
    private final ChannelType storedAs;
    private final int channelCount;
    private final boolean depth;

    ImageFormat(int vkFormat, ChannelType storedAs, int channelCount, boolean depth) {
        this.vkFormat = vkFormat;
        this.storedAs = storedAs;
        this.channelCount = channelCount;
        this.depth = depth;
    }

    /** {@return the {@code VkFormat} value} */
    public int vkFormat() {
        return vkFormat;
    }

    /** {@return the channel type a texel is stored as (what a transfer of it moves)} */
    public ChannelType channelType() {
        return storedAs;
    }

    /** {@return the number of stored channels of that type in one texel} */
    public int channelCount() {
        return channelCount;
    }

    /** {@return whether this is a depth format (aspect {@code DEPTH}); others are color formats} */
    public boolean isDepth() {
        return depth;
    }

    /** {@return whether this is an sRGB format} */
    public boolean isSrgb() {
        return name().endsWith("_SRGB");
    }
}
