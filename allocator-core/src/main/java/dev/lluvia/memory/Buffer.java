package dev.lluvia.memory;

import dev.lluvia.memory.spi.Resource;

import java.nio.ByteBuffer;
import java.util.Set;

/**
 * A linear array of bytes allocated from a {@link Memory} (Lluvia's {@code Buffer}).
 *
 * <p>Buffers of a mappable memory can be read and written from the host through {@link #map()}
 * (a {@link MappedView}: checked, safe after close and across threads), through
 * {@link #write}/{@link #read} (any memory), or through the raw {@link #mapByteBuffer()} (no
 * guarantee at all).
 */
public final class Buffer extends MemoryObject {

    private final long size;
    private final Set<BufferUsage> usage;
    /** The backend's own create-info it was made from, or null for Lluvia's portable one. */
    private final BackendBufferInfo backendInfo;

    Buffer(Memory memory, long id, Resource resource, long size, Set<BufferUsage> usage) {
        this(memory, id, resource, size, usage, null);
    }

    Buffer(Memory memory, long id, Resource resource, long size, Set<BufferUsage> usage, BackendBufferInfo backendInfo) {
        super(memory, id, resource);
        this.size = size;
        this.usage = usage;
        this.backendInfo = backendInfo;
    }

    /**
     * {@return the backend's own create-info this buffer was made from ({@link Memory#createBuffer(BackendBufferInfo)}),
     * or null when it was made from Lluvia's size and {@link BufferUsage}s}
     */
    public BackendBufferInfo backendInfo() {
        return backendInfo;
    }

    /** {@return the size asked for, in bytes; {@link AllocationInfo#size()} may be larger} */
    public long size() {
        return size;
    }

    /** {@return what the buffer was created for (of a {@link #backendInfo()}: the usages {@link BufferUsage} names)} */
    public Set<BufferUsage> usage() {
        return usage;
    }

    /**
     * {@return a checked view of exactly this buffer's {@link #size()} bytes, in native byte order: every
     * access is bounds-checked, throws {@link IllegalStateException} once the buffer, its Memory or
     * its Session is closed, and never races the close ({@link MappedView} says exactly what is
     * guaranteed)} What is written stays when other objects come and go. On a non-coherent memory
     * call {@link MappedView#flush()} after writing and {@link MappedView#invalidate()} before
     * reading what the device wrote.
     *
     * @throws MemoryNotMappableException if the memory is not host-visible
     * @throws IllegalArgumentException   if the buffer is larger than one view can hold
     *                                    ({@code Integer.MAX_VALUE} bytes); map it in parts with
     *                                    {@link #map(long, long)}
     * @throws IllegalStateException      if the buffer is closed
     */
    public MappedView map() {
        return map(0, size);
    }

    /**
     * {@return a checked view of {@code length} bytes from {@code offset} of this buffer; as {@link #map()}}
     *
     * @param offset bytes from the start of the buffer
     * @param length bytes
     * @throws IndexOutOfBoundsException  if the range is not inside the buffer
     * @throws IllegalArgumentException   if {@code length} is over {@code Integer.MAX_VALUE}
     * @throws MemoryNotMappableException if the memory is not host-visible
     * @throws IllegalStateException      if the buffer is closed
     */
    public MappedView map(long offset, long length) {
        return mapView(offset, length, size);
    }

    /**
     * {@return a raw view of exactly this buffer's bytes, in native byte order: a pointer into the mapped
     * page and nothing more} <b>No guarantee</b>: it is not told when the buffer, its Memory or its
     * Session closes, so a use after close reads or overwrites whatever object is placed there
     * next, or crashes the JVM once the page is unmapped (a real driver unmaps on Session close);
     * and a close racing its use from another thread does the same. Keep it only while you know
     * the buffer is open, and do not share it between threads (it has a position). Use
     * {@link #map()} unless a measured need for the last nanoseconds says otherwise; it is here
     * for code that must hand a {@link ByteBuffer} to another API (LWJGL's {@code memCopy}, a
     * channel) within the buffer's life, and for Java 17. On JDK 22 and newer,
     * {@code MappedSegments.map(buffer)} gives a {@code MemorySegment} of the same bytes at nearly
     * the same speed whose every access after the buffer closes or moves throws instead.
     *
     * @throws MemoryNotMappableException if the memory is not host-visible
     * @throws IllegalArgumentException   if the buffer is larger than a {@link ByteBuffer} can view
     *                                    ({@code Integer.MAX_VALUE} bytes); map it in parts with
     *                                    {@link #mapByteBuffer(long, long)}
     * @throws IllegalStateException      if the buffer is closed
     */
    public ByteBuffer mapByteBuffer() {
        return mapByteBuffer(0, size);
    }

    /**
     * {@return a raw view of {@code length} bytes from {@code offset} of this buffer, with no guarantee; see
     * {@link #mapByteBuffer()}}
     *
     * @param offset bytes from the start of the buffer
     * @param length bytes
     * @throws IndexOutOfBoundsException  if the range is not inside the buffer
     * @throws IllegalArgumentException   if {@code length} is over {@code Integer.MAX_VALUE}
     * @throws MemoryNotMappableException if the memory is not host-visible
     * @throws IllegalStateException      if the buffer is closed
     */
    public ByteBuffer mapByteBuffer(long offset, long length) {
        return mapRaw(offset, length, size);
    }

    /**
     * For the segment views of JDK 22 and newer ({@code MappedSegments}, in the multi-release part
     * of the jar): under the Memory's lock, with the buffer open, makes a scope of the mapping of
     * the checked range, given the mapping and the gate, and registers it to be closed with the
     * buffer's views.
     */
    final <T extends AutoCloseable> T mapScoped(long offset, long length,
                                                 java.util.function.BiFunction<ByteBuffer, java.util.concurrent.atomic.AtomicInteger, T> scope) {
        checkMapRange(offset, length, size);
        Memory memory = memory();
        synchronized (memory.lock()) {
            requireOpen();
            // The gate first, so that the scope's users can enter it from its first use.
            T made = scope.apply(mappingLocked(offset, length), accessesLocked());
            addViewScopeLocked(made);
            return made;
        }
    }

    /**
     * Copies {@code src}'s remaining bytes into this buffer at {@code offset}, whatever its memory:
     * through the mapping on host-visible memory (flushed when not coherent), otherwise through a
     * staging buffer and a copy on the device's queue. Returns when the bytes are in the buffer;
     * {@code src}'s position has then advanced to its limit.
     *
     * <p>For the link's full speed, let {@code src} be the {@link #mapByteBuffer()} of a buffer in
     * host-visible memory of the same session (a {@link MemoryUsage#READBACK} memory, say): the
     * Vulkan backend then copies straight from that memory, which is pinned, with no staging copy.
     * Any other {@code ByteBuffer} is copied into staging memory first.
     *
     * <p>The copy runs without the Memory's lock: other objects of the Memory can be created and
     * closed meanwhile; closing this buffer waits for the copy to end.
     *
     * @param offset bytes from the start of the buffer
     * @param src the bytes to write: its remaining ones
     * @throws IndexOutOfBoundsException     if the bytes do not fit between {@code offset} and the end
     * @throws IllegalArgumentException      if a transfer is needed and the buffer's usage lacks
     *                                       {@link BufferUsage#TRANSFER_DST}
     * @throws UnsupportedOperationException if a transfer is needed and the backend has none
     */
    public void write(long offset, ByteBuffer src) {
        java.util.Objects.requireNonNull(src, "src");
        checkTransferRange("write", offset, src.remaining());
        transfer(offset, src, true);
        src.position(src.limit());
    }

    /**
     * Copies {@code dst.remaining()} bytes of this buffer, from {@code offset}, into {@code dst},
     * whatever its memory: through the mapping on host-visible memory (invalidated first when not
     * coherent), otherwise through a copy into a staging buffer on the device's queue. {@code dst}'s
     * position has then advanced to its limit. A {@code dst} that is the {@link #mapByteBuffer()} of
     * a buffer in host-visible memory of the same session is written by the device itself, with no
     * staging copy (see {@link #write(long, ByteBuffer)}).
     *
     * @param offset bytes from the start of the buffer
     * @param dst where the bytes go: as many as it has remaining
     * @throws IndexOutOfBoundsException     if the range runs past the end of the buffer
     * @throws java.nio.ReadOnlyBufferException if {@code dst} is read-only
     * @throws IllegalArgumentException      if a transfer is needed and the buffer's usage lacks
     *                                       {@link BufferUsage#TRANSFER_SRC}
     * @throws UnsupportedOperationException if a transfer is needed and the backend has none
     */
    public void read(long offset, ByteBuffer dst) {
        java.util.Objects.requireNonNull(dst, "dst");
        if (dst.isReadOnly()) {
            throw new java.nio.ReadOnlyBufferException(); // a staged copy would write into it directly
        }
        checkTransferRange("read", offset, dst.remaining());
        transfer(offset, dst, false);
        dst.position(dst.limit());
    }

    /**
     * {@link #write} ({@code toBuffer}) or {@link #read}: the buffer is pinned under the Memory's
     * lock, and the copy runs without it, so a large transfer holds up no create or close of
     * other objects; a close of this buffer waits for it.
     */
    private void transfer(long offset, ByteBuffer bytes, boolean toBuffer) {
        final int length = bytes.remaining();
        final Memory memory = memory();
        final dev.lluvia.memory.spi.MemoryBackend backend = memory.backend();
        final java.util.concurrent.atomic.AtomicInteger pin;
        final ByteBuffer mapped;
        final Resource resource;
        synchronized (memory.lock()) {
            requireOpen();
            if (length == 0) {
                return;
            }
            resource = resource();
            mapped = memory.isMappable() ? mappingLocked(offset, length) : null;
            pin = pinLocked();
        }
        final Object event = Events.beginTransfer();
        try {
            if (mapped == null) {
                if (toBuffer) {
                    backend.copyToBuffer(resource, offset, bytes);
                } else {
                    backend.copyFromBuffer(resource, offset, bytes);
                }
            } else if (toBuffer) {
                mapped.put(bytes.duplicate());
                syncRangeLocked(offset, length, true);
            } else {
                syncRangeLocked(offset, length, false);
                bytes.duplicate().put(mapped);
            }
            transferred(event, toBuffer, length, mapped == null ? null : TransferPath.MAPPED);
        } finally {
            unpin(pin);
        }
    }

    private void checkTransferRange(String what, long offset, int length) {
        if (offset < 0 || offset > size - length) {
            throw new IndexOutOfBoundsException("cannot " + what + " " + length + " bytes at offset " + offset
                    + " of " + describe() + ": the range ends at " + (offset + length) + ", past its " + size + " bytes");
        }
    }

    /**
     * {@return the buffer's device address ({@code vkGetBufferDeviceAddress}), for shaders that reach it
     * through a pointer ({@code GL_EXT_buffer_reference})} Needs the
     * {@link BufferUsage#SHADER_DEVICE_ADDRESS} usage, which needs the session's
     * {@link DeviceFeature#BUFFER_DEVICE_ADDRESS} (checked when the buffer is created).
     *
     * @throws IllegalStateException naming the buffer if it is closed or its usage lacks
     *                               {@link BufferUsage#SHADER_DEVICE_ADDRESS}
     */
    public long deviceAddress() {
        if (!usage.contains(BufferUsage.SHADER_DEVICE_ADDRESS)) {
            throw new IllegalStateException(describe() + " has no device address: its usage " + usage
                    + " lacks SHADER_DEVICE_ADDRESS (create it with that usage, on a session with "
                    + "DeviceFeature.BUFFER_DEVICE_ADDRESS)");
        }
        Memory memory = memory();
        synchronized (memory.lock()) {
            requireOpen();
            return memory.backend().bufferDeviceAddress(resource());
        }
    }

    /** Makes host writes to the whole buffer visible to the device; a no-op on coherent memory. */
    public void flush() {
        syncRange(0, size, size, true);
    }

    /** Makes device writes to the whole buffer visible to the host; a no-op on coherent memory. */
    public void invalidate() {
        syncRange(0, size, size, false);
    }

    /**
     * Makes host writes to {@code [offset, offset + length)} of this buffer visible to the device
     * (VMA's {@code vmaFlushAllocation}); a no-op on coherent memory or when {@code length} is 0.
     * The range is rounded out to {@code nonCoherentAtomSize} inside the buffer's own bytes, never
     * reaching a neighbour's.
     *
     * @param offset bytes from the start of the buffer
     * @param length bytes
     * @throws IndexOutOfBoundsException naming the range if it is not inside the buffer
     * @throws IllegalStateException     if the buffer is closed
     */
    public void flush(long offset, long length) {
        syncRange(offset, length, size, true);
    }

    /**
     * Makes device writes to {@code [offset, offset + length)} of this buffer visible to the host
     * (VMA's {@code vmaInvalidateAllocation}); as {@link #flush(long, long)}.
     *
     * @param offset bytes from the start of the buffer
     * @param length bytes
     * @throws IndexOutOfBoundsException naming the range if it is not inside the buffer
     * @throws IllegalStateException     if the buffer is closed
     */
    public void invalidate(long offset, long length) {
        syncRange(offset, length, size, false);
    }

    @Override
    long mappableSize() {
        return size;
    }

    @Override
    String kind() {
        return "Buffer";
    }

    @Override
    String shape() {
        return size + " bytes";
    }

    @Override
    boolean isOptimalImage() {
        return false;
    }

    @Override
    void bindResource(Resource resource, long pageHandle, long offset) {
        memory().backend().bindBuffer(resource, pageHandle, offset);
    }

    @Override
    void bindAliasResource(Resource resource, long pageHandle, long offset, long aliased) {
        memory().backend().bindAliasingBuffer(resource, pageHandle, offset, aliased);
    }

    @Override
    Resource createReplacementLocked() {
        return backendInfo != null ? memory().newBuffer(backendInfo) : memory().newBuffer(size, BufferUsage.toBits(usage));
    }

    @Override
    void copyContentsLocked(Resource from, Resource to) {
        memory().backend().copyBuffer(from, to, size);
    }

    @Override
    boolean canCopy() {
        return usage.contains(BufferUsage.TRANSFER_SRC) && usage.contains(BufferUsage.TRANSFER_DST);
    }

    @Override
    void destroyResource(Resource resource) {
        memory().backend().destroyBuffer(resource);
    }
}
