package dev.lluvia.memory.spi;

/**
 * A buffer or image the backend created, as the core holds it: the backend's handle and what
 * memory it may be bound to. The core hands this very object back on every later call about the
 * resource (bind, copies, destroy), so a backend may return a subclass of its own that carries
 * its per-resource state (usage, the page it is bound to): it then needs no table from handle to
 * state, which every create and destroy of every thread would write. A backend that keeps no such
 * state returns a plain {@code Resource} and reads {@link #handle()}.
 *
 * <p>The requirements are kept as fields of this object rather than as a {@link MemoryRequirements}
 * it points to: a resource is made on every create, and one object fewer per create is garbage
 * the program's collector never sees. {@link #requirements()} makes the record when asked.
 *
 * <p>The core also wraps a resource the program created itself in a plain {@code Resource} where
 * the SPI names one (a page dedicated to it: {@link PageRequest.Dedicated}); a backend tells such
 * a resource from its own by its class.
 */
public class Resource {

    private final long handle;
    private final long size;
    private final long alignment;
    private final int memoryTypeBits;
    private final boolean prefersDedicated;
    private final boolean requiresDedicated;
    /** Made without requirements (a handle wrapped to name it in a call): {@link #requirements()} is null. */
    private final boolean noRequirements;

    /**
     * A resource of {@code handle} with its requirements.
     *
     * @param handle       the backend's handle (a Vulkan handle, or a sim id)
     * @param requirements what memory it may be bound to; {@code null} where the caller has none
     *                     (a handle wrapped to name it in a call)
     */
    public Resource(long handle, MemoryRequirements requirements) {
        this(handle, requirements == null ? 0 : requirements.size(), requirements == null ? 0 : requirements.alignment(),
                requirements == null ? 0 : requirements.memoryTypeBits(),
                requirements != null && requirements.prefersDedicated(),
                requirements != null && requirements.requiresDedicated(), requirements == null);
    }

    /**
     * A resource of {@code handle} with its requirements given field by field, as a backend reads
     * them from the driver's answer ({@code VkMemoryRequirements2}): the same as
     * {@link #Resource(long, MemoryRequirements)} without the record.
     *
     * @param handle            the backend's handle (a Vulkan handle, or a sim id)
     * @param size              bytes to reserve; see {@link MemoryRequirements#size()}
     * @param alignment         the offset must be a multiple of this (a power of two, at least 1)
     * @param memoryTypeBits    bit i set: memory type i may hold the resource
     * @param prefersDedicated  the driver is faster if the resource has an allocation of its own
     * @param requiresDedicated the resource must have an allocation of its own
     */
    protected Resource(long handle, long size, long alignment, int memoryTypeBits, boolean prefersDedicated,
                       boolean requiresDedicated) {
        this(handle, size, alignment, memoryTypeBits, prefersDedicated, requiresDedicated, false);
    }

    private Resource(long handle, long size, long alignment, int memoryTypeBits, boolean prefersDedicated,
                     boolean requiresDedicated, boolean noRequirements) {
        this.handle = handle;
        this.size = size;
        this.alignment = alignment;
        this.memoryTypeBits = memoryTypeBits;
        this.prefersDedicated = prefersDedicated;
        this.requiresDedicated = requiresDedicated;
        this.noRequirements = noRequirements;
    }

    /** {@return the backend's handle (a Vulkan handle, or a sim id)} */
    public final long handle() {
        return handle;
    }

    /**
     * {@return what memory it may be bound to, a new record on each call; {@code null} for a
     * resource made without requirements}
     */
    public final MemoryRequirements requirements() {
        return noRequirements ? null
                : new MemoryRequirements(size, alignment, memoryTypeBits, prefersDedicated, requiresDedicated);
    }

    /** {@return {@link MemoryRequirements#size()} without the record; 0 when made without requirements} */
    public final long requiredSize() {
        return size;
    }

    /** {@return {@link MemoryRequirements#alignment()} without the record; 0 when made without requirements} */
    public final long requiredAlignment() {
        return alignment;
    }

    /** {@return {@link MemoryRequirements#memoryTypeBits()} without the record; 0 when made without requirements} */
    public final int memoryTypeBits() {
        return memoryTypeBits;
    }

    /** {@return {@link MemoryRequirements#prefersDedicated()} without the record; false when made without requirements} */
    public final boolean prefersDedicated() {
        return prefersDedicated;
    }

    /** {@return {@link MemoryRequirements#requiresDedicated()} without the record; false when made without requirements} */
    public final boolean requiresDedicated() {
        return requiresDedicated;
    }

    @Override
    public String toString() {
        return "Resource[0x" + Long.toHexString(handle) + ", " + requirements() + "]";
    }
}
