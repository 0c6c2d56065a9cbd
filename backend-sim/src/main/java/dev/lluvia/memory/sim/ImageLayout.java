package dev.lluvia.memory.sim;

import dev.lluvia.memory.ImageDescriptor;
import dev.lluvia.memory.ImageUsage;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * How a simulated driver lays out the pixels of images of one tiling, which decides the bytes the
 * image needs before its {@link RequirementRule} rounds them, and which formats it refuses. Three
 * layouts, each matching a real driver's answers over every channel type, channel count and the
 * sizes of {@code RequirementsDump}:
 * <ul>
 *   <li>{@code tight}: width x height x depth x pixel size (the rule's rounding does the rest).</li>
 *   <li>{@code pitch} (Mesa llvmpipe/lavapipe, both tilings): rows of
 *       {@code align(align(width, widthAlignment) x pixel size, rowPitchAlignment)} bytes; the row
 *       count is the height aligned to {@code heightAlignment} for 2D and 3D images, the height for
 *       1D; times depth.</li>
 *   <li>{@code blockLinear} (NVIDIA, optimal tiling): GOBs of {@code rowPitchAlignment} bytes x
 *       {@code gobRows} rows, stacked into blocks of the smallest power of two GOBs (at most
 *       {@code maxBlockHeight}) covering the height, and of the smallest power of two slices (at
 *       most {@code maxBlockDepth}) covering the depth; the image is a whole number of blocks.
 *       NVIDIA's 3D images: blocks one GOB high; with {@code DEPTH_STENCIL_ATTACHMENT} usage, not
 *       blocked in depth either.</li>
 * </ul>
 *
 * <p>An image's bytes are those of every mip level (each side halved, rounded down, at least 1)
 * of every array layer, each level laid out as above: Mesa's layout. NVIDIA's block-linear layout
 * differs in two ways, both fitted to the H100's and H200's answers ({@code RecordedDevicesTest}):
 * an image of more than one level gets room for its whole mip chain, down to 1x1x1, however many
 * levels it asks for; and the layers of such an image start on a block of its first level whose
 * height is the power of two of GOBs nearest (on a log scale) the image's height in GOBs.
 *
 * @param kind              tight, pitch or blockLinear
 * @param widthAlignment    pitch: the width, in pixels, is aligned to this first
 * @param rowPitchAlignment pitch and blockLinear: bytes of a row are aligned to this
 * @param heightAlignment   pitch: rows of 2D and 3D images are aligned to this
 * @param gobRows           blockLinear: rows of one GOB
 * @param maxBlockHeight    blockLinear: the most GOBs stacked in a block
 * @param maxBlockDepth     blockLinear: the most slices in a block
 * @param npotPixelPadding  pitch: pixels whose size is not a power of two (12-byte three-channel
 *                          32-bit formats) get one pixel of padding per row, and the row pitch is
 *                          aligned to whole pixels as well ({@code lcm(pixel, rowPitchAlignment)}),
 *                          as NVIDIA's linear images are
 * @param unsupported       format patterns refused: {@code UINT8x3}, {@code *x3}, {@code FLOAT64x*},
 *                          {@code *}, or an explicit format's Vulkan name ({@code B8G8R8A8_UNORM}, which
 *                          is refused whatever it is stored as, while {@code UINT8x4} refuses only
 *                          Lluvia's own {@code R8G8B8A8_UINT}); by key: {@code ""} for every image,
 *                          {@code 1D}, {@code 2D}, {@code 3D} for images of those dimensions, an
 *                          {@link ImageUsage} name for images with that usage
 * @param maxMipLevels      the most mip levels an image may have
 * @param maxArrayLayers    the most array layers an image may have
 * @param usageRowPitchAlignments pitch: by usage bit ({@code VkImageUsageFlagBits}), the row pitch
 *                          alignment of images with that usage when larger than {@code rowPitchAlignment},
 *                          as {@link RequirementRule#usageAlignments()} are for the requirement
 *                          (NVIDIA's linear rows: 32 bytes, 128 for transfer destinations and color
 *                          attachments); empty for none
 */
public record ImageLayout(String kind, long widthAlignment, long rowPitchAlignment, long heightAlignment,
                          long gobRows, long maxBlockHeight, long maxBlockDepth, boolean npotPixelPadding,
                          Map<String, List<String>> unsupported, int maxMipLevels, int maxArrayLayers,
                          List<RequirementRule.UsageAlignment> usageRowPitchAlignments) {

    /** A layout whose row pitch does not depend on the image's usage. */
    public ImageLayout(String kind, long widthAlignment, long rowPitchAlignment, long heightAlignment,
                       long gobRows, long maxBlockHeight, long maxBlockDepth, boolean npotPixelPadding,
                       Map<String, List<String>> unsupported, int maxMipLevels, int maxArrayLayers) {
        this(kind, widthAlignment, rowPitchAlignment, heightAlignment, gobRows, maxBlockHeight, maxBlockDepth,
                npotPixelPadding, unsupported, maxMipLevels, maxArrayLayers, List.of());
    }

    /** Keys of {@link #unsupported} besides the usage names. */
    public static final List<String> DIMENSION_KEYS = List.of("", "1D", "2D", "3D");

    public ImageLayout {
        Objects.requireNonNull(kind, "kind");
        if (!List.of("tight", "pitch", "blockLinear").contains(kind)) {
            throw new IllegalArgumentException("image layout must be tight, pitch or blockLinear, was '" + kind + "'");
        }
        for (long v : new long[] {widthAlignment, rowPitchAlignment, heightAlignment, gobRows, maxBlockHeight, maxBlockDepth,
                maxMipLevels, maxArrayLayers}) {
            if (v <= 0) {
                throw new IllegalArgumentException("image layout parameters must be positive, was " + v);
            }
        }
        for (String key : unsupported.keySet()) {
            if (!DIMENSION_KEYS.contains(key) && java.util.Arrays.stream(ImageUsage.values()).noneMatch(u -> u.name().equals(key))) {
                throw new IllegalArgumentException("unsupported formats are keyed by " + DIMENSION_KEYS
                        + " or an image usage name, not '" + key + "'");
            }
        }
        unsupported = Map.copyOf(unsupported);
        usageRowPitchAlignments = List.copyOf(usageRowPitchAlignments);
    }

    /** The tight layout that refuses nothing (but more than 2048 layers). */
    public static ImageLayout tight() {
        return new ImageLayout("tight", 1, 1, 1, 1, 1, 1, false, Map.of(), 32, 2048);
    }

    /**
     * The bytes the driver lays the image out in (every level of every layer), before the
     * requirement rule rounds them.
     */
    public long bytes(ImageDescriptor d) {
        boolean blockLinear = kind.equals("blockLinear");
        int levels = blockLinear && d.mipLevels() > 1 ? fullMipChain(d) : d.mipLevels();
        long layer = 0;
        for (int level = 0; level < levels; level++) {
            layer += levelBytes(d, Math.max(1, d.width() >> level), Math.max(1, d.height() >> level),
                    Math.max(1, d.depth() >> level));
        }
        if (blockLinear && d.arrayLayers() > 1) {
            layer = align(layer, rowPitchAlignment * gobRows * nearestBlockHeight(d.height()));
        }
        return layer * d.arrayLayers();
    }

    /** The levels of a whole mip chain: down to 1 on the longest side. */
    private static int fullMipChain(ImageDescriptor d) {
        long longest = Math.max(d.width(), Math.max(d.height(), d.depth()));
        return 64 - Long.numberOfLeadingZeros(longest);
    }

    /** The power of two GOBs nearest, on a log scale, {@code height} rows; 1 to {@code maxBlockHeight}. */
    private long nearestBlockHeight(long height) {
        long b = 1;
        // 2b is nearer than b when height / gobRows > b * sqrt(2).
        while (b < maxBlockHeight && height * height > 2 * b * b * gobRows * gobRows) {
            b *= 2;
        }
        return b;
    }

    private long levelBytes(ImageDescriptor d, long width, long height, long depth) {
        long pixel = d.pixelSize();
        return switch (kind) {
            case "pitch" -> {
                boolean npot = npotPixelPadding && Long.bitCount(pixel) != 1;
                long w = align(width, widthAlignment) + (npot ? 1 : 0);
                long rowAlignment = RequirementRule.UsageAlignment.largest(usageRowPitchAlignments,
                        ImageUsage.toBits(d.usage()), rowPitchAlignment);
                long pitchAlignment = npot ? lcm(pixel, rowAlignment) : rowAlignment;
                long row = align(w * pixel, pitchAlignment);
                long rows = d.dimensions() > 1 ? align(height, heightAlignment) : height;
                yield row * rows * depth;
            }
            case "blockLinear" -> {
                long row = align(width * pixel, rowPitchAlignment);
                // A 3D image's blocks are one GOB high: they grow in depth instead.
                long blockRows = d.depth() > 1 ? gobRows : gobRows * blocks(height, gobRows, maxBlockHeight);
                boolean depthAttachment = d.usage().contains(ImageUsage.DEPTH_STENCIL_ATTACHMENT);
                long blockDepth = depth > 1 && !depthAttachment ? blocks(depth, 1, maxBlockDepth) : 1;
                yield row * align(height, blockRows) * align(depth, blockDepth);
            }
            default -> width * height * depth * pixel;
        };
    }

    /** Whether the driver refuses the image (format, dimensions, usage, levels, layers) with this tiling. */
    public boolean refuses(ImageDescriptor d) {
        return whyRefused(d) != null;
    }

    /** Why the driver refuses the image with this tiling, or {@code null} if it does not. */
    public String whyRefused(ImageDescriptor d) {
        String lluvia = (d.channelType().name() + "x" + d.channelCount()).toUpperCase(Locale.ROOT);
        String explicit = d.format() == null ? null : d.format().name();
        List<String> keys = new java.util.ArrayList<>(List.of("", d.dimensions() + "D"));
        d.usage().forEach(u -> keys.add(u.name()));
        for (String key : keys) {
            for (String pattern : unsupported.getOrDefault(key, List.of())) {
                if (matches(pattern, lluvia, explicit)) {
                    return "format " + d.formatName() + " is not supported" + (key.isEmpty() ? ""
                            : key.endsWith("D") ? " in " + key + " images" : " with usage " + key);
                }
            }
        }
        if (d.mipLevels() > maxMipLevels) {
            return "at most " + maxMipLevels + " mip levels, not " + d.mipLevels();
        }
        if (d.arrayLayers() > maxArrayLayers) {
            return "at most " + maxArrayLayers + " array layers, not " + d.arrayLayers();
        }
        return null;
    }

    /**
     * A pattern names a format as Lluvia's {@code TYPExCOUNT} (with {@code *} for either part) or as
     * an explicit format's Vulkan name; explicit formats are matched by their Vulkan name, and by
     * their stored type and count only when they store the texels as the Lluvia format does
     * (e.g. {@code R8G8B8A8_UINT} and {@code R8G8B8A8_UNORM} are stored alike; an explicit format is
     * matched by {@code *x3}-style patterns, which are about the texel size and count).
     */
    private static boolean matches(String pattern, String lluvia, String explicit) {
        String p = pattern.strip().toUpperCase(Locale.ROOT);
        if (p.equals("*")) {
            return true;
        }
        if (p.startsWith("*X")) {
            return lluvia.endsWith(p.substring(1));
        }
        if (p.endsWith("X*")) {
            return lluvia.startsWith(p.substring(0, p.length() - 1));
        }
        return p.equals(explicit) || (explicit == null && p.equals(lluvia));
    }

    /** The smallest power of two units of {@code unit} covering {@code n}, at most {@code max}. */
    private static long blocks(long n, long unit, long max) {
        long b = 1;
        while (b * unit < n && b < max) {
            b *= 2;
        }
        return b;
    }

    private static long lcm(long a, long b) {
        return a / java.math.BigInteger.valueOf(a).gcd(java.math.BigInteger.valueOf(b)).longValue() * b;
    }

    private static long align(long v, long a) {
        return (v + a - 1) / a * a;
    }
}
