package dev.lluvia.memory.vulkan;

import dev.lluvia.memory.ImageDescriptor;
import org.lwjgl.system.MemoryStack;
import org.lwjgl.vulkan.VkBufferCopy;
import org.lwjgl.vulkan.VkCommandBuffer;
import org.lwjgl.vulkan.VkImageCopy;
import org.lwjgl.vulkan.VkImageMemoryBarrier;
import org.lwjgl.vulkan.VkMemoryBarrier;

import static org.lwjgl.vulkan.VK10.*;

/**
 * What a transfer records: each transfer is a {@link Cut}, its host bytes in pieces, with the
 * {@link Piece} that records one piece's copy and the barriers around it. Made here for buffers
 * and images in both directions and for device-to-device copies; the {@link TransferQueue} runs
 * them through a mapped page, imported memory or the {@link StagingRing}.
 *
 * <p>Barriers: each piece's command buffer first waits for earlier device work on the target (all
 * commands, memory writes, to transfer); pieces of one transfer touch disjoint ranges, so they
 * need nothing between them. After a copy into host memory, transfer writes are made visible to
 * host reads. Images move to {@code TRANSFER_*_OPTIMAL} in the first piece and to
 * {@code VK_IMAGE_LAYOUT_GENERAL} in the last; the library keeps one layout per image.
 */
final class TransferCommands {

    private TransferCommands() {
    }

    /** Records the device copy of one piece; {@code host} is the buffer holding the piece at {@code hostOffset}. */
    interface Piece {
        void record(MemoryStack stack, VkCommandBuffer cmd, long host, long hostOffset, int index, boolean first, boolean last);
    }

    /**
     * A transfer cut in pieces of at most some chunk of bytes: piece i is host bytes bounds[i] to
     * bounds[i + 1], recorded by {@code piece}. Staging cuts at {@link TransferQueue#CHUNK}, direct
     * copies at {@link TransferQueue#DIRECT_CHUNK}.
     */
    record Cut(long[] bounds, Piece piece) {
    }

    /** {@code total} bytes from the host into {@code buffer} at {@code offset}, cut every {@code chunk} bytes. */
    static Cut toBuffer(long buffer, long offset, int total, int chunk) {
        return new Cut(chunkBoundaries(total, chunk), (stack, cmd, host, hostOffset, index, first, last) -> {
            // Earlier device work on this buffer (shaders, earlier copies) finishes first.
            memoryBarrier(stack, cmd, VK_PIPELINE_STAGE_ALL_COMMANDS_BIT, VK_ACCESS_MEMORY_WRITE_BIT | VK_ACCESS_MEMORY_READ_BIT,
                    VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_WRITE_BIT);
            hostCopy(stack, cmd, host, hostOffset, buffer, offset + (long) index * chunk, pieceSize(total, chunk, index), hostOffset);
        });
    }

    /** {@code total} bytes of {@code buffer} from {@code offset} to the host, cut every {@code chunk} bytes. */
    static Cut fromBuffer(long buffer, long offset, int total, int chunk) {
        return new Cut(chunkBoundaries(total, chunk), (stack, cmd, host, hostOffset, index, first, last) -> {
            memoryBarrier(stack, cmd, VK_PIPELINE_STAGE_ALL_COMMANDS_BIT, VK_ACCESS_MEMORY_WRITE_BIT,
                    VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_READ_BIT | VK_ACCESS_TRANSFER_WRITE_BIT);
            hostCopy(stack, cmd, buffer, offset + (long) index * chunk, host, hostOffset, pieceSize(total, chunk, index), hostOffset);
            hostReadBarrier(stack, cmd);
        });
    }

    /** Every pixel of {@code image} from the host; the old contents are dropped and the image ends in GENERAL. */
    static Cut toImage(long image, ImageDescriptor descriptor, ImagePieces pieces) {
        return new Cut(pieces.bounds, (stack, cmd, host, hostOffset, index, first, last) -> {
            if (first) {
                // The old contents are replaced whole, so the old layout need not be kept.
                imageBarrier(stack, cmd, image, descriptor, VK_IMAGE_LAYOUT_UNDEFINED, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL,
                        VK_PIPELINE_STAGE_ALL_COMMANDS_BIT, VK_ACCESS_MEMORY_WRITE_BIT | VK_ACCESS_MEMORY_READ_BIT,
                        VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_WRITE_BIT);
            }
            vkCmdCopyBufferToImage(cmd, host, image, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL,
                    pieces.region(stack, index, hostOffset));
            if (last) {
                imageBarrier(stack, cmd, image, descriptor, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, VK_IMAGE_LAYOUT_GENERAL,
                        VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_WRITE_BIT,
                        VK_PIPELINE_STAGE_ALL_COMMANDS_BIT, VK_ACCESS_MEMORY_READ_BIT | VK_ACCESS_MEMORY_WRITE_BIT);
            }
        });
    }

    /** Every pixel of {@code image}, now in {@code layout}, to the host; the image ends in GENERAL. */
    static Cut fromImage(long image, int layout, ImageDescriptor descriptor, ImagePieces pieces) {
        return new Cut(pieces.bounds, (stack, cmd, host, hostOffset, index, first, last) -> {
            if (first) {
                imageBarrier(stack, cmd, image, descriptor, layout, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL,
                        VK_PIPELINE_STAGE_ALL_COMMANDS_BIT, VK_ACCESS_MEMORY_WRITE_BIT,
                        VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_READ_BIT);
            }
            vkCmdCopyImageToBuffer(cmd, image, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL, host,
                    pieces.region(stack, index, hostOffset));
            if (last) {
                imageBarrier(stack, cmd, image, descriptor, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL, VK_IMAGE_LAYOUT_GENERAL,
                        VK_PIPELINE_STAGE_TRANSFER_BIT, 0,
                        VK_PIPELINE_STAGE_ALL_COMMANDS_BIT, VK_ACCESS_MEMORY_READ_BIT | VK_ACCESS_MEMORY_WRITE_BIT);
            }
            hostReadBarrier(stack, cmd);
        });
    }

    /** The first {@code size} bytes of buffer {@code src} into {@code dst} on the device, with barriers on both sides. */
    static Piece bufferCopy(long src, long dst, long size) {
        return (stack, cmd, host, hostOffset, index, first, last) -> {
            memoryBarrier(stack, cmd, VK_PIPELINE_STAGE_ALL_COMMANDS_BIT | VK_PIPELINE_STAGE_HOST_BIT,
                    VK_ACCESS_MEMORY_WRITE_BIT | VK_ACCESS_HOST_WRITE_BIT,
                    VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_READ_BIT | VK_ACCESS_TRANSFER_WRITE_BIT);
            copyBuffer(stack, cmd, src, 0, dst, 0, size);
            memoryBarrier(stack, cmd, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_WRITE_BIT,
                    VK_PIPELINE_STAGE_ALL_COMMANDS_BIT | VK_PIPELINE_STAGE_HOST_BIT,
                    VK_ACCESS_MEMORY_READ_BIT | VK_ACCESS_MEMORY_WRITE_BIT | VK_ACCESS_HOST_READ_BIT);
        };
    }

    /**
     * Every pixel of image {@code src}, now in {@code srcLayout}, into {@code dst} (whose old
     * contents are dropped) on the device; both images end in GENERAL.
     */
    static Piece imageCopy(long src, int srcLayout, long dst, ImageDescriptor d) {
        return (stack, cmd, host, hostOffset, index, first, last) -> {
            imageBarrier(stack, cmd, src, d, srcLayout, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL,
                    VK_PIPELINE_STAGE_ALL_COMMANDS_BIT, VK_ACCESS_MEMORY_WRITE_BIT,
                    VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_READ_BIT);
            imageBarrier(stack, cmd, dst, d, VK_IMAGE_LAYOUT_UNDEFINED, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL,
                    VK_PIPELINE_STAGE_ALL_COMMANDS_BIT, VK_ACCESS_MEMORY_WRITE_BIT | VK_ACCESS_MEMORY_READ_BIT,
                    VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_WRITE_BIT);
            // Every mip level, all layers at once: the moved image keeps all its contents.
            VkImageCopy.Buffer region = VkImageCopy.calloc(d.mipLevels(), stack);
            for (int level = 0; level < d.mipLevels(); level++) {
                final int l = level;
                region.get(level)
                        .srcSubresource(r -> r.aspectMask(aspect(d)).mipLevel(l).baseArrayLayer(0).layerCount(d.arrayLayers()))
                        .srcOffset(o -> o.set(0, 0, 0))
                        .dstSubresource(r -> r.aspectMask(aspect(d)).mipLevel(l).baseArrayLayer(0).layerCount(d.arrayLayers()))
                        .dstOffset(o -> o.set(0, 0, 0))
                        .extent(e -> e.set(Math.max(1, d.width() >> l), Math.max(1, d.height() >> l),
                                Math.max(1, d.depth() >> l)));
            }
            vkCmdCopyImage(cmd, src, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL, dst, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, region);
            imageBarrier(stack, cmd, dst, d, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, VK_IMAGE_LAYOUT_GENERAL,
                    VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_WRITE_BIT,
                    VK_PIPELINE_STAGE_ALL_COMMANDS_BIT, VK_ACCESS_MEMORY_READ_BIT | VK_ACCESS_MEMORY_WRITE_BIT);
            imageBarrier(stack, cmd, src, d, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL, VK_IMAGE_LAYOUT_GENERAL,
                    VK_PIPELINE_STAGE_TRANSFER_BIT, 0,
                    VK_PIPELINE_STAGE_ALL_COMMANDS_BIT, VK_ACCESS_MEMORY_READ_BIT | VK_ACCESS_MEMORY_WRITE_BIT);
        };
    }

    /** Piece boundaries of {@code total} (positive) bytes cut every {@code chunk} bytes. */
    static long[] chunkBoundaries(int total, int chunk) {
        final int pieces = Math.max(1, (total + chunk - 1) / chunk);
        final long[] bounds = new long[pieces + 1];
        for (int i = 0; i < pieces; i++) {
            bounds[i] = (long) i * chunk;
        }
        bounds[pieces] = total;
        return bounds;
    }

    static int pieceSize(int total, int chunk, int index) {
        return (int) Math.min(chunk, total - (long) index * chunk);
    }

    /**
     * Whether every piece's host offset is a multiple of {@code alignment}: 1 for buffer copies;
     * for images the texel size and 4 (VUID-vkCmdCopyBufferToImage-dstImage-07975, and -07737 on
     * a queue without graphics or compute), see {@link ImagePieces#hostAlignment}.
     */
    static boolean suitsCopy(long hostOffset, int alignment, long[] bounds) {
        for (int i = 0; i < bounds.length - 1; i++) {
            if ((hostOffset + bounds[i]) % alignment != 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * Host memory is copied in regions that start on this boundary of the host's address: a copy
     * that starts off it writes partial cache lines all the way, which costs a device about a
     * third of its speed into host memory (docs/devices.md), and the host side of a copy is
     * wherever the program's bytes are (a slice, a registered range).
     */
    static final int HOST_COPY_ALIGNMENT = 256;

    /**
     * A buffer copy one side of which is host memory at {@code hostOffset} of its buffer (whose
     * start is at least {@link #HOST_COPY_ALIGNMENT} aligned): two regions when that offset is off
     * the boundary, the bytes up to it and the rest, so that the rest runs aligned on the host.
     */
    static void hostCopy(MemoryStack stack, VkCommandBuffer cmd, long src, long srcOffset, long dst, long dstOffset,
                         long size, long hostOffset) {
        final long head = -hostOffset & (HOST_COPY_ALIGNMENT - 1);
        if (head == 0 || head >= size) {
            copyBuffer(stack, cmd, src, srcOffset, dst, dstOffset, size);
            return;
        }
        VkBufferCopy.Buffer regions = VkBufferCopy.calloc(2, stack);
        regions.get(0).srcOffset(srcOffset).dstOffset(dstOffset).size(head);
        regions.get(1).srcOffset(srcOffset + head).dstOffset(dstOffset + head).size(size - head);
        vkCmdCopyBuffer(cmd, src, dst, regions);
    }

    static void copyBuffer(MemoryStack stack, VkCommandBuffer cmd, long src, long srcOffset, long dst,
                                   long dstOffset, long size) {
        VkBufferCopy.Buffer region = VkBufferCopy.calloc(1, stack);
        region.get(0).srcOffset(srcOffset).dstOffset(dstOffset).size(size);
        vkCmdCopyBuffer(cmd, src, dst, region);
    }

    /** Transfer writes (into host memory) made visible to host reads after the fence. */
    static void hostReadBarrier(MemoryStack stack, VkCommandBuffer cmd) {
        memoryBarrier(stack, cmd, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_WRITE_BIT,
                VK_PIPELINE_STAGE_HOST_BIT, VK_ACCESS_HOST_READ_BIT);
    }

    static void memoryBarrier(MemoryStack stack, VkCommandBuffer cmd, int srcStage, int srcAccess,
                                      int dstStage, int dstAccess) {
        VkMemoryBarrier.Buffer barrier = VkMemoryBarrier.calloc(1, stack);
        barrier.get(0).sType$Default().srcAccessMask(srcAccess).dstAccessMask(dstAccess);
        vkCmdPipelineBarrier(cmd, srcStage, dstStage, 0, barrier, null, null);
    }

    /** Every level and layer of the image changes layout together; the library keeps one layout per image. */
    static void imageBarrier(MemoryStack stack, VkCommandBuffer cmd, long image, ImageDescriptor d, int oldLayout, int newLayout,
                                     int srcStage, int srcAccess, int dstStage, int dstAccess) {
        VkImageMemoryBarrier.Buffer barrier = VkImageMemoryBarrier.calloc(1, stack);
        barrier.get(0).sType$Default()
                .srcAccessMask(srcAccess).dstAccessMask(dstAccess)
                .oldLayout(oldLayout).newLayout(newLayout)
                .srcQueueFamilyIndex(VK_QUEUE_FAMILY_IGNORED).dstQueueFamilyIndex(VK_QUEUE_FAMILY_IGNORED)
                .image(image)
                .subresourceRange(r -> r.aspectMask(aspect(d)).baseMipLevel(0).levelCount(VK_REMAINING_MIP_LEVELS)
                        .baseArrayLayer(0).layerCount(VK_REMAINING_ARRAY_LAYERS));
        vkCmdPipelineBarrier(cmd, srcStage, dstStage, 0, null, null, barrier);
    }

    static int aspect(ImageDescriptor d) {
        return d.format() != null && d.format().isDepth() ? VK_IMAGE_ASPECT_DEPTH_BIT : VK_IMAGE_ASPECT_COLOR_BIT;
    }
}
