package dev.lluvia.memory.sim;

import dev.lluvia.memory.BackendException;
import dev.lluvia.memory.DeviceProperties;
import dev.lluvia.memory.MemoryHeap;
import dev.lluvia.memory.MemoryType;
import dev.lluvia.memory.OutOfDeviceMemoryException;
import dev.lluvia.memory.OutOfHostMemoryException;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The sim's page memory: the live pages, the bytes each heap has given, and the host and device
 * bytes behind every page.
 *
 * <p>Backing bytes are allocated lazily, with {@link ByteBuffer#allocateDirect}, when a range is
 * first mapped (or its device side first touched), so an 80 GB heap costs nothing until used.
 * Pages up to 2 GiB - 1 have one buffer; larger pages are backed in {@value #LARGE_PAGE_CHUNK}-byte
 * chunks and a mapping may not cross a chunk boundary. A non-coherent page has a host copy and a
 * device copy, which {@link #flush} and {@link #invalidate} copy between; on other pages both
 * sides are one buffer. Freeing a page drops its buffers for the garbage collector (never
 * {@code Unsafe.invokeCleaner}), so a stale mapping reads old bytes instead of crashing the JVM.
 *
 * <p>Not thread-safe: every call is made under the device's lock, after the referee's checks.
 */
final class SimPages {

    /** Chunk size of the backing of pages larger than one ByteBuffer can hold. */
    static final long LARGE_PAGE_CHUNK = 1L << 30;

    /** The device address of the first page, and the alignment of each page's address. */
    static final long PAGE_ADDRESS_BASE = 1L << 32;
    private static final long PAGE_ADDRESS_ALIGNMENT = 1L << 16;

    private final DeviceProperties device;
    private final Map<Long, SimPage> pages = new LinkedHashMap<>();
    private final long[] heapUsage;
    /**
     * The device address of the next page: pages get disjoint ranges of a made-up address space,
     * starting away from 0 (an address of 0 means none in Vulkan).
     */
    private long nextPageAddress = PAGE_ADDRESS_BASE;

    SimPages(DeviceProperties device) {
        this.device = device;
        this.heapUsage = new long[device.memoryHeaps().size()];
    }

    /**
     * Adds a page of {@code size} bytes of {@code type}, after its caller's checks and fault points.
     *
     * @throws BackendException            {@code VK_ERROR_TOO_MANY_OBJECTS} past maxMemoryAllocationCount
     * @throws OutOfDeviceMemoryException naming the heap when the page does not fit it
     */
    SimPage add(long handle, MemoryType type, long size) {
        MemoryHeap heap = device.memoryHeaps().get(type.heapIndex());
        long max = device.limits().maxMemoryAllocationCount();
        if (pages.size() >= max) {
            throw new BackendException("vkAllocateMemory", "VK_ERROR_TOO_MANY_OBJECTS", size + " bytes, "
                    + pages.size() + " pages live, maxMemoryAllocationCount " + max);
        }
        long used = heapUsage[heap.index()];
        if (size > heap.size() - used) {
            throw new OutOfDeviceMemoryException("heap " + heap.index() + " (" + heap.size() + " bytes"
                    + (heap.deviceLocal() ? ", device-local" : "") + ") of " + device.name() + " has " + used
                    + " bytes in use and cannot give " + size + " more for memory type " + type.index()
                    + ": VK_ERROR_OUT_OF_DEVICE_MEMORY", heap.index(), size);
        }
        SimPage page = new SimPage(handle, type, size);
        page.address = nextPageAddress;
        nextPageAddress += (size + PAGE_ADDRESS_ALIGNMENT - 1) / PAGE_ADDRESS_ALIGNMENT * PAGE_ADDRESS_ALIGNMENT;
        pages.put(handle, page);
        heapUsage[heap.index()] = used + size;
        return page;
    }

    /** Removes a live page, gives its bytes back to its heap and drops its backing. */
    void remove(SimPage p) {
        pages.remove(p.handle);
        heapUsage[p.type.heapIndex()] -= p.size;
        p.host = null;
        p.device = null;
    }

    /** Drops every page (a device closed with leaks). */
    void clear() {
        pages.clear();
        Arrays.fill(heapUsage, 0);
    }

    /** The live page {@code handle}, or {@code null}. */
    SimPage get(long handle) {
        return pages.get(handle);
    }

    Collection<SimPage> live() {
        return pages.values();
    }

    List<Long> handles() {
        return List.copyOf(pages.keySet());
    }

    int count() {
        return pages.size();
    }

    long heapUsage(int heapIndex) {
        return heapUsage[heapIndex];
    }

    /**
     * Refuses a mapping one {@code ByteBuffer} cannot view: longer than {@code Integer.MAX_VALUE}
     * or across a chunk boundary of a large page.
     */
    static void checkMappable(SimPage p, long offset, long size) {
        checkRange(p, offset, size, "map");
        if (size > Integer.MAX_VALUE) {
            throw new SimViolationException(SimRule.RANGE, "map: a ByteBuffer views at most " + Integer.MAX_VALUE
                    + " bytes; asked for " + size + " of " + p);
        }
        int chunk = (int) (offset / p.chunkSize);
        long start = offset - chunk * p.chunkSize;
        if (size > 0 && start + size > p.chunkSize) {
            throw new UnsupportedOperationException("map: the sim backs " + p + " in chunks of " + p.chunkSize
                    + " bytes and cannot map [" + offset + ", " + (offset + size) + "), which crosses the chunk boundary at "
                    + (chunk + 1) * p.chunkSize);
        }
    }

    /** The host's bytes of a range {@link #checkMappable} accepted. */
    static ByteBuffer map(SimPage p, long offset, long size) {
        int chunk = (int) (offset / p.chunkSize);
        long start = offset - chunk * p.chunkSize;
        return hostChunk(p, chunk).slice((int) start, (int) size);
    }

    /** Host to device, on a non-coherent page; nothing to do on others. */
    void flush(SimPage p, long offset, long size, String call) {
        checkAtomRange(p, offset, size, call);
        if (!p.coherent) {
            copy(p, offset, size, true);
        }
    }

    /** Device to host, on a non-coherent page; nothing to do on others. */
    void invalidate(SimPage p, long offset, long size, String call) {
        checkAtomRange(p, offset, size, call);
        if (!p.coherent) {
            copy(p, offset, size, false);
        }
    }

    /** The bytes the device sees at {@code [offset, offset + length)} of a page. */
    static byte[] readDevice(SimPage p, long offset, int length, String call) {
        checkRange(p, offset, length, call);
        byte[] out = new byte[length];
        for (int done = 0; done < length; ) {
            long at = offset + done;
            int chunk = (int) (at / p.chunkSize);
            int start = (int) (at - chunk * p.chunkSize);
            int n = (int) Math.min(length - done, p.chunkSize - start);
            deviceChunk(p, chunk).get(start, out, done, n);
            done += n;
        }
        return out;
    }

    /** The device writes {@code bytes} at {@code offset} of a page, as a shader or copy command would. */
    static void writeDevice(SimPage p, long offset, byte[] bytes, String call) {
        checkRange(p, offset, bytes.length, call);
        for (int done = 0; done < bytes.length; ) {
            long at = offset + done;
            int chunk = (int) (at / p.chunkSize);
            int start = (int) (at - chunk * p.chunkSize);
            int n = (int) Math.min(bytes.length - done, p.chunkSize - start);
            deviceChunk(p, chunk).put(start, bytes, done, n);
            done += n;
        }
    }

    private static void checkRange(SimPage p, long offset, long size, String call) {
        if (offset < 0 || size < 0 || offset > p.size - size) {
            throw new SimViolationException(SimRule.RANGE, call + ": range [" + offset + ", " + offset + " + " + size
                    + ") is not inside " + p);
        }
    }

    private void checkAtomRange(SimPage p, long offset, long size, String call) {
        checkRange(p, offset, size, call);
        long atom = device.limits().nonCoherentAtomSize();
        if (offset % atom != 0 || (size % atom != 0 && offset + size != p.size)) {
            throw new SimViolationException(SimRule.ATOM_ALIGNMENT, call + ": range [" + offset + ", " + (offset + size)
                    + ") of " + p + ": the offset must be a multiple of nonCoherentAtomSize " + atom
                    + " and the size a multiple of it or reach the page end " + p.size);
        }
    }

    private static ByteBuffer allocate(SimPage p, int chunk) {
        long size = Math.min(p.chunkSize, p.size - chunk * p.chunkSize);
        try {
            return ByteBuffer.allocateDirect((int) size);
        } catch (OutOfMemoryError e) {
            throw new OutOfHostMemoryException("the sim cannot back " + size + " bytes of " + p
                    + " with direct memory (raise -XX:MaxDirectMemorySize): " + e.getMessage());
        }
    }

    private static ByteBuffer hostChunk(SimPage p, int chunk) {
        ByteBuffer b = p.host[chunk];
        if (b == null) {
            b = allocate(p, chunk);
            p.host[chunk] = b;
        }
        return b;
    }

    private static ByteBuffer deviceChunk(SimPage p, int chunk) {
        if (p.coherent) {
            return hostChunk(p, chunk);
        }
        ByteBuffer b = p.device[chunk];
        if (b == null) {
            b = allocate(p, chunk);
            p.device[chunk] = b;
        }
        return b;
    }

    /** Copies a range host to device ({@code toDevice}) or device to host, chunk by chunk. */
    private static void copy(SimPage p, long offset, long size, boolean toDevice) {
        for (long done = 0; done < size; ) {
            long at = offset + done;
            int chunk = (int) (at / p.chunkSize);
            int start = (int) (at - chunk * p.chunkSize);
            int n = (int) Math.min(size - done, p.chunkSize - start);
            ByteBuffer host = hostChunk(p, chunk);
            ByteBuffer dev = deviceChunk(p, chunk);
            if (toDevice) {
                dev.put(start, host, start, n);
            } else {
                host.put(start, dev, start, n);
            }
            done += n;
        }
    }
}
