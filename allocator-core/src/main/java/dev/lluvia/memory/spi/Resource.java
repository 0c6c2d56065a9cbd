package dev.lluvia.memory.spi;

/**
 * A buffer or image the backend created, as the core holds it: the backend's handle and what
 * memory it may be bound to. The core hands this very object back on every later call about the
 * resource (bind, copies, destroy), so a backend may return a subclass of its own that carries
 * its per-resource state (usage, the page it is bound to): it then needs no table from handle to
 * state, which every create and destroy of every thread would write. A backend that keeps no such
 * state returns a plain {@code Resource} and reads {@link #handle()}.
 *
 * <p>The core also wraps a resource the program created itself in a plain {@code Resource} where
 * the SPI names one (a page dedicated to it: {@link PageRequest.Dedicated}); a backend tells such
 * a resource from its own by its class.
 */
public class Resource {

    private final long handle;
    private final MemoryRequirements requirements;

    /**
     * A resource of {@code handle} with its requirements.
     *
     * @param handle       the backend's handle (a Vulkan handle, or a sim id)
     * @param requirements what memory it may be bound to
     */
    public Resource(long handle, MemoryRequirements requirements) {
        this.handle = handle;
        this.requirements = requirements;
    }

    /** {@return the backend's handle (a Vulkan handle, or a sim id)} */
    public final long handle() {
        return handle;
    }

    /** {@return what memory it may be bound to} */
    public final MemoryRequirements requirements() {
        return requirements;
    }

    @Override
    public String toString() {
        return "Resource[0x" + Long.toHexString(handle) + ", " + requirements + "]";
    }
}
