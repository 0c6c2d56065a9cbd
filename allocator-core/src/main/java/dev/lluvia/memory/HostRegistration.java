package dev.lluvia.memory;

import java.nio.ByteBuffer;

/**
 * A range of the program's own host memory registered with a {@link Session}
 * ({@link Session#registerHostMemory}), the library's {@code cudaHostRegister}: the device pins the
 * pages once, and every {@code write} or {@code read} of a {@link Buffer} or {@link Image} of the
 * session whose host bytes lie in the range (the registered buffer or any slice of it) is copied
 * by the device in place, at the link's speed, without a staging copy. Unregistered bytes of a
 * direct buffer are staged (or imported per transfer, see the Vulkan backend's
 * {@code lluvia.vulkan.transfer.importHostMemory}), which costs a host copy or a pinning per
 * transfer.
 *
 * <p>Rules, as for {@code cudaHostRegister}: the program keeps the memory valid (the
 * {@code ByteBuffer} reachable, not freed) until {@link #close()}; freeing it while registered is
 * the program's error, and what the device then reads or writes is undefined. {@link #close()}
 * waits for the transfers that use the range, then unpins it; closing the session closes its
 * registrations. Host pages are the unit of pinning, so two registrations may not share a page,
 * nor may a registration cover memory the session mapped (that memory is copied in place
 * already): register page-aligned memory (e.g. LWJGL's {@code memAlignedAlloc(4096, size)}).
 */
public final class HostRegistration implements AutoCloseable {
    private final Session session;
    private final long handle;
    private final ByteBuffer bytes;
    private volatile boolean closed;

    HostRegistration(Session session, long handle, ByteBuffer bytes) {
        this.session = session;
        this.handle = handle;
        this.bytes = bytes;
    }

    /** {@return the registered bytes: a view of the registered buffer from its position to its limit} */
    public ByteBuffer buffer() {
        return bytes.duplicate();
    }

    /** {@return bytes registered} */
    public long size() {
        return bytes.capacity();
    }

    /** {@return whether {@link #close()} was called (directly or by closing the session)} */
    public boolean isClosed() {
        return closed;
    }

    /** Waits for the transfers using the range, then unpins it. Idempotent. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        session.unregister(this, handle);
    }

    @Override
    public String toString() {
        return "HostRegistration[" + size() + " bytes" + (closed ? ", closed" : "") + "]";
    }
}
