package dev.lluvia.memory;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * The shape and format of an {@link Image}: width x height x depth pixels of {@code channelCount}
 * channels of {@code channelType}. Lluvia's defaults: depth 1, one channel, optimal tiling and
 * usage {@link ImageUsage#DEFAULT}.
 *
 * <p>The constructor rejects what no device accepts (a zero dimension, 0 or 5 channels); the
 * device's own limits are checked when the image is created.
 */
public record ImageDescriptor(int width, int height, int depth, ChannelType channelType,
                              int channelCount, ImageTiling tiling, Set<ImageUsage> usage) {

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
    }

    /** A 2D image of one channel with Lluvia's defaults. */
    public static ImageDescriptor of(int width, int height, ChannelType channelType) {
        return new ImageDescriptor(width, height, 1, channelType, 1, ImageTiling.OPTIMAL, ImageUsage.DEFAULT);
    }

    /** A 2D image of {@code channelCount} channels with Lluvia's defaults. */
    public static ImageDescriptor of(int width, int height, ChannelType channelType, int channelCount) {
        return new ImageDescriptor(width, height, 1, channelType, channelCount, ImageTiling.OPTIMAL, ImageUsage.DEFAULT);
    }

    public ImageDescriptor withDepth(int newDepth) {
        return new ImageDescriptor(width, height, newDepth, channelType, channelCount, tiling, usage);
    }

    public ImageDescriptor withChannelCount(int newChannelCount) {
        return new ImageDescriptor(width, height, depth, channelType, newChannelCount, tiling, usage);
    }

    public ImageDescriptor withTiling(ImageTiling newTiling) {
        return new ImageDescriptor(width, height, depth, channelType, channelCount, newTiling, usage);
    }

    public ImageDescriptor withUsage(Set<ImageUsage> newUsage) {
        return new ImageDescriptor(width, height, depth, channelType, channelCount, tiling, newUsage);
    }

    /** 1, 2 or 3: the number of dimensions larger than one (depth counts only when above 1). */
    public int dimensions() {
        return depth > 1 ? 3 : height > 1 ? 2 : 1;
    }

    /** Bytes of one pixel: channel size times channel count. */
    public int pixelSize() {
        return channelType.byteSize() * channelCount;
    }

    /** Bytes of all pixels, tightly packed (what a transfer of the whole image moves). */
    public long byteSize() {
        return (long) width * height * depth * pixelSize();
    }

    private static void requirePositive(String what, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException("image " + what + " must be positive, was " + value);
        }
    }
}
