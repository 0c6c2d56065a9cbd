package dev.lluvia.memory;

import dev.lluvia.memory.spi.Resource;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An object allocated from a {@link Memory}: a {@link Buffer} or an {@link Image} the library
 * created, or an {@link Allocation} for a resource the program created itself.
 *
 * <p>Closing returns the object's range to its page and destroys the driver object; it is
 * idempotent. Every other call on a closed object, or on an object whose Memory or Session was
 * closed, throws an {@link IllegalStateException} that names the object.
 */
public abstract sealed class MemoryObject implements AutoCloseable permits Buffer, Image, Allocation {

    private final Memory memory;
    private final long id;
    /**
     * The driver object as the backend gave it (an {@link Allocation}'s: the program's handle,
     * wrapped); replaced when defragmentation moves the object. Guarded by the Memory's lock.
     */
    private Resource resource;
    /** The inverse of {@link #isMovable()}, so that a new object costs no volatile write. */
    private volatile boolean notMovable;
    private volatile int moveCount;
    /** What the block was asked for at placement, so that defragmentation can ask again elsewhere. */
    private long blockSize;
    private long blockAlignment;
    /** The page bound to; null until placed. With the next three, what {@link #allocationInfo()} reports. */
    private Page page;
    private long block;
    /** Bytes from the page's start; see {@link AllocationInfo}. Fields rather than an object per create. */
    private long offset;
    private long leftPadding;
    private long size;
    /** See {@link #reservedSizeLocked()}; set when placed. */
    private long reservedSize;
    private volatile boolean closed;
    /**
     * The access gate of this object's {@link MappedView}s and transfers, made with the first
     * (objects never mapped nor written, all of device-local memory created and bound, have none
     * and pay nothing): bits 0-30 count the accesses in flight, bit 31 ({@link #ACCESS_CLOSED})
     * says the object is closed and lets no access in. Guarded by the Memory's lock; see
     * {@link #closeAccesses()}. A field of its own rather than in {@link Rare}: every buffer a
     * program writes or reads has one.
     */
    private AtomicInteger accesses;
    private volatile String name;
    private volatile Object userValue;
    /** What few objects have (views, aliases, debug data); null until the first such need. */
    private Rare rare;
    /** Links of the Memory's {@link LiveObjects} list; guarded by the Memory's lock. */
    MemoryObject olderLive;
    MemoryObject newerLive;

    // A constant, so that loading this class runs no initialiser (Lincheck snapshots static state).
    private static final String MEMORY_CLASS = "dev.lluvia.memory.Memory";

    /** The closed bit of {@link #accesses}. */
    static final int ACCESS_CLOSED = Integer.MIN_VALUE;

    /**
     * What a few objects have and most never do: segment views, aliases, an alignment of the
     * program's, debug margins, where the object was created. One object, made with the first such
     * need, so that a plain buffer carries one null reference in their place: every create makes a
     * {@code MemoryObject}, and the fields it does not carry are garbage the collector never sees
     * and bytes a live object does not hold.
     *
     * <p>The fields set when the object is created are final, so that a thread reading them without
     * the Memory's lock (through {@link #minAlignment()}) sees them whole even when another thread
     * just made this object under the lock for a view; the others are guarded by the Memory's lock.
     */
    private static final class Rare {
        /** The alignment asked for at creation beyond the driver's; 1 when none. */
        final long minAlignment;
        /** Where the object was created, kept in debug mode only for leak reports. */
        final Throwable createdAt;
        /** The thread that created the object, in debug mode only. */
        final String createdIn;
        /** The debug margin before the object's offset within its block; set when placed. */
        long frontMargin;
        /**
         * What else views this object's mapping and must end with its gate: on JDK 22 and newer the
         * shared {@code Arena} of each {@code MappedSegments} view. Null until the first; closed (and
         * emptied) by {@link #closeAccesses()}.
         */
        List<AutoCloseable> viewScopes;
        /** The object whose range this one aliases, or null; set before the alias is published. */
        MemoryObject aliasOf;
        /** Live aliases of this object, null until the first. */
        List<MemoryObject> aliases;

        Rare(long minAlignment, Throwable createdAt, String createdIn) {
            this.minAlignment = minAlignment;
            this.createdAt = createdAt;
            this.createdIn = createdIn;
        }
    }

    MemoryObject(Memory memory, long id, Resource resource) {
        this.memory = memory;
        this.id = id;
        this.resource = resource;
        if (memory.session().isDebugEnabled()) {
            this.rare = new Rare(1, new Throwable("created here"), Thread.currentThread().getName());
        }
    }

    /** {@link #rare}, made on the first need; under the Memory's lock (or before the object is published). */
    private Rare rareLocked() {
        Rare r = rare;
        if (r == null) {
            r = new Rare(1, null, null);
            rare = r;
        }
        return r;
    }

    /** {@return the memory this object was allocated from} */
    public final Memory memory() {
        return memory;
    }

    /**
     * {@return a number unique within the session, used in messages and reports; it increases with each
     * object of one Memory, but objects of different Memories are not numbered in the order of
     * their creation (a Memory takes ids in blocks)}
     */
    public final long id() {
        return id;
    }

    /**
     * Gives the object a name that shows in messages, leak reports, statistics and dumps
     * (VMA's {@code vmaSetAllocationName}); {@code null} removes it.
     *
     * @param name the name, or {@code null} for none
     */
    public final void setName(String name) {
        this.name = name;
    }

    /** {@return the name given with {@link #setName}, or {@code null}} */
    public final String name() {
        return name;
    }

    /**
     * Attaches any value of the program's to the object (VMA's {@code pUserData}): an index into
     * the program's own tables, the owner of the object, a descriptor to refresh when it moves.
     * The library only keeps it; {@code null} removes it. May be set and read from any thread,
     * also after close.
     *
     * @param value any value, or {@code null}
     */
    public final void setUserValue(Object value) {
        this.userValue = value;
    }

    /** {@return the value given with {@link #setUserValue}, or {@code null}} */
    public final Object userValue() {
        return userValue;
    }

    /**
     * {@return the least alignment of the offset asked for at creation
     * ({@link BufferDescriptor#minAlignment()}, {@link Memory#createImage(ImageDescriptor, long)}); 1 when none was asked for} The
     * offset is also aligned as the driver requires.
     */
    public final long minAlignment() {
        final Rare r = rare;
        return r == null ? 1 : r.minAlignment;
    }

    /**
     * Before placement, the object not yet published (only {@code Memory.place} calls this): the
     * new {@link Rare} carries over the creation data, the only thing it can hold yet.
     */
    final void setMinAlignment(long minAlignment) {
        if (minAlignment != minAlignment()) {
            final Rare r = rare;
            assert r == null || r.frontMargin == 0 && r.viewScopes == null && r.aliasOf == null && r.aliases == null
                    : "the minimum alignment is set before anything else of the object's";
            rare = new Rare(minAlignment, r == null ? null : r.createdAt, r == null ? null : r.createdIn);
        }
    }

    /**
     * Marks whether {@link Memory#beginDefragmentation} may move this object (default true). Mark an
     * object not movable when the program cannot refresh what refers to it (a descriptor it cannot
     * rewrite, a handle given to other code); defragmentation then refuses to start on its Memory,
     * naming it, rather than move it behind the program's back.
     *
     * @param movable whether defragmentation may move this object
     */
    public final void setMovable(boolean movable) {
        this.notMovable = !movable;
    }

    /** {@return whether the program allows defragmentation to move this object ({@link #setMovable})} */
    public final boolean isMovable() {
        return !notMovable;
    }

    /**
     * {@return how many times defragmentation moved this object: a program that caches the object's
     * handle, page or offset compares it with the value it cached them at and refreshes them when
     * it changed}
     */
    public final int moveCount() {
        return moveCount;
    }

    /** {@return where the object lives: page, offset, leftPadding and size} */
    public final AllocationInfo allocationInfo() {
        synchronized (memory.lock()) { // a defragmentation move changes the four values together
            requireOpen();
            return infoLocked();
        }
    }

    /**
     * {@return the object whose range this one was created on ({@link Memory#createAliasingBuffer},
     * {@link Memory#createAliasingImage}), or {@code null} when this object has a range of its own}
     */
    public final MemoryObject aliasOf() {
        final Rare r = rare;
        return r == null ? null : r.aliasOf;
    }

    /** {@return the live aliases created on this object's range, in creation order} */
    public final List<MemoryObject> aliases() {
        synchronized (memory.lock()) {
            return List.copyOf(aliasesLocked());
        }
    }

    /**
     * {@return the backend's handle of this object, for binding it in the program's own commands: the
     * {@code VkBuffer} or {@code VkImage} on Vulkan, an id on the sim} The handle stays the
     * library's: never destroy it, and do not use it after {@link #close()}. An {@link Allocation}
     * has no resource of the library's: its handle is the resource it was requested for
     * ({@link AllocationRequest#resource()}), which stays the program's, or 0. Defragmentation
     * replaces it when it moves the object ({@link #moveCount()}): ask again after a pass.
     *
     * @throws IllegalStateException naming the object if it is closed
     */
    public final long handle() {
        synchronized (memory.lock()) {
            requireOpen();
            return resource.handle();
        }
    }

    /**
     * {@return the handle of the page this object is bound to (the {@code VkDeviceMemory} on Vulkan, an id
     * on the sim); the object starts at {@link AllocationInfo#offset()} of it, as VMA's
     * {@code VmaAllocationInfo} gives {@code deviceMemory} and {@code offset}} Other objects share
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

    /** {@return whether {@link #close()} was called, directly or through the Memory or Session} */
    public final boolean isClosed() {
        return closed;
    }

    /**
     * Destroys the object and returns its range to the page. Idempotent. An alias destroys only its
     * own buffer or image: the range belongs to the object it aliases.
     *
     * @throws IllegalStateException     if aliases of this object are live: close them first (the
     *                                   object stays open); Vulkan leaves an alias's memory undefined
     *                                   once the range is reused, so the library does not free a
     *                                   range that an alias still uses

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
            if (closed) {
                return; // closed by another thread, or by its Memory, meanwhile
            }
            final List<MemoryObject> aliases = aliasesLocked();
            if (!aliases.isEmpty()) {
                throw new IllegalStateException("cannot close " + describe() + ": " + aliases.size()
                        + " alias(es) still use its range: " + aliases.stream().map(MemoryObject::describe).toList()
                        + "; close them first");
            }
            final boolean alias = aliasOf() != null;
            if (!alias) {
                Events.objectClosed(this);
            }
            try {
                corruption = destroyLocked();
            } finally {
                if (!alias) {
                    for (SessionListener l : memory.session().listeners()) {
                        l.objectClosed(this);
                    }
                }
            }
        }
        if (corruption != null) {
            throw MemoryCorruptionException.of(describe(), List.of(corruption));
        }
    }

    /**
     * After a write ({@code upload}) or read of {@code bytes} bytes: counts it in the session by
     * {@code path}, or by the path the backend reported when {@code path} is null, and ends the
     * JFR event {@link Events#beginTransfer} started.
     */
    final void transferred(Object event, boolean upload, long bytes, TransferPath path) {
        TransferCounts counts = memory.session().transfers;
        Events.transfer(event, this, upload, bytes, path == null ? counts.backendPath(bytes) : counts.count(path, bytes));
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

    abstract void destroyResource(Resource resource);

    /** Whether bufferImageGranularity separates this object from linear ones. */
    abstract boolean isOptimalImage();

    final void destroyResource() {
        destroyResource(resource);
    }

    final Resource resource() {
        return resource;
    }

    final void setPlacementLocked(long blockSize, long blockAlignment, long frontMargin) {
        this.blockSize = blockSize;
        this.blockAlignment = blockAlignment;
        if (frontMargin != 0 || rare != null) {
            rareLocked().frontMargin = frontMargin;
        }
    }

    final long blockSizeLocked() {
        return blockSize;
    }

    final long blockAlignmentLocked() {
        return blockAlignment;
    }

    final long frontMarginLocked() {
        final Rare r = rare;
        return r == null ? 0 : r.frontMargin;
    }

    /** After defragmentation copied the contents: the object now is {@code newResource} at the new place. */
    final void movedLocked(Resource newResource, Page newPage, long newBlock, AllocationInfo newInfo,
                           long newReservedSize) {
        this.resource = newResource;
        this.page = newPage;
        this.block = newBlock;
        this.offset = newInfo.offset();
        this.leftPadding = newInfo.leftPadding();
        this.size = newInfo.size();
        this.reservedSize = newReservedSize;
        this.moveCount++;
    }

    /** A new, unbound driver object like this one's, for defragmentation to bind at the new place. */
    abstract Resource createReplacementLocked();

    /** Copies this object's contents from {@code from} into {@code to} on the device, and waits. */
    abstract void copyContentsLocked(Resource from, Resource to);

    /** Whether the driver can copy this object (its usage has transfer source and destination). */
    abstract boolean canCopy();

    /**
     * Binds this new object at {@code offset} of {@code page}, in {@code block}; the rest is what
     * {@link #allocationInfo()} reports and {@link #reservedSizeLocked()}.
     */
    final void bindLocked(Page page, long block, long offset, long leftPadding, long size, long reservedSize) {
        this.page = page;
        this.block = block;
        this.offset = offset;
        this.leftPadding = leftPadding;
        this.size = size;
        this.reservedSize = reservedSize;
        bindResource(resource, page.handle, offset);
    }

    abstract void bindResource(Resource resource, long pageHandle, long offset);

    abstract void bindAliasResource(Resource resource, long pageHandle, long offset, long aliased);

    /** Binds this new object onto part of {@code original}'s range, at page offset {@code info.offset()}. */
    final void bindAliasLocked(MemoryObject original, AllocationInfo info) {
        rareLocked().aliasOf = original;
        this.page = original.page;
        this.block = -1;
        this.offset = info.offset();
        this.leftPadding = info.leftPadding();
        this.size = info.size();
        bindAliasResource(resource, page.handle, info.offset(), original.resource.handle());
        final Rare o = original.rareLocked();
        if (o.aliases == null) {
            o.aliases = new java.util.ArrayList<>(2);
        }
        o.aliases.add(this);
    }

    /** The live aliases, for the Memory's leak report; under its lock. */
    final List<MemoryObject> aliasesLocked() {
        final Rare r = rare;
        return r == null || r.aliases == null ? List.of() : r.aliases;
    }

    /**
     * Destroys the resource and frees the range, whatever fails on the way; returns the report of
     * a damaged debug margin, or {@code null}.
     */
    final String destroyLocked() {
        if (closed) {
            return null;
        }
        final Rare r = rare;
        if (r != null && r.aliasOf != null) {
            closed = true;
            closeAccesses(); // the alias's views read the original's range: shut them before it goes
            try {
                destroyResource(resource);
            } finally {
                r.aliasOf.rare.aliases.remove(this);
            }
            return null;
        }
        if (r != null && r.aliases != null) {
            // Only a closing Memory gets here with aliases (close() refuses): they go first, as
            // Vulkan needs no order but the range must outlive them.
            for (MemoryObject a : List.copyOf(r.aliases)) {
                a.destroyLocked();
            }
        }
        closed = true;
        closeAccesses();
        String corruption = null;
        try {
            corruption = memory.marginReportLocked(this);
        } finally {
            try {
                destroyResource(resource);
            } finally {
                memory.freeLocked(this, page, block, size);
            }
        }
        return corruption;
    }

    final long block() {
        return block;
    }

    /** The allocation info without the open check, for the Memory's own walks under its lock; null until placed. */
    final AllocationInfo infoLocked() {
        return page == null ? null : new AllocationInfo(page.index, offset, leftPadding, size);
    }

    /** {@link AllocationInfo#size()} without making the info, for the events of every create and close. */
    final long sizeLocked() {
        return size;
    }

    /**
     * Bytes from the offset that the page holds for this object (its size rounded up to the
     * memory's quantum, plus the back debug margin); only valid under the Memory's lock while the
     * object is live. The block starts before the offset by the front debug margin, so this is the
     * block's end less the offset, not the block's size.
     */
    final long reservedSizeLocked() {
        return reservedSize;
    }

    /** One line for a leak report: what, where, and in debug mode where it was created. */
    final String leakLine() {
        StringBuilder sb = new StringBuilder(describe()).append(" at ").append(infoLocked());
        final Rare r = rare;
        if (r != null && r.createdAt != null) {
            // The caller of Memory.createX is the frame below the outermost Memory frame, whatever
            // its package (a user's code, a backend, or a test that lives in the core's package).
            StackTraceElement[] frames = r.createdAt.getStackTrace();
            int caller = -1;
            for (int i = 0; i < frames.length - 1; i++) {
                if (frames[i].getClassName().equals(MEMORY_CLASS)) {
                    caller = i + 1;
                }
            }
            if (caller >= 0) {
                sb.append(", created at ").append(frames[caller]).append(" in thread \"").append(r.createdIn).append('"');
            }
        }
        return sb.toString();
    }

    final Page page() {
        return page;
    }

    final void requireOpen() {
        if (closed) {
            throw closedException();
        }
    }

    final IllegalStateException closedException() {
        return new IllegalStateException(describe() + " is closed"
                + (memory.session().isClosed() ? " (its session was closed)"
                : memory.isClosed() ? " (its memory was closed)" : ""));
    }

    /** The access gate for a new view, made with the first; called under the Memory's lock, while open. */
    final AtomicInteger accessesLocked() {
        if (accesses == null) {
            accesses = new AtomicInteger();
        }
        return accesses;
    }

    /**
     * Lets no new access in and waits for those in flight to leave, so that the range can then be
     * freed and the page unmapped with no view reading or writing it. The increment of an access
     * and the closed bit are updates of one variable, so they are totally ordered: an access that
     * counted itself before the bit was set is waited for, one after sees the bit and backs out.
     * Idempotent; callers hold the Memory's lock, which no access takes, so the wait is bounded by
     * the longest access in flight (one bulk copy or one pinned transfer). Gates are made under the same lock
     * ({@link #accessesLocked()}), so an object with none at close can never get a view.
     * The gates of this object's live aliases are shut first: their views read this range, and a
     * closing Memory shuts only the objects it lists, where aliases are not.
     */
    final void closeAccesses() {
        final Rare r = rare;
        if (r != null && r.aliases != null) {
            for (MemoryObject alias : r.aliases) {
                alias.closeAccesses();
            }
        }
        final AtomicInteger a = accesses;
        if (a == null) {
            return; // no view exists, so no access can come
        }
        int state;
        do {
            state = a.get();
        } while ((state & ACCESS_CLOSED) == 0 && !a.compareAndSet(state, state | ACCESS_CLOSED));
        for (int spins = 0; (a.get() & ~ACCESS_CLOSED) != 0; spins++) {
            if (spins < 100) {
                Thread.onSpinWait();
            } else if (spins < 200) {
                Thread.yield();
            } else {
                java.util.concurrent.locks.LockSupport.parkNanos(50_000); // a long transfer: stop burning a core
            }
        }
        final List<AutoCloseable> scopes = r == null ? null : r.viewScopes;
        if (scopes != null) {
            r.viewScopes = null;
            RuntimeException failure = null;
            for (AutoCloseable scope : scopes) {
                try {
                    scope.close();
                } catch (Exception e) {
                    if (failure == null) {
                        failure = new IllegalStateException("cannot end a segment view of " + describe(), e);
                    } else {
                        failure.addSuppressed(e);
                    }
                }
            }
            if (failure != null) {
                throw failure;
            }
        }
    }

    /**
     * Registers a view's scope, which {@link #closeAccesses()} closes after the accesses in flight
     * have left (on close, on its Memory's or Session's close, and when defragmentation moves the
     * object); returns the gate that the scope's users enter and leave, as {@link MappedView}'s
     * accesses do. Under the Memory's lock, the object open.
     */
    final AtomicInteger addViewScopeLocked(AutoCloseable scope) {
        final Rare r = rareLocked();
        if (r.viewScopes == null) {
            r.viewScopes = new java.util.ArrayList<>(2);
        }
        r.viewScopes.add(scope);
        return accessesLocked();
    }

    /**
     * Pins this object for a transfer that then runs without the Memory's lock (so creates and
     * closes of other objects go on meanwhile): until {@link #unpin}, a close or a defragmentation
     * move of this object waits for the transfer, as for a {@link MappedView} access in flight; the
     * pin is an access of the same gate ({@link #closeAccesses()}). What the transfer read under the
     * lock (handle, page, offset) stays valid while pinned. Called under the lock, the object open,
     * so the gate is open; pair every pin with {@link #unpin} in a {@code finally}, and take no lock
     * of this Memory between them (a close holding it waits for the unpin).
     */
    final AtomicInteger pinLocked() {
        AtomicInteger gate = accessesLocked();
        gate.getAndIncrement();
        return gate;
    }

    /** Ends a transfer's {@link #pinLocked() pin}. */
    static void unpin(AtomicInteger gate) {
        gate.getAndDecrement();
    }

    /**
     * Before defragmentation moves the object: views of the old place throw from now on (their gate
     * is closed, after the accesses in flight), and the next {@code map()} makes a new gate.
     */
    final void retireViewsLocked() {
        closeAccesses();
        accesses = null;
    }

    /**
     * Why a view's access failed: the object closed, or it moved since the view was made. A gate
     * is shut only by a close (the object's, whose flag is set first, or its Memory's, whose flag
     * is set before it shuts the gates; a Session closes through its Memories) or by a move: the
     * view saw the gate shut, so when neither flag is set it was a move, even while the move has
     * not yet replaced the gate (which is why the gate itself, read without the lock, is not asked).
     */
    final IllegalStateException viewClosedException() {
        if (!closed && !memory.isClosed()) {
            return new IllegalStateException(describe() + " was moved by defragmentation after this view was"
                    + " made: map it again");
        }
        return closedException();
    }

    // ----------------------------------------------------------------------------------------
    // Host access of mappable objects with a byte size (buffers and allocations)

    /** A checked view of {@code [offset, offset + length)} of the object's {@code size} bytes. */
    final MappedView mapView(long offset, long length, long size) {
        checkMapRange(offset, length, size);
        synchronized (memory.lock()) {
            requireOpen();
            return new MappedView(this, mappingLocked(offset, length), offset, accessesLocked());
        }
    }

    /** A raw view of {@code [offset, offset + length)} of the object's {@code size} bytes. */
    final java.nio.ByteBuffer mapRaw(long offset, long length, long size) {
        checkMapRange(offset, length, size);
        synchronized (memory.lock()) {
            requireOpen();
            return mappingLocked(offset, length);
        }
    }

    final void checkMapRange(long offset, long length, long size) {
        checkRange("map", offset, length, size);
        if (length > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("a mapped view holds at most " + Integer.MAX_VALUE
                    + " bytes; asked for " + length + " of " + describe() + ": map it in parts with map(offset, length)");
        }
        if (!memory.isMappable()) {
            throw new MemoryNotMappableException("cannot map " + describe() + ": its memory type "
                    + memory.memoryType().index() + " " + memory.memoryFlags() + " is not HOST_VISIBLE");
        }
    }

    /** {@code [offset, offset + length)} inside the object's {@code size} bytes, else an exception naming it. */
    final void checkRange(String what, long offset, long length, long size) {
        if (offset < 0 || length < 0 || offset > size - length) {
            throw new IndexOutOfBoundsException("cannot " + what + " range [" + offset + ", " + offset + " + " + length
                    + "): it is outside the " + size + " bytes of " + describe());
        }
    }

    /** The mapping of a checked range, in native order; under the Memory's lock, the object open. */
    final java.nio.ByteBuffer mappingLocked(long offset, long length) {
        return memory.backend().map(page.handle, this.offset + offset, length)
                .order(java.nio.ByteOrder.nativeOrder());
    }

    /**
     * Flushes ({@code flush}) or invalidates {@code [offset, offset + length)} of the object's
     * {@code size} bytes; a no-op on coherent memory or for an empty range.
     */
    final void syncRange(long offset, long length, long size, boolean flush) {
        checkRange(flush ? "flush" : "invalidate", offset, length, size);
        synchronized (memory.lock()) {
            requireOpen();
            syncRangeLocked(offset, length, flush);
        }
    }

    /** {@link #syncRange} of a checked range, under the Memory's lock or while pinned, the object open. */
    final void syncRangeLocked(long offset, long length, boolean flush) {
        final dev.lluvia.memory.spi.MappedRange r = mappedRangeLocked(offset, length);
        if (r == null) {
            return;
        }
        if (flush) {
            memory.backend().flush(r.page(), r.offset(), r.size());
        } else {
            memory.backend().invalidate(r.page(), r.offset(), r.size());
        }
    }

    /**
     * The page range to flush or invalidate for {@code [offset, offset + length)} of this object,
     * rounded out to atoms; {@code null} when nothing is to be done (coherent memory, empty range).
     * Under the Memory's lock, the object open.
     */
    final dev.lluvia.memory.spi.MappedRange mappedRangeLocked(long offset, long length) {
        if (length == 0 || !memory.memoryType().needsFlush()) {
            return null;
        }
        // Objects on non-coherent types start and end on atom boundaries (Memory aligns them), so
        // the range rounded out to atoms stays inside the object's own reserved bytes.
        final long atom = memory.atom();
        final long start = dev.lluvia.memory.alloc.Align.roundDown(this.offset + offset, atom);
        // A dedicated page has the object's exact size: the range may end at the page end, which
        // Vulkan accepts in place of an atom multiple.
        final long end = Math.min(dev.lluvia.memory.alloc.Align.roundUp(this.offset + offset + length, atom), page.size);
        return new dev.lluvia.memory.spi.MappedRange(page.handle, start, end - start);
    }

    /** The object's size in bytes for a whole-object flush; only buffers and allocations have one. */
    long mappableSize() {
        throw new IllegalArgumentException(describe() + " cannot be flushed or invalidated: only buffers and"
                + " allocations are mapped");
    }

    @Override
    public String toString() {
        return describe() + (page == null ? "" : " at " + infoLocked()) + (closed ? ", closed" : "");
    }
}
