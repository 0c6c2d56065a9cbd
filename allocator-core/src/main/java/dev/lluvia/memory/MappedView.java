package dev.lluvia.memory;

import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A checked view of a mapped {@link Buffer}'s bytes, from {@link Buffer#map()}, or of an
 * {@link Allocation}'s, from {@link Allocation#map()} (read "buffer" below as the object viewed):
 * reads and writes at an index, in native byte order, that can never reach memory the buffer no
 * longer owns.
 *
 * <h2>What it guarantees</h2>
 * <ul>
 *   <li><b>Bounds</b>: every access is checked against the view's {@link #size()}; outside it is an
 *       {@link IndexOutOfBoundsException} and nothing is read or written.</li>
 *   <li><b>Life</b>: once the buffer is closed, directly or by closing its {@link Memory} or
 *       {@link Session}, every access throws an {@link IllegalStateException} that names the
 *       buffer. A stale view never reads or writes the bytes of an object placed later in the
 *       same range, and never touches a page that was freed or unmapped.</li>
 *   <li><b>Close never races an access</b>: each access (one value, or one whole bulk copy) enters
 *       and leaves the buffer's access count; closing marks the buffer closed and then waits for
 *       the accesses in flight to leave before its range is freed or its page unmapped. An access
 *       that started before the close completes on the buffer's own bytes; one that starts after
 *       throws. So a close racing other threads' accesses cannot crash the JVM and cannot let a
 *       write land in another object.</li>
 *   <li><b>Threads</b>: a view has no position or limit; every method is absolute, so one view may
 *       be shared between threads. Concurrent writes to the same bytes are not ordered (as with
 *       plain fields); use your own synchronisation for that.</li>
 * </ul>
 *
 * <p>What it does not guarantee: ordering with the device. On a non-coherent memory call
 * {@link #flush()} after writing and {@link #invalidate()} before reading what the device wrote,
 * and synchronise with the device's work as Vulkan requires.
 *
 * <p>Cost: each access is two atomic updates of the buffer's access count, a few nanoseconds;
 * bulk copies pay it once per copy, so copy arrays or {@link ByteBuffer}s rather than loop over
 * single values where speed matters (BENCHMARKS.md has the figures). Where that is not enough,
 * {@link Buffer#mapByteBuffer()} gives a raw view with none of these guarantees.
 */
public final class MappedView {

    private final MemoryObject buffer;
    /** The mapping; absolute accesses only, never handed out, so it cannot outlive the checks. */
    private final ByteBuffer bytes;
    private final long offset;
    private final int size;
    /** The buffer's access gate, shared by all its views (see {@code MemoryObject.closeAccesses}). */
    private final AtomicInteger accesses;

    MappedView(MemoryObject buffer, ByteBuffer bytes, long offset, AtomicInteger accesses) {
        this.buffer = buffer;
        this.bytes = bytes;
        this.offset = offset;
        this.size = bytes.capacity();
        this.accesses = accesses;
    }

    /** {@return the buffer this view maps, or {@code null} when it maps an {@link Allocation} ({@link #object()})} */
    public Buffer buffer() {
        return buffer instanceof Buffer b ? b : null;
    }

    /** {@return the object this view maps: a {@link Buffer} or an {@link Allocation}} */
    public MemoryObject object() {
        return buffer;
    }

    /** {@return where the view starts in the buffer, in bytes} */
    public long offset() {
        return offset;
    }

    /** {@return bytes in the view} */
    public long size() {
        return size;
    }

    /**
     * {@return whether accesses still work: false once the buffer, its memory or its session was closed,
     * and once defragmentation moved the buffer (map it again for a view of its new place)}
     */
    public boolean isValid() {
        return accesses.get() >= 0 && !buffer.isClosed();
    }

    // ----------------------------------------------------------------------------------------
    // Single values

    /**
     * {@return the byte at {@code index}}
     *
     * @param index bytes from the start of the view
     */
    public byte get(long index) {
        final int i = check(index, 1);
        beginAccess();
        try {
            return bytes.get(i);
        } finally {
            endAccess();
        }
    }

    /**
     * Writes a byte at {@code index}.
     *
     * @param index bytes from the start of the view
     * @param value the value to write
     */
    public void put(long index, byte value) {
        final int i = check(index, 1);
        beginAccess();
        try {
            bytes.put(i, value);
        } finally {
            endAccess();
        }
    }

    /**
     * {@return the short at {@code index}, in native byte order}
     *
     * @param index bytes from the start of the view
     */
    public short getShort(long index) {
        final int i = check(index, Short.BYTES);
        beginAccess();
        try {
            return bytes.getShort(i);
        } finally {
            endAccess();
        }
    }

    /**
     * Writes a short at {@code index}, in native byte order.
     *
     * @param index bytes from the start of the view
     * @param value the value to write
     */
    public void putShort(long index, short value) {
        final int i = check(index, Short.BYTES);
        beginAccess();
        try {
            bytes.putShort(i, value);
        } finally {
            endAccess();
        }
    }

    /**
     * {@return the int at {@code index}, in native byte order}
     *
     * @param index bytes from the start of the view
     */
    public int getInt(long index) {
        final int i = check(index, Integer.BYTES);
        beginAccess();
        try {
            return bytes.getInt(i);
        } finally {
            endAccess();
        }
    }

    /**
     * Writes an int at {@code index}, in native byte order.
     *
     * @param index bytes from the start of the view
     * @param value the value to write
     */
    public void putInt(long index, int value) {
        final int i = check(index, Integer.BYTES);
        beginAccess();
        try {
            bytes.putInt(i, value);
        } finally {
            endAccess();
        }
    }

    /**
     * {@return the long at {@code index}, in native byte order}
     *
     * @param index bytes from the start of the view
     */
    public long getLong(long index) {
        final int i = check(index, Long.BYTES);
        beginAccess();
        try {
            return bytes.getLong(i);
        } finally {
            endAccess();
        }
    }

    /**
     * Writes a long at {@code index}, in native byte order.
     *
     * @param index bytes from the start of the view
     * @param value the value to write
     */
    public void putLong(long index, long value) {
        final int i = check(index, Long.BYTES);
        beginAccess();
        try {
            bytes.putLong(i, value);
        } finally {
            endAccess();
        }
    }

    /**
     * {@return the float at {@code index}, in native byte order}
     *
     * @param index bytes from the start of the view
     */
    public float getFloat(long index) {
        final int i = check(index, Float.BYTES);
        beginAccess();
        try {
            return bytes.getFloat(i);
        } finally {
            endAccess();
        }
    }

    /**
     * Writes a float at {@code index}, in native byte order.
     *
     * @param index bytes from the start of the view
     * @param value the value to write
     */
    public void putFloat(long index, float value) {
        final int i = check(index, Float.BYTES);
        beginAccess();
        try {
            bytes.putFloat(i, value);
        } finally {
            endAccess();
        }
    }

    /**
     * {@return the double at {@code index}, in native byte order}
     *
     * @param index bytes from the start of the view
     */
    public double getDouble(long index) {
        final int i = check(index, Double.BYTES);
        beginAccess();
        try {
            return bytes.getDouble(i);
        } finally {
            endAccess();
        }
    }

    /**
     * Writes a double at {@code index}, in native byte order.
     *
     * @param index bytes from the start of the view
     * @param value the value to write
     */
    public void putDouble(long index, double value) {
        final int i = check(index, Double.BYTES);
        beginAccess();
        try {
            bytes.putDouble(i, value);
        } finally {
            endAccess();
        }
    }

    // ----------------------------------------------------------------------------------------
    // Bulk copies: one access each, however many bytes

    /**
     * Copies {@code dst.length} bytes from {@code index} into {@code dst}.
     *
     * @param index bytes from the start of the view
     * @param dst where the bytes go
     */
    public void get(long index, byte[] dst) {
        get(index, dst, 0, Objects.requireNonNull(dst, "dst").length);
    }

    /**
     * Copies {@code length} bytes from {@code index} into {@code dst} at {@code dstOffset}.
     *
     * @param index bytes from the start of the view
     * @param dst where the bytes go
     * @param dstOffset the first index of {@code dst} written
     * @param length the number of bytes
     */
    public void get(long index, byte[] dst, int dstOffset, int length) {
        Objects.requireNonNull(dst, "dst");
        Objects.checkFromIndexSize(dstOffset, length, dst.length);
        final int i = check(index, length);
        beginAccess();
        try {
            bytes.get(i, dst, dstOffset, length);
        } finally {
            endAccess();
        }
    }

    /**
     * Copies {@code src} into the view at {@code index}.
     *
     * @param index bytes from the start of the view
     * @param src the bytes to write
     */
    public void put(long index, byte[] src) {
        put(index, src, 0, Objects.requireNonNull(src, "src").length);
    }

    /**
     * Copies {@code length} bytes of {@code src} from {@code srcOffset} into the view at {@code index}.
     *
     * @param index bytes from the start of the view
     * @param src the bytes to write
     * @param srcOffset the first index of {@code src} read
     * @param length the number of bytes
     */
    public void put(long index, byte[] src, int srcOffset, int length) {
        Objects.requireNonNull(src, "src");
        Objects.checkFromIndexSize(srcOffset, length, src.length);
        final int i = check(index, length);
        beginAccess();
        try {
            bytes.put(i, src, srcOffset, length);
        } finally {
            endAccess();
        }
    }

    /**
     * Copies {@code dst.remaining()} bytes from {@code index} into {@code dst}, whose position then
     * advances to its limit.
     *
     * @param index bytes from the start of the view
     * @param dst where the bytes go
     */
    public void get(long index, ByteBuffer dst) {
        Objects.requireNonNull(dst, "dst");
        final int length = dst.remaining();
        final int i = check(index, length);
        final int at = dst.position();
        beginAccess();
        try {
            dst.put(at, bytes, i, length);
        } finally {
            endAccess();
        }
        dst.position(at + length);
    }

    /**
     * Copies {@code src.remaining()} bytes of {@code src} into the view at {@code index};
     * {@code src}'s position then advances to its limit.
     *
     * @param index bytes from the start of the view
     * @param src the bytes to write
     */
    public void put(long index, ByteBuffer src) {
        Objects.requireNonNull(src, "src");
        final int length = src.remaining();
        final int i = check(index, length);
        final int at = src.position();
        beginAccess();
        try {
            bytes.put(i, src, at, length);
        } finally {
            endAccess();
        }
        src.position(at + length);
    }

    // ----------------------------------------------------------------------------------------

    /**
     * Makes host writes to this view's bytes visible to the device ({@link Buffer#flush(long, long)}
     * of the view's range); a no-op on coherent memory.
     *
     * @throws IllegalStateException if the object is closed
     */
    public void flush() {
        buffer.syncRange(offset, size, offset + size, true);
    }

    /**
     * Makes device writes to this view's bytes visible to the host ({@link Buffer#invalidate(long, long)}
     * of the view's range); a no-op on coherent memory.
     *
     * @throws IllegalStateException if the object is closed
     */
    public void invalidate() {
        buffer.syncRange(offset, size, offset + size, false);
    }

    /**
     * Enters one access; every successful call is paired with {@link #endAccess()} in a
     * {@code finally}. The closed bit is the sign bit, so one atomic add both counts the access and
     * tells whether the buffer is closed.
     */
    private void beginAccess() {
        if (accesses.getAndIncrement() < 0) {
            accesses.getAndDecrement();
            throw buffer.viewClosedException();
        }
    }

    private void endAccess() {
        accesses.getAndDecrement();
    }

    /** The int index of {@code length} bytes at {@code index}, or an exception naming the range. */
    private int check(long index, int length) {
        if (index < 0 || length < 0 || index > size - length) {
            throw new IndexOutOfBoundsException("range [" + index + ", " + index + " + " + length
                    + ") is outside the " + size + " bytes of this view of " + buffer.describe());
        }
        return (int) index;
    }

    @Override
    public String toString() {
        return "MappedView[" + size + " bytes at " + offset + " of " + buffer.describe()
                + (buffer.isClosed() ? ", closed" : "") + "]";
    }
}
