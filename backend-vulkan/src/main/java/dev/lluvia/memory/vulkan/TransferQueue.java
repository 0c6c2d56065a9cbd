package dev.lluvia.memory.vulkan;

import dev.lluvia.memory.BackendException;
import dev.lluvia.memory.DeviceType;
import dev.lluvia.memory.ImageDescriptor;
import dev.lluvia.memory.TransferPath;
import org.lwjgl.PointerBuffer;
import org.lwjgl.system.MemoryStack;
import org.lwjgl.system.MemoryUtil;
import org.lwjgl.vulkan.*;

import java.nio.ByteBuffer;
import java.nio.LongBuffer;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntFunction;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.locks.Lock;

import static dev.lluvia.memory.vulkan.VulkanResults.check;
import static org.lwjgl.system.MemoryStack.stackPush;
import static org.lwjgl.vulkan.EXTExternalMemoryHost.*;
import static org.lwjgl.vulkan.VK10.*;
import static org.lwjgl.vulkan.VK11.VK_MEMORY_PROPERTY_PROTECTED_BIT;

/**
 * Copies between host memory and buffers or images through the device's queue, for memory the
 * host cannot map (and for any memory when asked). Three ways, chosen per transfer:
 *
 * <ul>
 *   <li><b>Mapped</b>: when the caller's bytes lie in a page this backend mapped (a
 *       {@code mapByteBuffer()} of host-visible memory, or a slice of one), the device copies
 *       straight from (or into) that page through its transfer window
 *       ({@link VulkanPages#transferWindow}): the memory is pinned host memory already, so this is
 *       a pinned-memory copy at the link's speed (50-52 GB/s of PyTorch's 55 on the H200 for
 *       1 GiB), with no host copy and nothing to pin.</li>
 *   <li><b>Import</b>: otherwise, where the device has {@code VK_EXT_external_memory_host} and the caller's
 *       bytes are in a direct {@code ByteBuffer} of at least {@link #IMPORT_MIN} bytes, the pages
 *       holding them are imported as device memory for the length of the transfer and copied from
 *       (or into) directly: one device copy, no staging copy on the host. Importing makes the
 *       driver pin the pages each time, so in {@code auto} mode both ways are timed on such
 *       transfers (per direction, a moving average of nanoseconds per byte) and the faster one is
 *       taken, the other tried again every {@link #REPROBE}th time to keep its figure current.</li>
 *   <li><b>Staging</b>: otherwise the bytes go in pieces of at most {@link #CHUNK} bytes through
 *       {@link #SLOTS} staging buffers in host-visible memory, each with its own command buffer and
 *       fence, so that the host copies piece k+1 while the device copies piece k. Host copies of
 *       large pieces are split over a few threads ({@link #copyThreads}), as one core's memcpy is
 *       slower than a PCIe link. Staging buffers are made on first use, grown as needed and kept.</li>
 * </ul>
 * Each transfer returns when its last copy finished. The pool and command buffers are used by one
 * thread at a time (the transfer methods are synchronized), and each submission holds the
 * backend's queue lock, which a program that shares the queue takes too, as Vulkan requires one
 * thread at a time on a queue.
 *
 * <p>Barriers: each piece's command buffer first waits for earlier device work on the target (all
 * commands, memory writes, to transfer); pieces of one transfer touch disjoint ranges, so they
 * need nothing between them. After a copy into host memory, transfer writes are made visible to
 * host reads. Images move to {@code TRANSFER_*_OPTIMAL} in the first piece and to
 * {@code VK_IMAGE_LAYOUT_GENERAL} in the last.
 *
 * <p>The callers (the backend) have checked handles, usage and ranges.
 */
final class TransferQueue {

    /** Largest piece one staging buffer carries: large enough that a submit costs little beside it. */
    static final int CHUNK = 16 << 20;
    /**
     * Largest piece of a direct (mapped or imported) transfer: nothing is staged, so one region
     * does (a whole buffer range, whole image slices), as few commands as the copy can be.
     */
    static final int DIRECT_CHUNK = Integer.MAX_VALUE & -4096;
    /** Staging buffers, each with a command buffer and a fence: the pieces in flight at once. */
    static final int SLOTS = 3;
    /** Smallest transfer that imports the caller's memory: below this staging is cheaper than an import. */
    static final long IMPORT_MIN = 1L << 20;
    /** In auto mode, every this many transfers that could import take the way measured slower. */
    static final int REPROBE = 8;
    /**
     * How long a wait for a fence polls before it sleeps in the driver: 50 us, plus the time the
     * submission's bytes take at 20 GB/s, at most {@link #MAX_SPIN_NANOS}. A copy of 64 MiB takes
     * 1.2 ms on a PCIe 5 link, and a wait that sleeps costs a wake-up on top.
     */
    static final long SPIN_NANOS = 50_000;
    /** The longest a wait polls: longer copies pay one wake-up in a time it makes small. */
    static final long MAX_SPIN_NANOS = 2_000_000;
    /** Smallest host copy split over several threads. */
    private static final int PARALLEL_MIN = 4 << 20;
    private static final long STAGING_MIN = 1024 * 1024;

    private static final System.Logger LOG = System.getLogger("dev.lluvia.memory.vulkan");
    private static ExecutorService copyPool;

    private final VulkanBackend backend;
    private final VkDevice device;
    /** Null on a wrapped device given no queue: the backend then refuses transfers before they get here. */
    private final VkQueue queue;
    private final int queueFamilyIndex;
    /** Held around vkQueueSubmit: the queue may be shared with the program (see VulkanBackend#vkQueue). */
    private final Lock queueLock;
    /** Vulkan property bits of each memory type. */
    private final int[] typeFlags;
    /** minImportedHostPointerAlignment when imports are on; 0 when off. */
    private final long importAlignment;

    private long commandPool = VK_NULL_HANDLE;
    private final Slot[] slots = new Slot[SLOTS];
    /**
     * Set by {@link #close()}; guarded by this queue's monitor. A transfer that waited for the
     * monitor while the backend closed must not make slots again (a command pool, fences) on a
     * device that is gone: every entry checks it under the monitor.
     */
    private boolean closed;
    /** Transfers that went through imported host memory; the tests check which path ran. */
    private long importedTransfers;
    /** Transfers copied straight from or into a page this backend mapped; the tests check which path ran. */
    private long mappedTransfers;
    /** Transfers copied in place from or into host memory the program registered. */
    private long registeredTransfers;
    /** Whether imports are taken when measured faster (auto) rather than always. */
    private final boolean adaptive;
    /** Whether waits poll their fence before sleeping: on GPUs, not on CPU devices. */
    private final boolean spin;
    /** Auto mode: nanoseconds per byte, [upload, download][import, staging]; 0 until measured. */
    private final double[][] nsPerByte = new double[2][2];
    private final int[] choices = new int[2];

    /** One staging buffer (made on first use) with its command buffer and fence. */
    private static final class Slot {
        VkCommandBuffer commandBuffer;
        long fence = VK_NULL_HANDLE;
        boolean pending;
        /** Host bytes the pending submission copies (0 for copies on the device): how long to poll. */
        long bytes;
        long buffer = VK_NULL_HANDLE;
        long memory = VK_NULL_HANDLE;
        long size;
        long address;
        int type = -1;
    }

    /** Records the device copy of one piece; {@code host} is the buffer holding the piece at {@code hostOffset}. */
    private interface Piece {
        void record(MemoryStack stack, VkCommandBuffer cmd, long host, long hostOffset, int index, boolean first, boolean last);
    }

    /**
     * A transfer cut in pieces of at most some chunk of bytes: piece i is host bytes bounds[i] to
     * bounds[i + 1], recorded by {@code piece}. Staging cuts at {@link #CHUNK}, direct copies at
     * {@link #DIRECT_CHUNK}.
     */
    private record Cut(long[] bounds, Piece piece) {
    }

    /**
     * @param importAlignment the device's minImportedHostPointerAlignment when
     *                        {@code VK_EXT_external_memory_host} is enabled and imports are wanted; 0 otherwise
     */
    TransferQueue(VulkanBackend backend, VkDevice device, VkQueue queue, int queueFamilyIndex, Lock queueLock,
                  int[] typeFlags, long importAlignment, boolean adaptive) {
        this.backend = backend;
        this.device = device;
        this.queue = queue;
        this.queueFamilyIndex = queueFamilyIndex;
        this.queueLock = queueLock;
        this.typeFlags = typeFlags;
        this.importAlignment = importAlignment;
        this.adaptive = adaptive;
        this.spin = backend != null && backend.device().type() != DeviceType.CPU;
    }

    /** Transfers so far that imported the caller's memory instead of staging. */
    synchronized long importedTransfers() {
        return importedTransfers;
    }

    /** Transfers so far whose host bytes were in a page of this backend's mapped memory. */
    synchronized long mappedTransfers() {
        return mappedTransfers;
    }

    synchronized long registeredTransfers() {
        return registeredTransfers;
    }


    /** Copies {@code src}'s remaining bytes to {@code offset} of {@code buffer}; src's position is unchanged. */
    synchronized void copyToBuffer(long buffer, VulkanPages.Page target, long offset, ByteBuffer src) {
        requireOpen();
        final int total = src.remaining();
        if (total == 0) {
            return; // a copy region of size 0 is invalid
        }
        transfer(src, true, 1, target, chunk -> new Cut(chunkBoundaries(total, chunk), (stack, cmd, host, hostOffset, index, first, last) -> {
            // Earlier device work on this buffer (shaders, earlier copies) finishes first.
            memoryBarrier(stack, cmd, VK_PIPELINE_STAGE_ALL_COMMANDS_BIT, VK_ACCESS_MEMORY_WRITE_BIT | VK_ACCESS_MEMORY_READ_BIT,
                    VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_WRITE_BIT);
            copyBuffer(stack, cmd, host, hostOffset, buffer, offset + (long) index * chunk, pieceSize(total, chunk, index));
        }));
    }

    /** Fills {@code dst}'s remaining bytes from {@code offset} of {@code buffer}; dst's position is unchanged. */
    synchronized void copyFromBuffer(long buffer, VulkanPages.Page target, long offset, ByteBuffer dst) {
        requireOpen();
        final int total = dst.remaining();
        if (total == 0) {
            return;
        }
        transfer(dst, false, 1, target, chunk -> new Cut(chunkBoundaries(total, chunk), (stack, cmd, host, hostOffset, index, first, last) -> {
            memoryBarrier(stack, cmd, VK_PIPELINE_STAGE_ALL_COMMANDS_BIT, VK_ACCESS_MEMORY_WRITE_BIT,
                    VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_READ_BIT | VK_ACCESS_TRANSFER_WRITE_BIT);
            copyBuffer(stack, cmd, buffer, offset + (long) index * chunk, host, hostOffset, pieceSize(total, chunk, index));
            hostReadBarrier(stack, cmd);
        }));
    }

    /** Replaces every pixel of {@code image} with {@code src}'s remaining bytes; the image ends in GENERAL. */
    synchronized void copyToImage(long image, VulkanPages.Page target, ImageDescriptor descriptor, ByteBuffer src) {
        requireOpen();
        final int bytes = src.remaining();
        transfer(src, true, ImagePieces.hostAlignment(descriptor, bytes), target, chunk -> toImage(image, descriptor, new ImagePieces(descriptor, bytes, chunk)));
    }

    private static Cut toImage(long image, ImageDescriptor descriptor, ImagePieces pieces) {
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

    /** Copies every pixel of {@code image}, now in {@code layout}, into {@code dst}; the image ends in GENERAL. */
    synchronized void copyFromImage(long image, VulkanPages.Page target, int layout, ImageDescriptor descriptor, ByteBuffer dst) {
        requireOpen();
        final int bytes = dst.remaining();
        transfer(dst, false, ImagePieces.hostAlignment(descriptor, bytes), target,
                chunk -> fromImage(image, layout, descriptor, new ImagePieces(descriptor, bytes, chunk)));
    }

    private static Cut fromImage(long image, int layout, ImageDescriptor descriptor, ImagePieces pieces) {
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

    /** Copies the first {@code size} bytes of {@code src} into {@code dst} on the device, and waits. */
    synchronized void copyBuffer(long src, long dst, long size) {
        requireOpen();
        onDevice((stack, cmd, host, hostOffset, index, first, last) -> {
            memoryBarrier(stack, cmd, VK_PIPELINE_STAGE_ALL_COMMANDS_BIT | VK_PIPELINE_STAGE_HOST_BIT,
                    VK_ACCESS_MEMORY_WRITE_BIT | VK_ACCESS_HOST_WRITE_BIT,
                    VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_READ_BIT | VK_ACCESS_TRANSFER_WRITE_BIT);
            copyBuffer(stack, cmd, src, 0, dst, 0, size);
            memoryBarrier(stack, cmd, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_WRITE_BIT,
                    VK_PIPELINE_STAGE_ALL_COMMANDS_BIT | VK_PIPELINE_STAGE_HOST_BIT,
                    VK_ACCESS_MEMORY_READ_BIT | VK_ACCESS_MEMORY_WRITE_BIT | VK_ACCESS_HOST_READ_BIT);
        });
    }

    /**
     * Copies every pixel of {@code src}, now in {@code srcLayout}, into {@code dst} (whose old
     * contents are dropped) on the device, and waits; both images end in GENERAL.
     */
    synchronized void copyImage(long src, int srcLayout, long dst, ImageDescriptor d) {
        requireOpen();
        onDevice((stack, cmd, host, hostOffset, index, first, last) -> {
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
        });
    }

    /**
     * Records {@code commands} (device-to-device work, no staging) in the first slot's command
     * buffer, submits them and waits: the pipeline's slots are idle between transfers.
     */
    private void onDevice(Piece commands) {
        Slot slot = slot(0);
        await(slot);
        submit(slot, commands, 0, true, true, 0);
        await(slot);
    }

    /** Throws when {@link #close()} has run; call under the monitor. */
    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("the transfer queue of " + backend + " is closed");
        }
    }

    /**
     * Destroys the staging buffers, their memory, the fences and the command pool, and refuses
     * every later transfer. Call with the device idle.
     */
    synchronized void close() {
        closed = true;
        for (int i = 0; i < SLOTS; i++) {
            Slot s = slots[i];
            if (s == null) {
                continue;
            }
            destroyStaging(s);
            if (s.fence != VK_NULL_HANDLE) {
                vkDestroyFence(device, s.fence, null);
            }
            slots[i] = null;
        }
        if (commandPool != VK_NULL_HANDLE) {
            vkDestroyCommandPool(device, commandPool, null);
            commandPool = VK_NULL_HANDLE;
        }
    }

    // ------------------------------------------------------------------------------------------
    // The two ways

    /**
     * Runs one transfer of the bytes of {@code data} between position and limit: straight from or
     * into a mapped page of this backend when the bytes lie in one, else imported when it can be,
     * else staged in the pieces {@code bounds} describes (piece i is bytes bounds[i] to
     * bounds[i + 1] of the data). {@code alignment} is what the host offset of a direct copy
     * must be a multiple of (1 for buffers; for images {@link ImagePieces#hostAlignment}); a direct (mapped or imported) transfer
     * records all pieces into one command buffer. {@code target} is the page of the buffer or
     * image copied into or from, which the host bytes must not share (copies must not overlap).
     */
    private void transfer(ByteBuffer data, boolean upload, int alignment, VulkanPages.Page target, IntFunction<Cut> cut) {
        if (data.isDirect() && transferMapped(data, upload, alignment, target, cut)) {
            return;
        }
        final int total = data.remaining();
        if (importAlignment == 0 || !data.isDirect() || total < IMPORT_MIN) {
            staged(data, upload, cut.apply(CHUNK));
            backend.transferred(TransferPath.STAGED);
            return;
        }
        final int direction = upload ? 0 : 1;
        final long start = System.nanoTime();
        final boolean imported = (!adaptive || chooseImport(direction)) && transferImported(data, alignment, cut.apply(DIRECT_CHUNK));
        if (!imported) {
            staged(data, upload, cut.apply(CHUNK));
        }
        backend.transferred(imported ? TransferPath.IMPORTED : TransferPath.STAGED);
        if (adaptive) {
            final double measured = (System.nanoTime() - start) / (double) total;
            final double[] figures = nsPerByte[direction];
            final int way = imported ? 0 : 1;
            figures[way] = figures[way] == 0 ? measured : 0.75 * figures[way] + 0.25 * measured;
        }
    }

    /** Auto mode: whether this transfer imports. Each way is tried once, then the faster taken. */
    private boolean chooseImport(int direction) {
        final double imports = nsPerByte[direction][0];
        final double stages = nsPerByte[direction][1];
        if (imports == 0 || stages == 0) {
            return imports == 0;
        }
        final boolean faster = imports <= stages;
        return ++choices[direction] % REPROBE == 0 ? !faster : faster;
    }

    private void staged(ByteBuffer data, boolean upload, Cut cut) {
        if (upload) {
            stagedUpload(data, cut.bounds, cut.piece);
        } else {
            stagedDownload(data, cut.bounds, cut.piece);
        }
    }

    private void stagedUpload(ByteBuffer src, long[] bounds, Piece piece) {
        final int pieces = bounds.length - 1;
        try {
            for (int i = 0; i < pieces; i++) {
                final Slot slot = slot(i % SLOTS);
                await(slot);
                final int length = (int) (bounds[i + 1] - bounds[i]);
                ensureStaging(slot, length);
                hostCopy(src, (int) bounds[i], slot.address, length, true);
                flushStaging(slot);
                submit(slot, piece, i, i == 0, i == pieces - 1, bounds[i + 1] - bounds[i]);
            }
        } finally {
            awaitAll();
        }
    }

    private void stagedDownload(ByteBuffer dst, long[] bounds, Piece piece) {
        final int pieces = bounds.length - 1;
        try {
            for (int i = 0; i < Math.min(SLOTS, pieces); i++) {
                final Slot slot = slot(i);
                ensureStaging(slot, bounds[i + 1] - bounds[i]);
                submit(slot, piece, i, i == 0, i == pieces - 1, bounds[i + 1] - bounds[i]);
            }
            for (int i = 0; i < pieces; i++) {
                final Slot slot = slots[i % SLOTS];
                await(slot);
                invalidateStaging(slot);
                hostCopy(dst, (int) bounds[i], slot.address, (int) (bounds[i + 1] - bounds[i]), false);
                final int next = i + SLOTS;
                if (next < pieces) {
                    ensureStaging(slot, bounds[next + 1] - bounds[next]);
                    submit(slot, piece, next, false, next == pieces - 1, bounds[next + 1] - bounds[next]);
                }
            }
        } finally {
            awaitAll();
        }
    }

    /**
     * Runs the transfer straight from (or into) the page of this backend's mapped memory that holds
     * {@code data}'s bytes, through that page's transfer window: the device reads or writes the
     * pinned host memory itself, no staging copy. False (having done nothing) when no such page
     * holds them, it is the target's page, or the offset does not suit the copy.
     */
    private boolean transferMapped(ByteBuffer data, boolean upload, int alignment, VulkanPages.Page target,
                                   IntFunction<Cut> cuts) {
        final VulkanPages pages = backend.pages();
        final long address = MemoryUtil.memAddress(data);
        final VulkanPages.Page page = pages.acquireMapped(address, data.remaining());
        if (page == null) {
            return false;
        }
        try {
            final long hostOffset = address - page.address;
            final Cut cut = cuts.apply(DIRECT_CHUNK);
            if (page == target || !suitsCopy(hostOffset, alignment, cut.bounds)) {
                return false;
            }
            final long window = pages.transferWindow(page, backend.maxBufferSize());
            if (window == VK_NULL_HANDLE || hostOffset > page.windowSize - data.remaining()) {
                return false; // no window, or the bytes run past it (a dedicated buffer smaller than its page)
            }
            final boolean coherent = (typeFlags[page.type] & VK_MEMORY_PROPERTY_HOST_COHERENT_BIT) != 0;
            if (!coherent) {
                // Before an upload the host's writes must reach memory; before a download too, so
                // that no dirty cache line of the range is written back over the device's bytes.
                pages.syncRange(page, hostOffset, data.remaining(), true);
            }
            recordWhole(window, hostOffset, cut);
            if (!upload && !coherent) {
                pages.syncRange(page, hostOffset, data.remaining(), false);
            }
            if (page.registered) {
                registeredTransfers++;
            } else {
                mappedTransfers++;
            }
            backend.transferred(page.registered ? TransferPath.REGISTERED : TransferPath.PINNED);
            return true;
        } finally {
            pages.releaseMapped(page);
        }
    }

    /**
     * Whether every piece's host offset is a multiple of {@code alignment}: 1 for buffer copies;
     * for images the texel size and 4 (VUID-vkCmdCopyBufferToImage-dstImage-07975, and -07737 on
     * a queue without graphics or compute), see {@link ImagePieces#hostAlignment}.
     */
    private static boolean suitsCopy(long hostOffset, int alignment, long[] bounds) {
        for (int i = 0; i < bounds.length - 1; i++) {
            if ((hostOffset + bounds[i]) % alignment != 0) {
                return false;
            }
        }
        return true;
    }

    /** Records every piece, its host bytes at {@code hostOffset} of buffer {@code host}, in one command buffer, submits it and waits. */
    private void recordWhole(long host, long hostOffset, Cut cut) {
        final long[] bounds = cut.bounds;
        final Piece piece = cut.piece;
        final Slot slot = slot(0);
        try {
            await(slot);
            try (MemoryStack stack = stackPush()) {
                VkCommandBuffer cmd = begin(slot);
                final int pieces = bounds.length - 1;
                for (int i = 0; i < pieces; i++) {
                    piece.record(stack, cmd, host, hostOffset + bounds[i], i, i == 0, i == pieces - 1);
                }
                slot.bytes = bounds[pieces] - bounds[0];
                end(stack, slot);
            }
            await(slot);
        } finally {
            awaitAll();
        }
    }

    /**
     * Imports the pages under {@code data}'s bytes and runs the transfer from (or into) them; false
     * (having done nothing) when the address does not suit the copy or the driver refuses the import.
     */
    private boolean transferImported(ByteBuffer data, int alignment, Cut cut) {
        final long address = MemoryUtil.memAddress(data);
        final long base = address & -importAlignment;
        final long hostOffset = address - base;
        if (!suitsCopy(hostOffset, alignment, cut.bounds)) {
            return false; // an image copy's buffer offset must be a multiple of the texel size (and of 4)
        }
        final long size = (address + data.remaining() - base + importAlignment - 1) & -importAlignment;
        final VulkanPages.Page imported = backend.pages().importHost(base, size);
        if (imported == null) {
            return false; // the bytes can still go through the staging buffers
        }
        try {
            recordWhole(imported.window, hostOffset, cut);
            importedTransfers++;
        } finally {
            backend.pages().freeImported(imported);
        }
        return true;
    }

    // ------------------------------------------------------------------------------------------
    // Pieces

    /** Piece boundaries of {@code total} (positive) bytes cut every {@code chunk} bytes. */
    private static long[] chunkBoundaries(int total, int chunk) {
        final int pieces = Math.max(1, (total + chunk - 1) / chunk);
        final long[] bounds = new long[pieces + 1];
        for (int i = 0; i < pieces; i++) {
            bounds[i] = (long) i * chunk;
        }
        bounds[pieces] = total;
        return bounds;
    }

    private static int pieceSize(int total, int chunk, int index) {
        return (int) Math.min(chunk, total - (long) index * chunk);
    }

    /**
     * An image cut into pieces of whole slices (when a slice fits in a chunk) or else of whole rows
     * of one slice, each at most a chunk (or one row, if a row is larger).
     */
    private static final class ImagePieces {
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
                    .imageSubresource(s -> s.aspectMask(aspect(d)).mipLevel(0)
                            .baseArrayLayer(layered ? z : 0).layerCount(layered ? depth : 1))
                    .imageOffset(o -> o.set(x, y, layered ? 0 : z))
                    .imageExtent(e -> e.set(d.width(), h, layered ? 1 : depth));
            return region;
        }
    }

    // ------------------------------------------------------------------------------------------
    // Host copies

    /** Threads a large host copy is split over: half the cores, at most 8 (memory bandwidth, not cores, is the limit). */
    static int copyThreads() {
        return Math.max(1, Math.min(8, Runtime.getRuntime().availableProcessors() / 2));
    }

    private static synchronized ExecutorService copyPool() {
        if (copyPool == null) {
            copyPool = Executors.newFixedThreadPool(copyThreads() - 1, r -> {
                Thread t = new Thread(r, "lluvia-transfer-copy");
                t.setDaemon(true);
                return t;
            });
        }
        return copyPool;
    }

    /**
     * Copies {@code length} bytes between {@code host} (from its position + {@code at}) and
     * {@code address}: into the address when {@code toAddress}, else out of it. Large copies are
     * split in parts, all but one run on the copy pool.
     */
    private static void hostCopy(ByteBuffer host, int at, long address, int length, boolean toAddress) {
        final int threads = length >= PARALLEL_MIN ? copyThreads() : 1;
        if (threads == 1) {
            copyPart(host, at, address, length, toAddress);
            return;
        }
        final int part = (length / threads + 63) & ~63;
        final Future<?>[] others = new Future<?>[threads - 1];
        int start = part;
        for (int p = 0; p < threads - 1 && start < length; p++) {
            final int from = start;
            final int len = Math.min(part, length - from);
            others[p] = copyPool().submit(() -> copyPart(host, at + from, address + from, len, toAddress));
            start += part;
        }
        Throwable failure = null;
        try {
            copyPart(host, at, address, Math.min(part, length), toAddress);
        } catch (RuntimeException | Error e) {
            failure = e;
        }
        boolean interrupted = false;
        for (Future<?> f : others) {
            if (f == null) {
                continue;
            }
            while (true) {
                try {
                    f.get();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true; // the part must finish before the staging buffer is reused
                } catch (ExecutionException e) {
                    if (failure == null) {
                        failure = e.getCause();
                    }
                    break;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (failure instanceof RuntimeException re) {
            throw re;
        }
        if (failure instanceof Error err) {
            throw err;
        }
    }

    private static void copyPart(ByteBuffer host, int at, long address, int length, boolean toAddress) {
        final int from = host.position() + at;
        if (host.isDirect()) {
            final long h = MemoryUtil.memAddress0(host) + from;
            if (toAddress) {
                MemoryUtil.memCopy(h, address, length);
            } else {
                MemoryUtil.memCopy(address, h, length);
            }
        } else if (toAddress) {
            MemoryUtil.memByteBuffer(address, length).put(0, host, from, length);
        } else {
            host.duplicate().put(from, MemoryUtil.memByteBuffer(address, length), 0, length);
        }
    }

    // ------------------------------------------------------------------------------------------
    // Slots, commands and staging memory

    private Slot slot(int index) {
        Slot s = slots[index];
        if (s == null) {
            s = new Slot();
            slots[index] = s;
        }
        return s;
    }

    /**
     * Waits until the slot's last submission finished, then resets its fence. On a GPU the fence
     * is polled first, for {@link #SPIN_NANOS} and the time its bytes take (at most
     * {@link #MAX_SPIN_NANOS}): a small copy is done in a few microseconds, and a wait that sleeps
     * in the driver costs tens more to wake up (PyTorch's copies poll too). A CPU device
     * (lavapipe) copies on the host's own cores, which polling would take from it.
     */
    private void await(Slot slot) {
        if (!slot.pending) {
            return;
        }
        try (MemoryStack stack = stackPush()) {
            final LongBuffer fence = stack.longs(slot.fence);
            if (!spin || !spinUntilSignalled(slot.fence, Math.min(MAX_SPIN_NANOS, SPIN_NANOS + slot.bytes / 20))) {
                check(vkWaitForFences(device, fence, true, -1L), "vkWaitForFences");
            }
            slot.pending = false;
            check(vkResetFences(device, fence), "vkResetFences");
        }
    }

    /** Whether {@code fence} was signalled within {@code nanos} of polling. */
    private boolean spinUntilSignalled(long fence, long nanos) {
        final long end = System.nanoTime() + nanos;
        do {
            final int r = vkGetFenceStatus(device, fence);
            if (r == VK_SUCCESS) {
                return true;
            }
            if (r != VK_NOT_READY) {
                check(r, "vkGetFenceStatus");
            }
            Thread.onSpinWait();
        } while (System.nanoTime() - end < 0);
        return false;
    }

    /** Waits for every slot, after a transfer (also one that failed: nothing may still be in flight). */
    private void awaitAll() {
        RuntimeException failure = null;
        for (Slot s : slots) {
            if (s == null) {
                continue;
            }
            try {
                await(s);
            } catch (RuntimeException e) {
                s.pending = false;
                failure = e;
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    /** Records piece {@code index} ({@code bytes} host bytes, 0 for copies on the device) in the slot and submits it. */
    private void submit(Slot slot, Piece piece, int index, boolean first, boolean last, long bytes) {
        try (MemoryStack stack = stackPush()) {
            VkCommandBuffer cmd = begin(slot);
            piece.record(stack, cmd, slot.buffer, 0, index, first, last);
            slot.bytes = bytes;
            end(stack, slot);
        }
    }

    /** The slot's command buffer, reset and begun; makes the pool, the command buffer and the fence on first use. */
    private VkCommandBuffer begin(Slot slot) {
        try (MemoryStack stack = stackPush()) {
            if (commandPool == VK_NULL_HANDLE) {
                VkCommandPoolCreateInfo pci = VkCommandPoolCreateInfo.calloc(stack).sType$Default()
                        .flags(VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT | VK_COMMAND_POOL_CREATE_TRANSIENT_BIT)
                        .queueFamilyIndex(queueFamilyIndex);
                LongBuffer pPool = stack.mallocLong(1);
                check(vkCreateCommandPool(device, pci, null, pPool), "vkCreateCommandPool");
                commandPool = pPool.get(0);
            }
            if (slot.commandBuffer == null) {
                VkCommandBufferAllocateInfo ai = VkCommandBufferAllocateInfo.calloc(stack).sType$Default()
                        .commandPool(commandPool).level(VK_COMMAND_BUFFER_LEVEL_PRIMARY).commandBufferCount(1);
                PointerBuffer pCmd = stack.mallocPointer(1);
                check(vkAllocateCommandBuffers(device, ai, pCmd), "vkAllocateCommandBuffers");
                slot.commandBuffer = new VkCommandBuffer(pCmd.get(0), device);
                backend.ownDispatchable(slot.commandBuffer.address());
            }
            if (slot.fence == VK_NULL_HANDLE) {
                LongBuffer pFence = stack.mallocLong(1);
                check(vkCreateFence(device, VkFenceCreateInfo.calloc(stack).sType$Default(), null, pFence), "vkCreateFence");
                slot.fence = pFence.get(0);
            }
            check(vkResetCommandBuffer(slot.commandBuffer, 0), "vkResetCommandBuffer");
            check(vkBeginCommandBuffer(slot.commandBuffer, VkCommandBufferBeginInfo.calloc(stack).sType$Default()
                    .flags(VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT)), "vkBeginCommandBuffer");
            return slot.commandBuffer;
        }
    }

    /** Ends and submits the slot's command buffer, signalling its fence. */
    private void end(MemoryStack stack, Slot slot) {
        check(vkEndCommandBuffer(slot.commandBuffer), "vkEndCommandBuffer");
        VkSubmitInfo submit = VkSubmitInfo.calloc(stack).sType$Default().pCommandBuffers(stack.pointers(slot.commandBuffer));
        queueLock.lock();
        try {
            check(vkQueueSubmit(queue, submit, slot.fence), "vkQueueSubmit");
        } finally {
            queueLock.unlock();
        }
        slot.pending = true;
    }

    /** Makes the slot's staging buffer hold at least {@code bytes}, growing it (and its memory) if needed. */
    private void ensureStaging(Slot slot, long bytes) {
        if (slot.buffer != VK_NULL_HANDLE && slot.size >= bytes) {
            return;
        }
        destroyStaging(slot);
        final long size = Math.max(bytes, STAGING_MIN);
        try (MemoryStack stack = stackPush()) {
            VkBufferCreateInfo ci = VkBufferCreateInfo.calloc(stack).sType$Default().size(size)
                    .usage(VK_BUFFER_USAGE_TRANSFER_SRC_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT)
                    .sharingMode(VK_SHARING_MODE_EXCLUSIVE);
            LongBuffer pBuffer = stack.mallocLong(1);
            check(vkCreateBuffer(device, ci, null, pBuffer), "vkCreateBuffer");
            long buffer = pBuffer.get(0);
            try {
                VkMemoryRequirements req = VkMemoryRequirements.malloc(stack);
                vkGetBufferMemoryRequirements(device, buffer, req);
                int type = stagingType(req.memoryTypeBits());
                long memory = backend.pages().allocateDeviceMemory(type, req.size(), VK_NULL_HANDLE, VK_NULL_HANDLE);
                try {
                    check(vkBindBufferMemory(device, buffer, memory, 0), "vkBindBufferMemory");
                    PointerBuffer pData = stack.mallocPointer(1);
                    check(vkMapMemory(device, memory, 0, VK_WHOLE_SIZE, 0, pData), "vkMapMemory");
                    slot.address = pData.get(0);
                } catch (RuntimeException | Error e) {
                    backend.pages().freeDeviceMemory(memory, type, req.size());
                    throw e;
                }
                slot.buffer = buffer;
                slot.memory = memory;
                slot.size = req.size();
                slot.type = type;
            } catch (RuntimeException | Error e) {
                vkDestroyBuffer(device, buffer, null);
                throw e;
            }
        }
    }

    /**
     * A host-visible type for staging: host memory rather than device memory (host reads of a BAR
     * crawl), cached (reads back at memory speed; written as fast), then coherent; the lowest index
     * breaking ties.
     */
    private int stagingType(int memoryTypeBits) {
        int best = -1;
        int bestScore = -1;
        for (int t = 0; t < typeFlags.length; t++) {
            int f = typeFlags[t];
            if ((memoryTypeBits & (1 << t)) == 0 || (f & VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT) == 0
                    || (f & VK_MEMORY_PROPERTY_PROTECTED_BIT) != 0) {
                continue;
            }
            int score = ((f & VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT) == 0 ? 4 : 0)
                    + ((f & VK_MEMORY_PROPERTY_HOST_CACHED_BIT) != 0 ? 2 : 0)
                    + ((f & VK_MEMORY_PROPERTY_HOST_COHERENT_BIT) != 0 ? 1 : 0);
            if (score > bestScore) {
                best = t;
                bestScore = score;
            }
        }
        if (best < 0) {
            throw new BackendException("choosing a staging memory type", backend.device().name()
                    + " has no host-visible memory type for a transfer buffer (memoryTypeBits 0x"
                    + Integer.toHexString(memoryTypeBits) + ")");
        }
        return best;
    }

    private void destroyStaging(Slot slot) {
        if (slot.buffer != VK_NULL_HANDLE) {
            vkDestroyBuffer(device, slot.buffer, null);
            backend.pages().freeDeviceMemory(slot.memory, slot.type, slot.size);
            slot.buffer = VK_NULL_HANDLE;
            slot.memory = VK_NULL_HANDLE;
            slot.size = 0;
            slot.address = 0;
            slot.type = -1;
        }
    }

    private void flushStaging(Slot slot) {
        syncStaging(slot, true);
    }

    private void invalidateStaging(Slot slot) {
        syncStaging(slot, false);
    }

    private void syncStaging(Slot slot, boolean flush) {
        if ((typeFlags[slot.type] & VK_MEMORY_PROPERTY_HOST_COHERENT_BIT) != 0) {
            return;
        }
        try (MemoryStack stack = stackPush()) {
            VkMappedMemoryRange.Buffer range = VkMappedMemoryRange.calloc(1, stack);
            range.get(0).sType$Default().memory(slot.memory).offset(0).size(VK_WHOLE_SIZE);
            if (flush) {
                check(vkFlushMappedMemoryRanges(device, range), "vkFlushMappedMemoryRanges");
            } else {
                check(vkInvalidateMappedMemoryRanges(device, range), "vkInvalidateMappedMemoryRanges");
            }
        }
    }

    // ------------------------------------------------------------------------------------------
    // Commands

    private static void copyBuffer(MemoryStack stack, VkCommandBuffer cmd, long src, long srcOffset, long dst,
                                   long dstOffset, long size) {
        VkBufferCopy.Buffer region = VkBufferCopy.calloc(1, stack);
        region.get(0).srcOffset(srcOffset).dstOffset(dstOffset).size(size);
        vkCmdCopyBuffer(cmd, src, dst, region);
    }

    /** Transfer writes (into host memory) made visible to host reads after the fence. */
    private static void hostReadBarrier(MemoryStack stack, VkCommandBuffer cmd) {
        memoryBarrier(stack, cmd, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_WRITE_BIT,
                VK_PIPELINE_STAGE_HOST_BIT, VK_ACCESS_HOST_READ_BIT);
    }

    private static void memoryBarrier(MemoryStack stack, VkCommandBuffer cmd, int srcStage, int srcAccess,
                                      int dstStage, int dstAccess) {
        VkMemoryBarrier.Buffer barrier = VkMemoryBarrier.calloc(1, stack);
        barrier.get(0).sType$Default().srcAccessMask(srcAccess).dstAccessMask(dstAccess);
        vkCmdPipelineBarrier(cmd, srcStage, dstStage, 0, barrier, null, null);
    }

    /** Every level and layer of the image changes layout together; the library keeps one layout per image. */
    private static void imageBarrier(MemoryStack stack, VkCommandBuffer cmd, long image, ImageDescriptor d, int oldLayout, int newLayout,
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

    private static int aspect(ImageDescriptor d) {
        return d.format() != null && d.format().isDepth() ? VK_IMAGE_ASPECT_DEPTH_BIT : VK_IMAGE_ASPECT_COLOR_BIT;
    }
}
