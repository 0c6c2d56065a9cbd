package dev.lluvia.memory.alloc;

import java.util.Arrays;

/**
 * Two-level segregated fit (TLSF), the default block allocator: allocate and free in O(1) time,
 * whatever the number of live allocations and free ranges. It follows VMA 3's
 * {@code VmaBlockMetadata_TLSF} (the same size classes, the same virtual-block small-size region).
 *
 * <h2>Terms</h2>
 * <ul>
 *   <li><b>block</b>: a physical run of units {@code [start[id], start[nextPhysical])} (the last
 *       block ends at the capacity: a block's size is never stored, it is the next block's start
 *       minus its own), either <i>taken</i> (one allocation: its padding, then exactly its size)
 *       or <i>free</i>. The blocks tile {@code [0, capacity)} and are chained in address order by
 *       {@code prevPhysical/nextPhysical}.
 *       Two free blocks are never neighbours: a freed block merges with free neighbours at once,
 *       so a free block is always a maximal free range.</li>
 *   <li><b>block id</b>: the index of a block's record in the arrays below. Ids of blocks
 *       that disappear in a merge go on a stack and are reused first.</li>
 *   <li><b>memory class</b> (first level): {@code floor(log2(size)) - 7} for sizes above 256;
 *       class 0 holds every size from 1 to 256.</li>
 *   <li><b>second index</b> (second level): which of the 32 equal slices of its class a size falls
 *       in: the 5 bits below the leading one; in class 0, {@code (size - 1) / 8} (linear slices of 8
 *       units, VMA's small-size region for virtual blocks).</li>
 *   <li><b>free list</b>: one doubly linked list of free blocks per (class, second index), numbered
 *       {@code list = class * 32 + secondIndex}. Every block in list {@code L} is at least as large
 *       as the smallest size that maps to {@code L}, and smaller than the smallest size of
 *       {@code L + 1}.</li>
 *   <li><b>bitmaps</b>: bit {@code c} of the first-level {@code long} is set when class {@code c}
 *       has a non-empty list; bit {@code s} of the second-level {@code int} of class {@code c} is
 *       set when list {@code c * 32 + s} is non-empty. Finding the first non-empty list at or
 *       above {@code L} is two masks and two {@code numberOfTrailingZeros}.</li>
 * </ul>
 *
 * <h2>Index math, with a worked example</h2>
 * <pre>
 *   class(size)  = size &gt; 256 ? 63 - numberOfLeadingZeros(size) - 7 : 0
 *   second(size) = class == 0 ? (size - 1) &gt;&gt;&gt; 3
 *                             : (size &gt;&gt;&gt; (class + 7 - 5)) ^ 32      // 5 bits under the leading 1
 *   list(size)   = class * 32 + second
 *
 *   size 1000 = 0b11_1110_1000: leading bit 9, class 9 - 7 = 2,
 *               second = (1000 &gt;&gt;&gt; 4) ^ 32 = 62 ^ 32 = 30, list 2 * 32 + 30 = 94,
 *               which holds the free sizes 992..1007 (class 2 spans 512..1023 in slices of 16).
 *   size 100:   class 0, second = 99 &gt;&gt;&gt; 3 = 12, list 12, sizes 97..104.
 * </pre>
 * A request of {@code size} units with alignment {@code a} is guaranteed to fit any free block of
 * at least {@code need = size + a - 1} units. The first list whose every block is that large is
 * {@code list(roundUp(need))}, where {@code roundUp} adds one slice: {@code need + 2^(log2(need) - 5)}
 * above 256, {@code need + 8} (at most 257) below. For {@code size 1000, a 1}:
 * {@code roundUp = 1000 + 16 = 1016}, list 95 (sizes 1008..1023) - every block there holds 1000.
 * One slice more always lands in the next list ({@code need} in a list of slices of {@code w}
 * plus {@code w} is in the following slice, and the first slice of the next class is {@code 2w}
 * wide), so the allocator computes {@code fit = list(need) + 1}: one leading-zero count, not two.
 *
 * <h2>Handle layout</h2>
 * <pre>
 *   63 62 61          32 31              0
 *   [0  0 |  serial(30)   |   block id(32)  ]
 * </pre>
 * The generation of a handle is the allocator's <i>serial</i>: a counter bumped (modulo 2^30, so
 * a handle is never negative and never {@link #NO_SPACE}) by every allocation, and kept in the
 * taken block's record (below). Freeing or {@link #clear() clearing} changes the block's state,
 * and a later allocation on the same id gets a later serial, so a freed or stale handle is caught
 * with an {@link IllegalArgumentException} unless exactly a multiple of 2^30 allocations were made
 * in between and the same id was reused for the last of them.
 *
 * <h2>Alignment: the padding is kept inside the allocation</h2>
 * When the chosen free block starts below the aligned offset, the units in between belong to the
 * allocation (Lluvia's {@code leftPadding}, as first fit does): the taken block is
 * {@code [start, offset + size)}, {@link #padding(long)} returns {@code offset - start} and
 * {@link #usedBytes()} counts it, until the allocation is freed. Unlike VMA, which splits the
 * padding off as a free block of its own, this makes one block per allocation instead of two
 * (about 1.33 records per live allocation after a churn instead of 1.82) and no tiny free ranges;
 * the price is that the padding (less than the alignment) is not reusable while the allocation
 * lives. The chosen block's previous neighbour is always taken (free blocks never touch), so there
 * is no free range the padding could join instead. The padding is stored as an unsigned
 * {@code int}; a padding of 2^32 units or more (only with alignments above 2^32 in blocks above
 * 2^32 units) is split off as a free block, as VMA does.
 *
 * <h2>Picture</h2>
 * A block of capacity 1024 with two allocations, A of 96 units and B of 288 units:
 * <pre>
 *   address:  0          96     112             400                      1024
 *             [ taken A  | free | taken B       | free                    ]
 *   block id:   0          3      1               2
 *   start:      0          96     112             400
 *   size:       96         16     288             624      (next start - start)
 *   list:       -          1      -               class 2, second (624 &gt;&gt;&gt; 4) ^ 32 = 7: 71
 *
 *   firstLevel   = 0b101               (classes 0 and 2 have free blocks)
 *   secondLevel  = [1 &lt;&lt; 1, 0, 1 &lt;&lt; 7, ...]
 *   listHead[1]  = 3, listHead[71] = 2, every other list NONE
 *   physical chain 0 -&gt; 3 -&gt; 1 -&gt; 2; free B and block 3, B, 2 merge into one block of 928.
 * </pre>
 *
 * <h2>Allocate(size, alignment)</h2>
 * <ol>
 *   <li>Check the arguments; if {@code size} is above the free units, return {@link #NO_SPACE}.</li>
 *   <li>{@code best = list(size)}; {@code fit = list(size + alignment - 1) + 1}
 *       ({@code = list(roundUp(size + alignment - 1))}).</li>
 *   <li>Pick a free block by the {@link AllocationStrategy}:
 *     <ul>
 *       <li>{@code MIN_TIME}: the head of the first non-empty list at or above {@code fit} (it fits
 *           by construction: O(1)); if there is none, walk the lists {@code best..fit-1}, checking
 *           each block's aligned fit.</li>
 *       <li>{@code MIN_MEMORY}: walk the list {@code best} (the request's own size class), then take
 *           the head of the first non-empty list at or above {@code fit}, and only then walk the
 *           lists {@code best+1..fit-1} (VMA's order; walking all of {@code best..fit-1} first
 *           inspected thousands of ranges that fail the alignment).</li>
 *       <li>{@code MIN_OFFSET}: walk all blocks in address order; the first free one that fits.</li>
 *     </ul>
 *     Lists below {@code best} hold only blocks smaller than {@code size}, so every strategy
 *     finds a block whenever any free range can hold the aligned request.</li>
 *   <li>{@code padding = align(start) - start}; {@code left = size of block - padding - size}.</li>
 *   <li>If {@code left} is above 0 and stays in the block's free list, carve the front instead:
 *       the allocation (with its padding) becomes a new taken block before it, and the block only
 *       moves its start up - no list or bitmap update. Otherwise:</li>
 *   <li>Unlink the block from its free list (clearing its bitmap bits if the list empties).</li>
 *   <li>If {@code left} is above 0, split the tail into a new free block.</li>
 *   <li>Mark the block taken: its {@code nextFree} slot becomes {@code TAKEN_BIT | serial}, its
 *       {@code prevFree} slot the padding; bump the serial; return {@code serial << 32 | id}.</li>
 * </ol>
 *
 * <h2>Free(handle)</h2>
 * <ol>
 *   <li>Decode the id; check that it is below the high-water mark and that its {@code nextFree}
 *       slot is {@code TAKEN_BIT | serial} of the handle (one compare: taken, and this allocation).</li>
 *   <li>If the next physical block is the last one (VMA's "null block", the free range at the
 *       end), is free, the previous one is taken and the merged size stays in the last block's
 *       list, the last block moves its start down over this one and keeps its place in its list;
 *       this id is recycled, and nothing else changes.</li>
 *   <li>Else, if the next physical block is free, unlink it from its list, absorb it and recycle
 *       its id.</li>
 *   <li>If the previous physical block is free, it absorbs this block and this id is recycled; it
 *       moves to the list of its new size only if that differs from its list before.</li>
 *   <li>Else link the merged block into the list of its size, setting the bitmap bits if that
 *       list was empty.</li>
 * </ol>
 *
 * <h2>Cost and memory</h2>
 * Allocate with {@code MIN_TIME} and free are O(1) when a guaranteed-fit list is non-empty (the
 * usual case); the walks happen only near exhaustion or for alignments far above the size.
 * {@code MIN_OFFSET} is O(blocks). Each block record costs 24 bytes of Java heap, in two arrays
 * indexed by block id: {@code start} (one {@code long}) and {@code links} (four {@code int}s:
 * previous/next physical, previous/next free). A taken block needs no free-list links, so its two
 * free slots hold its state and serial ({@code nextFree}) and its padding ({@code prevFree}); a
 * recycled id's {@code prevFree} links the stack of recycled ids. A page holds one block per live
 * allocation plus one per free range: after a random churn of sizes 32..1023 with alignments
 * 1..256 about 1.33 records per live allocation, so about 32 bytes of heap per live allocation in
 * use (see {@code benchmarks}' {@code HeapReport} and {@code BENCHMARKS.md}). The arrays grow by
 * doubling and never shrink (up to 2x slack over the peak); after warm-up, neither call allocates
 * objects.
 */
public sealed class TlsfAllocator implements BlockAllocator permits TlsfAllocator.Padded {

    static final int SECOND_LEVEL_BITS = 5;
    static final int SECOND_LEVEL_COUNT = 1 << SECOND_LEVEL_BITS;
    /** Sizes up to this many units share memory class 0, in linear slices. */
    static final long SMALL_SIZE = 256;
    static final int SMALL_STEP_SHIFT = 3; // 256 / 32 = 8 units per slice of class 0
    static final int CLASS_SHIFT = 7;      // class = floor(log2(size)) - 7, so 257 is class 1

    static final int NONE = -1;
    /** {@code NEXT_FREE} of an id on the recycling stack. */
    private static final int UNUSED = -3;
    /** Set in the {@code NEXT_FREE} slot of a taken block, whose low 30 bits are its serial. */
    private static final int TAKEN_BIT = Integer.MIN_VALUE;
    /** Serials (the handle's generation) wrap within 30 bits. */
    static final int SERIAL_MASK = (1 << 30) - 1;
    /** Padding up to this is kept in the taken block's {@code PREV_FREE} slot (an unsigned int). */
    private static final long MAX_KEPT_PADDING = 0xFFFF_FFFFL;

    /**
     * {@code LIST_START[L]}: the smallest size in free list {@code L}, for every list a size up to
     * {@code Long.MAX_VALUE} maps to, and one entry more, {@code Long.MAX_VALUE}, after the last.
     * Whether a block that shrinks or grows stays in its list is then one compare with the bound
     * of its list instead of a second {@link #listIndex}: a size below list {@code L}'s block is
     * still in {@code L} when it is at least {@code LIST_START[L]}, a size above it when it is
     * below {@code LIST_START[L + 1]}. Shared by every allocator (14 KiB).
     */
    private static final long[] LIST_START = listStarts();

    private static final int INITIAL_BLOCKS = 16;
    private static final int LINK_STRIDE = 4;
    private static final int PREV_PHYSICAL = 0;
    private static final int NEXT_PHYSICAL = 1;
    private static final int PREV_FREE = 2;
    private static final int NEXT_FREE = 3;
    private static final long ID_MASK = 0xFFFF_FFFFL;

    /**
     * Unused elements after each array's last ({@code long}s, or {@code int}s of links), so that no
     * other allocator's data shares the cache lines of its last entries; see {@link Padded}.
     */
    private static final int TAIL_LONGS = 16;
    private static final int TAIL_INTS = 32;

    /** The padding before the fields; see {@link Padded}. */
    @SuppressWarnings("unused")
    private int p00; // the hole after the object header, else taken by the first int field
    private long p01, p02, p03, p04, p05, p06, p07, p08, p09, p10, p11, p12, p13, p14, p15, p16;
    private final long capacity;
    private final AllocationStrategy strategy;
    private final int listCount;

    // Block records, indexed by block id: 8 + 16 = 24 bytes per block.
    /** {@code start[id]}: the block's first unit. Its size is the next block's start minus this. */
    private long[] start = new long[INITIAL_BLOCKS + TAIL_LONGS];
    /**
     * {@code links[4 id + PREV_PHYSICAL | NEXT_PHYSICAL | PREV_FREE | NEXT_FREE]}. The
     * {@code NEXT_FREE} slot also tells the state: {@code >= NONE} free, {@code TAKEN_BIT | serial}
     * taken (then {@code PREV_FREE} holds the padding), {@code UNUSED} recycled (then
     * {@code PREV_FREE} links the stack of recycled ids).
     */
    private int[] links = new int[INITIAL_BLOCKS * LINK_STRIDE + TAIL_INTS];
    /** Top of the stack of recycled ids, linked through their {@code PREV_FREE} slots. */
    private int recycledTop = NONE;
    private int highWater;
    private int firstBlock;
    /** The serial of the next allocation: the generation of its handle. */
    private int serial;

    // Segregated free lists.
    private final int[] listHead;
    private final int[] secondLevel;
    private long firstLevel;

    private int allocationCount;
    private long usedBytes;

    /**
     * The sizes {@code [lastListStart, lastListEnd)} of the free list in which
     * {@link #absorbedByLast} last found the last block. A block's list is a function of its size
     * alone, so this is a hint that no change of blocks can make wrong: a last block of at least
     * {@code lastListStart} units that grows to less than {@code lastListEnd} stays in its list.
     * The last block keeps its list over many frees, so two compares replace an index computation.
     */
    private long lastListStart = Long.MAX_VALUE;
    private long lastListEnd;

    /**
     * A TLSF allocator with the default {@link AllocationStrategy#MIN_TIME} strategy.
     *
     * @param capacity units to manage, at least 1
     */
    public TlsfAllocator(long capacity) {
        this(capacity, AllocationStrategy.MIN_TIME);
    }

    /**
     * @param capacity units managed, at least 1
     * @param strategy where to look first for a free range; not null
     */
    public TlsfAllocator(long capacity, AllocationStrategy strategy) {
        Checks.checkCapacity(capacity);
        java.util.Objects.requireNonNull(strategy, "strategy");
        this.capacity = capacity;
        this.strategy = strategy;
        this.listCount = listIndex(capacity) + 1;
        this.listHead = new int[listCount + TAIL_INTS];
        this.secondLevel = new int[((listCount + SECOND_LEVEL_COUNT - 1) >>> SECOND_LEVEL_BITS) + TAIL_INTS];
        reset();
    }

    /** {@return the strategy chosen at construction} */
    public AllocationStrategy strategy() {
        return strategy;
    }

    @Override
    public long capacity() {
        return capacity;
    }

    @Override
    public long allocate(long size, long alignment) {
        Checks.checkRequest(size, alignment);
        if (size > capacity - usedBytes) {
            return NO_SPACE;
        }
        final long need = size + alignment - 1;
        // list(roundUp(need)) is always list(need) + 1 (see the class comment).
        final int fit = need < 0 || need > capacity ? listCount : listIndex(need) + 1;
        if (strategy == AllocationStrategy.MIN_TIME) {
            // The usual case, kept short: the head of the first list that fits by construction;
            // its list is known, so unlinking it needs no index math.
            final int list = firstNonEmptyList(fit);
            if (list != NONE) {
                return take(listHead[list], list, size, alignment);
            }
            return takeFromLists(firstNonEmptyList(listIndex(size)), fit, size, alignment);
        }
        if (strategy == AllocationStrategy.MIN_MEMORY) {
            return allocateMinMemory(size, alignment, fit);
        }
        final int block = searchByOffset(size, alignment);
        if (block == NONE) {
            return NO_SPACE;
        }
        return take(block, listIndex(end(block) - start[block]), size, alignment);
    }

    /**
     * {@code MIN_MEMORY}, as VMA: the request's own list {@code best} first (the smallest ranges
     * that may hold it), then the head of the smallest list that holds it by construction
     * ({@code fit}), and the lists in between last. Walking every list from {@code best} to
     * {@code fit} first made one allocate walk thousands of ranges that fail the alignment (3 us at
     * alignment 256 in VMA's benchmark). One bitmap search answers the first two steps when no list
     * lies between the request's list and {@code fit} (always at alignment 1).
     */
    private long allocateMinMemory(long size, long alignment, int fit) {
        // At alignment 1, need is size, so fit is list(size) + 1.
        final int best = alignment == 1 ? fit - 1 : listIndex(size);
        int list = firstNonEmptyList(best);
        if (list == best) {
            final long handle = takeFromLists(best, best + 1, size, alignment);
            if (handle != NO_SPACE) {
                return handle;
            }
            list = firstNonEmptyList(best + 1);
        }
        if (list == NONE) {
            return NO_SPACE;
        }
        if (list < fit) {
            final int fitList = firstNonEmptyList(fit);
            if (fitList == NONE) {
                return takeFromLists(list, fit, size, alignment);
            }
            list = fitList;
        }
        return take(listHead[list], list, size, alignment);
    }

    /**
     * Frees as the class comment says. The two merges that keep the surviving free block in its
     * list (a previous neighbour whose list does not change, the last block taking back the range
     * before it) touch no list neighbour and no bitmap: they make freeing in address order, either
     * way, cheap. A free next neighbour other than the last block is always relinked, since its
     * record would otherwise have to change its start. Each combination of free neighbours has a
     * path of its own, so no neighbour is looked at twice; the merges are methods of their own so
     * that this one stays under the JIT's size limit for inlining a hot method (325 bytes of
     * bytecode by default), and the JIT inlines them where they are hot.
     */
    @Override
    public void free(long handle) {
        final int block = blockOf(handle);
        final long[] st = start;
        final int[] link = links;
        final int next = link[(block << 2) + NEXT_PHYSICAL];
        final long end = next == NONE ? capacity : st[next];
        usedBytes -= end - st[block];
        allocationCount--;
        if (next != NONE && link[(next << 2) + NEXT_FREE] >= NONE) {
            final int prev = link[(block << 2) + PREV_PHYSICAL];
            final int afterNext = link[(next << 2) + NEXT_PHYSICAL];
            if (prev == NONE || link[(prev << 2) + NEXT_FREE] < NONE) {
                if (afterNext == NONE && absorbedByLast(block, prev, next, end)) {
                    return;
                }
                final long nextEnd = afterNext == NONE ? capacity : st[afterNext];
                absorbNext(block, next, afterNext, nextEnd - end);
                linkFree(block, listIndex(nextEnd - st[block]));
                return;
            }
            final long nextEnd = afterNext == NONE ? capacity : st[afterNext];
            absorbNext(block, next, afterNext, nextEnd - end);
            mergeIntoPrevious(block, prev, nextEnd);
            return;
        }
        final int prev = link[(block << 2) + PREV_PHYSICAL];
        if (prev != NONE && link[(prev << 2) + NEXT_FREE] >= NONE) {
            mergeIntoPrevious(block, prev, end);
            return;
        }
        linkFree(block, listIndex(end - st[block]));
    }

    /**
     * Frees {@code block}, whose merged range ends at {@code end}, into {@code prev}, its free
     * previous neighbour, which moves to the list of its new size only if that differs.
     */
    private void mergeIntoPrevious(int block, int prev, long end) {
        final long prevStart = start[prev];
        final int prevList = listIndex(start[block] - prevStart);
        unlinkPhysical(block);
        recycle(block);
        final int list = listIndex(end - prevStart);
        if (list != prevList) {
            unlinkFree(prev, prevList);
            linkFree(prev, list);
        }
    }

    /**
     * Frees {@code block} into the last block {@code last}, free and next to it, when its previous
     * neighbour {@code prev} is taken (or {@link #NONE}) and the merged size stays in the last
     * block's list: the last block moves its start down and keeps its place (VMA's merge into its
     * "null block"). Returns false, and changes nothing, otherwise.
     */
    private boolean absorbedByLast(int block, int prev, int last, long end) {
        final long[] st = start;
        final int[] link = links;
        final long lastSize = capacity - end;
        final long merged = capacity - st[block];
        if (lastSize < lastListStart || merged >= lastListEnd) {
            noteLastList(lastSize);
            if (merged >= lastListEnd) {
                return false;
            }
        }
        st[last] = st[block];
        link[(last << 2) + PREV_PHYSICAL] = prev;
        if (prev != NONE) {
            link[(prev << 2) + NEXT_PHYSICAL] = last;
        } else {
            firstBlock = last;
        }
        recycle(block);
        return true;
    }

    /** Sets {@link #lastListStart} and {@link #lastListEnd} to the list of a last block of {@code size}. */
    private void noteLastList(long size) {
        final int list = listIndex(size);
        lastListStart = LIST_START[list];
        lastListEnd = LIST_START[list + 1];
    }

    @Override
    public long offset(long handle) {
        final int block = blockOf(handle);
        return start[block] + Integer.toUnsignedLong(links[(block << 2) + PREV_FREE]);
    }

    @Override
    public long size(long handle) {
        final int block = blockOf(handle);
        return end(block) - start[block] - Integer.toUnsignedLong(links[(block << 2) + PREV_FREE]);
    }

    /**
     * The units between the start of the free range the allocation was cut from and its aligned
     * offset: kept inside the allocation until it is freed (Lluvia's {@code leftPadding}).
     */
    @Override
    public long padding(long handle) {
        return Integer.toUnsignedLong(links[(blockOf(handle) << 2) + PREV_FREE]);
    }

    @Override
    public void clear() {
        // The serial goes on counting, so the handles given out before stay stale.
        reset();
    }

    @Override
    public int allocationCount() {
        return allocationCount;
    }

    @Override
    public long usedBytes() {
        return usedBytes;
    }

    /**
     * {@return the size of the largest free range, without a walk of all blocks: the highest set bitmap
     * bit names the list, and only that list is scanned (its blocks differ by less than a slice)}
     */
    public long largestFreeRange() {
        if (firstLevel == 0) {
            return 0;
        }
        final int cls = 63 - Long.numberOfLeadingZeros(firstLevel);
        final int list = (cls << SECOND_LEVEL_BITS) + 31 - Integer.numberOfLeadingZeros(secondLevel[cls]);
        long largest = 0;
        for (int b = listHead[list]; b != NONE; b = links[(b << 2) + NEXT_FREE]) {
            largest = Math.max(largest, end(b) - start[b]);
        }
        return largest;
    }

    @Override
    public BlockStatistics statistics() {
        // The free blocks are counted here, not kept in a counter that every list change would write.
        int free = 0;
        long smallest = Long.MAX_VALUE;
        for (int b = firstBlock; b != NONE; b = links[(b << 2) + NEXT_PHYSICAL]) {
            if (links[(b << 2) + NEXT_FREE] >= NONE) {
                free++;
                smallest = Math.min(smallest, end(b) - start[b]);
            }
        }
        return new BlockStatistics(capacity, allocationCount, usedBytes, free,
                largestFreeRange(), free == 0 ? 0 : smallest);
    }

    @Override
    public String toString() {
        return "TlsfAllocator[capacity=" + capacity + ", strategy=" + strategy + ", allocations="
                + allocationCount + ", used=" + usedBytes + "]";
    }

    // ---- index math -------------------------------------------------------------------------

    /**
     * First-level index; {@code size} at least 1. With {@link #secondIndex}, the plain form of
     * {@link #listIndex}, which the tests check the branchless one against.
     */
    static int memoryClass(long size) {
        return size > SMALL_SIZE ? 63 - Long.numberOfLeadingZeros(size) - CLASS_SHIFT : 0;
    }

    /** Second-level index within {@code memoryClass(size)}. */
    static int secondIndex(long size, int memoryClass) {
        if (memoryClass == 0) {
            return (int) ((size - 1) >>> SMALL_STEP_SHIFT);
        }
        return (int) (size >>> (memoryClass + CLASS_SHIFT - SECOND_LEVEL_BITS)) ^ SECOND_LEVEL_COUNT;
    }

    /** The free list of blocks of {@code size} units. */
    static int listIndex(long size) {
        // memoryClass and secondIndex without a branch: which side of SMALL_SIZE a size falls is
        // data, not a pattern the processor predicts, and a free computes this up to four times.
        // Above SMALL_SIZE, class * 32 + second is (lead - 8) * 32 + the six bits from the leading
        // one down (32..63, the leading one counting the 32 of "^ 32").
        final long small = (size - 1) >>> SMALL_STEP_SHIFT;
        final int lead = 63 - Long.numberOfLeadingZeros(size | SMALL_SIZE);
        final long large = ((long) (lead - CLASS_SHIFT - 1) << SECOND_LEVEL_BITS)
                + (size >>> (lead - SECOND_LEVEL_BITS));
        final long isLarge = (SMALL_SIZE - size) >> 63;
        return (int) (small ^ ((small ^ large) & isLarge));
    }

    /** Builds {@link #LIST_START}, the inverse of {@link #listIndex}. */
    private static long[] listStarts() {
        final int lists = listIndex(Long.MAX_VALUE) + 1;
        final long[] starts = new long[lists + 1];
        for (int list = 0; list < lists; list++) {
            final int cls = list >>> SECOND_LEVEL_BITS;
            final int second = list & (SECOND_LEVEL_COUNT - 1);
            // Class 0 is linear from 1; class 1 starts above SMALL_SIZE, every later class at
            // its power of two; each slice of class c is 2^(c + 2) wide.
            starts[list] = cls == 0 ? ((long) second << SMALL_STEP_SHIFT) + 1
                    : Math.max(SMALL_SIZE + 1, (long) (SECOND_LEVEL_COUNT + second) << (cls + CLASS_SHIFT - SECOND_LEVEL_BITS));
        }
        starts[lists] = Long.MAX_VALUE;
        return starts;
    }

    /** The smallest size in free list {@code list}; for tests. */
    static long listStart(int list) {
        return LIST_START[list];
    }

    /**
     * A size whose list's every block is larger than {@code size}: one slice more; its list is
     * always {@code listIndex(size) + 1}. May overflow to a negative value only for sizes above
     * 2^62, which callers exclude by the capacity check.
     */
    static long roundUpToNextList(long size) {
        if (size > SMALL_SIZE) {
            return size + (1L << (63 - Long.numberOfLeadingZeros(size) - SECOND_LEVEL_BITS));
        }
        if (size > SMALL_SIZE - (1 << SMALL_STEP_SHIFT)) {
            return SMALL_SIZE + 1;
        }
        return size + (1 << SMALL_STEP_SHIFT);
    }

    /** The first non-empty list at or above {@code list}, or {@link #NONE}. */
    private int firstNonEmptyList(int list) {
        if (list >= listCount) {
            return NONE;
        }
        int cls = list >>> SECOND_LEVEL_BITS;
        int secondMap = secondLevel[cls] & (-1 << (list & (SECOND_LEVEL_COUNT - 1)));
        if (secondMap == 0) {
            final long firstMap = firstLevel & (-1L << (cls + 1));
            if (firstMap == 0) {
                return NONE;
            }
            cls = Long.numberOfTrailingZeros(firstMap);
            secondMap = secondLevel[cls];
        }
        return (cls << SECOND_LEVEL_BITS) | Integer.numberOfTrailingZeros(secondMap);
    }

    /**
     * Walks the non-empty lists from {@code list} (the first non-empty one of the walk, or
     * {@link #NONE}) up to {@code to - 1} in increasing order and takes the first block that holds
     * the request; {@link #NO_SPACE} if none does.
     */
    private long takeFromLists(int list, int to, long size, long alignment) {
        final long[] st = start;
        final int[] link = links;
        while (list != NONE && list < to) {
            for (int b = listHead[list]; b != NONE; b = link[(b << 2) + NEXT_FREE]) {
                if (fits(st[b], end(b), size, alignment)) {
                    return take(b, list, size, alignment);
                }
            }
            list = firstNonEmptyList(list + 1);
        }
        return NO_SPACE;
    }

    private int searchByOffset(long size, long alignment) {
        final long[] st = start;
        final int[] link = links;
        for (int b = firstBlock; b != NONE; b = link[(b << 2) + NEXT_PHYSICAL]) {
            if (link[(b << 2) + NEXT_FREE] >= NONE && fits(st[b], end(b), size, alignment)) {
                return b;
            }
        }
        return NONE;
    }

    /** Whether a free block {@code [from, to)} holds the aligned request. */
    private static boolean fits(long from, long to, long size, long alignment) {
        return to - from >= size && Align.padding(from, alignment) <= to - from - size;
    }

    /** The end of a block: the start of the next one, or the capacity. */
    private long end(int block) {
        final int next = links[(block << 2) + NEXT_PHYSICAL];
        return next == NONE ? capacity : start[next];
    }

    // ---- block surgery ----------------------------------------------------------------------

    /** Takes {@code size} units of free {@code block}, which is in free list {@code list}. */
    private long take(int block, int list, long size, long alignment) {
        final long[] st = start;
        final int[] link = links;
        long offset = st[block];
        long padding = Align.padding(offset, alignment);
        final int next = link[(block << 2) + NEXT_PHYSICAL];
        final long end = next == NONE ? capacity : st[next];
        final long left = end - offset - padding - size;
        if (padding > MAX_KEPT_PADDING) {
            splitOffPadding(block, list, offset, padding);
            offset += padding;
            padding = 0;
            list = NONE;
        } else if (left >= LIST_START[list]) {
            // What is left is above 0 and stays in the block's list (it is smaller than the block).
            return carveFront(block, offset, padding + size, (int) padding);
        }
        if (list != NONE) {
            unlinkFree(block, list);
        }
        if (left != 0) {
            final int tail = newId();
            start[tail] = offset + padding + size;
            linkPhysicalAfter(tail, block);
            linkFree(tail, listIndex(left));
        }
        return markTaken(block, (int) padding, padding + size);
    }

    /**
     * Takes the front of free {@code block} when what is left of it stays in the same free list
     * (the usual case for a large block: VMA's "null block" at the end of a virtual block, or any
     * range much larger than the request): the allocation ({@code reserved} units, its padding
     * included) becomes a new taken block in front of it, and the block only moves its start up,
     * keeping its place in its list, so neither the list nor the bitmaps are touched.
     */
    private long carveFront(int block, long offset, long reserved, int padding) {
        final int taken = newId();
        start[taken] = offset;
        linkPhysicalBefore(taken, block);
        start[block] = offset + reserved;
        return markTaken(taken, padding, reserved);
    }

    /**
     * Marks {@code block} taken by the next serial, {@code padding} of its {@code reserved} units
     * before the allocation's offset, and returns the allocation's handle.
     */
    private long markTaken(int block, int padding, long reserved) {
        final int handleSerial = serial;
        serial = (handleSerial + 1) & SERIAL_MASK;
        allocationCount++;
        links[(block << 2) + NEXT_FREE] = TAKEN_BIT | handleSerial;
        links[(block << 2) + PREV_FREE] = padding;
        usedBytes += reserved;
        return ((long) handleSerial << 32) | block;
    }

    /**
     * Unlinks free {@code block} from {@code list} and splits its first {@code padding} units off
     * as a free block of their own. Only for a padding too large to keep in the record (2^32 units
     * or more: alignments above 2^32 in blocks above 2^32 units); kept out of {@link #take} so that
     * the JIT inlines that one.
     */
    private void splitOffPadding(int block, int list, long offset, long padding) {
        unlinkFree(block, list);
        final int head = newId();
        start[head] = offset;
        linkPhysicalBefore(head, block);
        linkFree(head, listIndex(padding));
        start[block] = offset + padding;
    }

    /** Puts a free block of list {@code list} (the list of its size) at the head of that list. */
    private void linkFree(int block, int list) {
        final int[] link = links;
        final int head = listHead[list];
        link[(block << 2) + PREV_FREE] = NONE;
        link[(block << 2) + NEXT_FREE] = head;
        listHead[list] = block;
        if (head != NONE) {
            link[(head << 2) + PREV_FREE] = block;
        } else { // a list's bits are set while it has blocks: only its first block sets them
            final int cls = list >>> SECOND_LEVEL_BITS;
            secondLevel[cls] |= 1 << (list & (SECOND_LEVEL_COUNT - 1));
            firstLevel |= 1L << cls;
        }
    }

    /**
     * Removes a free block from {@code list}, the list of its size; {@code list} is read only if
     * the block heads it (callers may pass {@link #NONE} when its {@code PREV_FREE} is set).
     */
    private void unlinkFree(int block, int list) {
        final int[] link = links;
        final int prev = link[(block << 2) + PREV_FREE];
        final int next = link[(block << 2) + NEXT_FREE];
        if (prev != NONE) {
            link[(prev << 2) + NEXT_FREE] = next;
        } else {
            listHead[list] = next;
            if (next == NONE) {
                final int cls = list >>> SECOND_LEVEL_BITS;
                secondLevel[cls] &= ~(1 << (list & (SECOND_LEVEL_COUNT - 1)));
                if (secondLevel[cls] == 0) {
                    firstLevel &= ~(1L << cls);
                }
            }
        }
        if (next != NONE) {
            link[(next << 2) + PREV_FREE] = prev;
        }
    }

    /**
     * {@code block} absorbs {@code next}, its free next neighbour of {@code nextSize} units, whose
     * own next neighbour is {@code afterNext}: {@code next} leaves its list (its index computed
     * only if it heads it) and the physical chain, and its id is recycled.
     */
    private void absorbNext(int block, int next, int afterNext, long nextSize) {
        final int[] link = links;
        unlinkFree(next, link[(next << 2) + PREV_FREE] != NONE ? NONE : listIndex(nextSize));
        link[(block << 2) + NEXT_PHYSICAL] = afterNext;
        if (afterNext != NONE) {
            link[(afterNext << 2) + PREV_PHYSICAL] = block;
        }
        recycle(next);
    }

    private void linkPhysicalBefore(int block, int before) {
        final int[] link = links;
        final int prev = link[(before << 2) + PREV_PHYSICAL];
        link[(block << 2) + PREV_PHYSICAL] = prev;
        link[(block << 2) + NEXT_PHYSICAL] = before;
        link[(before << 2) + PREV_PHYSICAL] = block;
        if (prev != NONE) {
            link[(prev << 2) + NEXT_PHYSICAL] = block;
        } else {
            firstBlock = block;
        }
    }

    private void linkPhysicalAfter(int block, int after) {
        final int[] link = links;
        final int next = link[(after << 2) + NEXT_PHYSICAL];
        link[(block << 2) + PREV_PHYSICAL] = after;
        link[(block << 2) + NEXT_PHYSICAL] = next;
        link[(after << 2) + NEXT_PHYSICAL] = block;
        if (next != NONE) {
            link[(next << 2) + PREV_PHYSICAL] = block;
        }
    }

    private void unlinkPhysical(int block) {
        final int[] link = links;
        final int prev = link[(block << 2) + PREV_PHYSICAL];
        final int next = link[(block << 2) + NEXT_PHYSICAL];
        if (prev != NONE) {
            link[(prev << 2) + NEXT_PHYSICAL] = next;
        } else {
            firstBlock = next;
        }
        if (next != NONE) {
            link[(next << 2) + PREV_PHYSICAL] = prev;
        }
    }

    private int newId() {
        final int top = recycledTop;
        if (top != NONE) {
            recycledTop = links[(top << 2) + PREV_FREE];
            return top;
        }
        if (highWater == start.length - TAIL_LONGS) {
            grow();
        }
        return highWater++;
    }

    private void recycle(int id) {
        links[(id << 2) + NEXT_FREE] = UNUSED;
        links[(id << 2) + PREV_FREE] = recycledTop;
        recycledTop = id;
    }

    private void grow() {
        final int n = (start.length - TAIL_LONGS) * 2;
        start = Arrays.copyOf(start, n + TAIL_LONGS);
        links = Arrays.copyOf(links, n * LINK_STRIDE + TAIL_INTS);
    }

    /** The block id of a live handle; one compare checks both the state and the serial. */
    private int blockOf(long handle) {
        final long idBits = handle & ID_MASK;
        if ((handle >>> 62) != 0 || idBits >= highWater
                || links[((int) idBits << 2) + NEXT_FREE] != (TAKEN_BIT | (int) (handle >>> 32))) {
            throw notLive(handle);
        }
        return (int) idBits;
    }

    private static IllegalArgumentException notLive(long handle) {
        return new IllegalArgumentException("not a live allocation handle (freed, stale or foreign): " + handle);
    }

    /** One free block over the whole capacity; the serial is kept so old handles stay stale. */
    private void reset() {
        Arrays.fill(listHead, NONE);
        Arrays.fill(secondLevel, 0);
        firstLevel = 0;
        recycledTop = NONE;
        highWater = 1;
        allocationCount = 0;
        usedBytes = 0;
        firstBlock = 0;
        start[0] = 0;
        links[PREV_PHYSICAL] = NONE;
        links[NEXT_PHYSICAL] = NONE;
        linkFree(0, listIndex(capacity));
    }

    /**
     * Checks every structural invariant (tiling, no free neighbours, lists and bitmaps agree with
     * the blocks, counters); O(blocks + lists). For tests.
     *
     * @throws IllegalStateException naming the first broken invariant
     */
    void checkConsistency() {
        long expectOffset = 0;
        int free = 0;
        int taken = 0;
        long used = 0;
        boolean prevWasFree = false;
        int prev = NONE;
        for (int b = firstBlock; b != NONE; b = links[(b << 2) + NEXT_PHYSICAL]) {
            if (links[(b << 2) + PREV_PHYSICAL] != prev) {
                throw new IllegalStateException("broken prevPhysical at block " + b);
            }
            final long blockSize = end(b) - start[b];
            if (start[b] != expectOffset || blockSize <= 0) {
                throw new IllegalStateException("block " + b + " at " + start[b] + " size "
                        + blockSize + ", expected offset " + expectOffset);
            }
            final int state = links[(b << 2) + NEXT_FREE];
            final boolean isFree = state >= NONE;
            if (isFree) {
                if (prevWasFree) {
                    throw new IllegalStateException("free neighbours not merged at " + expectOffset);
                }
                free++;
            } else if (state != UNUSED) {
                taken++;
                used += blockSize;
                if (Integer.toUnsignedLong(links[(b << 2) + PREV_FREE]) >= blockSize) {
                    throw new IllegalStateException("block " + b + " of " + blockSize + " units has padding "
                            + Integer.toUnsignedLong(links[(b << 2) + PREV_FREE]));
                }
            } else {
                throw new IllegalStateException("recycled id " + b + " still chained");
            }
            prevWasFree = isFree;
            expectOffset += blockSize;
            prev = b;
        }
        if (expectOffset != capacity) {
            throw new IllegalStateException("blocks end at " + expectOffset + ", capacity " + capacity);
        }
        if (taken != allocationCount || used != usedBytes) {
            throw new IllegalStateException("counters: taken "
                    + taken + "/" + allocationCount + " used " + used + "/" + usedBytes);
        }
        int listed = 0;
        for (int list = 0; list < listCount; list++) {
            final int cls = list >>> SECOND_LEVEL_BITS;
            final boolean bit = (secondLevel[cls] & (1 << (list & 31))) != 0;
            if (bit != (listHead[list] != NONE)) {
                throw new IllegalStateException("second-level bit of list " + list + " is " + bit);
            }
            if (((firstLevel >>> cls) & 1) != (secondLevel[cls] != 0 ? 1 : 0)) {
                throw new IllegalStateException("first-level bit of class " + cls);
            }
            int p = NONE;
            for (int b = listHead[list]; b != NONE; b = links[(b << 2) + NEXT_FREE]) {
                if (links[(b << 2) + PREV_FREE] != p || listIndex(end(b) - start[b]) != list) {
                    throw new IllegalStateException("block " + b + " misfiled in list " + list);
                }
                listed++;
                p = b;
            }
        }
        if (listed != free) {
            throw new IllegalStateException(listed + " blocks listed, " + free + " free");
        }
    }

    /**
     * The allocator as {@link AllocationAlgorithm#create} makes it, for pages and virtual blocks
     * (the public constructors make the same allocator without the padding after the fields):
     * 128 bytes of padding after the fields (two cache lines: the CPU fetches lines in adjacent
     * pairs), as many before them, and unused elements after each array's last. Allocators of
     * different threads' Memories end up side by side in the heap (a garbage collection copies
     * long-lived objects together, whichever thread made them), and every allocate and free writes
     * the fields and the arrays' ends; unpadded, threads that each use a Memory of their own write
     * one another's cache lines. (Best effort: HotSpot lays out a class's fields after its
     * superclass's, and one class's {@code long}s first, in the order they are declared.)
     */
    @SuppressWarnings("unused")
    static final class Padded extends TlsfAllocator {
        private long q00, q01, q02, q03, q04, q05, q06, q07, q08, q09, q10, q11, q12, q13, q14, q15;

        Padded(long capacity, AllocationStrategy strategy) {
            super(capacity, strategy);
        }
    }
}
