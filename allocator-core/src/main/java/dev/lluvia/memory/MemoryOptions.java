package dev.lluvia.memory;

import dev.lluvia.memory.alloc.AllocationAlgorithm;
import dev.lluvia.memory.alloc.AllocationStrategy;

import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * Everything {@link Session#createMemory(MemoryOptions)} can be told; every other
 * {@code createMemory} overload is a shorthand for one of these. The memory type is chosen either
 * from memory property flags (Lluvia's way: {@link #of(Set)}) or from what the memory is for
 * ({@link #of(MemoryUsage)}, ranked as {@link MemoryUsage} says); the page size, the block allocator
 * used inside each page and its strategy apply to both.
 *
 * @param flags           the memory property flags the memory type must have, not empty; {@code null}
 *                        when a {@code usage} chooses the type
 * @param usage           what the memory is for, or {@code null} when {@code flags} choose the type
 * @param pageSize        bytes of a regular page, positive (default 32 MiB)
 * @param exactFlagsMatch whether the type's flags must equal {@code flags}; {@code false} with a usage
 * @param algorithm       the block allocator of each page (default {@link AllocationAlgorithm#TLSF})
 * @param strategy        where the allocator looks first (default {@link AllocationStrategy#MIN_TIME});
 *                        algorithms with one placement rule ignore it
 */
public record MemoryOptions(Set<MemoryPropertyFlag> flags, MemoryUsage usage, long pageSize,
                            boolean exactFlagsMatch, AllocationAlgorithm algorithm, AllocationStrategy strategy) {

    public MemoryOptions {
        if (usage != null) {
            if (flags != null) {
                throw new IllegalArgumentException("memory flags " + flags + " and usage " + usage
                        + " both given: the memory type is chosen by one of them");
            }
            if (exactFlagsMatch) {
                throw new IllegalArgumentException("exactFlagsMatch applies to memory flags, not to usage " + usage);
            }
        } else if (Objects.requireNonNull(flags, "flags").isEmpty()) {
            throw new IllegalArgumentException("memory flags must not be empty");
        }
        if (flags != null) {
            for (MemoryPropertyFlag f : flags) {
                if (f == null) {
                    throw new NullPointerException("memory flags must not contain null: " + flags);
                }
            }
            flags = java.util.Collections.unmodifiableSet(EnumSet.copyOf(flags));
        }
        if (pageSize <= 0) {
            throw new IllegalArgumentException("pageSize must be positive, was " + pageSize);
        }
        Objects.requireNonNull(algorithm, "algorithm");
        Objects.requireNonNull(strategy, "strategy");
    }

    /** Options for {@code flags} with Lluvia's defaults: 32 MiB pages, flags contained, the default algorithm. */
    public static MemoryOptions of(Set<MemoryPropertyFlag> flags) {
        return new MemoryOptions(flags, null, Session.DEFAULT_PAGE_SIZE, false, AllocationAlgorithm.TLSF,
                AllocationStrategy.MIN_TIME);
    }

    /**
     * Options for a memory whose type is ranked for {@code usage} (see {@link MemoryUsage}), with
     * 32 MiB pages and the default algorithm.
     */
    public static MemoryOptions of(MemoryUsage usage) {
        Objects.requireNonNull(usage, "usage");
        return new MemoryOptions(null, usage, Session.DEFAULT_PAGE_SIZE, false, AllocationAlgorithm.TLSF,
                AllocationStrategy.MIN_TIME);
    }

    public MemoryOptions withPageSize(long newPageSize) {
        return new MemoryOptions(flags, usage, newPageSize, exactFlagsMatch, algorithm, strategy);
    }

    public MemoryOptions withExactFlagsMatch(boolean exact) {
        return new MemoryOptions(flags, usage, pageSize, exact, algorithm, strategy);
    }

    public MemoryOptions withStrategy(AllocationStrategy newStrategy) {
        return new MemoryOptions(flags, usage, pageSize, exactFlagsMatch, algorithm, newStrategy);
    }

    public MemoryOptions withAlgorithm(AllocationAlgorithm newAlgorithm) {
        return new MemoryOptions(flags, usage, pageSize, exactFlagsMatch, newAlgorithm, strategy);
    }
}
