package dev.lluvia.memory.sim;

import dev.lluvia.memory.spi.MemoryRequirements;

import java.util.ArrayList;
import java.util.List;

/** One buffer or image of the sim, and where it is bound. */
final class SimResource {
    final long handle;
    /** A buffer or linear image, for the granularity rule. */
    final boolean linear;
    final MemoryRequirements requirements;
    final String what;
    /** Vulkan usage bits; TRANSFER_SRC (1) and TRANSFER_DST (2) mean the same for buffers and images. */
    final int usage;
    SimPage page;
    long offset;
    /** The resource this one is bound onto as an alias, or null; aliases are not in the page's map. */
    SimResource aliasOf;
    /** Aliases bound onto this resource. */
    final List<SimResource> aliases = new ArrayList<>(0);

    SimResource(long handle, boolean linear, MemoryRequirements requirements, String what, int usage) {
        this.handle = handle;
        this.linear = linear;
        this.requirements = requirements;
        this.what = what;
        this.usage = usage;
    }

    long end() {
        return offset + requirements.size();
    }

    @Override
    public String toString() {
        return what + " 0x" + Long.toHexString(handle) + " (size " + requirements.size() + ", alignment "
                + requirements.alignment() + ")";
    }
}
