package dev.lluvia.memory.benchmarks;

import static org.lwjgl.vulkan.VK10.*;

import dev.lluvia.memory.Buffer;
import dev.lluvia.memory.Memory;
import dev.lluvia.memory.MemoryOptions;
import dev.lluvia.memory.MemoryPropertyFlag;
import dev.lluvia.memory.Session;
import dev.lluvia.memory.SessionOptions;
import dev.lluvia.memory.vulkan.VulkanBackend;
import java.nio.ByteBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Locale;
import org.lwjgl.PointerBuffer;
import org.lwjgl.system.MemoryStack;
import org.lwjgl.system.MemoryUtil;
import org.lwjgl.util.vma.Vma;
import org.lwjgl.util.vma.VmaAllocationCreateInfo;
import org.lwjgl.util.vma.VmaAllocationInfo;
import org.lwjgl.util.vma.VmaAllocatorCreateInfo;
import org.lwjgl.util.vma.VmaVulkanFunctions;
import org.lwjgl.vulkan.VK11;
import org.lwjgl.vulkan.VK13;
import org.lwjgl.vulkan.VkBufferCopy;
import org.lwjgl.vulkan.VkBufferCreateInfo;
import org.lwjgl.vulkan.VkBufferMemoryRequirementsInfo2;
import org.lwjgl.vulkan.VkCommandBuffer;
import org.lwjgl.vulkan.VkCommandBufferAllocateInfo;
import org.lwjgl.vulkan.VkCommandBufferBeginInfo;
import org.lwjgl.vulkan.VkCommandPoolCreateInfo;
import org.lwjgl.vulkan.VkFenceCreateInfo;
import org.lwjgl.vulkan.VkMemoryBarrier;
import org.lwjgl.vulkan.VkMemoryDedicatedRequirements;
import org.lwjgl.vulkan.VkMemoryRequirements2;
import org.lwjgl.vulkan.VkSubmitInfo;

/**
 * Issue 24's large-object churn loop against {@code lwjgl-vma}, both doing the same work at their
 * default settings on the same {@code VkDevice}: per round, create a {@code --size} MiB (64)
 * device-local storage buffer, upload {@code --size} MiB from a direct {@code ByteBuffer} of the
 * program, run a device copy on it (its first half into its second, the program's own command
 * buffer, the same for both), read the whole buffer back into another direct {@code ByteBuffer},
 * and free it.
 *
 * <ul>
 *   <li><b>Lluvia</b>: {@code Memory.createBuffer} in a {@code DEVICE_LOCAL} Memory with default
 *       options (32 MiB pages, default empty-page budget), {@code Buffer.write}, {@code Buffer.read},
 *       {@code Buffer.close}.</li>
 *   <li><b>VMA</b>, as its documentation's "advanced data uploading" and readback recipe has a
 *       user do it: an allocator at the device's API version (so it sees the driver's dedicated
 *       allocation preference, as the library does), {@code vmaCreateBuffer} with
 *       {@code VMA_MEMORY_USAGE_AUTO} and {@code HOST_ACCESS_RANDOM | HOST_ACCESS_ALLOW_TRANSFER_INSTEAD
 *       | MAPPED}; where the memory VMA chose is host-visible (lavapipe, integrated and
 *       resizable-BAR memory) the bytes are copied through the mapping ({@code memCopy}, flush,
 *       invalidate), else through a staging buffer of the same size made once and kept
 *       ({@code VMA_MEMORY_USAGE_AUTO}, {@code HOST_ACCESS_RANDOM | MAPPED}: cached host memory, as
 *       the library's staging), one {@code vkCmdCopyBuffer} and a fence each way;
 *       {@code vmaDestroyBuffer}.</li>
 * </ul>
 * The two peers alternate round by round after {@code --warmup} (10) rounds each, so load on a
 * shared machine falls on both; medians of {@code --rounds} (20) per phase and of the whole loop, in
 * milliseconds, and the ratio of the whole loop's medians. Also printed: what the driver answers
 * for the buffer ({@code prefersDedicatedAllocation}, {@code requiresDedicatedAllocation}), and the
 * driver allocations left after each peer's close (a kept page, VMA's block).
 *
 * <p>Run: {@code java -cp benchmarks/target/benchmarks.jar dev.lluvia.memory.benchmarks.ChurnBenchmark
 * [--device NAME|INDEX] [--size MIB] [--rounds N] [--warmup N]}; on lavapipe, {@code --device llvmpipe}.
 */
public final class ChurnBenchmark {

    private static final int USAGE = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_TRANSFER_SRC_BIT
            | VK_BUFFER_USAGE_TRANSFER_DST_BIT;
    /** Phases of a round: create, upload, device copy, read back, free. */
    private static final String[] PHASES = {"create", "upload", "device copy", "read back", "free"};

    private ChurnBenchmark() {
    }

    public static void main(String[] args) {
        String device = null;
        int sizeMib = 64;
        int rounds = 20;
        int warmup = 10;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--device" -> device = args[++i];
                case "--size" -> sizeMib = Integer.parseInt(args[++i]);
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--warmup" -> warmup = Integer.parseInt(args[++i]);
                default -> {
                    System.err.println("unknown argument " + args[i]
                            + "; usage: ChurnBenchmark [--device NAME|INDEX] [--size MIB] [--rounds N] [--warmup N]");
                    System.exit(2);
                }
            }
        }
        final SessionOptions options = OnDevice.session(device);
        final int size = sizeMib << 20;
        final ByteBuffer src = MemoryUtil.memAlloc(size);
        final ByteBuffer dst = MemoryUtil.memAlloc(size);
        for (int i = 0; i < size; i += 8) {
            src.putLong(i, i * 0x9E3779B97F4A7C15L);
        }
        try (Session session = Session.create(options);
             DeviceCopy copy = new DeviceCopy(session.unwrap(VulkanBackend.class).orElseThrow());
             Memory memory = session.createMemory(MemoryOptions.of(EnumSet.of(MemoryPropertyFlag.DEVICE_LOCAL)));
             VmaPeer vma = new VmaPeer(copy, size)) {
            final VulkanBackend vk = copy.vk;
            System.out.printf(Locale.ROOT, "Device: %s; %d MiB buffer: %s; VMA: %s%n%n", session.device().name(), sizeMib,
                    dedicatedAnswer(vk, size), vma.describe());
            final double[][] lib = new double[PHASES.length + 1][rounds];
            final double[][] peer = new double[PHASES.length + 1][rounds];
            for (int r = -warmup; r < rounds; r++) {
                libraryRound(memory, copy, src, dst, size, r < 0 ? null : lib, Math.max(r, 0));
                vma.round(src, dst, r < 0 ? null : peer, Math.max(r, 0));
            }
            final long libLeft = vk.liveAllocationCount();
            System.out.println("| phase (median ms of " + rounds + ") | Lluvia | VMA | Lluvia / VMA |");
            System.out.println("|---|---:|---:|---:|");
            for (int p = 0; p <= PHASES.length; p++) {
                final double a = median(lib[p]);
                final double b = median(peer[p]);
                System.out.printf(Locale.ROOT, "| %s | %.3f | %.3f | %.2f |%n", p < PHASES.length ? PHASES[p] : "**whole loop**",
                        a, b, a / b);
            }
            System.out.printf(Locale.ROOT, "%nchurn loop, %d MiB: Lluvia / VMA %.2f (target <= 1.10); the library's driver"
                    + " allocations live after the rounds (pages, staging): %d, its Memory's pages: %d%n",
                    sizeMib, median(lib[PHASES.length]) / median(peer[PHASES.length]), libLeft, memory.pageCount());
        } finally {
            MemoryUtil.memFree(src);
            MemoryUtil.memFree(dst);
        }
    }

    private static void libraryRound(Memory memory, DeviceCopy copy, ByteBuffer src, ByteBuffer dst, int size,
                                     double[][] ms, int r) {
        final long t0 = System.nanoTime();
        final Buffer b = memory.createBuffer(size);
        final long t1 = System.nanoTime();
        b.write(0, src.duplicate());
        final long t2 = System.nanoTime();
        copy.run(b.handle(), size);
        final long t3 = System.nanoTime();
        b.read(0, dst.duplicate());
        final long t4 = System.nanoTime();
        b.close();
        final long t5 = System.nanoTime();
        record(ms, r, t0, t1, t2, t3, t4, t5);
        check(src, dst, size);
    }

    private static void record(double[][] ms, int r, long... t) {
        if (ms != null) {
            for (int p = 0; p < PHASES.length; p++) {
                ms[p][r] = (t[p + 1] - t[p]) / 1e6;
            }
            ms[PHASES.length][r] = (t[PHASES.length] - t[0]) / 1e6;
        }
    }

    /** The loop must do the work it claims: the read-back is the upload with the copy applied. */
    private static void check(ByteBuffer src, ByteBuffer dst, int size) {
        final int half = size / 2;
        for (int i = 0; i < size; i += 1 << 20) {
            final long expected = src.getLong(i < half ? i : i - half);
            if (dst.getLong(i) != expected) {
                throw new IllegalStateException("read back wrong bytes at " + i + ": " + dst.getLong(i) + " != " + expected);
            }
        }
        dst.putLong(0, ~dst.getLong(0)); // a round that reads nothing fails the next check
    }

    private static double median(double[] v) {
        final double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }

    /** What the driver answers for a device-local storage buffer of {@code size} bytes. */
    private static String dedicatedAnswer(VulkanBackend vk, long size) {
        try (MemoryStack stack = MemoryStack.stackPush()) {
            final LongBuffer out = stack.mallocLong(1);
            OnDevice.check(vkCreateBuffer(vk.vkDevice(), VkBufferCreateInfo.calloc(stack).sType$Default().size(size).usage(USAGE)
                    .sharingMode(VK_SHARING_MODE_EXCLUSIVE), null, out), "vkCreateBuffer");
            final VkMemoryDedicatedRequirements dedicated = VkMemoryDedicatedRequirements.calloc(stack).sType$Default();
            final VkMemoryRequirements2 req = VkMemoryRequirements2.calloc(stack).sType$Default().pNext(dedicated);
            VK11.vkGetBufferMemoryRequirements2(vk.vkDevice(),
                    VkBufferMemoryRequirementsInfo2.calloc(stack).sType$Default().buffer(out.get(0)), req);
            vkDestroyBuffer(vk.vkDevice(), out.get(0), null);
            return "prefersDedicatedAllocation " + dedicated.prefersDedicatedAllocation()
                    + ", requiresDedicatedAllocation " + dedicated.requiresDedicatedAllocation();
        }
    }

    /**
     * The program's own device work, the same for both peers: a command buffer on the session's
     * queue (under its lock) copying a buffer's first half into its second half, with barriers that
     * make the upload visible to it and it visible to the read-back, and a fence wait.
     */
    static final class DeviceCopy implements AutoCloseable {
        final VulkanBackend vk;
        private final long pool;
        private final VkCommandBuffer cmd;
        private final long fence;

        DeviceCopy(VulkanBackend vk) {
            this.vk = vk;
            try (MemoryStack stack = MemoryStack.stackPush()) {
                final LongBuffer out = stack.mallocLong(1);
                OnDevice.check(vkCreateCommandPool(vk.vkDevice(), VkCommandPoolCreateInfo.calloc(stack).sType$Default()
                        .queueFamilyIndex(vk.queueFamilyIndex()), null, out), "vkCreateCommandPool");
                pool = out.get(0);
                final PointerBuffer p = stack.mallocPointer(1);
                OnDevice.check(vkAllocateCommandBuffers(vk.vkDevice(), VkCommandBufferAllocateInfo.calloc(stack).sType$Default()
                        .commandPool(pool).level(VK_COMMAND_BUFFER_LEVEL_PRIMARY).commandBufferCount(1), p),
                        "vkAllocateCommandBuffers");
                cmd = new VkCommandBuffer(p.get(0), vk.vkDevice());
                OnDevice.check(vkCreateFence(vk.vkDevice(), VkFenceCreateInfo.calloc(stack).sType$Default(), null, out), "vkCreateFence");
                fence = out.get(0);
            }
        }

        /** Copies {@code [0, size/2)} of {@code buffer} to {@code [size/2, size)} on the device and waits. */
        void run(long buffer, long size) {
            copy(buffer, 0, buffer, size / 2, size / 2);
        }

        /** Copies {@code bytes} from {@code src} at {@code srcOffset} to {@code dst} at {@code dstOffset} and waits. */
        void copy(long src, long srcOffset, long dst, long dstOffset, long bytes) {
            try (MemoryStack stack = MemoryStack.stackPush()) {
                OnDevice.check(vkResetCommandPool(vk.vkDevice(), pool, 0), "vkResetCommandPool");
                OnDevice.check(vkBeginCommandBuffer(cmd, VkCommandBufferBeginInfo.calloc(stack).sType$Default()
                        .flags(VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT)), "vkBeginCommandBuffer");
                final VkMemoryBarrier.Buffer barrier = VkMemoryBarrier.calloc(1, stack).sType$Default()
                        .srcAccessMask(VK_ACCESS_HOST_WRITE_BIT | VK_ACCESS_TRANSFER_WRITE_BIT)
                        .dstAccessMask(VK_ACCESS_TRANSFER_READ_BIT | VK_ACCESS_TRANSFER_WRITE_BIT);
                vkCmdPipelineBarrier(cmd, VK_PIPELINE_STAGE_HOST_BIT | VK_PIPELINE_STAGE_TRANSFER_BIT,
                        VK_PIPELINE_STAGE_TRANSFER_BIT, 0, barrier, null, null);
                vkCmdCopyBuffer(cmd, src, dst, VkBufferCopy.calloc(1, stack).srcOffset(srcOffset).dstOffset(dstOffset)
                        .size(bytes));
                barrier.get(0).srcAccessMask(VK_ACCESS_TRANSFER_WRITE_BIT)
                        .dstAccessMask(VK_ACCESS_HOST_READ_BIT | VK_ACCESS_TRANSFER_READ_BIT);
                vkCmdPipelineBarrier(cmd, VK_PIPELINE_STAGE_TRANSFER_BIT,
                        VK_PIPELINE_STAGE_HOST_BIT | VK_PIPELINE_STAGE_TRANSFER_BIT, 0, barrier, null, null);
                OnDevice.check(vkEndCommandBuffer(cmd), "vkEndCommandBuffer");
                final VkSubmitInfo submit = VkSubmitInfo.calloc(stack).sType$Default().pCommandBuffers(stack.pointers(cmd));
                vk.queueLock().lock();
                try {
                    OnDevice.check(vkQueueSubmit(vk.vkQueue(), submit, fence), "vkQueueSubmit");
                } finally {
                    vk.queueLock().unlock();
                }
                OnDevice.check(vkWaitForFences(vk.vkDevice(), fence, true, Long.MAX_VALUE), "vkWaitForFences");
                OnDevice.check(vkResetFences(vk.vkDevice(), fence), "vkResetFences");
            }
        }

        @Override
        public void close() {
            vkDestroyFence(vk.vkDevice(), fence, null);
            vkDestroyCommandPool(vk.vkDevice(), pool, null);
        }
    }

    /** The VMA user's side of the loop (see the class Javadoc). */
    static final class VmaPeer implements AutoCloseable {
        private final DeviceCopy copy;
        private final int size;
        private final long allocator;
        private final int apiVersion;
        private final VkBufferCreateInfo info;
        private final VmaAllocationCreateInfo bufferInfo;
        private final VmaAllocationInfo allocationInfo = VmaAllocationInfo.calloc();
        private final long out = MemoryUtil.nmemCalloc(2, Long.BYTES);
        private final IntBuffer flags = MemoryUtil.memAllocInt(1);
        /** The staging buffer and its allocation and mapping, made on the first staged round. */
        private long staging;
        private long stagingAllocation;
        private long stagingMapped;
        private boolean mappedPath;

        VmaPeer(DeviceCopy copy, int size) {
            this.copy = copy;
            this.size = size;
            final VulkanBackend vk = copy.vk;
            apiVersion = Math.min(vk.vkDevice().getCapabilities().apiVersion, VK13.VK_API_VERSION_1_3);
            try (MemoryStack stack = MemoryStack.stackPush()) {
                final VmaVulkanFunctions functions = VmaVulkanFunctions.calloc(stack).set(vk.vkInstance(), vk.vkDevice());
                final PointerBuffer p = stack.mallocPointer(1);
                OnDevice.check(Vma.vmaCreateAllocator(VmaAllocatorCreateInfo.calloc(stack).physicalDevice(vk.vkPhysicalDevice())
                        .device(vk.vkDevice()).instance(vk.vkInstance()).pVulkanFunctions(functions)
                        .vulkanApiVersion(apiVersion), p), "vmaCreateAllocator");
                allocator = p.get(0);
            }
            info = VkBufferCreateInfo.calloc().sType$Default().size(size).usage(USAGE).sharingMode(VK_SHARING_MODE_EXCLUSIVE);
            bufferInfo = VmaAllocationCreateInfo.calloc().usage(Vma.VMA_MEMORY_USAGE_AUTO)
                    .flags(Vma.VMA_ALLOCATION_CREATE_HOST_ACCESS_RANDOM_BIT
                            | Vma.VMA_ALLOCATION_CREATE_HOST_ACCESS_ALLOW_TRANSFER_INSTEAD_BIT
                            | Vma.VMA_ALLOCATION_CREATE_MAPPED_BIT);
        }

        String describe() {
            return "vulkanApiVersion " + VK_VERSION_MAJOR(apiVersion) + "." + VK_VERSION_MINOR(apiVersion)
                    + ", VMA_MEMORY_USAGE_AUTO, host access random + transfer instead";
        }

        void round(ByteBuffer src, ByteBuffer dst, double[][] ms, int r) {
            final long t0 = System.nanoTime();
            OnDevice.check(Vma.nvmaCreateBuffer(allocator, info.address(), bufferInfo.address(), out, out + 8,
                    allocationInfo.address()), "vmaCreateBuffer");
            final long buffer = MemoryUtil.memGetLong(out);
            final long allocation = MemoryUtil.memGetAddress(out + 8);
            Vma.vmaGetAllocationMemoryProperties(allocator, allocation, flags);
            mappedPath = (flags.get(0) & VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT) != 0;
            final long t1 = System.nanoTime();
            if (mappedPath) {
                MemoryUtil.memCopy(MemoryUtil.memAddress(src), allocationInfo.pMappedData(), size);
                Vma.vmaFlushAllocation(allocator, allocation, 0, VK_WHOLE_SIZE);
            } else {
                stage();
                MemoryUtil.memCopy(MemoryUtil.memAddress(src), stagingMapped, size);
                Vma.vmaFlushAllocation(allocator, stagingAllocation, 0, VK_WHOLE_SIZE);
                copy.copy(staging, 0, buffer, 0, size);
            }
            final long t2 = System.nanoTime();
            copy.run(buffer, size);
            final long t3 = System.nanoTime();
            if (mappedPath) {
                Vma.vmaInvalidateAllocation(allocator, allocation, 0, VK_WHOLE_SIZE);
                MemoryUtil.memCopy(allocationInfo.pMappedData(), MemoryUtil.memAddress(dst), size);
            } else {
                copy.copy(buffer, 0, staging, 0, size);
                Vma.vmaInvalidateAllocation(allocator, stagingAllocation, 0, VK_WHOLE_SIZE);
                MemoryUtil.memCopy(stagingMapped, MemoryUtil.memAddress(dst), size);
            }
            final long t4 = System.nanoTime();
            Vma.nvmaDestroyBuffer(allocator, buffer, allocation);
            final long t5 = System.nanoTime();
            record(ms, r, t0, t1, t2, t3, t4, t5);
            ChurnBenchmark.check(src, dst, size);
        }

        /** The staging buffer a VMA user keeps for uploads and read-backs, made once. */
        private void stage() {
            if (staging != 0) {
                return;
            }
            try (VmaAllocationCreateInfo ci = VmaAllocationCreateInfo.calloc().usage(Vma.VMA_MEMORY_USAGE_AUTO)
                    .flags(Vma.VMA_ALLOCATION_CREATE_HOST_ACCESS_RANDOM_BIT | Vma.VMA_ALLOCATION_CREATE_MAPPED_BIT);
                 VkBufferCreateInfo bi = VkBufferCreateInfo.calloc().sType$Default().size(size)
                         .usage(VK_BUFFER_USAGE_TRANSFER_SRC_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT)
                         .sharingMode(VK_SHARING_MODE_EXCLUSIVE);
                 VmaAllocationInfo ai = VmaAllocationInfo.calloc()) {
                OnDevice.check(Vma.nvmaCreateBuffer(allocator, bi.address(), ci.address(), out, out + 8, ai.address()),
                        "vmaCreateBuffer (staging)");
                staging = MemoryUtil.memGetLong(out);
                stagingAllocation = MemoryUtil.memGetAddress(out + 8);
                stagingMapped = ai.pMappedData();
            }
        }

        @Override
        public void close() {
            if (staging != 0) {
                Vma.nvmaDestroyBuffer(allocator, staging, stagingAllocation);
            }
            Vma.vmaDestroyAllocator(allocator);
            info.free();
            bufferInfo.free();
            allocationInfo.free();
            MemoryUtil.nmemFree(out);
            MemoryUtil.memFree(flags);
        }
    }
}
