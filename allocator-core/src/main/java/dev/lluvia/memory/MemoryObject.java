package dev.lluvia.memory;

import java.util.List;

/**
 * An object allocated from a {@link Memory}: a {@link Buffer} or an {@link Image}.
 *
 * <p>Closing returns the object's range to its page and destroys the driver object; it is
 * idempotent. Every other call on a closed object, or on an object whose Memory or Session was
 * closed, throws an {@link IllegalStateException} that names the object.
 */
public abstract sealed class MemoryObject implements AutoCloseable permits Buffer, Image {

    private final Memory memory;
    private final long id;
    private final long resource;
    private Memory.Page page;
    private long block;
    private AllocationInfo info;
    private volatile boolean closed;
    private volatile String name;
    /** Links of the Memory's {@link LiveObjects} list; guarded by the Memory's lock. */
    MemoryObject prevLive;
    MemoryObject nextLive;

    private static final String CORE_PACKAGE = "dev.lluvia.memory.";

    /** Where the object was created, kept in debug mode only for leak reports. */
    private final Throwable createdAt;
    /** The thread that created the object, in debug mode only. */
    private final String createdIn;

    MemoryObject(Memory memory, long id, long resource) {
        this.memory = memory;
        this.id = id;
        this.resource = resource;
        boolean debug = memory.session().isDebugEnabled();
        this.createdAt = debug ? new Throwable("created here") : null;
        this.createdIn = debug ? Thread.currentThread().getName() : null;
    }

    /** The memory this object was allocated from. */
    public final Memory memory() {
        return memory;
    }

    /** A number unique within the session, used in messages and reports. */
    public final long id() {
        return id;
    }

    /**
     * Gives the object a name that shows in messages, leak reports, statistics and dumps
     * (VMA's {@code vmaSetAllocationName}); {@code null} removes it.
     */
    public final void setName(String name) {
        this.name = name;
    }

    /** The name given with {@link #setName}, or {@code null}. */
    public final String name() {
        return name;
    }

    /** Where the object lives: page, offset, leftPadding and size. */
    public final AllocationInfo allocationInfo() {
        requireOpen();
        return info;
    }

    /**
     * The backend's handle of this object, for binding it in the program's own commands: the
     * {@code VkBuffer} or {@code VkImage} on Vulkan, an id on the sim. The handle stays the
     * library's: never destroy it, and do not use it after {@link #close()}.
     *
     * @throws IllegalStateException naming the object if it is closed
     */
    public final long handle() {
        requireOpen();
        return resource;
    }

    /**
     * The handle of the page this object is bound to (the {@code VkDeviceMemory} on Vulkan, an id
     * on the sim); the object starts at {@link AllocationInfo#offset()} of it, as VMA's
     * {@code VmaAllocationInfo} gives {@code deviceMemory} and {@code offset}. Other objects share
     * the page: never free or map it yourself.
     *
     * @throws IllegalStateException naming the object if it is closed
     */
    public final long pageHandle() {
        synchronized (memory.lock()) {
            requireOpen();
            return page.handle;
        }
    }

    /** Whether {@link #close()} was called, directly or through the Memory or Session. */
    public final boolean isClosed() {
        return closed;
    }

    /**
     * Destroys the object and returns its range to the page. Idempotent.
     *
     * @throws MemoryCorruptionException in debug mode, if a margin around the object was
     *                                   overwritten; the object is destroyed and its range freed anyway
     */
    @Override
    public final void close() {
        if (closed) {
            return;
        }
        String corruption;
        synchronized (memory.lock()) {
            corruption = destroyLocked();
        }
        if (corruption != null) {
            throw MemoryCorruptionException.of(describe(), List.of(corruption));
        }
    }

    /** {@code Buffer#3 "vertices" (1024 bytes)}: kind, id, name and what was asked for. */
    final String describe() {
        String n = name;
        return kind() + "#" + id + (n == null ? "" : " \"" + n + "\"") + " (" + shape() + ")";
    }

    /** "Buffer" or "Image". */
    abstract String kind();

    /** What was asked for, e.g. "1024 bytes" or "32x32x1 UINT8x1 OPTIMAL". */
    abstract String shape();

    abstract void destroyResource(long handle);

    /** Whether bufferImageGranularity separates this object from linear ones. */
    abstract boolean isOptimalImage();

    final void destroyResource() {
        destroyResource(resource);
    }

    final long resource() {
        return resource;
    }

    final void bindLocked(Memory.Page page, long block, AllocationInfo info) {
        this.page = page;
        this.block = block;
        this.info = info;
        bindResource(resource, page.handle, info.offset());
    }

    abstract void bindResource(long handle, long pageHandle, long offset);

    /**
     * Destroys the resource and frees the range, whatever fails on the way; returns the report of
     * a damaged debug margin, or {@code null}.
     */
    final String destroyLocked() {
        if (closed) {
            return null;
        }
        closed = true;
        String corruption = null;
        try {
            corruption = memory.marginReportLocked(this);
        } finally {
            try {
                destroyResource(resource);
            } finally {
                memory.freeLocked(this, page, block, info.size());
            }
        }
        return corruption;
    }

    final long block() {
        return block;
    }

    /** The allocation info without the open check, for the Memory's own walks under its lock. */
    final AllocationInfo infoLocked() {
        return info;
    }

    /**
     * Bytes from the offset that the page holds for this object (its size rounded up to the
     * memory's quantum); only valid under the Memory's lock while the object is live.
     */
    final long reservedSizeLocked() {
        return page.allocator.size(block);
    }

    /** One line for a leak report: what, where, and in debug mode where it was created. */
    final String leakLine() {
        StringBuilder sb = new StringBuilder(describe()).append(" at ").append(info);
        if (createdAt != null) {
            // The first frame outside the core's own package is the caller of Memory.createX.
            // Only the package itself is skipped, not its sub-packages: code in
            // dev.lluvia.memory.sim, a backend, or a user's dev.lluvia.memory.app is a caller.
            for (StackTraceElement e : createdAt.getStackTrace()) {
                String c = e.getClassName();
                if (!(c.startsWith(CORE_PACKAGE) && c.indexOf('.', CORE_PACKAGE.length()) < 0)) {
                    sb.append(", created at ").append(e).append(" in thread \"").append(createdIn).append('"');
                    break;
                }
            }
        }
        return sb.toString();
    }

    final Memory.Page page() {
        return page;
    }

    final void requireOpen() {
        if (closed) {
            throw new IllegalStateException(describe() + " is closed"
                    + (memory.isClosed() ? " (its memory was closed)" : ""));
        }
    }

    @Override
    public String toString() {
        return describe() + (info == null ? "" : " at " + info) + (closed ? ", closed" : "");
    }
}
