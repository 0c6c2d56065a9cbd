package dev.lluvia.memory;

import java.util.List;
import java.util.Set;

/**
 * Ranks memory types for a {@link MemoryUsage}. Each type gets a cost; the cheapest wins and the
 * lowest index breaks ties. A cost is a sum of weighted penalties, chosen so that one concern
 * always outweighs all smaller ones together:
 *
 * <pre>
 *   usage        must have     penalty (weight)
 *   DEVICE_ONLY  -             not DEVICE_LOCAL (8); HOST_VISIBLE (2), HOST_COHERENT (1), HOST_CACHED (1)
 *   UPLOAD       HOST_VISIBLE  not HOST_COHERENT (4); not DEVICE_LOCAL (2); HOST_CACHED (1)
 *   READBACK     HOST_VISIBLE  DEVICE_LOCAL (16); not HOST_CACHED (4); not HOST_COHERENT (2)
 *   every usage: no flags, PROTECTED or LAZILY_ALLOCATED excluded; AMD device-coherent/uncached (32)
 * </pre>
 *
 * <p>A type without flags is excluded too: Vulkan guarantees a DEVICE_LOCAL type and a
 * HOST_VISIBLE one, so every usage finds a type with flags, and a Memory is described by its flags.
 *
 * <p>READBACK's DEVICE_LOCAL penalty outweighs everything else, so a device-local host-visible
 * type (a BAR) is chosen only when every host-visible type is device-local (integrated GPUs,
 * lavapipe).
 */
final class MemoryTypeRanking {

    /** Cost of a type the usage cannot use. */
    static final int EXCLUDED = -1;

    private MemoryTypeRanking() {
    }

    /** The best type for {@code usage}, or {@code null} when none qualifies. */
    static MemoryType choose(List<MemoryType> types, MemoryUsage usage) {
        return choose(types, usage, -1);
    }

    /** The best type for {@code usage} whose bit is set in {@code memoryTypeBits}, or {@code null}. */
    static MemoryType choose(List<MemoryType> types, MemoryUsage usage, int memoryTypeBits) {
        MemoryType best = null;
        int bestCost = Integer.MAX_VALUE;
        for (MemoryType t : types) {
            if ((memoryTypeBits & (1 << t.index())) == 0) {
                continue;
            }
            int c = cost(t, usage);
            if (c != EXCLUDED && c < bestCost) {
                best = t;
                bestCost = c;
            }
        }
        return best;
    }

    /** The cost of placing memory of {@code usage} in {@code type}: lower is better, {@link #EXCLUDED} if unusable. */
    static int cost(MemoryType type, MemoryUsage usage) {
        Set<MemoryPropertyFlag> f = type.flags();
        if (f.isEmpty() || f.contains(MemoryPropertyFlag.PROTECTED) || f.contains(MemoryPropertyFlag.LAZILY_ALLOCATED)) {
            return EXCLUDED;
        }
        final boolean deviceLocal = f.contains(MemoryPropertyFlag.DEVICE_LOCAL);
        final boolean hostVisible = f.contains(MemoryPropertyFlag.HOST_VISIBLE);
        final boolean coherent = f.contains(MemoryPropertyFlag.HOST_COHERENT);
        final boolean cached = f.contains(MemoryPropertyFlag.HOST_CACHED);
        int cost = f.contains(MemoryPropertyFlag.DEVICE_COHERENT_AMD) || f.contains(MemoryPropertyFlag.DEVICE_UNCACHED_AMD)
                ? 32 : 0;
        switch (usage) {
            case DEVICE_ONLY -> {
                cost += (deviceLocal ? 0 : 8) + (hostVisible ? 2 : 0) + (coherent ? 1 : 0) + (cached ? 1 : 0);
            }
            case UPLOAD -> {
                if (!hostVisible) {
                    return EXCLUDED;
                }
                cost += (coherent ? 0 : 4) + (deviceLocal ? 0 : 2) + (cached ? 1 : 0);
            }
            case READBACK -> {
                if (!hostVisible) {
                    return EXCLUDED;
                }
                cost += (deviceLocal ? 16 : 0) + (cached ? 0 : 4) + (coherent ? 0 : 2);
            }
            default -> throw new IllegalArgumentException("unknown memory usage " + usage);
        }
        return cost;
    }
}
