package dev.lluvia.memory.vulkan;

import dev.lluvia.memory.DeviceProperties;
import dev.lluvia.memory.ImageDescriptor;
import dev.lluvia.memory.Statistics;
import dev.lluvia.memory.vulkan.TransferCommands.Cut;
import org.lwjgl.system.MemoryStack;
import org.lwjgl.system.MemoryUtil;
import org.lwjgl.vulkan.*;

import java.nio.ByteBuffer;
import java.nio.LongBuffer;
import java.util.List;
import java.util.concurrent.locks.Lock;
import java.util.function.IntFunction;
import java.util.function.LongConsumer;

import static dev.lluvia.memory.vulkan.VulkanResults.check;
import static org.lwjgl.system.MemoryStack.stackPush;
import static org.lwjgl.vulkan.EXTExternalMemoryHost.*;
import static org.lwjgl.vulkan.VK10.*;

/**
 * Copies between host memory and buffers or images through the device's queue, for memory the
 * host cannot map (and for any memory when asked). Three ways, chosen per transfer
 * ({@link #transfer}):
 *
 * <ul>
 *   <li><b>Mapped</b>: when the caller's bytes lie in a page this backend mapped (a
 *       {@code mapByteBuffer()} of host-visible memory, or a slice of one), the device copies
 *       straight from (or into) that page through its transfer window
 *       ({@link VulkanPages#transferWindow}): the memory is pinned host memory already, so this is
 *       a pinned-memory copy at the link's speed, with no host copy and nothing to pin.</li>
 *   <li><b>Import</b>: otherwise, where the device has {@code VK_EXT_external_memory_host} and the
 *       caller's bytes are in a direct {@code ByteBuffer} of at least {@link #IMPORT_MIN} bytes, the
 *       pages holding them are imported as device memory for the length of the transfer and copied
 *       from (or into) directly: one device copy, no staging copy on the host. Whether to import
 *       or stage is {@link TransferPath}'s choice.</li>
 *   <li><b>Staging</b>: otherwise the bytes go in pieces of at most {@link #CHUNK} bytes through
 *       the {@link StagingRing}, whose host copies {@link HostCopies} splits over a few threads.</li>
 * </ul>
 * What each transfer records (its pieces, copies and barriers) is {@link TransferCommands}'s and
 * {@link ImagePieces}'. Each transfer returns when its last copy finished. The transfer methods
 * are synchronized: the ring's command pool and buffers are used by one thread at a time.
 *
 * <p>The callers (the backend) have checked handles, usage and ranges. The queue calls nothing of
 * the backend: what it needs of the device comes in its {@link Setup}.
 */
final class TransferQueue {

    /** Largest piece one staging buffer carries: large enough that a submit costs little beside it. */
    static final int CHUNK = 16 << 20;
    /**
     * Largest piece of a direct (mapped or imported) transfer: nothing is staged, so one region
     * does (a whole buffer range, whole image slices), as few commands as the copy can be.
     */
    static final int DIRECT_CHUNK = Integer.MAX_VALUE & -4096;
    /** Smallest transfer that imports the caller's memory: below this staging is cheaper than an import. */
    static final long IMPORT_MIN = 1L << 20;
    /** See {@link TransferPath#REPROBE}. */
    static final int REPROBE = TransferPath.REPROBE;

    private static final System.Logger LOG = System.getLogger("dev.lluvia.memory.vulkan");

    /**
     * What a transfer queue needs of its device.
     *
     * @param name             the backend's name, for messages
     * @param device           the device; null only in tests of a queue that never transfers
     * @param queue            the queue, or null on a wrapped device given none (the backend then
     *                         refuses transfers before they get here)
     * @param queueFamilyIndex the queue's family
     * @param queueLock        held around vkQueueSubmit: the queue may be shared with the program
     * @param pages            the backend's pages: mapped pages, transfer windows, device memory
     * @param properties       the device's memory types (staging type ranking) and type
     * @param maxBufferSize    the largest buffer the device creates
     * @param importAlignment  minImportedHostPointerAlignment when imports are on; 0 when off
     * @param adaptive         whether imports are taken when measured faster rather than always
     * @param ownDispatchable  told of each command buffer made, for the validation messages
     */
    record Setup(String name, VkDevice device, VkQueue queue, int queueFamilyIndex, Lock queueLock, VulkanPages pages,
                 DeviceProperties properties, long maxBufferSize, long importAlignment, boolean adaptive,
                 LongConsumer ownDispatchable) {
    }

    private final String name;
    private final VkDevice device;
    private final VulkanPages pages;
    private final long maxBufferSize;
    private final long importAlignment;
    private final TransferPath path;
    private final StagingRing ring;
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

    TransferQueue(Setup setup) {
        this.name = setup.name();
        this.device = setup.device();
        this.pages = setup.pages();
        this.maxBufferSize = setup.maxBufferSize();
        this.importAlignment = setup.importAlignment();
        this.path = new TransferPath(setup.adaptive());
        this.ring = new StagingRing(setup.device(), setup.queue(), setup.queueFamilyIndex(), setup.queueLock(),
                setup.pages(), setup.properties(), setup.ownDispatchable());
    }

    /** The staging ring's buffers per heap; any thread, without this queue's monitor. */
    List<Statistics> stagingStatistics() {
        return ring.statistics();
    }

    /** Transfers so far that imported the caller's memory instead of staging. */
    synchronized long importedTransfers() {
        return importedTransfers;
    }

    /** Transfers so far whose host bytes were in a page of this backend's mapped memory. */
    synchronized long mappedTransfers() {
        return mappedTransfers;
    }

    /** Transfers so far copied in place from or into registered host memory. */
    synchronized long registeredTransfers() {
        return registeredTransfers;
    }

    /**
     * Copies {@code src}'s remaining bytes to {@code offset} of {@code buffer}; src's position is
     * unchanged. Returns the way the bytes went (as do the other copies here; null when there was
     * nothing to copy), which the backend tells the session.
     */
    synchronized dev.lluvia.memory.TransferPath copyToBuffer(long buffer, VulkanPages.Page target, long offset, ByteBuffer src) {
        requireOpen();
        final int total = src.remaining();
        if (total == 0) {
            return null; // a copy region of size 0 is invalid
        }
        return transfer(src, true, 1, target, chunk -> TransferCommands.toBuffer(buffer, offset, total, chunk));
    }

    /** Fills {@code dst}'s remaining bytes from {@code offset} of {@code buffer}; dst's position is unchanged. */
    synchronized dev.lluvia.memory.TransferPath copyFromBuffer(long buffer, VulkanPages.Page target, long offset, ByteBuffer dst) {
        requireOpen();
        final int total = dst.remaining();
        if (total == 0) {
            return null;
        }
        return transfer(dst, false, 1, target, chunk -> TransferCommands.fromBuffer(buffer, offset, total, chunk));
    }

    /** Replaces every pixel of {@code image} with {@code src}'s remaining bytes; the image ends in GENERAL. */
    synchronized dev.lluvia.memory.TransferPath copyToImage(long image, VulkanPages.Page target, ImageDescriptor descriptor, ByteBuffer src) {
        requireOpen();
        final int bytes = src.remaining();
        return transfer(src, true, ImagePieces.hostAlignment(descriptor, bytes), target,
                chunk -> TransferCommands.toImage(image, descriptor, new ImagePieces(descriptor, bytes, chunk)));
    }

    /** Copies every pixel of {@code image}, now in {@code layout}, into {@code dst}; the image ends in GENERAL. */
    synchronized dev.lluvia.memory.TransferPath copyFromImage(long image, VulkanPages.Page target, int layout, ImageDescriptor descriptor, ByteBuffer dst) {
        requireOpen();
        final int bytes = dst.remaining();
        return transfer(dst, false, ImagePieces.hostAlignment(descriptor, bytes), target,
                chunk -> TransferCommands.fromImage(image, layout, descriptor, new ImagePieces(descriptor, bytes, chunk)));
    }

    /** Copies the first {@code size} bytes of {@code src} into {@code dst} on the device, and waits. */
    synchronized void copyBuffer(long src, long dst, long size) {
        requireOpen();
        ring.onDevice(TransferCommands.bufferCopy(src, dst, size));
    }

    /**
     * Copies every pixel of {@code src}, now in {@code srcLayout}, into {@code dst} (whose old
     * contents are dropped) on the device, and waits; both images end in GENERAL.
     */
    synchronized void copyImage(long src, int srcLayout, long dst, ImageDescriptor d) {
        requireOpen();
        ring.onDevice(TransferCommands.imageCopy(src, srcLayout, dst, d));
    }

    /** Throws when {@link #close()} has run; call under the monitor. */
    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("the transfer queue of " + name + " is closed");
        }
    }

    /** Frees the staging ring and refuses every later transfer. Call with the device idle; idempotent. */
    synchronized void close() {
        closed = true;
        ring.close();
    }

    /**
     * Runs one transfer of the bytes of {@code data} between position and limit: straight from or
     * into a mapped page of this backend when the bytes lie in one, else imported when it can be
     * (and {@link TransferPath} says so), else staged. {@code cut} gives the pieces for a chunk
     * size. {@code alignment} is what the host offset of a direct copy must be a multiple of (1 for
     * buffers; for images {@link ImagePieces#hostAlignment}); a direct (mapped or imported)
     * transfer records all pieces into one command buffer. {@code target} is the page of the buffer
     * or image copied into or from, which the host bytes must not share (copies must not overlap).
     */
    private dev.lluvia.memory.TransferPath transfer(ByteBuffer data, boolean upload, int alignment, VulkanPages.Page target, IntFunction<Cut> cut) {
        final dev.lluvia.memory.TransferPath direct = data.isDirect() ? transferMapped(data, upload, alignment, target, cut) : null;
        if (direct != null) {
            return direct;
        }
        final int total = data.remaining();
        if (importAlignment == 0 || !data.isDirect() || total < IMPORT_MIN) {
            staged(data, upload, cut.apply(CHUNK));
            return dev.lluvia.memory.TransferPath.STAGED;
        }
        final long start = System.nanoTime();
        final boolean imported = path.importNext(upload) && transferImported(data, alignment, cut.apply(DIRECT_CHUNK));
        if (!imported) {
            staged(data, upload, cut.apply(CHUNK));
        }
        path.measured(upload, imported, start, total);
        return imported ? dev.lluvia.memory.TransferPath.IMPORTED : dev.lluvia.memory.TransferPath.STAGED;
    }

    private void staged(ByteBuffer data, boolean upload, Cut cut) {
        if (upload) {
            ring.upload(data, cut);
        } else {
            ring.download(data, cut);
        }
    }

    /**
     * Runs the transfer straight from (or into) the page of this backend's mapped memory that holds
     * {@code data}'s bytes, through that page's transfer window: the device reads or writes the
     * pinned host memory itself, no staging copy. False (having done nothing) when no such page
     * holds them, it is the target's page, or the offset does not suit the copy.
     */
    private dev.lluvia.memory.TransferPath transferMapped(ByteBuffer data, boolean upload, int alignment, VulkanPages.Page target,
                                   IntFunction<Cut> cuts) {
        final long address = MemoryUtil.memAddress(data);
        final VulkanPages.Page page = pages.acquireMapped(address, data.remaining());
        if (page == null) {
            return null;
        }
        try {
            final long hostOffset = address - page.address;
            final Cut cut = cuts.apply(DIRECT_CHUNK);
            if (page == target || !TransferCommands.suitsCopy(hostOffset, alignment, cut.bounds())) {
                return null;
            }
            final long window = pages.transferWindow(page, maxBufferSize);
            if (window == VK_NULL_HANDLE || hostOffset > page.windowSize - data.remaining()) {
                return null; // no window, or the bytes run past it (a dedicated buffer smaller than its page)
            }
            final boolean coherent = (pages.typeFlags()[page.type] & VK_MEMORY_PROPERTY_HOST_COHERENT_BIT) != 0;
            if (!coherent) {
                // Before an upload the host's writes must reach memory; before a download too, so
                // that no dirty cache line of the range is written back over the device's bytes.
                pages.syncRange(page, hostOffset, data.remaining(), true);
            }
            ring.recordWhole(window, hostOffset, cut);
            if (!upload && !coherent) {
                pages.syncRange(page, hostOffset, data.remaining(), false);
            }
            if (page.registered) {
                registeredTransfers++;
            } else {
                mappedTransfers++;
            }
            return page.registered ? dev.lluvia.memory.TransferPath.REGISTERED : dev.lluvia.memory.TransferPath.PINNED;
        } finally {
            pages.releaseMapped(page);
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
        if (!TransferCommands.suitsCopy(hostOffset, alignment, cut.bounds())) {
            return false; // an image copy's buffer offset must be a multiple of the texel size (and of 4)
        }
        final long size = (address + data.remaining() - base + importAlignment - 1) & -importAlignment;
        final VulkanPages.Page imported = pages.importHost(base, size);
        if (imported == null) {
            return false; // the bytes can still go through the staging buffers
        }
        try {
            ring.recordWhole(imported.window, hostOffset, cut);
            importedTransfers++;
        } finally {
            pages.freeImported(imported);
        }
        return true;
    }
}
