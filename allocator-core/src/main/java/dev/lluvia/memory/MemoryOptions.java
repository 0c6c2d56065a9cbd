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
 * @param priority        the memory priority of every page, in [0, 1] (default 0.5, Vulkan's):
 *                        given to the driver with {@code VkMemoryPriorityAllocateInfoEXT} where the
 *                        session enabled {@link DeviceFeature#MEMORY_PRIORITY}, so that under memory pressure
 *                        it moves lower-priority pages out of device-local memory first. On a
 *                        session without it the value is kept ({@link Memory#priority()}) and has
 *                        no effect ({@link Memory#isPriorityApplied()} is false).
 * @param exportable      whether every page is allocated exportable to other APIs as an opaque file
 *                        descriptor ({@code VK_KHR_external_memory_fd}; {@link Memory#exportFd(int)}),
 *                        e.g. for CUDA interop (default false). A device without the extension refuses
 *                        such a Memory with an {@link UnsupportedExternalMemoryException}.
 * @param emptyPageBudget bytes of empty regular pages the memory keeps for reuse instead of giving
 *                        them back to the driver, at least 0; or {@link #DEFAULT_EMPTY_PAGE_BUDGET}
 *                        (the default: {@value #DEFAULT_EMPTY_PAGE_BYTES} bytes or one page, whichever
 *                        is larger; see {@link #effectiveEmptyPageBudget()}). 0 gives every empty
 *                        page back at once. Pages kept for {@code minPages} are not counted against it.
 * @param preferredFlags  memory property flags the type should have, beyond {@code flags} (VMA's
 *                        {@code preferredFlags}): among the types that qualify, one with more of them
 *                        wins before the usual ranking (fewest flags, or the usage's cost); empty by default
 * @param memoryTypeBits  bit {@code i} set: memory type {@code i} may be chosen (VMA's
 *                        {@code memoryTypeBits}); give a resource's requirement bits here to choose a type
 *                        that can hold it. Default {@link #ALL_MEMORY_TYPES}
 * @param minPages        regular pages allocated when the Memory is created and kept, empty or not, for
 *                        its whole life (VMA's pool {@code minBlockCount}); default 0
 * @param maxPages        the most pages, dedicated ones included, the Memory ever holds at once (VMA's
 *                        {@code maxBlockCount}): a create that needs one more is refused with a
 *                        {@link PageLimitException}, nothing changed; default {@link Integer#MAX_VALUE}
 * @param neverAllocate   whether creates refuse (a {@link PageLimitException}, nothing changed) rather
 *                        than allocate a new page (VMA's {@code VMA_ALLOCATION_CREATE_NEVER_ALLOCATE_BIT}):
 *                        objects then go only into the pages there are, e.g. the {@code minPages}; default
 *                        false. There is no within-budget switch (VMA's {@code WITHIN_BUDGET}) because every
 *                        Memory behaves so: a page that would exceed its heap's budget (where the device
 *                        reports one, else the heap's size) is refused with an {@link OutOfDeviceMemoryException}
 *                        before the driver is asked
 */
public record MemoryOptions(Set<MemoryPropertyFlag> flags, MemoryUsage usage, long pageSize,
                            boolean exactFlagsMatch, AllocationAlgorithm algorithm, AllocationStrategy strategy,
                            float priority, boolean exportable, long emptyPageBudget,
                            Set<MemoryPropertyFlag> preferredFlags, int memoryTypeBits, int minPages, int maxPages,
                            boolean neverAllocate) {

    /** Lluvia's default page size, {@value} bytes (32 MiB): the {@code pageSize} of {@link #of(Set)} and {@link #of(MemoryUsage)}. */
    public static final long DEFAULT_PAGE_SIZE = 32L * 1024 * 1024;

    /** The {@code memoryTypeBits} that lets every memory type be chosen. */
    public static final int ALL_MEMORY_TYPES = -1;

    /** Vulkan's default memory priority, used when none is given. */
    public static final float DEFAULT_PRIORITY = 0.5f;

    /**
     * The {@code emptyPageBudget} that asks for the default, {@link #effectiveEmptyPageBudget()}:
     * {@value #DEFAULT_EMPTY_PAGE_BYTES} bytes or one page, whichever is larger.
     */
    public static final long DEFAULT_EMPTY_PAGE_BUDGET = -1;

    /**
     * 256 MiB: the default budget of kept empty pages when pages are smaller. VMA keeps one empty
     * block per memory type, and its block is 256 MiB on heaps over 1 GiB; keeping as many bytes
     * lets a program that frees and re-creates a few hundred MiB of objects (a frame's or a
     * level's worth) get its pages back without the driver, whose {@code vkAllocateMemory} of a
     * page costs far more than placing an object in a kept one ({@code docs/benchmark-log.md} has
     * the figures), while holding no more idle memory than VMA does. Never less than one page: a Memory always kept one empty page, so that create/close
     * churn at a page boundary does not call the driver each time.
     */
    public static final long DEFAULT_EMPTY_PAGE_BYTES = 256L << 20;

    /**
     * Checks the components: flags or a usage (not both), a positive page size, a priority in [0, 1], an empty-page budget of at least 0 or the default.
     *
     * @param flags the memory property flags the memory type must have, not empty; {@code null} when a
     *              {@code usage} chooses the type
     * @param usage what the memory is for, or {@code null} when {@code flags} choose the type
     * @param pageSize bytes of a regular page, positive (default 32 MiB)
     * @param exactFlagsMatch whether the type's flags must equal {@code flags}; {@code false} with a usage
     * @param algorithm the block allocator of each page (default {@link AllocationAlgorithm#TLSF})
     * @param strategy where the allocator looks first (default {@link AllocationStrategy#MIN_TIME});
     *                 algorithms with one placement rule ignore it
     * @param priority the memory priority of every page, in [0, 1] (default 0.5, Vulkan's): given to the
     *                 driver with {@code VkMemoryPriorityAllocateInfoEXT} where the session enabled {@link
     *                 DeviceFeature#MEMORY_PRIORITY}, so that under memory pressure it moves lower-priority
     *                 pages out of device-local memory first. On a session without it the value is kept ({@link
     *                 Memory#priority()}) and has no effect ({@link Memory#isPriorityApplied()} is false).
     * @param exportable whether every page is allocated exportable to other APIs as an opaque file
     *                   descriptor ({@code VK_KHR_external_memory_fd}; {@link Memory#exportFd(int)}), e.g. for
     *                   CUDA interop (default false). A device without the extension refuses such a Memory with
     *                   an {@link UnsupportedExternalMemoryException}.
     * @param emptyPageBudget bytes of empty regular pages the memory keeps for reuse instead of giving them
     *                        back to the driver, at least 0; or {@link #DEFAULT_EMPTY_PAGE_BUDGET} (the default:
     *                        {@value #DEFAULT_EMPTY_PAGE_BYTES} bytes or one page, whichever is larger; see
     *                        {@link #effectiveEmptyPageBudget()}). 0 gives every empty page back at once.
     * @param preferredFlags memory property flags the type should have beyond {@code flags}; may be empty
     * @param memoryTypeBits bit {@code i} set: memory type {@code i} may be chosen; not 0
     *                       ({@link #ALL_MEMORY_TYPES} for any)
     * @param minPages regular pages allocated at creation and kept for the Memory's life, at least 0
     * @param maxPages the most pages the Memory holds at once, at least 1 and at least {@code minPages}
     * @param neverAllocate whether creates refuse with a {@link PageLimitException} rather than allocate a
     *                      new page
     * @throws IllegalArgumentException naming the first value refused
     * @throws NullPointerException     if a component that must be given is null
     */
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
        if (!(priority >= 0f && priority <= 1f)) {
            throw new IllegalArgumentException("memory priority must be in [0, 1], was " + priority);
        }
        Objects.requireNonNull(preferredFlags, "preferredFlags");
        for (MemoryPropertyFlag f : preferredFlags) {
            if (f == null) {
                throw new NullPointerException("preferred flags must not contain null: " + preferredFlags);
            }
        }
        preferredFlags = preferredFlags.isEmpty() ? Set.of()
                : java.util.Collections.unmodifiableSet(EnumSet.copyOf(preferredFlags));
        if (memoryTypeBits == 0) {
            throw new IllegalArgumentException("memoryTypeBits must allow at least one memory type, was 0x0");
        }
        if (minPages < 0) {
            throw new IllegalArgumentException("minPages must be >= 0, was " + minPages);
        }
        if (maxPages < 1 || maxPages < minPages) {
            throw new IllegalArgumentException("maxPages must be at least 1 and at least minPages (" + minPages
                    + "), was " + maxPages);
        }
        if (emptyPageBudget < 0 && emptyPageBudget != DEFAULT_EMPTY_PAGE_BUDGET) {
            throw new IllegalArgumentException("emptyPageBudget must be a number of bytes >= 0, or"
                    + " DEFAULT_EMPTY_PAGE_BUDGET (" + DEFAULT_EMPTY_PAGE_BUDGET + "), was " + emptyPageBudget);
        }
    }

    /**
     * {@return the bytes of empty regular pages a Memory with these options keeps: {@code emptyPageBudget},
     * or for {@link #DEFAULT_EMPTY_PAGE_BUDGET} the larger of {@value #DEFAULT_EMPTY_PAGE_BYTES}
     * and {@code pageSize}} A page is kept only if the kept pages, with it, fit in these bytes.
     */
    public long effectiveEmptyPageBudget() {
        return emptyPageBudget == DEFAULT_EMPTY_PAGE_BUDGET ? Math.max(DEFAULT_EMPTY_PAGE_BYTES, pageSize) : emptyPageBudget;
    }

    /**
     * Options for {@code flags} with Lluvia's defaults: 32 MiB pages, flags contained, the default
     * algorithm, priority and empty-page budget, not exportable.
     *
     * @param flags memory property flags the memory type must have; not empty
     * @return the options
     */
    public static MemoryOptions of(Set<MemoryPropertyFlag> flags) {
        return new MemoryOptions(flags, null, DEFAULT_PAGE_SIZE, false, AllocationAlgorithm.TLSF,
                AllocationStrategy.MIN_TIME, DEFAULT_PRIORITY, false, DEFAULT_EMPTY_PAGE_BUDGET, Set.of(),
                ALL_MEMORY_TYPES, 0, Integer.MAX_VALUE, false);
    }

    /**
     * Options for a memory whose type is ranked for {@code usage} (see {@link MemoryUsage}), with
     * 32 MiB pages, the default algorithm, priority and empty-page budget, not exportable.
     *
     * @param usage what the memory is for
     * @return the options
     */
    public static MemoryOptions of(MemoryUsage usage) {
        Objects.requireNonNull(usage, "usage");
        return new MemoryOptions(null, usage, DEFAULT_PAGE_SIZE, false, AllocationAlgorithm.TLSF,
                AllocationStrategy.MIN_TIME, DEFAULT_PRIORITY, false, DEFAULT_EMPTY_PAGE_BUDGET, Set.of(),
                ALL_MEMORY_TYPES, 0, Integer.MAX_VALUE, false);
    }

    /**
     * Returns these options with another page size.
     *
     * @param newPageSize bytes of a regular page, at least 1
     * @return the changed copy
     */
    public MemoryOptions withPageSize(long newPageSize) {
        return new MemoryOptions(flags, usage, newPageSize, exactFlagsMatch, algorithm, strategy, priority, exportable, emptyPageBudget,
                preferredFlags, memoryTypeBits, minPages, maxPages, neverAllocate);
    }

    /**
     * Returns these options with exact or contained flags matching.
     *
     * @param exact whether the memory type must have exactly the flags (else at least them)
     * @return the changed copy
     */
    public MemoryOptions withExactFlagsMatch(boolean exact) {
        return new MemoryOptions(flags, usage, pageSize, exact, algorithm, strategy, priority, exportable, emptyPageBudget,
                preferredFlags, memoryTypeBits, minPages, maxPages, neverAllocate);
    }

    /**
     * Returns these options with another allocation strategy.
     *
     * @param newStrategy where the block allocator of each page looks first
     * @return the changed copy
     */
    public MemoryOptions withStrategy(AllocationStrategy newStrategy) {
        return new MemoryOptions(flags, usage, pageSize, exactFlagsMatch, algorithm, newStrategy, priority, exportable, emptyPageBudget,
                preferredFlags, memoryTypeBits, minPages, maxPages, neverAllocate);
    }

    /**
     * Returns these options with another block allocator.
     *
     * @param newAlgorithm the block allocator used inside each page
     * @return the changed copy
     */
    public MemoryOptions withAlgorithm(AllocationAlgorithm newAlgorithm) {
        return new MemoryOptions(flags, usage, pageSize, exactFlagsMatch, newAlgorithm, strategy, priority, exportable, emptyPageBudget,
                preferredFlags, memoryTypeBits, minPages, maxPages, neverAllocate);
    }

    /**
     * Sets the memory priority of the pages, in [0, 1]; see the {@code priority} component.
     *
     * @param newPriority the priority, in [0, 1]
     * @return a copy of these options with that priority
     * @throws IllegalArgumentException naming the value when it is outside [0, 1] or NaN
     */
    public MemoryOptions withPriority(float newPriority) {
        return new MemoryOptions(flags, usage, pageSize, exactFlagsMatch, algorithm, strategy, newPriority, exportable, emptyPageBudget,
                preferredFlags, memoryTypeBits, minPages, maxPages, neverAllocate);
    }

    /**
     * Sets whether pages are exportable as opaque file descriptors; see the {@code exportable} component.
     *
     * @param newExportable whether pages are exportable
     * @return a copy of these options with that setting
     */
    public MemoryOptions withExportable(boolean newExportable) {
        return new MemoryOptions(flags, usage, pageSize, exactFlagsMatch, algorithm, strategy, priority, newExportable, emptyPageBudget,
                preferredFlags, memoryTypeBits, minPages, maxPages, neverAllocate);
    }

    /**
     * Sets the bytes of empty regular pages kept for reuse; see the {@code emptyPageBudget} component.
     *
     * @param bytes at least 0, or {@link #DEFAULT_EMPTY_PAGE_BUDGET} for the default
     * @return a copy of these options with that budget
     * @throws IllegalArgumentException naming the value when it is negative and not the default's
     */
    public MemoryOptions withEmptyPageBudget(long bytes) {
        return new MemoryOptions(flags, usage, pageSize, exactFlagsMatch, algorithm, strategy, priority, exportable, bytes,
                preferredFlags, memoryTypeBits, minPages, maxPages, neverAllocate);
    }

    /**
     * Sets the flags a type should have beyond the required ones; see the {@code preferredFlags} component.
     *
     * @param newPreferredFlags memory property flags; may be empty
     * @return a copy of these options with those preferred flags
     * @throws NullPointerException if {@code newPreferredFlags} is or contains null
     */
    public MemoryOptions withPreferredFlags(Set<MemoryPropertyFlag> newPreferredFlags) {
        return new MemoryOptions(flags, usage, pageSize, exactFlagsMatch, algorithm, strategy, priority, exportable,
                emptyPageBudget, newPreferredFlags, memoryTypeBits, minPages, maxPages, neverAllocate);
    }

    /**
     * Sets the memory types that may be chosen; see the {@code memoryTypeBits} component.
     *
     * @param bits bit {@code i} set: memory type {@code i} may be chosen ({@link #ALL_MEMORY_TYPES} for any)
     * @return a copy of these options with those memory types
     * @throws IllegalArgumentException if {@code bits} is 0
     */
    public MemoryOptions withMemoryTypeBits(int bits) {
        return new MemoryOptions(flags, usage, pageSize, exactFlagsMatch, algorithm, strategy, priority, exportable,
                emptyPageBudget, preferredFlags, bits, minPages, maxPages, neverAllocate);
    }

    /**
     * Sets the least and the most pages of the Memory; see the {@code minPages} and {@code maxPages} components.
     *
     * @param min regular pages allocated at creation and kept, at least 0
     * @param max the most pages held at once, dedicated ones included; at least 1 and at least {@code min}
     * @return a copy of these options with those page bounds
     * @throws IllegalArgumentException naming the value when {@code min} is negative or {@code max} is below 1 or {@code min}
     */
    public MemoryOptions withPageBounds(int min, int max) {
        return new MemoryOptions(flags, usage, pageSize, exactFlagsMatch, algorithm, strategy, priority, exportable,
                emptyPageBudget, preferredFlags, memoryTypeBits, min, max, neverAllocate);
    }

    /**
     * Sets whether creates refuse rather than allocate a new page; see the {@code neverAllocate} component.
     *
     * @param newNeverAllocate {@code true}: a create that needs a new page throws {@link PageLimitException}
     * @return a copy of these options with that setting
     */
    public MemoryOptions withNeverAllocate(boolean newNeverAllocate) {
        return new MemoryOptions(flags, usage, pageSize, exactFlagsMatch, algorithm, strategy, priority, exportable,
                emptyPageBudget, preferredFlags, memoryTypeBits, minPages, maxPages, newNeverAllocate);
    }
}
