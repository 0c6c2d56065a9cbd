package dev.lluvia.memory.sim;

import dev.lluvia.memory.spi.MemoryRequirements;

import java.util.Map;

/**
 * The Vulkan valid-usage rules of memory binding, as the sim enforces them. Adding a rule means
 * editing this class alone.
 *
 * <p>The rules checked, each refused with the {@link SimRule} named:
 * <ol>
 *   <li>the resource is live, of the kind the call binds, and not bound yet
 *       ({@link SimRule#ALREADY_BOUND});</li>
 *   <li>the page is live ({@link SimRule#PAGE_NOT_LIVE});</li>
 *   <li>the page's memory type is in the resource's memoryTypeBits ({@link SimRule#MEMORY_TYPE};
 *       the spec's vkBindBufferMemory and vkBindImageMemory valid usage);</li>
 *   <li>the offset is a non-negative multiple of the required alignment ({@link SimRule#ALIGNMENT});</li>
 *   <li>{@code [offset, offset + size)} lies inside the page ({@link SimRule#OUT_OF_PAGE});</li>
 *   <li>memory allocated for one resource ({@code VkMemoryDedicatedAllocateInfo}) binds that
 *       resource only, at offset 0, and nothing else, aliases included; a resource that requires a
 *       dedicated allocation binds only to memory allocated for it, and is never an alias
 *       ({@link SimRule#DEDICATED}; VUID-vkBindBufferMemory-memory-01508 and its image and
 *       requires-dedicated siblings);</li>
 *   <li>a dedicated allocation is at least (with the dedicated-size check, exactly) its resource's
 *       requirement size, and is made for a live resource not bound yet ({@link SimRule#DEDICATED});</li>
 *   <li>no overlap with another live resource of the page ({@link SimRule#OVERLAP}; not a Vulkan rule
 *       but the allocator's promise), except that an alias lies inside the bound, non-alias resource
 *       it aliases ({@link SimRule#ALIAS});</li>
 *   <li>with the granularity check on, no linear resource and optimal image share a
 *       {@code bufferImageGranularity} block ({@link SimRule#GRANULARITY}; spec "Buffer-Image
 *       Granularity"), aliases checked against the aliased resource's neighbours;</li>
 *   <li>a page with bound resources is not freed ({@link SimRule#FREE_WITH_BOUND}), and a resource
 *       with aliases bound onto it is not destroyed ({@link SimRule#ALIAS}).</li>
 * </ol>
 * A refused call throws a {@link SimViolationException} ({@link BindViolationException} for binds)
 * naming the {@link SimRule}, and changes nothing.
 *
 * <p>Not thread-safe: every call is made under the device's lock.
 */
final class BindReferee {

    private final SimPages pages;
    private final SimResources resources;
    private final FaultInjector faults;
    private final long bufferImageGranularity;
    private final boolean checkGranularity;
    private final boolean checkDedicatedSize;
    private long bindsChecked;

    BindReferee(SimPages pages, SimResources resources, FaultInjector faults, long bufferImageGranularity,
                boolean checkGranularity, boolean checkDedicatedSize) {
        this.pages = pages;
        this.resources = resources;
        this.faults = faults;
        this.bufferImageGranularity = bufferImageGranularity;
        this.checkGranularity = checkGranularity;
        this.checkDedicatedSize = checkDedicatedSize;
    }

    boolean checksGranularity() {
        return checkGranularity;
    }

    /** Bind calls checked, passed or refused. */
    long bindsChecked() {
        return bindsChecked;
    }

    /**
     * The rules of {@code VkMemoryDedicatedAllocateInfo}: the resource is live and unbound, and
     * {@code size} at least its requirement size (exactly it with the dedicated-size check on).
     */
    void checkDedicatedPage(long resource, boolean image, long size) {
        SimResource r = resources.resource(resource, image ? SimResources.KIND_IMAGE : SimResources.KIND_BUFFER,
                "allocateDedicatedPage");
        if (r.page != null) {
            throw new SimViolationException(SimRule.DEDICATED, "allocateDedicatedPage: " + r + " is already bound to "
                    + r.page);
        }
        if (size < r.requirements.size() || (checkDedicatedSize && size != r.requirements.size())) {
            throw new SimViolationException(SimRule.DEDICATED, "allocateDedicatedPage: size " + size + " is not the size "
                    + r.requirements.size() + " that " + r + " requires");
        }
    }

    /** A page is freed only when nothing is bound in it. */
    void checkFree(SimPage p) {
        if (!p.bound.isEmpty()) {
            StringBuilder sb = new StringBuilder("freePage: ").append(p).append(" still has ")
                    .append(p.bound.size()).append(" bound resource(s):");
            SimBackend.appendSome(sb, p.bound.values());
            throw new SimViolationException(SimRule.FREE_WITH_BOUND, sb.toString());
        }
    }

    void bind(long handle, int kind, long page, long offset, String call) {
        bindsChecked++;
        SimResource r = resources.resource(handle, kind, call);
        SimPage p = bindTarget(r, page, offset, call);
        MemoryRequirements req = r.requirements;
        final long end = offset + req.size();
        if (offset > p.size - req.size()) {
            throw bindViolation(SimRule.OUT_OF_PAGE, call + ": " + r + " at [" + offset + ", " + end + ") does not fit in "
                    + p, r, page, offset, -1);
        }
        if (p.dedicatedTo != 0 && p.dedicatedTo != handle) {
            throw bindViolation(SimRule.DEDICATED, call + ": " + r + " to " + p + ", which was allocated for "
                    + resources.describeHandle(p.dedicatedTo) + " alone", r, page, offset, p.dedicatedTo);
        }
        if (p.dedicatedTo == handle && offset != 0) {
            throw bindViolation(SimRule.DEDICATED, call + ": " + r + " at offset " + offset + " of its dedicated " + p
                    + "; a dedicated allocation is bound at offset 0", r, page, offset, -1);
        }
        if (req.requiresDedicated() && p.dedicatedTo != handle) {
            throw bindViolation(SimRule.DEDICATED, call + ": " + r + " requires a dedicated allocation but " + p
                    + " was not allocated for it (allocateDedicatedPage)", r, page, offset, -1);
        }
        Map.Entry<Long, SimResource> below = p.bound.floorEntry(offset);
        Map.Entry<Long, SimResource> above = p.bound.ceilingEntry(offset);
        if (below != null && below.getValue().end() > offset) {
            throw overlap(call, r, p, offset, end, below.getValue());
        }
        if (above != null && above.getKey() < end) {
            throw overlap(call, r, p, offset, end, above.getValue());
        }
        if (checkGranularity) {
            // Neighbours suffice: anything between a farther resource and this one lies in the same
            // granularity block, so a farther conflict implies a conflict of neighbours that was
            // refused when the later of them was bound.
            checkGranularityNeighbours(call, r, p, offset, end, below, above);
        }
        faults.onCall(kind == SimResources.KIND_IMAGE ? FaultPoint.BIND_IMAGE : FaultPoint.BIND_BUFFER,
                p.type.heapIndex(), req.size());
        r.page = p;
        r.offset = offset;
        p.bound.put(offset, r);
    }

    /**
     * The referee of aliases: the same checks as a bind, except that the resource must lie inside
     * the live resource it aliases (bound in the same page) instead of overlapping nothing, and that
     * the granularity rule holds against the aliased resource's neighbours when the alias is of the
     * other kind (linear or optimal) than what it aliases.
     */
    void bindAlias(long handle, int kind, long page, long offset, long aliased, String call) {
        bindsChecked++;
        SimResource r = resources.resource(handle, kind, call);
        SimPage p = bindTarget(r, page, offset, call);
        SimResource a = resources.get(aliased);
        if (a == null || a.page != p || a.aliasOf != null) {
            throw bindViolation(SimRule.ALIAS, call + ": " + r + " aliases " + resources.describeHandle(aliased)
                    + ", which is " + (a == null ? "not live" : a.page == null ? "not bound" : a.aliasOf != null
                    ? "itself an alias" : "bound to " + a.page + ", not " + p), r, page, offset, aliased);
        }
        MemoryRequirements req = r.requirements;
        final long end = offset + req.size();
        if (offset < a.offset || offset > a.end() - req.size()) {
            throw bindViolation(SimRule.ALIAS, call + ": " + r + " at [" + offset + ", " + end + ") of " + p
                    + " is not inside " + a + " at [" + a.offset + ", " + a.end() + ")", r, page, offset, aliased);
        }
        if (req.requiresDedicated()) {
            throw bindViolation(SimRule.DEDICATED, call + ": " + r + " requires a dedicated allocation of its own",
                    r, page, offset, -1);
        }
        if (p.dedicatedTo != 0) {
            throw bindViolation(SimRule.DEDICATED, call + ": " + r + " to " + p + ", which was allocated for "
                    + resources.describeHandle(p.dedicatedTo) + " alone (VUID-vkBindBufferMemory-memory-01508)",
                    r, page, offset, p.dedicatedTo);
        }
        if (checkGranularity && r.linear != a.linear) {
            checkGranularityNeighbours(call, r, p, offset, end, p.bound.lowerEntry(a.offset), p.bound.higherEntry(a.offset));
        }
        faults.onCall(kind == SimResources.KIND_IMAGE ? FaultPoint.BIND_IMAGE : FaultPoint.BIND_BUFFER,
                p.type.heapIndex(), req.size());
        r.page = p;
        r.offset = offset;
        r.aliasOf = a;
        a.aliases.add(r);
    }

    /** Unbinds and forgets a resource; one with aliases bound onto it is refused. */
    void destroy(long handle, int kind, String call) {
        SimResource r = resources.resource(handle, kind, call);
        if (!r.aliases.isEmpty()) {
            throw new SimViolationException(SimRule.ALIAS, call + ": " + r + " still has " + r.aliases.size()
                    + " alias(es) bound onto it, e.g. " + r.aliases.get(0));
        }
        if (r.aliasOf != null) {
            r.aliasOf.aliases.remove(r);
            r.aliasOf = null;
            r.page = null;
        } else if (r.page != null) {
            r.page.bound.remove(r.offset);
            r.page = null;
        }
        resources.remove(handle);
    }

    /**
     * The checks every bind starts with: the resource is not bound yet, the page is live, its
     * memory type is in the resource's memoryTypeBits and the offset is aligned. Returns the page.
     */
    private SimPage bindTarget(SimResource r, long page, long offset, String call) {
        if (r.page != null) {
            throw bindViolation(SimRule.ALREADY_BOUND, call + ": " + r + " is already bound at offset " + r.offset
                    + " of " + r.page, r, page, offset, -1);
        }
        SimPage p = pages.get(page);
        if (p == null) {
            throw bindViolation(SimRule.PAGE_NOT_LIVE, call + ": " + r + " to "
                    + resources.describeDead(page, SimResources.KIND_PAGE), r, page, offset, -1);
        }
        MemoryRequirements req = r.requirements;
        int typeIndex = p.type.index();
        if ((req.memoryTypeBits() & (1 << typeIndex)) == 0) {
            throw bindViolation(SimRule.MEMORY_TYPE, call + ": " + r + " to " + p + " of memory type " + typeIndex
                    + ", but its memoryTypeBits are 0x" + Integer.toHexString(req.memoryTypeBits()), r, page, offset, -1);
        }
        if (offset < 0 || offset % req.alignment() != 0) {
            throw bindViolation(SimRule.ALIGNMENT, call + ": " + r + " at offset " + offset + " of " + p
                    + ", which is not a multiple of its alignment " + req.alignment(), r, page, offset, -1);
        }
        return p;
    }

    /**
     * Refuses {@code r} at {@code [offset, end)} of {@code p} when a neighbour of the other tiling
     * ends or starts in the same bufferImageGranularity block.
     */
    private void checkGranularityNeighbours(String call, SimResource r, SimPage p, long offset, long end,
                                            Map.Entry<Long, SimResource> below, Map.Entry<Long, SimResource> above) {
        long g = bufferImageGranularity;
        if (below != null && below.getValue().linear != r.linear && (below.getValue().end() - 1) / g == offset / g) {
            throw granularity(call, r, p, offset, below.getValue(), g);
        }
        if (above != null && above.getValue().linear != r.linear && (end - 1) / g == above.getKey() / g) {
            throw granularity(call, r, p, offset, above.getValue(), g);
        }
    }

    private static BindViolationException overlap(String call, SimResource r, SimPage p, long offset, long end,
                                                  SimResource other) {
        return bindViolation(SimRule.OVERLAP, call + ": " + r + " at [" + offset + ", " + end + ") of " + p
                + " overlaps " + other + " at [" + other.offset + ", " + other.end() + ")", r, p.handle, offset, other.handle);
    }

    private static BindViolationException granularity(String call, SimResource r, SimPage p, long offset,
                                                      SimResource other, long g) {
        return bindViolation(SimRule.GRANULARITY, call + ": " + r + " at [" + offset + ", " + (offset + r.requirements.size())
                + ") of " + p + " shares a " + g + "-byte granularity block with " + other + " at [" + other.offset
                + ", " + other.end() + ")", r, p.handle, offset, other.handle);
    }

    private static BindViolationException bindViolation(SimRule rule, String message, SimResource r, long page,
                                                        long offset, long other) {
        return new BindViolationException(rule, message, r.handle, page, offset, other);
    }
}
