package dev.lluvia.memory;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Mapped {@link Buffer}s as {@link MemorySegment}s (JDK 22 and newer): the speed of
 * {@link Buffer#mapByteBuffer()} with the safety of {@link Buffer#map()}. This class is in the
 * multi-release part of the jar: on Java 17 to 21 it does not exist, and the raw
 * {@code mapByteBuffer()} and the checked {@link MappedView} are what there is.
 *
 * <pre>
 *   MemorySegment bytes = MappedSegments.map(buffer);
 *   MemorySegment.copy(vertices, 0, bytes, ValueLayout.JAVA_FLOAT, 0, vertices.length);
 *   bytes.set(ValueLayout.JAVA_INT, 64, 7);
 * </pre>
 *
 * <h2>What it guarantees</h2>
 * <ul>
 *   <li><b>Bounds</b>: a segment is exactly the mapped range; the JDK checks every access against
 *       it ({@link IndexOutOfBoundsException}).</li>
 *   <li><b>Life</b>: each segment belongs to a shared {@link Arena} of its own, which the library
 *       closes when the buffer closes (directly, or by closing its {@link Memory} or
 *       {@link Session}) and when defragmentation moves it. Every access after that, through the
 *       segment or any slice or view of it ({@link MemorySegment#asByteBuffer()} included), throws
 *       the JDK's {@link IllegalStateException} ("Already closed"): never a crash, never a write
 *       into the object placed there next. After a move, map again for the new place.</li>
 *   <li><b>Close never races an access</b>: the arena is closed after the buffer's checked
 *       accesses have left, before its range is freed or its page unmapped; the JDK's close of a
 *       shared arena waits until no thread is inside an access of it (it makes them finish or
 *       fail first). A bulk copy in flight completes on the buffer's own bytes or throws.</li>
 *   <li><b>Threads</b>: a segment has no position; share it between threads freely. Concurrent
 *       writes to the same bytes are not ordered, as with plain fields.</li>
 * </ul>
 *
 * <p>As with any mapping, on non-coherent memory call {@link Buffer#flush()} after writing and
 * {@link Buffer#invalidate()} before reading what the device wrote.
 *
 * <p>Making the segment calls {@link MemorySegment#reinterpret(Arena, java.util.function.Consumer)},
 * a restricted method of the JDK: run with {@code --enable-native-access=ALL-UNNAMED} (or
 * {@code =dev.lluvia.memory} on the module path), or the JDK warns once (JDK 22 to 25).
 * Each segment costs a shared arena, whose close is a handshake with every thread (microseconds):
 * map once and keep the segment, rather than map per access.
 *
 * <p>{@link #write} and {@link #read} are {@link Buffer#write(long, ByteBuffer)} and
 * {@link Buffer#read(long, ByteBuffer)} for segments: a segment made here, of any buffer, is copied
 * in place (on Vulkan, a segment of host-visible memory of the same session is pinned memory the
 * device copies straight from or into), the segment's buffer kept from closing or moving until the
 * copy is done; a heap segment, or native memory of the program's own, is staged.
 */
public final class MappedSegments {

    /** The live segment views by their arena's scope, so that transfers know a segment of theirs. */
    private static final Map<MemorySegment.Scope, Mapping> MAPPINGS = new ConcurrentHashMap<>();

    private MappedSegments() {
    }

    /**
     * A segment of exactly this buffer's {@link Buffer#size()} bytes; see the class comment for
     * what it guarantees.
     *
     * @throws MemoryNotMappableException    if the buffer's memory is not host-visible
     * @throws IllegalArgumentException      if the buffer is larger than {@code Integer.MAX_VALUE}
     *                                       bytes: map it in parts with {@link #map(Buffer, long, long)}
     * @throws IllegalStateException         if the buffer is closed
     * @throws UnsupportedOperationException if the backend's mapping is not native memory
     */
    public static MemorySegment map(Buffer buffer) {
        return map(buffer, 0, Objects.requireNonNull(buffer, "buffer").size());
    }

    /**
     * A segment of {@code length} bytes from {@code offset} of {@code buffer}; as {@link #map(Buffer)}.
     *
     * @throws IndexOutOfBoundsException if the range is not inside the buffer
     */
    public static MemorySegment map(Buffer buffer, long offset, long length) {
        Objects.requireNonNull(buffer, "buffer");
        return buffer.mapScoped(offset, length, (bytes, gate) -> new Mapping(buffer, bytes, gate)).segment;
    }

    /**
     * Copies {@code src} into {@code buffer} at {@code offset}, whatever the buffer's memory
     * ({@link Buffer#write(long, ByteBuffer)}); in place when {@code src} is a segment made by
     * {@link #map}, staged otherwise.
     *
     * @throws IllegalStateException     if {@code src} is a segment of a buffer closed or moved since,
     *                                   or of a closed arena, or {@code buffer} is closed
     * @throws IllegalArgumentException  if {@code src} is larger than {@code Integer.MAX_VALUE} bytes,
     *                                   or as {@link Buffer#write(long, ByteBuffer)}
     * @throws IndexOutOfBoundsException if the bytes do not fit between {@code offset} and the end
     */
    public static void write(Buffer buffer, long offset, MemorySegment src) {
        Objects.requireNonNull(buffer, "buffer");
        requireSize(src, "src");
        Mapping own = src.isNative() ? MAPPINGS.get(src.scope()) : null;
        if (own == null) {
            buffer.write(offset, staged(src));
            return;
        }
        inPlace(buffer, own, () -> buffer.write(offset, src.asByteBuffer()));
    }

    /**
     * Copies {@code dst.byteSize()} bytes of {@code buffer} from {@code offset} into {@code dst}
     * ({@link Buffer#read(long, ByteBuffer)}); in place when {@code dst} is a segment made by
     * {@link #map}, through a heap copy otherwise.
     *
     * @throws IllegalArgumentException  if {@code dst} is read-only or larger than
     *                                   {@code Integer.MAX_VALUE} bytes, or as {@link Buffer#read(long, ByteBuffer)}
     * @throws IllegalStateException     as for {@link #write}
     * @throws IndexOutOfBoundsException if the range runs past the end of the buffer
     */
    public static void read(Buffer buffer, long offset, MemorySegment dst) {
        Objects.requireNonNull(buffer, "buffer");
        requireSize(dst, "dst");
        if (dst.isReadOnly()) {
            throw new IllegalArgumentException("cannot read " + buffer.describe() + " into a read-only segment");
        }
        Mapping own = dst.isNative() ? MAPPINGS.get(dst.scope()) : null;
        if (own != null) {
            inPlace(buffer, own, () -> buffer.read(offset, dst.asByteBuffer()));
        } else if (dst.heapBase().orElse(null) instanceof byte[]) {
            buffer.read(offset, dst.asByteBuffer());
        } else {
            ByteBuffer heap = ByteBuffer.allocate((int) dst.byteSize());
            buffer.read(offset, heap);
            MemorySegment.copy(MemorySegment.ofArray(heap.array()), 0, dst, 0, dst.byteSize());
        }
    }

    /**
     * Runs a transfer between {@code buffer} and a segment view of ours, that view's buffer kept
     * from closing or moving meanwhile. The transfer's buffer's lock first, then the view's gate,
     * never the other way round: a close or move waits on its gate while holding its Memory's lock.
     */
    private static void inPlace(Buffer buffer, Mapping own, Runnable transfer) {
        synchronized (buffer.memory().lock()) {
            own.enter();
            try {
                transfer.run();
            } finally {
                own.leave();
            }
        }
    }

    private static void requireSize(MemorySegment segment, String name) {
        Objects.requireNonNull(segment, name);
        if (!segment.scope().isAlive()) {
            throw new IllegalStateException(name + " is a segment whose scope has ended: its buffer was closed or moved"
                    + " by defragmentation (map it again), or its arena was closed");
        }
        if (segment.byteSize() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(name + " has " + segment.byteSize() + " bytes; a transfer moves at most "
                    + Integer.MAX_VALUE + ": copy it in parts (asSlice)");
        }
    }

    /** A heap {@link ByteBuffer} of the segment's bytes: the segment's own array, or a copy. */
    private static ByteBuffer staged(MemorySegment src) {
        if (src.heapBase().orElse(null) instanceof byte[]) {
            return src.asByteBuffer();
        }
        // Native memory of the program's own (whose arena we cannot keep open) or another array
        // type: copied under the JDK's checks, so a concurrent close fails here and not in a driver.
        return ByteBuffer.wrap(src.toArray(ValueLayout.JAVA_BYTE));
    }

    /** One segment view: its arena, and the buffer's gate that transfers from or into it enter. */
    private static final class Mapping implements AutoCloseable {
        final Buffer buffer;
        final AtomicInteger gate;
        final Arena arena;
        final MemorySegment segment;

        Mapping(Buffer buffer, ByteBuffer bytes, AtomicInteger gate) {
            if (!bytes.isDirect()) {
                throw new UnsupportedOperationException("cannot make a segment of " + buffer.describe()
                        + ": its backend's mapping is not native memory");
            }
            this.buffer = buffer;
            this.gate = gate;
            this.arena = Arena.ofShared();
            this.segment = MemorySegment.ofBuffer(bytes).reinterpret(arena, null);
            MAPPINGS.put(segment.scope(), this);
        }

        /** Enters the buffer's gate, as a {@link MappedView} access does, or throws why it is shut. */
        void enter() {
            if (gate.getAndIncrement() < 0 || !segment.scope().isAlive()) {
                gate.getAndDecrement();
                throw buffer.viewClosedException();
            }
        }

        void leave() {
            gate.getAndDecrement();
        }

        /**
         * Closes the arena. Called by the buffer's close or move after its gate is shut and its
         * accesses drained, under its Memory's lock. The JDK refuses to close a shared arena while a
         * thread is inside an access of it (older JDKs) or makes the access fail (newer ones): a
         * refusal is retried, so this returns only once no access can reach the mapping.
         */
        @Override
        public void close() {
            MAPPINGS.remove(segment.scope());
            for (int spins = 0; ; spins++) {
                try {
                    arena.close();
                    return;
                } catch (IllegalStateException inUse) {
                    if (!segment.scope().isAlive()) {
                        return;
                    }
                    if (spins < 100) {
                        Thread.onSpinWait();
                    } else {
                        Thread.yield();
                    }
                }
            }
        }
    }
}
