package dev.lluvia.memory;

import dev.lluvia.memory.alloc.Align;
import dev.lluvia.memory.spi.MemoryRequirements;

import java.util.Objects;

/**
 * The checks and the bind of an alias ({@link Memory#createAliasingBuffer},
 * {@link Memory#createAliasingImage}): a second object on part of a live object's range, which
 * takes no block of its own. Kept apart from {@code Memory}'s placement because an alias
 * allocates nothing: it only has to prove that Vulkan's aliasing rules hold for the range.
 *
 * <p>Not thread-safe: every call is made under the Memory's lock.
 */
final class Aliases {

    private Aliases() {
    }

    /** Checks what can be checked before the driver object exists; returns the original's info. */
    static AllocationInfo target(Memory memory, MemoryObject original, long offset, long minSize) {
        Objects.requireNonNull(original, "original");
        memory.requireOpen();
        if (original.memory() != memory) {
            throw new IllegalArgumentException("cannot alias " + original.describe() + ": it belongs to "
                    + original.memory() + ", not " + memory);
        }
        original.requireOpen();
        if (original instanceof Allocation) {
            throw new IllegalArgumentException("cannot alias " + original.describe() + ": its range holds a resource"
                    + " of the program's, which the library does not track");
        }
        if (original.aliasOf() != null) {
            throw new IllegalArgumentException("cannot alias " + original.describe() + ": it is itself an alias of "
                    + original.aliasOf().describe() + "; alias that instead");
        }
        if (original.page().dedicated) {
            // Vulkan binds memory allocated with VkMemoryDedicatedAllocateInfo to its own resource
            // only, at offset 0 (VUID-vkBindBufferMemory-memory-01508 and its image sibling).
            throw new IllegalArgumentException("cannot alias " + original.describe() + ": it has a dedicated page,"
                    + " memory that Vulkan binds to that object alone; alias an object of a regular page (one of"
                    + " at most half the page size that neither requires nor prefers a dedicated allocation)");
        }
        AllocationInfo info = original.infoLocked();
        if (offset < 0 || offset > info.size() - minSize) {
            throw new IndexOutOfBoundsException("alias offset " + offset + " is outside " + original.describe()
                    + ", whose range is [0, " + info.size() + ")");
        }
        return info;
    }

    /** Checks the alias against its requirements and binds it; destroys its resource on any failure. */
    static void place(Memory memory, MemoryObject alias, MemoryObject original, AllocationInfo at, long offset,
                            MemoryRequirements req) {
        final MemoryType type = memory.memoryType();
        final long atom = memory.atom();
        final long granularity = memory.granularity();
        try {
            CreateChecks.requireMemoryType(memory.session(), type, req.memoryTypeBits(), alias, "cannot alias");
            if (req.requiresDedicated()) {
                throw new IllegalArgumentException(alias.describe() + " requires a dedicated allocation of its own"
                        + " and cannot alias " + original.describe());
            }
            final long pageOffset = at.offset() + offset;
            if (offset > at.size() - req.size()) {
                throw new IndexOutOfBoundsException(alias.describe() + " needs " + req.size() + " bytes from offset "
                        + offset + ", past the end of " + original.describe() + " (" + at.size() + " bytes)");
            }
            long alignment = Math.max(req.alignment(), atom);
            if (pageOffset % alignment != 0) {
                throw new IllegalArgumentException("alias offset " + offset + " puts " + alias.describe()
                        + " at page offset " + pageOffset + ", not a multiple of its alignment " + alignment
                        + (atom > 1 ? " (nonCoherentAtomSize " + atom + " included)" : ""));
            }
            Page page = original.page();
            if (granularity > 1 && !page.dedicated && alias.isOptimalImage() != original.isOptimalImage()) {
                long start = page.allocator.offset(original.block());
                long end = start + page.allocator.size(original.block());
                long blockStart = pageOffset / granularity * granularity;
                long blockEnd = Align.roundUp(pageOffset + req.size(), granularity);
                if (blockStart < start || blockEnd > end) {
                    throw new IllegalArgumentException("alias offset " + offset + " puts " + alias.describe()
                            + " at [" + pageOffset + ", " + (pageOffset + req.size()) + "), whose bufferImageGranularity ("
                            + granularity + ") blocks reach outside " + original.describe() + "'s reserved range ["
                            + start + ", " + end + "), where its neighbours may lie");
                }
            }
            alias.bindAliasLocked(original, new AllocationInfo(at.page(), pageOffset, 0, req.size()));
        } catch (RuntimeException | Error e) {
            try {
                alias.destroyResource();
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }
}
