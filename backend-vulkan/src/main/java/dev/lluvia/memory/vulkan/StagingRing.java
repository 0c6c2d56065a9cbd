package dev.lluvia.memory.vulkan;

import dev.lluvia.memory.BackendException;
import dev.lluvia.memory.DeviceProperties;
import dev.lluvia.memory.DeviceType;
import dev.lluvia.memory.MemoryPropertyFlag;
import dev.lluvia.memory.MemoryType;
import dev.lluvia.memory.MemoryUsage;
import dev.lluvia.memory.Statistics;
import dev.lluvia.memory.vulkan.TransferCommands.Cut;
import dev.lluvia.memory.vulkan.TransferCommands.Piece;
import org.lwjgl.PointerBuffer;
import org.lwjgl.system.MemoryStack;
import org.lwjgl.vulkan.*;

import java.nio.ByteBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.Lock;
import java.util.function.LongConsumer;

import static dev.lluvia.memory.vulkan.VulkanResults.check;
import static org.lwjgl.system.MemoryStack.stackPush;
import static org.lwjgl.vulkan.VK10.*;

/**
 * The staging pipeline of a {@link TransferQueue}: {@link #SLOTS} slots, each a staging buffer in
 * host-visible memory with its own command buffer and fence, so that the host copies piece k+1
 * while the device copies piece k. Staging buffers are made on first use, grown as needed and
 * kept until {@link #close()}.
 *
 * <pre>
 *   upload:   host copy 0 | host copy 1 | host copy 2 | wait slot 0, host copy 3 | ...
 *             device 0 ......| device 1 ....| device 2 ....| device 3 ...
 * </pre>
 *
 * <p>Staging memory is allocated through {@link VulkanPages}, like the Memories' pages: it counts
 * in the heap usage that budgets and allocation limits are checked against, and shows per heap in
 * {@link #statistics} ({@code Session.stagingStatistics()}). Its memory type is
 * ranked by {@link DeviceProperties#bestMemoryType} as {@link MemoryUsage#READBACK} (host memory,
 * cached, coherent): host reads of device-local memory crawl. Each submission holds the backend's
 * queue lock, which a program that shares the queue takes too.
 *
 * <p>Not thread-safe: its transfer queue gives it to one transfer at a time.
 */
final class StagingRing {

    /** Staging buffers, each with a command buffer and a fence: the pieces in flight at once. */
    static final int SLOTS = 3;
    /**
     * How long a wait for a fence polls before it sleeps in the driver: 50 us, plus the time the
     * submission's bytes take at 20 GB/s, at most {@link #MAX_SPIN_NANOS}: a small copy is done in
     * a few microseconds, and a wait that sleeps in the driver costs a wake-up on top.
     */
    static final long SPIN_NANOS = 50_000;
    /** The longest a wait polls: longer copies pay one wake-up in a time it makes small. */
    static final long MAX_SPIN_NANOS = 2_000_000;
    private static final long STAGING_MIN = 1024 * 1024;

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
        boolean coherent;
    }

    private final VkDevice device;
    private final VkQueue queue;
    private final int queueFamilyIndex;
    /** Held around vkQueueSubmit: the queue may be shared with the program (see VulkanBackend#vkQueue). */
    private final Lock queueLock;
    private final VulkanPages pages;
    private final DeviceProperties properties;
    /** Told of each command buffer made, for the validation messages' ownership. */
    private final LongConsumer ownDispatchable;
    /** Whether waits poll their fence before sleeping: on GPUs, not on CPU devices. */
    private final boolean spin;
    private long commandPool = VK_NULL_HANDLE;
    private final Slot[] slots = new Slot[SLOTS];
    /**
     * Per heap: staging buffers [2h] and their bytes [2h + 1], for {@link #statistics}, which any
     * thread may call while transfers run; shared by the transfer queue's rings.
     */
    private final AtomicLongArray staging;

    StagingRing(VkDevice device, VkQueue queue, int queueFamilyIndex, Lock queueLock, VulkanPages pages,
                DeviceProperties properties, LongConsumer ownDispatchable, AtomicLongArray staging) {
        this.device = device;
        this.queue = queue;
        this.queueFamilyIndex = queueFamilyIndex;
        this.queueLock = queueLock;
        this.pages = pages;
        this.properties = properties;
        this.ownDispatchable = ownDispatchable;
        this.spin = properties != null && properties.type() != DeviceType.CPU;
        this.staging = staging;
    }

    /**
     * The staging buffers per heap counted in {@code staging} (shared by a transfer queue's rings),
     * in heap order: each one page and one allocation of its size.
     */
    static List<Statistics> statistics(AtomicLongArray staging) {
        List<Statistics> perHeap = new ArrayList<>(staging.length() / 2);
        for (int h = 0; h < staging.length() / 2; h++) {
            int buffers = (int) staging.get(2 * h);
            long bytes = staging.get(2 * h + 1);
            perHeap.add(new Statistics(buffers, bytes, buffers, bytes));
        }
        return perHeap;
    }

    private void countStaging(int type, long bytes, int buffers) {
        int heap = properties.memoryTypes().get(type).heapIndex();
        staging.addAndGet(2 * heap, buffers);
        staging.addAndGet(2 * heap + 1, bytes);
    }

    /** Copies {@code src}'s bytes through the ring into the device, in the pieces of {@code cut}; waits for the last. */
    void upload(ByteBuffer src, Cut cut) {
        final long[] bounds = cut.bounds();
        final Piece piece = cut.piece();
        final int pieces = bounds.length - 1;
        try {
            for (int i = 0; i < pieces; i++) {
                final Slot slot = slot(i % SLOTS);
                await(slot);
                final int length = (int) (bounds[i + 1] - bounds[i]);
                ensureStaging(slot, length);
                HostCopies.hostCopy(src, (int) bounds[i], slot.address, length, true);
                flushStaging(slot);
                submit(slot, piece, i, i == 0, i == pieces - 1, bounds[i + 1] - bounds[i]);
            }
        } finally {
            awaitAll();
        }
    }

    /**
     * Copies the device's bytes through the ring into {@code dst}, in the pieces of {@code cut}:
     * every slot is submitted first, then each is read back and given the next piece.
     */
    void download(ByteBuffer dst, Cut cut) {
        final long[] bounds = cut.bounds();
        final Piece piece = cut.piece();
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
                HostCopies.hostCopy(dst, (int) bounds[i], slot.address, (int) (bounds[i + 1] - bounds[i]), false);
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

    /** Records every piece, its host bytes at {@code hostOffset} of buffer {@code host}, in one command buffer, submits it and waits. */
    void recordWhole(long host, long hostOffset, Cut cut) {
        final long[] bounds = cut.bounds();
        final Piece piece = cut.piece();
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
     * Records {@code commands} (device-to-device work, no staging) in the first slot's command
     * buffer, submits them and waits: the pipeline's slots are idle between transfers.
     */
    void onDevice(Piece commands) {
        Slot slot = slot(0);
        await(slot);
        submit(slot, commands, 0, true, true, 0);
        await(slot);
    }

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
                ownDispatchable.accept(slot.commandBuffer.address());
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
                long memory = pages.allocateDeviceMemory(type, req.size(), VK_NULL_HANDLE, VK_NULL_HANDLE);
                try {
                    check(vkBindBufferMemory(device, buffer, memory, 0), "vkBindBufferMemory");
                    PointerBuffer pData = stack.mallocPointer(1);
                    check(vkMapMemory(device, memory, 0, VK_WHOLE_SIZE, 0, pData), "vkMapMemory");
                    slot.address = pData.get(0);
                } catch (RuntimeException | Error e) {
                    pages.freeDeviceMemory(memory, type, req.size());
                    throw e;
                }
                slot.buffer = buffer;
                slot.memory = memory;
                slot.size = req.size();
                slot.type = type;
                countStaging(type, slot.size, 1);
                slot.coherent = properties.memoryTypes().get(type).flags().contains(MemoryPropertyFlag.HOST_COHERENT);
            } catch (RuntimeException | Error e) {
                vkDestroyBuffer(device, buffer, null);
                throw e;
            }
        }
    }

    /** A host-visible type for staging among {@code memoryTypeBits}: as {@link MemoryUsage#READBACK} ranks them. */
    private int stagingType(int memoryTypeBits) {
        MemoryType type = properties.bestMemoryType(MemoryUsage.READBACK, memoryTypeBits);
        if (type == null) {
            throw new BackendException("choosing a staging memory type", properties.name()
                    + " has no host-visible memory type for a transfer buffer (memoryTypeBits 0x"
                    + Integer.toHexString(memoryTypeBits) + ")");
        }
        return type.index();
    }

    private void destroyStaging(Slot slot) {
        if (slot.buffer != VK_NULL_HANDLE) {
            vkDestroyBuffer(device, slot.buffer, null);
            pages.freeDeviceMemory(slot.memory, slot.type, slot.size);
            countStaging(slot.type, -slot.size, -1);
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
        if (slot.coherent) {
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

    /** Destroys the staging buffers, their memory, the fences and the command pool. Call with the device idle. */
    void close() {
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
}
