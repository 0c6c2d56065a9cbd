package dev.lluvia.memory.sim;

/**
 * The rules the sim's referee enforces. Each one is a Vulkan valid-usage rule (VUID) or a promise
 * of the {@link dev.lluvia.memory.spi.MemoryBackend} contract; breaking one is a bug in the
 * caller (the allocator), reported as a {@link SimViolationException}.
 */
public enum SimRule {
    /** The page handle is unknown, or the page was freed (use after free). */
    PAGE_NOT_LIVE("the page must be live"),
    /** The buffer or image handle is unknown or was destroyed. */
    RESOURCE_NOT_LIVE("the resource must be live"),
    /** A resource is bound once ({@code VUID-vkBindBufferMemory-buffer-07459}). */
    ALREADY_BOUND("a resource is bound only once"),
    /** The page's memory type must be allowed by memoryTypeBits ({@code VUID-vkBindBufferMemory-memory-01035}). */
    MEMORY_TYPE("the page's memory type must be in the resource's memoryTypeBits"),
    /** The offset is a multiple of the required alignment ({@code VUID-vkBindBufferMemory-memoryOffset-01036}). */
    ALIGNMENT("the offset must be a multiple of the resource's alignment"),
    /** {@code offset + size <= page size} ({@code VUID-vkBindBufferMemory-size-01037}). */
    OUT_OF_PAGE("the resource must lie inside the page"),
    /**
     * Two live resources share bytes. Vulkan allows aliasing, but this allocator never means to
     * alias, so the referee treats it as a placement bug.
     */
    OVERLAP("live resources must not overlap"),
    /**
     * A linear resource (buffer or linear image) and an optimal image share a block of
     * {@code bufferImageGranularity} bytes (Vulkan spec, "Buffer-Image Granularity").
     */
    GRANULARITY("linear and optimal resources must not share a bufferImageGranularity block"),
    /**
     * A dedicated page holds only the resource it was allocated for, at offset 0
     * ({@code VUID-vkBindImageMemory-memory-02628}); a resource that requires a dedicated
     * allocation is bound only to its own dedicated page; the page's size is the resource's.
     */
    DEDICATED("a dedicated page holds exactly the resource it was allocated for, at offset 0"),
    /** A page is freed while resources are bound in it. */
    /**
     * An alias (a resource bound onto part of another's range, {@code bindAliasing*}) must lie
     * inside that resource's range, which must be live and bound in the same page, and the
     * aliased resource must not be destroyed while an alias of it is bound.
     */
    ALIAS("an alias lies inside the live resource it aliases, and goes before it"),
    FREE_WITH_BOUND("a page must be freed only after the resources bound in it are destroyed"),
    /** Mapping, flushing or invalidating a page that is not HOST_VISIBLE ({@code VUID-vkMapMemory-memory-00682}). */
    NOT_HOST_VISIBLE("only HOST_VISIBLE pages can be mapped"),
    /** A mapped, flushed or invalidated range must lie inside the page ({@code VUID-vkMapMemory-size-00681}). */
    RANGE("the range must lie inside the page"),
    /**
     * Flush and invalidate ranges start at a multiple of nonCoherentAtomSize and have a size that
     * is a multiple of it or reaches the end of the page ({@code VUID-VkMappedMemoryRange-offset-00687},
     * {@code VUID-VkMappedMemoryRange-size-01390}).
     */
    ATOM_ALIGNMENT("flush and invalidate ranges must be aligned to nonCoherentAtomSize"),
    /** Bad arguments to a create or allocate call (zero size, unknown memory type, image too large). */
    INVALID_ARGUMENT("arguments must be valid"),
    /** The backend is closed while pages or resources are live (a leak), or used after close. */
    LEAK("every page and resource must be released before the device is closed"),
    /** A call after {@link SimBackend#close()}. */
    CLOSED("the device must be open");

    private final String description;

    SimRule(String description) {
        this.description = description;
    }

    /** The rule in words, as it appears in violation messages. */
    public String description() {
        return description;
    }
}
