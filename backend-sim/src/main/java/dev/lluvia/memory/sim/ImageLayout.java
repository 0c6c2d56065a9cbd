package dev.lluvia.memory.sim;

import dev.lluvia.memory.ImageDescriptor;

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
 *       most {@code maxBlockDepth}) covering the depth; the image is a whole number of blocks.</li>
 * </ul>
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
 * @param unsupported       format patterns refused ({@code UINT8x3}, {@code *x3}, {@code FLOAT64x*},
 *                          {@code *}), by image dimensions: key 0 for every dimension count, 1, 2, 3
 */
public record ImageLayout(String kind, long widthAlignment, long rowPitchAlignment, long heightAlignment,
                          long gobRows, long maxBlockHeight, long maxBlockDepth, boolean npotPixelPadding,
                          Map<Integer, List<String>> unsupported) {

    public ImageLayout {
        Objects.requireNonNull(kind, "kind");
        if (!List.of("tight", "pitch", "blockLinear").contains(kind)) {
            throw new IllegalArgumentException("image layout must be tight, pitch or blockLinear, was '" + kind + "'");
        }
        for (long v : new long[] {widthAlignment, rowPitchAlignment, heightAlignment, gobRows, maxBlockHeight, maxBlockDepth}) {
            if (v <= 0) {
                throw new IllegalArgumentException("image layout parameters must be positive, was " + v);
            }
        }
        unsupported = Map.copyOf(unsupported);
    }

    /** The tight layout that refuses nothing. */
    public static ImageLayout tight() {
        return new ImageLayout("tight", 1, 1, 1, 1, 1, 1, false, Map.of());
    }

    /** The bytes the driver lays out mip level 0 of one layer in, before the requirement rule rounds them. */
    public long bytes(ImageDescriptor d) {
        long pixel = d.pixelSize();
        return switch (kind) {
            case "pitch" -> {
                boolean npot = npotPixelPadding && Long.bitCount(pixel) != 1;
                long width = align(d.width(), widthAlignment) + (npot ? 1 : 0);
                long pitchAlignment = npot ? lcm(pixel, rowPitchAlignment) : rowPitchAlignment;
                long row = align(width * pixel, pitchAlignment);
                long rows = d.dimensions() > 1 ? align(d.height(), heightAlignment) : d.height();
                yield row * rows * d.depth();
            }
            case "blockLinear" -> {
                long row = align(d.width() * pixel, rowPitchAlignment);
                long blockRows = gobRows * blocks(d.height(), gobRows, maxBlockHeight);
                long blockDepth = d.depth() > 1 ? blocks(d.depth(), 1, maxBlockDepth) : 1;
                yield row * align(d.height(), blockRows) * align(d.depth(), blockDepth);
            }
            default -> (long) d.width() * d.height() * d.depth() * pixel;
        };
    }

    /** Whether the driver refuses the image's format for this tiling and dimension count. */
    public boolean refuses(ImageDescriptor d) {
        String format = (d.channelType().name() + "x" + d.channelCount()).toUpperCase(Locale.ROOT);
        for (int key : new int[] {0, d.dimensions()}) {
            for (String pattern : unsupported.getOrDefault(key, List.of())) {
                if (matches(pattern, format)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean matches(String pattern, String format) {
        String p = pattern.strip().toUpperCase(Locale.ROOT);
        if (p.equals("*")) {
            return true;
        }
        if (p.startsWith("*X")) {
            return format.endsWith(p.substring(1));
        }
        if (p.endsWith("X*")) {
            return format.startsWith(p.substring(0, p.length() - 1));
        }
        return p.equals(format);
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
