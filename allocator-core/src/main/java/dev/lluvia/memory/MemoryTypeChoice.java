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

    /**
     * The memory type {@code options} asks for (by usage or by flags), among the types its
     * {@link MemoryOptions#memoryTypeBits()} allow; a type with more of its
     * {@link MemoryOptions#preferredFlags()} wins before the usual ranking.
     */
    MemoryType choose(MemoryOptions options) {
        final MemoryUsage usage = options.usage();
        final Set<MemoryPropertyFlag> flags = options.flags();
        final boolean exact = options.exactFlagsMatch();
        MemoryType best = null;
        int bestPreferred = -1;
        int bestCost = Integer.MAX_VALUE;
        for (MemoryType t : device.memoryTypes()) {
            if ((options.memoryTypeBits() & (1 << t.index())) == 0) {
                continue;
            }
            Set<MemoryPropertyFlag> has = t.flags();
            final int cost;
            if (usage != null) {
                cost = MemoryTypeRanking.cost(t, usage);
                if (cost == MemoryTypeRanking.EXCLUDED) {
                    continue;
                }
            } else if (exact ? has.equals(flags) : has.containsAll(flags)) {
                cost = has.size(); // the fewest flags beyond those asked for
            } else {
                continue;
            }
            int preferred = 0;
            for (MemoryPropertyFlag f : options.preferredFlags()) {
                if (has.contains(f)) {
                    preferred++;
                }
            }
            if (preferred > bestPreferred || preferred == bestPreferred && cost < bestCost) {
                best = t;
                bestPreferred = preferred;
                bestCost = cost;
            }
        }
        if (best == null) {
            String bits = options.memoryTypeBits() == MemoryOptions.ALL_MEMORY_TYPES ? ""
                    : " among the types of memoryTypeBits 0x" + Integer.toHexString(options.memoryTypeBits());
            throw new UnsupportedMemoryFlagsException(usage != null
                    ? "no memory type of " + device.name() + bits + " suits " + usage + "; supported flag sets: " + supportedFlags
                    : "no memory type of " + device.name() + bits + " has " + (exact ? "exactly " : "") + "the flags " + flags
                    + "; supported flag sets: " + supportedFlags);
        }
        return best;
    }
}
