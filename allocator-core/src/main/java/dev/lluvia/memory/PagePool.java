package dev.lluvia.memory;

import dev.lluvia.memory.alloc.AllocationAlgorithm;
import dev.lluvia.memory.alloc.AllocationStrategy;
import dev.lluvia.memory.alloc.BlockAllocator;
import dev.lluvia.memory.spi.MemoryBackend;
import dev.lluvia.memory.spi.PageOptions;
import dev.lluvia.memory.spi.PageRequest;
import dev.lluvia.memory.spi.Resource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * The pages of one {@link Memory} (Netty's {@code PoolArena} over its chunks): the page list, the
 * room index the placement scan reads, the empty-page budget, and the page allocate and release
 * with the heap's accounting. {@link Memory} decides what to place and binds it;
 * {@link Defragmentation} asks for places through {@link #tryAllocate}. Both hold the Memory's
 * lock for every call: the pool itself is not thread-safe.
 *
 * <p>The placement policy that users rely on is in {@link Memory}'s class Javadoc: pages are
 * allocated lazily; an object larger than half the page size, or one the driver prefers or
 * requires to have alone, gets a dedicated page of its size ({@link #isDedicated}); one the driver
 * requires alone, and an image it prefers alone, is allocated for that resource and freed with it
 * ({@link #forTheDriver}), while any other object's page (a merely large one, a buffer the driver
 * only prefers alone) is a plain one that, once empty, is kept within the empty-page budget like a regular page and
 * taken by the next large object it fits ({@link #LARGE_FIT}): a loop that creates and closes large
 * buffers then calls the driver once, not every time;
 * any other goes into the first regular page with room ({@link #allocate}), else a new one; a
 * page's bytes are reserved of the heap before the driver is asked, and asked again once after
 * the kept empty pages are freed; a regular page left empty is kept within the empty-page budget
 * ({@link #free}).
 *
 * <h2>The room index</h2>
 * {@code room[i]} is at least the largest block page {@code i} could give now, and -1 where there
 * is no regular page. The scan reads this array alone to pass over full pages, so a Memory of many
 * pages costs a few nanoseconds per page and per create, not the three objects (page, allocator,
 * its arrays) a page's own check touches. It folds two bounds: the page's free bytes, and
 * {@link Page#largestFreeBound}, which a failed request lowers (the <b>largest-free-range rule</b>:
 * a request of {@code size} bytes at {@code alignment} that fails proves no free range of
 * {@code size + alignment - 1} bytes exists) and any free resets to the page size. It is never
 * below the truth.
 */
sealed class PagePool permits PagePool.Padded {
    /** The padding before the fields; see {@link Padded}. */
    @SuppressWarnings("unused")
    private int p00; // the hole after the object header, else taken by the first int field
    private long p01, p02, p03, p04, p05, p06, p07, p08, p09, p10, p11, p12, p13, p14, p15, p16;

    /** The Memory this pool serves: what its JFR page events name. */
    private final Memory memory;
    private final MemoryBackend backend;
    private final HeapAccountant heaps;
    private final MemoryType type;
    private final long pageSize;
    private final AllocationAlgorithm algorithm;
    private final AllocationStrategy strategy;
    /** What every page is allocated with (its priority, export). */
    private final PageOptions pageOptions;
    /**
     * {@link MemoryOptions#effectiveEmptyPageBudget()}, plus the bytes of the {@link #minPages}, which
     * are kept whatever the budget.
     */
    private final long emptyPageBudget;
    /** {@link MemoryOptions#minPages()}: regular pages made at creation and never freed before close. */
    private final int minPages;
    /** {@link MemoryOptions#maxPages()}: no page is allocated beyond it. */
    private final int maxPages;
    /** {@link MemoryOptions#neverAllocate()}: no page is allocated after creation. */
    private final boolean neverAllocate;

    /** Pages by index; a released page leaves a null hole so the indices of others stay stable. */
    private final List<Page> pages = new ArrayList<>();
    private final List<Page> pagesView = Collections.unmodifiableList(pages);
    /** See the class Javadoc. */
    private long[] room = new long[16];
    private int pageCount;
    /** Pages that are not dedicated; never below {@link #minPages} once created. */
    private int regularPages;
    private long pageBytes;
    /**
     * The last refusal of the session's heap accounting this pool threw (not the driver's): pages
     * other Memories keep empty may make room for a second try ({@link #refusedByAccounting}).
     */
    private OutOfDeviceMemoryException accountingRefusal;
    /** Bytes of the empty regular pages kept for reuse ({@link Page#kept}), at most {@link #emptyPageBudget}. */
    private long emptyPageBytes;
    /**
     * The page of the block {@link #allocate} or {@link #allocateDedicated} gave last, which the
     * caller reads at once ({@link #placedPage()}): fields rather than an object per create.
     */
    private Page placedPage;
    /** Whether {@link #placedPage} was allocated for that block ({@link #undo} frees it too). */
    private boolean placedOnNewPage;

    PagePool(Memory memory, MemoryBackend backend, HeapAccountant heaps, MemoryType type, MemoryOptions options) {
        this.memory = memory;
        this.backend = backend;
        this.heaps = heaps;
        this.type = type;
        this.pageSize = options.pageSize();
        this.algorithm = options.algorithm();
        this.strategy = options.strategy();
        this.minPages = options.minPages();
        this.maxPages = options.maxPages();
        this.neverAllocate = options.neverAllocate();
        this.emptyPageBudget = options.effectiveEmptyPageBudget() + (long) minPages * pageSize;
        this.pageOptions = new PageOptions(options.priority(), options.exportable());
    }

    /**
     * Allocates the {@link MemoryOptions#minPages()} regular pages of a new Memory, kept empty for
     * its objects; all or nothing.
     */
    void allocateMinimum() {
        try {
            while (regularPages < minPages) {
                keepIfEmpty(newPage(pageSize, null, false));
            }
        } catch (RuntimeException | Error e) {
            releaseAll();
            throw e;
        }
    }

    /** Whether an object of {@code size} bytes (rounded to the memory's quantum) for {@code resource} gets a page of its own. */
    boolean isDedicated(Resource resource, long size) {
        return resource.requiresDedicated() || resource.prefersDedicated() || size > pageSize / 2;
    }

    /**
     * Whether the page of an object that gets one of its own ({@link #isDedicated}) is allocated for
     * its resource ({@code VkMemoryDedicatedAllocateInfo}) and freed with it: when the driver
     * requires that, and when it prefers it for an image. An image's dedicated allocation is where
     * a driver keeps what it decided for that image alone (render-target compression, its tiling),
     * so the preference is honoured. A buffer has no such state: one the driver merely prefers alone
     * gets a plain page of exactly its size, alone in it at offset 0 as the driver prefers, but not
     * named to the driver, so the page is kept within the empty-page budget when the buffer closes
     * and taken by the next large object it fits ({@link #LARGE_FIT}), instead of a driver
     * allocation and free for every large buffer a loop creates.
     */
    static boolean forTheDriver(MemoryObject object, Resource resource) {
        return resource.requiresDedicated() || resource.prefersDedicated() && isImage(object);
    }

    /** Whether {@code object} is an image, or an allocation made for an image resource. */
    private static boolean isImage(MemoryObject object) {
        return object instanceof Image || object instanceof Allocation a && a.isImageResource();
    }

    /**
     * How much larger than an object a kept large page may be and still be given to it: at most an
     * eighth of the object's size is left unused, so reuse never wastes more than padding would.
     */
    static final int LARGE_FIT = 8;

    /**
     * A page for {@code object} alone, with its one block of {@code size} bytes (the requirement
     * size) taken. {@code forTheDriver} ({@link #forTheDriver}): the page is made for that resource, of exactly its size (as Vulkan wants:
     * VUID-VkMemoryDedicatedAllocateInfo-image-01433), and freed with it. Otherwise the smallest
     * kept large page that fits within {@link #LARGE_FIT} is taken, else a new plain page of
     * {@code size} bytes is made.
     */
    long allocateDedicated(MemoryObject object, long size, boolean forTheDriver) {
        if (!forTheDriver && emptyPageBytes > 0) {
            Page best = null;
            for (Page p : pages) {
                if (p != null && p.kept && p.reusable && p.size >= size && p.size - size <= size / LARGE_FIT
                        && (best == null || p.size < best.size)) {
                    best = p;
                }
            }
            if (best != null) {
                long block = best.allocator.allocate(size, 1);
                if (block != BlockAllocator.NO_SPACE) {
                    best.kept = false;
                    emptyPageBytes -= best.size;
                    return placed(best, block, false);
                }
            }
        }
        Page page = allocatePage(size, object, forTheDriver);
        return takeFromNewPage(page, size, 1, object);
    }

    /**
     * A block of {@code blockSize} bytes at {@code alignment} in the first regular page with room,
     * or in a new regular page ({@link #placedPage()} says which); {@code object} only names what failed.
     */
    long allocate(long blockSize, long alignment, MemoryObject object) {
        // Only room[] is read for a page passed over (this loop led the profile).
        final long[] room = this.room;
        for (int i = 0, n = pages.size(); i < n; i++) {
            if (blockSize <= room[i]) {
                Page p = pages.get(i);
                long block = tryAllocate(p, blockSize, alignment);
                if (block != BlockAllocator.NO_SPACE) {
                    return placed(p, block, false);
                }
            }
        }
        return takeFromNewPage(allocatePage(pageSize, null, false), blockSize, alignment, object);
    }

    private long placed(Page page, long block, boolean newPage) {
        if (placedPage != page) { // mostly the same page as last time: no store, so no write barrier
            placedPage = page;
        }
        placedOnNewPage = newPage;
        return block;
    }

    /** The page of the block {@link #allocate} or {@link #allocateDedicated} returned last. */
    Page placedPage() {
        return placedPage;
    }

    private long takeFromNewPage(Page page, long blockSize, long alignment, MemoryObject object) {
        long block = page.allocator.allocate(blockSize, alignment);
        if (block == BlockAllocator.NO_SPACE) {
            releasePage(page);
            throw new IllegalStateException("a new page of " + page.size + " bytes cannot hold "
                    + object.describe() + " (size " + blockSize + ", alignment " + alignment + ")");
        }
        roomChanged(page);
        return placed(page, block, true);
    }

    /**
     * A block of {@code size} bytes at {@code alignment} in regular page {@code page}, or
     * {@link BlockAllocator#NO_SPACE}: the placement scan and defragmentation both ask here, so the
     * bounds of the room index are kept in one place. A kept empty page taken is no longer kept.
     */
    long tryAllocate(Page page, long size, long alignment) {
        if (size > page.largestFreeBound || size > page.size - page.allocator.usedBytes()) {
            roomChanged(page);
            return BlockAllocator.NO_SPACE;
        }
        long block = page.allocator.allocate(size, alignment);
        if (block == BlockAllocator.NO_SPACE) {
            page.largestFreeBound = Math.min(page.largestFreeBound, size + alignment - 2);
        } else if (page.kept) {
            page.kept = false;
            emptyPageBytes -= page.size;
        }
        roomChanged(page);
        return block;
    }

    /**
     * Gives back {@code block}, the block {@link #allocate} or {@link #allocateDedicated} gave
     * last, when binding it failed; its page too when the page was allocated for it.
     */
    void undo(long block) {
        final Page page = placedPage;
        freeBlock(page, block);
        if (placedOnNewPage) {
            releasePage(page);
        } else {
            keepIfEmpty(page);
        }
    }

    /**
     * Frees a block of a closing object: the page is kept if it is left empty and fits in the
     * empty-page budget, freed if it was allocated for its resource or is over the budget.
     */
    void free(Page page, long block) {
        freeBlock(page, block);
        if (page.allocator.isEmpty()) {
            final boolean overBudget = emptyPageBytes + page.size > emptyPageBudget;
            // A page allocated for its resource goes with it; the minPages regular pages stay.
            if (page.dedicated ? !page.reusable || overBudget : regularPages > minPages && overBudget) {
                releasePage(page);
            } else {
                keepIfEmpty(page);
            }
        }
    }

    /**
     * Frees a block and leaves its page, even when empty, to the caller ({@link #releaseEmptyPages()}
     * or {@link #releaseAll()}): what failed requests proved no longer holds, and the room grows.
     */
    void freeBlock(Page page, long block) {
        page.allocator.free(block);
        page.largestFreeBound = page.size;
        roomChanged(page);
    }

    private void keepIfEmpty(Page page) {
        if ((!page.dedicated || page.reusable) && !page.kept && page.allocator.isEmpty()) {
            page.kept = true;
            emptyPageBytes += page.size;
        }
    }

    /**
     * Frees every empty regular page, kept ones and others, but the {@link #minPages}, and every
     * kept large object's page; returns how many.
     */
    int releaseEmptyPages() {
        int released = 0;
        for (Page p : pages) {
            if (p != null && p.allocator.isEmpty() && (p.dedicated ? p.reusable : regularPages > minPages)) {
                releasePage(p);
                released++;
            }
        }
        return released;
    }

    /** Frees every page, for a closing Memory whose objects are destroyed. */
    void releaseAll() {
        for (Page p : pages) {
            if (p != null) {
                releasePage(p);
            }
        }
    }

    /**
     * Allocates a page for an object: refused with a {@link PageLimitException} when the Memory never
     * allocates or holds {@link #maxPages}; else {@link #newPage}.
     */
    private Page allocatePage(long size, MemoryObject dedicatedTo, boolean forTheDriver) {
        if (neverAllocate) {
            throw new PageLimitException("a new page of " + size + " bytes of memory type " + type.index()
                    + " is needed and its Memory never allocates (MemoryOptions.neverAllocate); it holds "
                    + pageCount + " pages", type.heapIndex(), size);
        }
        if (pageCount >= maxPages) {
            throw new PageLimitException("a new page of " + size + " bytes of memory type " + type.index()
                    + " is needed and its Memory holds maxPages (" + maxPages + ") pages already", type.heapIndex(), size);
        }
        return newPage(size, dedicatedTo, forTheDriver);
    }

    /**
     * Allocates a page, after reserving its bytes of the heap; all or nothing: a regular one
     * ({@code dedicatedTo == null}), or one for object {@code dedicatedTo} alone, allocated for
     * that resource when {@code forTheDriver} (and the object names one), else plain (and reusable).
     */
    private Page newPage(long size, MemoryObject dedicatedTo, boolean forTheDriver) {
        final int heap = type.heapIndex();
        HeapAccountant.Outcome reserved = heaps.tryReserve(heap, size);
        if (!reserved.reserved() && emptyPageBytes > 0) {
            // Kept empty pages are a cache, not a claim: the caller found none of them fit, so
            // they go back before the request is refused.
            releaseEmptyPages();
            reserved = heaps.tryReserve(heap, size);
        }
        if (!reserved.reserved()) {
            accountingRefusal = reserved.exception();
            throw accountingRefusal;
        }
        long handle;
        final Object event = Events.beginPageAllocated();
        try {
            // A plain page for a regular or a merely large object, and for an allocation that names no resource.
            forTheDriver = forTheDriver && dedicatedTo != null && dedicatedTo.resource().handle() != 0;
            PageRequest request = new PageRequest(type.index(), size, pageOptions, null, null);
            handle = backend.allocatePage(!forTheDriver ? request
                    : request.withDedicatedTo(dedicatedTo.resource(), isImage(dedicatedTo)));
        } catch (RuntimeException | Error e) {
            heaps.release(heap, size);
            throw e;
        }
        final BlockAllocator blocks;
        try {
            blocks = algorithm.create(size, strategy);
        } catch (RuntimeException | Error e) {
            try {
                backend.freePage(handle);
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            heaps.release(heap, size);
            throw e;
        }
        int index = pages.indexOf(null);
        Page page = new Page.Padded(index < 0 ? pages.size() : index, handle, size, dedicatedTo != null,
                dedicatedTo != null && !forTheDriver, blocks);
        if (index < 0) {
            if (page.index == room.length) {
                room = Arrays.copyOf(room, 2 * room.length);
            }
            pages.add(page);
        } else {
            pages.set(index, page);
        }
        room[page.index] = page.dedicated ? -1 : size;
        pageCount++;
        if (!page.dedicated) {
            regularPages++;
        }
        pageBytes += size;
        Events.pageAllocated(event, memory, page);
        return page;
    }

    private void releasePage(Page page) {
        pages.set(page.index, null);
        room[page.index] = -1;
        pageCount--;
        if (!page.dedicated) {
            regularPages--;
        }
        pageBytes -= page.size;
        if (page.kept) {
            page.kept = false;
            emptyPageBytes -= page.size;
        }
        final Object event = Events.beginPageFreed();
        try {
            backend.freePage(page.handle);
        } finally {
            heaps.release(type.heapIndex(), page.size);
        }
        Events.pageFreed(event, memory, page);
    }

    /** Sets the page's {@link #room} from its bounds, after its allocator or bound changed. */
    private void roomChanged(Page page) {
        if (!page.dedicated) {
            room[page.index] = Math.min(page.largestFreeBound, page.size - page.allocator.usedBytes());
        }
    }

    /** Whether {@code e}, thrown by this pool, is a refusal of the heap's accounting rather than the driver's. */
    boolean refusedByAccounting(OutOfDeviceMemoryException e) {
        return e == accountingRefusal;
    }

    /** The pages by index, {@code null} where a page was freed; a read-only view. */
    List<Page> pages() {
        return pagesView;
    }

    /** Page {@code index}, or {@code null} when no page has that index now. */
    Page page(int index) {
        return index >= 0 && index < pages.size() ? pages.get(index) : null;
    }

    int pageCount() {
        return pageCount;
    }

    long pageBytes() {
        return pageBytes;
    }

    long pageSize() {
        return pageSize;
    }

    /**
     * The pool as a Memory makes it: 128 bytes of padding after the fields, so that no other
     * thread's Memory shares their cache lines (see {@link Memory.MemoryLock}); every create and
     * close writes and reads them.
     */
    @SuppressWarnings("unused")
    static final class Padded extends PagePool {
        private long q00, q01, q02, q03, q04, q05, q06, q07, q08, q09, q10, q11, q12, q13, q14, q15;

        Padded(Memory memory, MemoryBackend backend, HeapAccountant heaps, MemoryType type, MemoryOptions options) {
            super(memory, backend, heaps, type, options);
        }
    }
}
