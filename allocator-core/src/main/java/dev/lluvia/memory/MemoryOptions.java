package dev.lluvia.memory;

import dev.lluvia.memory.alloc.AllocationAlgorithm;
import dev.lluvia.memory.alloc.AllocationStrategy;

import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * Everything {@link Session#createMemory(MemoryOptions)} can be told. The Lluvia-style overloads
 * ({@link Session#createMemory(Set, long, boolean)}) cover flags, page size and exact matching;
 * these options add the block allocator used inside each page and its strategy.
 *
 * @param flags           the memory property flags the memory type must have, not empty
 * @param pageSize        bytes of a regular page, positive (default 32 MiB)
 * @param exactFlagsMatch whether the type's flags must equal {@code flags}
 * @param algorithm       the block allocator of each page (default {@link AllocationAlgorithm#TLSF})
 * @param strategy        where the allocator looks first (default {@link AllocationStrategy#MIN_TIME});
 *                        algorithms with one placement rule ignore it
 */
public record MemoryOptions(Set<MemoryPropertyFlag> flags, long pageSize, boolean exactFlagsMatch,
                            AllocationAlgorithm algorithm, AllocationStrategy strategy) {

    public MemoryOptions {
        if (flags == null || flags.isEmpty()) {
            throw new IllegalArgumentException("memory flags must not be " + (flags == null ? "null" : "empty"));
        }
        for (MemoryPropertyFlag f : flags) {
            if (f == null) {
                throw new IllegalArgumentException("memory flags must not contain null: " + flags);
            }
        }
        flags = java.util.Collections.unmodifiableSet(EnumSet.copyOf(flags));
        if (pageSize <= 0) {
            throw new IllegalArgumentException("pageSize must be positive, was " + pageSize);
        }
        Objects.requireNonNull(algorithm, "algorithm");
        Objects.requireNonNull(strategy, "strategy");
    }

    /** Options for {@code flags} with Lluvia's defaults: 32 MiB pages, flags contained, the default algorithm. */
    public static MemoryOptions of(Set<MemoryPropertyFlag> flags) {
        return new MemoryOptions(flags, Session.DEFAULT_PAGE_SIZE, false, AllocationAlgorithm.TLSF,
                AllocationStrategy.MIN_TIME);
    }

    public MemoryOptions withPageSize(long newPageSize) {
        return new MemoryOptions(flags, newPageSize, exactFlagsMatch, algorithm, strategy);
    }

    public MemoryOptions withExactFlagsMatch(boolean exact) {
        return new MemoryOptions(flags, pageSize, exact, algorithm, strategy);
    }

    public MemoryOptions withStrategy(AllocationStrategy newStrategy) {
        return new MemoryOptions(flags, pageSize, exactFlagsMatch, algorithm, newStrategy);
    }

    public MemoryOptions withAlgorithm(AllocationAlgorithm newAlgorithm) {
        return new MemoryOptions(flags, pageSize, exactFlagsMatch, newAlgorithm, strategy);
    }
}
