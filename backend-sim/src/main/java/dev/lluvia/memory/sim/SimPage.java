package dev.lluvia.memory.sim;

import dev.lluvia.memory.MemoryType;
import dev.lluvia.memory.spi.PageOptions;

import java.nio.ByteBuffer;
import java.util.TreeMap;

/** One page of the sim: a vkAllocateMemory, its backing bytes and the resources bound in it by offset. */
final class SimPage {
    final long handle;
    final MemoryType type;
    final long size;
    /** Host and device sides are one buffer: coherent, or not host-visible at all. */
    final boolean coherent;
    final long chunkSize;
    final TreeMap<Long, SimResource> bound = new TreeMap<>();
    /** The resource this page was allocated for (allocateDedicatedPage), or 0. */
    long dedicatedTo;
    /** VkMemoryPriorityAllocateInfoEXT's priority, as the driver would have received it. */
    float priority = PageOptions.DEFAULT.priority();
    /** The device address of byte 0, unique among the pages this device ever made. */
    long address;
    ByteBuffer[] host;
    ByteBuffer[] device;

    SimPage(long handle, MemoryType type, long size) {
        this.handle = handle;
        this.type = type;
        this.size = size;
        this.coherent = !type.needsFlush();
        this.chunkSize = size <= Integer.MAX_VALUE ? size : SimPages.LARGE_PAGE_CHUNK;
        int chunks = (int) ((size + chunkSize - 1) / chunkSize);
        this.host = new ByteBuffer[chunks];
        this.device = coherent ? null : new ByteBuffer[chunks];
    }

    @Override
    public String toString() {
        return "page 0x" + Long.toHexString(handle) + " (" + size + " bytes, memory type " + type.index()
                + (dedicatedTo != 0 ? ", dedicated" : "") + ")";
    }
}
