package dev.lluvia.memory;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;

/**
 * Which memory type of a device a {@link MemoryOptions} asks for: by {@link MemoryUsage}, the best
 * type {@link MemoryTypeRanking} finds; by flags, the type with the fewest flags that has them all
 * (or exactly them, with {@code exactFlagsMatch}), the first such in type order, as Lluvia does.
 * No suitable type is an {@link UnsupportedMemoryFlagsException} listing the flag sets the device has.
 *
 * <p>Immutable and thread-safe.
 */
final class MemoryTypeChoice {

    private final DeviceProperties device;
    private final List<Set<MemoryPropertyFlag>> supportedFlags;

    MemoryTypeChoice(DeviceProperties device) {
        this.device = device;
        List<Set<MemoryPropertyFlag>> flags = new ArrayList<>();
        for (MemoryType t : device.memoryTypes()) {
            if (!t.flags().isEmpty() && !flags.contains(t.flags())) {
                flags.add(t.flags());
            }
        }
        this.supportedFlags = Collections.unmodifiableList(flags);
    }

    /** The distinct, non-empty flag sets of the device's memory types, in memory type order. */
    List<Set<MemoryPropertyFlag>> supportedFlags() {
        return supportedFlags;
    }

    /** The memory type {@code options} asks for (by usage or by flags). */
    MemoryType choose(MemoryOptions options) {
        return options.usage() != null ? choose(options.usage()) : choose(options.flags(), options.exactFlagsMatch());
    }

    private MemoryType choose(MemoryUsage usage) {
        MemoryType type = MemoryTypeRanking.choose(device.memoryTypes(), usage);
        if (type == null) {
            throw new UnsupportedMemoryFlagsException("no memory type of " + device.name() + " suits " + usage
                    + "; supported flag sets: " + supportedFlags);
        }
        return type;
    }

    private MemoryType choose(Set<MemoryPropertyFlag> flags, boolean exact) {
        MemoryType best = null;
        for (MemoryType t : device.memoryTypes()) {
            Set<MemoryPropertyFlag> has = t.flags();
            boolean matches = exact ? has.equals(flags) : has.containsAll(flags);
            if (matches && (best == null || has.size() < best.flags().size())) {
                best = t;
            }
        }
        if (best == null) {
            throw new UnsupportedMemoryFlagsException("no memory type of " + device.name() + " has "
                    + (exact ? "exactly " : "") + "the flags " + flags + "; supported flag sets: " + supportedFlags);
        }
        return best;
    }
}
