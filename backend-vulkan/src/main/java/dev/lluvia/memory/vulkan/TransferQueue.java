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
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;
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
 * {@link ImagePieces}'. Each transfer returns when its last copy finished.
 *
 * <p>Threads transfer at once: each transfer takes a {@link StagingRing} of its own (its command
 * pool, fences and staging buffers are one thread's at a time), made on first need, up to
 * {@link #MAX_RINGS}; a further transfer waits for a ring to come back. So one thread's large
 * write does not hold up another's: their host copies run side by side and their device copies
 * queue one behind the other on the device's queue, whose submissions alone take the queue lock.
 * Image transfers are the exception: they move their image between layouts over several
 * submissions, so they run one at a time ({@link #imageTransfers}).
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
    /**
     * Most transfers in flight at once, each with a staging ring (up to {@link StagingRing#SLOTS}
     * staging buffers of up to {@link #CHUNK} bytes): enough for a few threads' host copies to
     * overlap, bounded so that many threads cannot pile up staging memory.
     */
    static final int MAX_RINGS = 4;

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
    private final Setup setup;
    /** Staging buffers and bytes per heap, of every ring: see {@link StagingRing#statistics}. */
    private final AtomicLongArray staging;
    /** Rings no transfer holds; guarded by this queue's monitor, as are the fields below. */
    private final ArrayDeque<StagingRing> idleRings = new ArrayDeque<>();
    private int ringsMade;
    /** Transfers holding a ring now, and the most at once so far (the tests check that threads overlap). */
    private int inFlight;
    private int peakInFlight;
    /**
     * Set by {@link #close()}. A transfer that waited for a ring while the backend closed must not
     * make slots again (a command pool, fences) on a device that is gone: every transfer checks it
     * as it takes its ring, and close waits for the rings out.
     */
    private boolean closed;
    /** Held by image transfers, which run one at a time: see the class comment. */
    private final ReentrantLock imageTransfers = new ReentrantLock();
    /** Transfers that went through imported host memory; the tests check which path ran. */
    private final AtomicLong importedTransfers = new AtomicLong();
    /** Transfers copied straight from or into a page this backend mapped; the tests check which path ran. */
    private final AtomicLong mappedTransfers = new AtomicLong();
    /** Transfers copied in place from or into host memory the program registered. */
    private final AtomicLong registeredTransfers = new AtomicLong();

    TransferQueue(Setup setup) {
        this.name = setup.name();
        this.device = setup.device();
        this.pages = setup.pages();
        this.maxBufferSize = setup.maxBufferSize();
        this.importAlignment = setup.importAlignment();
        this.path = new TransferPath(setup.adaptive());
        this.setup = setup;
        this.staging = new AtomicLongArray(setup.properties() == null ? 0 : 2 * setup.properties().memoryHeaps().size());
    }

    /** The staging rings' buffers per heap; any thread, without this queue's monitor. */
    List<Statistics> stagingStatistics() {
        return StagingRing.statistics(staging);
    }

    /** The most transfers that were in flight at once. */
    synchronized int peakInFlight() {
        return peakInFlight;
    }

    /**
     * A ring for one transfer, idle or new, waiting while {@link #MAX_RINGS} are out; give it back
     * with {@link #give}. Refuses once {@link #close()} ran. An interrupt does not end the wait (the
     * transfer would have nowhere to report it); the thread's interrupt status is kept.
     */
    private synchronized StagingRing take() {
        boolean interrupted = false;
        try {
            requireOpen();
            while (idleRings.isEmpty() && ringsMade == MAX_RINGS) {
                try {
                    wait();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
                requireOpen();
            }
            StagingRing ring = idleRings.pollFirst();
            if (ring == null) {
                ring = new StagingRing(setup.device(), setup.queue(), setup.queueFamilyIndex(), setup.queueLock(),
                        setup.pages(), setup.properties(), setup.ownDispatchable(), staging);
                ringsMade++;
            }
            peakInFlight = Math.max(peakInFlight, ++inFlight);
            return ring;
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Returns a ring from {@link #take()}; the most recently used is taken first, its staging buffers warm. */
    private synchronized void give(StagingRing ring) {
        idleRings.addFirst(ring);
        inFlight--;
        notifyAll();
    }

    /** Transfers so far that imported the caller's memory instead of staging. */
    long importedTransfers() {
        return importedTransfers.get();
    }

    /** Transfers so far whose host bytes were in a page of this backend's mapped memory. */
    long mappedTransfers() {
        return mappedTransfers.get();
    }

    /** Transfers so far copied in place from or into registered host memory. */
    long registeredTransfers() {
        return registeredTransfers.get();
    }

    /**
     * Copies {@code src}'s remaining bytes to {@code offset} of {@code buffer}; src's position is
     * unchanged. Returns the way the bytes went (as do the other copies here; null when there was
     * nothing to copy), which the backend tells the session.
     */
    dev.lluvia.memory.TransferPath copyToBuffer(long buffer, VulkanPages.Page target, long offset, ByteBuffer src) {
        final int total = src.remaining();
        if (total == 0) {
            requireOpenNow();
            return null; // a copy region of size 0 is invalid
        }
        return transfer(src, true, 1, target, chunk -> TransferCommands.toBuffer(buffer, offset, total, chunk));
    }

    /** Fills {@code dst}'s remaining bytes from {@code offset} of {@code buffer}; dst's position is unchanged. */
    dev.lluvia.memory.TransferPath copyFromBuffer(long buffer, VulkanPages.Page target, long offset, ByteBuffer dst) {
        final int total = dst.remaining();
        if (total == 0) {
            requireOpenNow();
            return null;
        }
        return transfer(dst, false, 1, target, chunk -> TransferCommands.fromBuffer(buffer, offset, total, chunk));
    }

    /** Replaces every pixel of {@code image} with {@code src}'s remaining bytes; the image ends in GENERAL. */
    dev.lluvia.memory.TransferPath copyToImage(long image, VulkanPages.Page target, ImageDescriptor descriptor, ByteBuffer src) {
        final int bytes = src.remaining();
        imageTransfers.lock();
        try {
            return transfer(src, true, ImagePieces.hostAlignment(descriptor, bytes), target,
                    chunk -> TransferCommands.toImage(image, descriptor, new ImagePieces(descriptor, bytes, chunk)));
        } finally {
            imageTransfers.unlock();
        }
    }

    /** Copies every pixel of {@code image}, now in {@code layout}, into {@code dst}; the image ends in GENERAL. */
    dev.lluvia.memory.TransferPath copyFromImage(long image, VulkanPages.Page target, int layout, ImageDescriptor descriptor, ByteBuffer dst) {
        final int bytes = dst.remaining();
        imageTransfers.lock();
        try {
            return transfer(dst, false, ImagePieces.hostAlignment(descriptor, bytes), target,
                    chunk -> TransferCommands.fromImage(image, layout, descriptor, new ImagePieces(descriptor, bytes, chunk)));
        } finally {
            imageTransfers.unlock();
        }
    }

    /** Copies the first {@code size} bytes of {@code src} into {@code dst} on the device, and waits. */
    void copyBuffer(long src, long dst, long size) {
        final StagingRing ring = take();
        try {
            ring.onDevice(TransferCommands.bufferCopy(src, dst, size));
        } finally {
            give(ring);
        }
    }

    /**
     * Copies every pixel of {@code src}, now in {@code srcLayout}, into {@code dst} (whose old
     * contents are dropped) on the device, and waits; both images end in GENERAL.
     */
    void copyImage(long src, int srcLayout, long dst, ImageDescriptor d) {
        imageTransfers.lock();
        try {
            final StagingRing ring = take();
            try {
                ring.onDevice(TransferCommands.imageCopy(src, srcLayout, dst, d));
            } finally {
                give(ring);
            }
        } finally {
            imageTransfers.unlock();
        }
    }

    /** Throws when {@link #close()} has run; call under the monitor. */
    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("the transfer queue of " + name + " is closed");
        }
    }

    private synchronized void requireOpenNow() {
        requireOpen();
    }

    /**
     * Refuses every later transfer, waits for those in flight to give their rings back, and frees
     * the rings. Call with the device idle; idempotent.
     */
    synchronized void close() {
        closed = true;
        notifyAll(); // transfers waiting for a ring refuse now
        boolean interrupted = false;
        while (inFlight > 0) {
            try {
                wait();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        for (StagingRing ring : idleRings) {
            ring.close();
        }
        idleRings.clear();
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
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
        final StagingRing ring = take();
        try {
            final dev.lluvia.memory.TransferPath direct = data.isDirect() ? transferMapped(ring, data, upload, alignment, target, cut) : null;
            if (direct != null) {
                return direct;
            }
            final int total = data.remaining();
            if (importAlignment == 0 || !data.isDirect() || total < IMPORT_MIN) {
                staged(ring, data, upload, cut.apply(CHUNK));
                return dev.lluvia.memory.TransferPath.STAGED;
            }
            final long start = System.nanoTime();
            final boolean imported = path.importNext(upload) && transferImported(ring, data, alignment, cut.apply(DIRECT_CHUNK));
            if (!imported) {
                staged(ring, data, upload, cut.apply(CHUNK));
            }
            path.measured(upload, imported, start, total);
            return imported ? dev.lluvia.memory.TransferPath.IMPORTED : dev.lluvia.memory.TransferPath.STAGED;
        } finally {
            give(ring);
        }
    }

    private static void staged(StagingRing ring, ByteBuffer data, boolean upload, Cut cut) {
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
    private dev.lluvia.memory.TransferPath transferMapped(StagingRing ring, ByteBuffer data, boolean upload, int alignment,
                                                          VulkanPages.Page target, IntFunction<Cut> cuts) {
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
                registeredTransfers.incrementAndGet();
            } else {
                mappedTransfers.incrementAndGet();
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
    private boolean transferImported(StagingRing ring, ByteBuffer data, int alignment, Cut cut) {
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
            importedTransfers.incrementAndGet();
        } finally {
            pages.freeImported(imported);
        }
        return true;
    }
}
