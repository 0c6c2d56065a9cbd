package dev.lluvia.memory.benchmarks;

import dev.lluvia.memory.alloc.AllocationStrategy;
import dev.lluvia.memory.alloc.BlockAllocator;
import dev.lluvia.memory.alloc.FirstFitAllocator;
import dev.lluvia.memory.alloc.TlsfAllocator;
import org.lwjgl.system.MemoryUtil;
import org.lwjgl.util.vma.Vma;
import org.lwjgl.util.vma.VmaDetailedStatistics;
import org.lwjgl.util.vma.VmaStatistics;
import org.lwjgl.util.vma.VmaVirtualAllocationCreateInfo;
import org.lwjgl.util.vma.VmaVirtualBlockCreateInfo;

/**
 * One allocator under test behind one small interface, so every benchmark runs the same loop over
 * every peer. Each JMH fork measures one peer, so the call sites stay monomorphic.
 *
 * <p>Every {@link #allocate} returns the handle and leaves the placed offset in {@link #offset}, as a
 * caller needs both: ours reads it with {@link BlockAllocator#offset}, VMA returns it through
 * {@code pOffset}. A request that does not fit throws: the workloads are sized so it never happens,
 * and a failure must not be measured as a fast path.
 */
public abstract class Peer implements AutoCloseable {

    /** Offset of the last successful {@link #allocate}. */
    long offset;

    /** Places {@code size} units aligned to {@code alignment}; returns the handle. */
    abstract long allocate(long size, long alignment);

    abstract void free(long handle);

    /** Frees everything at once. */
    abstract void clear();

    /** Units in live allocations (without padding where the peer reports it apart). */
    abstract long usedBytes();

    abstract int allocationCount();

    /** The largest free range: the biggest request that could still be placed unaligned. */
    abstract long largestFreeRange();

    @Override
    public abstract void close();

    /** The peers, one per allocator and strategy. */
    public enum Kind {
        VMA_MIN_TIME, VMA_MIN_MEMORY, VMA_MIN_OFFSET,
        TLSF_MIN_TIME, TLSF_MIN_MEMORY, TLSF_MIN_OFFSET,
        FIRST_FIT;

        Peer create(long capacity) {
            return switch (this) {
                case VMA_MIN_TIME -> new VmaPeer(capacity, Vma.VMA_VIRTUAL_ALLOCATION_CREATE_STRATEGY_MIN_TIME_BIT);
                case VMA_MIN_MEMORY -> new VmaPeer(capacity, Vma.VMA_VIRTUAL_ALLOCATION_CREATE_STRATEGY_MIN_MEMORY_BIT);
                case VMA_MIN_OFFSET -> new VmaPeer(capacity, Vma.VMA_VIRTUAL_ALLOCATION_CREATE_STRATEGY_MIN_OFFSET_BIT);
                case TLSF_MIN_TIME -> new Ours(new TlsfAllocator(capacity, AllocationStrategy.MIN_TIME));
                case TLSF_MIN_MEMORY -> new Ours(new TlsfAllocator(capacity, AllocationStrategy.MIN_MEMORY));
                case TLSF_MIN_OFFSET -> new Ours(new TlsfAllocator(capacity, AllocationStrategy.MIN_OFFSET));
                case FIRST_FIT -> new Ours(new FirstFitAllocator(capacity));
            };
        }
    }

    /** Our block allocators. */
    static final class Ours extends Peer {
        final BlockAllocator allocator;

        Ours(BlockAllocator allocator) {
            this.allocator = allocator;
        }

        @Override
        long allocate(long size, long alignment) {
            final long h = allocator.allocate(size, alignment);
            if (h == BlockAllocator.NO_SPACE) {
                throw new IllegalStateException(allocator + ": no space for " + size + " units");
            }
            offset = allocator.offset(h);
            return h;
        }

        @Override
        void free(long handle) {
            allocator.free(handle);
        }

        @Override
        void clear() {
            allocator.clear();
        }

        @Override
        long usedBytes() {
            return allocator.usedBytes();
        }

        @Override
        int allocationCount() {
            return allocator.allocationCount();
        }

        @Override
        long largestFreeRange() {
            return allocator.statistics().largestFreeRange();
        }

        @Override
        public void close() {
        }
    }

    /**
     * VMA's virtual block through LWJGL. The create-info struct and the two out-parameters live in
     * native memory allocated once, and the calls go straight to the {@code nvma*} entry points with
     * their addresses, so our side of the JNI call allocates nothing and checks nothing: what is
     * measured is VMA plus one JNI transition per call.
     */
    static final class VmaPeer extends Peer {
        private final long block;
        private final VmaVirtualAllocationCreateInfo info;
        private final long infoAddress;
        /** {@code VmaVirtualAllocation* pAllocation} and {@code VkDeviceSize* pOffset}, side by side. */
        private final long out;
        private final VmaStatistics statistics = VmaStatistics.calloc();
        private final VmaDetailedStatistics detailed = VmaDetailedStatistics.calloc();

        VmaPeer(long capacity, int strategyFlags) {
            out = MemoryUtil.nmemCalloc(2, Long.BYTES);
            try (VmaVirtualBlockCreateInfo create = VmaVirtualBlockCreateInfo.calloc()) {
                create.size(capacity);
                final int result = Vma.nvmaCreateVirtualBlock(create.address(), out);
                if (result != 0) {
                    throw new IllegalStateException("vmaCreateVirtualBlock failed: " + result);
                }
                block = MemoryUtil.memGetAddress(out);
            }
            info = VmaVirtualAllocationCreateInfo.calloc();
            info.flags(strategyFlags);
            infoAddress = info.address();
        }

        @Override
        long allocate(long size, long alignment) {
            MemoryUtil.memPutLong(infoAddress + VmaVirtualAllocationCreateInfo.SIZE, size);
            MemoryUtil.memPutLong(infoAddress + VmaVirtualAllocationCreateInfo.ALIGNMENT, alignment);
            final int result = Vma.nvmaVirtualAllocate(block, infoAddress, out, out + Long.BYTES);
            if (result != 0) {
                throw new IllegalStateException("vmaVirtualAllocate of " + size + " failed: " + result);
            }
            offset = MemoryUtil.memGetLong(out + Long.BYTES);
            return MemoryUtil.memGetLong(out);
        }

        @Override
        void free(long handle) {
            Vma.nvmaVirtualFree(block, handle);
        }

        @Override
        void clear() {
            Vma.nvmaClearVirtualBlock(block);
        }

        @Override
        long usedBytes() {
            Vma.vmaGetVirtualBlockStatistics(block, statistics);
            return statistics.allocationBytes();
        }

        @Override
        int allocationCount() {
            Vma.vmaGetVirtualBlockStatistics(block, statistics);
            return statistics.allocationCount();
        }

        @Override
        long largestFreeRange() {
            Vma.vmaCalculateVirtualBlockStatistics(block, detailed);
            return detailed.unusedRangeCount() == 0 ? 0 : detailed.unusedRangeSizeMax();
        }

        @Override
        public void close() {
            Vma.vmaDestroyVirtualBlock(block);
            info.free();
            statistics.free();
            detailed.free();
            MemoryUtil.nmemFree(out);
        }
    }
}
