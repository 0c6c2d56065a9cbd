package dev.lluvia.memory;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * The shape and format of an {@link Image}: width x height x depth pixels of {@code channelCount}
 * channels of {@code channelType}, or of an explicit {@link ImageFormat}, with {@code mipLevels}
 * mip levels and {@code arrayLayers} layers. Lluvia's defaults: depth 1, one channel, one level,
 * one layer, optimal tiling and usage {@link ImageUsage#DEFAULT}.
 *
 * <p>The constructor rejects what no device accepts (a zero dimension, 0 or 5 channels, more mip
 * levels than the largest side allows, a 3D image with layers); the device's own limits and
 * format support are checked when the image is created.
 *
 * @param width       texels, at least 1
 * @param height      texels, at least 1
 * @param depth       texels, at least 1
 * @param channelType what each channel is stored as
 * @param channelCount 1 to 4
 * @param tiling      optimal (the driver's layout) or linear (rows in order)
 * @param usage       what the image is for; not empty
 * @param format      an explicit format, or {@code null} for Lluvia's {@code channelType} x
 *                    {@code channelCount}; when given, {@code channelType} and {@code channelCount}
 *                    are what its texels are stored as ({@link ImageFormat#channelType()})
 * @param mipLevels   1 to {@code floor(log2(max(width, height, depth))) + 1}
 * @param arrayLayers 1 or more; 1 for 3D images
 */
public record ImageDescriptor(int width, int height, int depth, ChannelType channelType,
                              int channelCount, ImageTiling tiling, Set<ImageUsage> usage,
                              ImageFormat format, int mipLevels, int arrayLayers) {

    /**
     * A descriptor of Lluvia's channel type x count, one level, one layer.
     *
     * @param width texels, at least 1
     * @param height texels, at least 1
     * @param depth texels, at least 1
     * @param channelType what each channel is stored as
     * @param channelCount 1 to 4
     * @param tiling optimal (the driver's layout) or linear (rows in order)
     * @param usage what the image is for; not empty
     */
    public ImageDescriptor(int width, int height, int depth, ChannelType channelType,
                           int channelCount, ImageTiling tiling, Set<ImageUsage> usage) {
        this(width, height, depth, channelType, channelCount, tiling, usage, null, 1, 1);
    }

    /**
     * Checks the components.
     *
     * @param width texels, at least 1
     * @param height texels, at least 1
     * @param depth texels, at least 1
     * @param channelType what each channel is stored as
     * @param channelCount 1 to 4
     * @param tiling optimal (the driver's layout) or linear (rows in order)
     * @param usage what the image is for; not empty
     * @param format an explicit format, or {@code null} for Lluvia's {@code channelType} x
     *               {@code channelCount}; when given, {@code channelType} and {@code channelCount} are what its texels
     *               are stored as ({@link ImageFormat#channelType()})
     * @param mipLevels 1 to {@code floor(log2(max(width, height, depth))) + 1}
     * @param arrayLayers 1 or more; 1 for 3D images
     * @throws IllegalArgumentException naming the first component out of its range
     * @throws NullPointerException     if {@code channelType}, {@code tiling} or {@code usage} is null
     */
    public ImageDescriptor {
        requirePositive("width", width);
        requirePositive("height", height);
        requirePositive("depth", depth);
        Objects.requireNonNull(channelType, "channelType");
        if (channelCount < 1 || channelCount > 4) {
            throw new IllegalArgumentException("channelCount must be 1 to 4, was " + channelCount);
        }
        Objects.requireNonNull(tiling, "tiling");
        Objects.requireNonNull(usage, "usage");
        if (usage.isEmpty()) {
            throw new IllegalArgumentException("image usage must not be empty");
        }
        usage = Collections.unmodifiableSet(EnumSet.copyOf(usage));
        if (format != null && (format.channelType() != channelType || format.channelCount() != channelCount)) {
            throw new IllegalArgumentException("format " + format + " is stored as " + format.channelType() + " x "
                    + format.channelCount() + ", not " + channelType + " x " + channelCount);
        }
        int largest = Math.max(width, Math.max(height, depth));
        int maxLevels = 32 - Integer.numberOfLeadingZeros(largest);
        if (mipLevels < 1 || mipLevels > maxLevels) {
            throw new IllegalArgumentException("mipLevels must be 1 to " + maxLevels + " for a " + width + "x" + height
                    + "x" + depth + " image, was " + mipLevels);
        }
        if (arrayLayers < 1) {
            throw new IllegalArgumentException("arrayLayers must be positive, was " + arrayLayers);
        }
        if (arrayLayers > 1 && depth > 1) {
            throw new IllegalArgumentException("a 3D image (depth " + depth + ") has one array layer, not " + arrayLayers);
        }
    }

    /**
     * {@return a 2D image of an explicit format, one level, one layer, optimal tiling, usage {@link ImageUsage#DEFAULT}}
     *
     * @param width texels, at least 1
     * @param height texels, at least 1
     * @param format the Vulkan format
     */
    public static ImageDescriptor of(int width, int height, ImageFormat format) {
        java.util.Objects.requireNonNull(format, "format");
        return new ImageDescriptor(width, height, 1, format.channelType(), format.channelCount(), ImageTiling.OPTIMAL,
                ImageUsage.DEFAULT, format, 1, 1);
    }

    /**
     * {@return this descriptor with {@code levels} mip levels}
     *
     * @param levels 1 to {@code floor(log2(max(width, height, depth))) + 1}
     */
    public ImageDescriptor withMipLevels(int levels) {
        return new ImageDescriptor(width, height, depth, channelType, channelCount, tiling, usage, format, levels, arrayLayers);
    }

    /**
     * {@return this descriptor with {@code layers} array layers}
     *
     * @param layers 1 or more; 1 for 3D images
     */
    public ImageDescriptor withArrayLayers(int layers) {
        return new ImageDescriptor(width, height, depth, channelType, channelCount, tiling, usage, format, mipLevels, layers);
    }

    /** {@return the Vulkan name of the format, without {@code VK_FORMAT_}: the explicit one, or Lluvia's (e.g. {@code R8G8B8A8_UINT})} */
    public String formatName() {
        if (format != null) {
            return format.name();
        }
        String[] parts = {"R", "G", "B", "A"};
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < channelCount; i++) {
            sb.append(parts[i]).append(channelType.byteSize() * 8);
        }
        return sb.append(channelType.isFloatingPoint() ? "_SFLOAT" : channelType.isSigned() ? "_SINT" : "_UINT").toString();
    }

    /**
     * {@return bytes of every level of every layer, tightly packed (each level's sides halved, rounded down,
     * at least 1): what a device must hold for the image at the least}
     */
    public long byteSizeAllLevels() {
        long total = 0;
        for (int level = 0; level < mipLevels; level++) {
            total += (long) Math.max(1, width >> level) * Math.max(1, height >> level) * Math.max(1, depth >> level);
        }
        return total * pixelSize() * arrayLayers;
    }

    /**
     * {@return a 2D image of one channel with Lluvia's defaults}
     *
     * @param width texels, at least 1
     * @param height texels, at least 1
     * @param channelType what the one channel is stored as
     */
    public static ImageDescriptor of(int width, int height, ChannelType channelType) {
        return new ImageDescriptor(width, height, 1, channelType, 1, ImageTiling.OPTIMAL, ImageUsage.DEFAULT);
    }

    /**
     * {@return a 2D image of {@code channelCount} channels with Lluvia's defaults}
     *
     * @param width texels, at least 1
     * @param height texels, at least 1
     * @param channelType what each channel is stored as
     * @param channelCount 1 to 4
     */
    public static ImageDescriptor of(int width, int height, ChannelType channelType, int channelCount) {
        return new ImageDescriptor(width, height, 1, channelType, channelCount, ImageTiling.OPTIMAL, ImageUsage.DEFAULT);
    }

    /** Returns this descriptor with depth {@code newDepth} (a 3D image when above 1).
     *
     * @param newDepth texels, at least 1
     * @return the changed copy
     */
    public ImageDescriptor withDepth(int newDepth) {
        return new ImageDescriptor(width, height, newDepth, channelType, channelCount, tiling, usage, format, mipLevels, arrayLayers);
    }

    /**
     * {@return this descriptor with {@code newChannelCount} channels of its channel type (and no explicit format)}
     *
     * @param newChannelCount 1 to 4
     */
    public ImageDescriptor withChannelCount(int newChannelCount) {
        return new ImageDescriptor(width, height, depth, channelType, newChannelCount, tiling, usage, null, mipLevels, arrayLayers);
    }

    /** Returns this descriptor with another tiling.
     *
     * @param newTiling optimal or linear
     * @return the changed copy
     */
    public ImageDescriptor withTiling(ImageTiling newTiling) {
        return new ImageDescriptor(width, height, depth, channelType, channelCount, newTiling, usage, format, mipLevels, arrayLayers);
    }

    /** Returns this descriptor with another usage.
     *
     * @param newUsage what the image is for; not empty
     * @return the changed copy
     */
    public ImageDescriptor withUsage(Set<ImageUsage> newUsage) {
        return new ImageDescriptor(width, height, depth, channelType, channelCount, tiling, newUsage, format, mipLevels, arrayLayers);
    }

    /**
     * 1, 2 or 3: the number of dimensions larger than one (depth counts only when above 1).
     *
     * @return 1, 2 or 3
     */
    public int dimensions() {
        return depth > 1 ? 3 : height > 1 ? 2 : 1;
    }

    /** {@return bytes of one pixel: channel size times channel count} */
    public int pixelSize() {
        return channelType.byteSize() * channelCount;
    }

    /**
     * {@return bytes of mip level 0 of every array layer, tightly packed, layer after layer: what
     * {@code Image.write/read} move} Other levels are the program's to fill (e.g. by blits).
     */
    public long byteSize() {
        return (long) width * height * depth * pixelSize() * arrayLayers;
    }

    private static void requirePositive(String what, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException("image " + what + " must be positive, was " + value);
        }
    }
}
