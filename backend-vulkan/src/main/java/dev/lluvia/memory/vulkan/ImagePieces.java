package dev.lluvia.memory.vulkan;

import dev.lluvia.memory.ImageDescriptor;
import org.lwjgl.system.MemoryStack;
import org.lwjgl.vulkan.VkBufferImageCopy;

/**
 * An image cut into pieces of whole slices (when a slice fits in a chunk) or else of whole rows
 * of one slice, each at most a chunk (or one row, if a row is larger).
 */
final class ImagePieces {
    final ImageDescriptor d;
    final int texel;
    final long[] bounds;
    /** Slices per piece, or 0 when pieces are rows of one slice. */
    final int slicesPer;
    final int rowsPer;
    final int piecesPerSlice;

    /** What a direct copy's host offset must be a multiple of: the texel size and 4 (their least common multiple). */
    static int hostAlignment(ImageDescriptor d, int bytes) {
        final int texel = texel(d, bytes);
        return texel % 4 == 0 ? texel : texel % 2 == 0 ? 2 * texel : 4 * texel;
    }

    /** Bytes per texel of level 0 of {@code d} held in {@code bytes}. */
    static int texel(ImageDescriptor d, int bytes) {
        // A 2D array's layers are its slices (3D images have one layer): level 0 of each, packed.
        return (int) (bytes / ((long) d.width() * d.height() * d.depth() * d.arrayLayers()));
    }

    ImagePieces(ImageDescriptor d, int bytes, int chunk) {
        this.d = d;
        final int slices = d.depth() * d.arrayLayers();
        this.texel = texel(d, bytes);
        final long rowBytes = (long) d.width() * texel;
        final long sliceBytes = rowBytes * d.height();
        if (sliceBytes <= chunk) {
            slicesPer = (int) Math.max(1, chunk / sliceBytes);
            rowsPer = d.height();
            piecesPerSlice = 1;
            final int pieces = (slices + slicesPer - 1) / slicesPer;
            bounds = new long[pieces + 1];
            for (int i = 0; i < pieces; i++) {
                bounds[i] = i * slicesPer * sliceBytes;
            }
        } else {
            slicesPer = 0;
            rowsPer = (int) Math.max(1, chunk / rowBytes);
            piecesPerSlice = (d.height() + rowsPer - 1) / rowsPer;
            final int pieces = piecesPerSlice * slices;
            bounds = new long[pieces + 1];
            for (int i = 0; i < pieces; i++) {
                bounds[i] = (i / piecesPerSlice) * sliceBytes + (long) (i % piecesPerSlice) * rowsPer * rowBytes;
            }
        }
        bounds[bounds.length - 1] = bytes;
    }

    /** The region of piece {@code index}, its bytes at {@code hostOffset} of the host buffer. */
    VkBufferImageCopy.Buffer region(MemoryStack stack, int index, long hostOffset) {
        final int x = 0;
        final int y;
        final int z;
        final int h;
        final int depth;
        if (slicesPer > 0) {
            y = 0;
            h = d.height();
            z = index * slicesPer;
            depth = Math.min(slicesPer, d.depth() * d.arrayLayers() - z);
        } else {
            z = index / piecesPerSlice;
            y = (index % piecesPerSlice) * rowsPer;
            h = Math.min(rowsPer, d.height() - y);
            depth = 1;
        }
        final boolean layered = d.arrayLayers() > 1;
        VkBufferImageCopy.Buffer region = VkBufferImageCopy.calloc(1, stack);
        region.get(0).bufferOffset(hostOffset).bufferRowLength(0).bufferImageHeight(0)
                .imageSubresource(s -> s.aspectMask(TransferCommands.aspect(d)).mipLevel(0)
                        .baseArrayLayer(layered ? z : 0).layerCount(layered ? depth : 1))
                .imageOffset(o -> o.set(x, y, layered ? 0 : z))
                .imageExtent(e -> e.set(d.width(), h, layered ? 1 : depth));
        return region;
    }
}
