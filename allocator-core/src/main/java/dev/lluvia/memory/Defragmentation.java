package dev.lluvia.memory;

import dev.lluvia.memory.alloc.BlockAllocator;
import dev.lluvia.memory.spi.MemoryRequirements;
import dev.lluvia.memory.spi.Resource;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * An incremental defragmentation of one {@link Memory} (VMA's begin / pass / end), started with
 * {@link Memory#beginDefragmentation(long, int)}.
 *
 * <pre>
 *   try (Defragmentation d = memory.beginDefragmentation(64 &lt;&lt; 20, 100)) {
 *       while (!d.isDone()) {
 *           for (Defragmentation.Move m : d.pass()) {    // e.g. one pass per frame
 *               refreshDescriptors(m.object());          // new handle, page and offset
 *           }
 *       }
 *   }                                                    // end(): pages left empty are freed
 * </pre>
 *
 * <h2>What a pass does</h2>
 * <ol>
 *   <li>Ranks the Memory's regular pages by bytes in use, fullest first; dedicated pages are left
 *       alone (they hold one object each and are already exact).</li>
 *   <li>Takes the movable objects from the emptiest page first (highest offset first within a page)
 *       and asks the block allocator of each fuller page, then of its own page at a lower offset,
 *       for a place; the first place found is the object's new place.</li>
 *   <li>Moves the object: a new buffer or image of the same description is created and bound at the
 *       new place, the backend copies the contents on the device ({@code vkCmdCopyBuffer} /
 *       {@code vkCmdCopyImage} on the transfer queue, waited for; the sim copies the bytes), the old
 *       resource is destroyed and its range freed. The {@link Buffer} or {@link Image} stays the same
 *       Java object: its driver handle, {@link AllocationInfo#page()} and offset change, its
 *       {@link MemoryObject#moveCount()} goes up and {@link SessionListener#objectMoved} is told.</li>
 *   <li>Stops at {@code maxObjectsPerPass} objects or before {@code maxBytesPerPass} bytes, then frees
 *       every regular page left empty, and the empty pages the Memory kept for reuse within its
 *       empty-page budget ({@link MemoryOptions#emptyPageBudget()}) too: a program defragments to
 *       give memory back, so a pass leaves no empty page (as {@link Memory#releaseEmptyPages()}).</li>
 * </ol>
 * A pass that moves nothing ends the work ({@link #isDone()}), unless the descriptor's
 * {@link DefragmentationDescriptor#shouldBreak()} stopped it. A {@link DefragmentationDescriptor}
 * also chooses which objects may move and whether an object may move lower in its own page
 * ({@link DefragmentationDescriptor.Algorithm}).
 *
 * <p>What is not moved: objects in dedicated pages, objects with live aliases (their aliases would
 * be left on the old range), and objects whose usage lacks transfer source and destination (the
 * device cannot copy them; the library's default usages have both). Objects the program marked not
 * movable make {@link Memory#beginDefragmentation} refuse to start; an object marked not movable
 * after the start is left where it is by every later pass.
 *
 * <p>The program's duties, as with VMA: no work on the device may use the Memory's objects while
 * a pass runs; afterwards, refresh what holds a moved object's handle (descriptors, views) and map
 * its buffers again: a {@link MappedView} made before the move throws {@link IllegalStateException}
 * (saying the buffer moved), and a raw {@link Buffer#mapByteBuffer()} views the old place.
 * On non-coherent memory, flush host writes before a pass (the copy is a device copy).
 *
 * <p>Not thread-safe on its own; a pass holds the Memory's lock.
 */
public final class Defragmentation implements AutoCloseable {

    /**
     * One object moved by a pass.
     *
     * @param object the object, the same Java object as before
     * @param from   where it was
     * @param to     where it is now
     */
    public record Move(MemoryObject object, AllocationInfo from, AllocationInfo to) {
    }

    /**
     * The totals of a defragmentation so far, over all its passes (VMA's {@code VmaDefragmentationStats});
     * the Memory's own figures are its {@link Statistics}.
     *
     * @param passes       passes run
     * @param objectsMoved objects moved (an object moved twice counts twice)
     * @param bytesMoved   bytes copied on the device
     * @param pagesFreed   pages freed because they were left empty
     */
    public record Totals(int passes, int objectsMoved, long bytesMoved, int pagesFreed) {
    }

    /** Totals, added to by each pass under the Memory's lock. */
    static final class Counters {
        int passes;
        int objects;
        long bytes;
        int pagesFreed;

        void add(int movedObjects, long movedBytes, int freed) {
            passes++;
            objects += movedObjects;
            bytes += movedBytes;
            pagesFreed += freed;
        }
    }

    private final Memory memory;
    private final PagePool pool;
    private final LiveObjects live;
    private final DefragmentationDescriptor descriptor;
    /** Whether the last pass stopped because {@link DefragmentationDescriptor#shouldBreak()} said so. */
    private boolean broken;
    private final Counters counters = new Counters();
    private boolean done;
    private boolean ended;

    Defragmentation(Memory memory, PagePool pool, LiveObjects live, DefragmentationDescriptor descriptor) {
        this.memory = memory;
        this.pool = pool;
        this.live = live;
        this.descriptor = descriptor;
    }

    /** Refuses to start while objects are marked not movable, naming up to ten of them. */
    static void requireMovable(Memory memory, Iterable<MemoryObject> live) {
        List<String> pinned = new ArrayList<>();
        for (MemoryObject o : live) {
            if (!o.isMovable()) {
                pinned.add(o.describe());
            }
        }
        if (!pinned.isEmpty()) {
            throw new IllegalStateException("cannot defragment " + memory + ": " + pinned.size()
                    + " object(s) are marked not movable: " + (pinned.size() > 10 ? pinned.subList(0, 10) + " ..." : pinned));
        }
    }

    /** {@return the memory being defragmented} */
    public Memory memory() {
        return memory;
    }

    /**
     * The limit of bytes a pass moves.
     *
     * @return {@code maxBytesPerPass} as given to {@link Memory#beginDefragmentation}
     */
    public long maxBytesPerPass() {
        return descriptor.maxBytesPerPass();
    }

    /**
     * The limit of objects a pass moves.
     *
     * @return {@code maxObjectsPerPass} as given to {@link Memory#beginDefragmentation}
     */
    public int maxObjectsPerPass() {
        return descriptor.maxObjectsPerPass();
    }

    /**
     * Runs one pass and returns what it moved; empty when nothing more can be gained, after which
     * {@link #isDone()} is true. If moving an object fails (the driver's error is thrown), that
     * object stays where it was with its contents, the objects moved before it in the pass stay
     * moved (each was reported to {@link SessionListener#objectMoved} and counted in
     * {@link MemoryObject#moveCount()}), and the statistics and freed pages account for them.
     *
     * @return the moves of this pass; empty when nothing more can be gained
     * @throws IllegalStateException if this defragmentation was ended or its memory closed
     */
    public List<Move> pass() {
        synchronized (memory.lock()) {
            if (ended) {
                throw new IllegalStateException("the defragmentation of " + memory + " was ended");
            }
            broken = false;
            final Object event = Events.beginDefragmentationPass();
            List<Move> moves = passLocked();
            Events.defragmentationPass(event, memory, moves);
            if (moves.isEmpty() && !broken) {
                done = true;
            }
            return moves;
        }
    }

    /**
     * One pass: plans moves from the emptiest regular pages into fuller ones (or lower in the same
     * page) and performs them until a limit is reached; frees the pages left empty.
     */
    private List<Move> passLocked() {
        final long maxBytes = descriptor.maxBytesPerPass();
        final int maxObjects = descriptor.maxObjectsPerPass();
        final boolean withinPage = descriptor.algorithm() == DefragmentationDescriptor.Algorithm.FULL;
        List<Page> regular = new ArrayList<>();
        for (Page p : pool.pages()) {
            if (p != null && !p.dedicated) {
                regular.add(p);
            }
        }
        // Destinations: fullest first (index breaking ties), so objects gather where most already are.
        regular.sort((a, b) -> {
            int c = Long.compare(b.allocator.usedBytes(), a.allocator.usedBytes());
            return c != 0 ? c : Integer.compare(a.index, b.index);
        });
        Map<Page, Integer> rank = new IdentityHashMap<>();
        for (int i = 0; i < regular.size(); i++) {
            rank.put(regular.get(i), i);
        }
        List<MemoryObject> candidates = new ArrayList<>();
        for (MemoryObject o : live) {
            if (o.isMovable() && !o.page().dedicated && o.aliasesLocked().isEmpty() && o.canCopy()
                    && descriptor.movable().test(o)) {
                candidates.add(o);
            }
        }
        // Sources: the emptiest page first, and in a page the highest offset first.
        candidates.sort((a, b) -> {
            int c = Integer.compare(rank.get(b.page()), rank.get(a.page()));
            return c != 0 ? c : Long.compare(b.infoLocked().offset(), a.infoLocked().offset());
        });
        List<Move> moves = new ArrayList<>();
        long bytes = 0;
        for (MemoryObject o : candidates) {
            if (moves.size() >= maxObjects) {
                break;
            }
            if (descriptor.shouldBreak().getAsBoolean()) {
                broken = true; // stopped on request: not done, whatever it moved
                break;
            }
            final long size = o.infoLocked().size();
            if (bytes + size > maxBytes) {
                continue;
            }
            final Page from = o.page();
            final long blockSize = o.blockSizeLocked();
            final long alignment = o.blockAlignmentLocked();
            final long oldStart = from.allocator.offset(o.block());
            for (int i = 0, n = withinPage ? rank.get(from) : rank.get(from) - 1; i <= n; i++) {
                Page to = regular.get(i);
                long block = pool.tryAllocate(to, blockSize, alignment);
                if (block == BlockAllocator.NO_SPACE) {
                    continue;
                }
                if (to == from && to.allocator.offset(block) >= oldStart) {
                    pool.freeBlock(to, block);
                    continue;
                }
                try {
                    moves.add(move(o, to, block));
                } catch (RuntimeException | Error e) {
                    // The failed object stays where it was (move is all or nothing); those moved
                    // before it stay moved (listeners heard of each, moveCount counts them): count
                    // them and free the pages they left, then report the failure.
                    try {
                        counters.add(moves.size(), bytes, pool.releaseEmptyPages());
                        passEnded(moves);
                    } catch (RuntimeException | Error suppressed) {
                        e.addSuppressed(suppressed);
                    }
                    throw e;
                }
                bytes += size;
                break;
            }
        }
        counters.add(moves.size(), bytes, pool.releaseEmptyPages());
        passEnded(moves);
        return moves;
    }

    /** Tells the listeners which objects the pass moved. */
    private void passEnded(List<Move> moves) {
        List<Move> told = List.copyOf(moves);
        for (SessionListener l : memory.session().listeners()) {
            l.defragmentationPass(this, told);
        }
    }

    /** Moves a live object into {@code block} of {@code to}: new resource, device copy, rebind; all or nothing. */
    private Move move(MemoryObject o, Page to, long block) {
        final AllocationInfo from = o.infoLocked();
        final long frontMargin = o.frontMarginLocked();
        final long offset = to.allocator.offset(block) + frontMargin;
        Resource replacement = null;
        try {
            replacement = o.createReplacementLocked();
            MemoryRequirements req = replacement.requirements();
            if (req.size() != from.size() || offset % req.alignment() != 0
                    || (req.memoryTypeBits() & (1 << memory.memoryType().index())) == 0) {
                throw new IllegalStateException("the driver gave " + o.describe() + "'s replacement other requirements"
                        + " (size " + req.size() + ", alignment " + req.alignment() + ") than the object had");
            }
            o.bindResource(replacement, to.handle, offset);
            // Views of the old place must not write during the copy nor touch the old page after
            // it is freed: they throw from here on, and map() makes a view of the new place.
            o.retireViewsLocked();
            o.copyContentsLocked(o.resource(), replacement);
        } catch (RuntimeException | Error e) {
            pool.freeBlock(to, block);
            if (replacement != null) {
                try {
                    o.destroyResource(replacement);
                } catch (RuntimeException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
        final Resource oldResource = o.resource();
        final Page oldPage = o.page();
        final long oldBlock = o.block();
        AllocationInfo now = new AllocationInfo(to.index, offset, to.allocator.padding(block) + frontMargin, from.size());
        o.movedLocked(replacement, to, block, now, to.allocator.size(block) - frontMargin);
        if (frontMargin > 0) {
            memory.margins().fill(to, block, offset, from.size());
        }
        try {
            o.destroyResource(oldResource);
        } finally {
            pool.freeBlock(oldPage, oldBlock);
        }
        for (SessionListener l : memory.session().listeners()) {
            l.objectMoved(o, from);
        }
        return new Move(o, from, now);
    }

    /** Whether {@link #end()} was called; the Memory's lock is held. */
    boolean isEndedLocked() {
        return ended;
    }

    /** {@return whether the last pass moved nothing} */
    public boolean isDone() {
        synchronized (memory.lock()) {
            return done;
        }
    }

    /** {@return the totals so far} */
    public Totals statistics() {
        synchronized (memory.lock()) {
            return new Totals(counters.passes, counters.objects, counters.bytes, counters.pagesFreed);
        }
    }

    /**
     * Ends the defragmentation (VMA's {@code vmaEndDefragmentation}): frees the pages left empty
     * (kept ones too, whatever the empty-page budget) and lets another one start. Idempotent; returns the totals.
     *
     * @return the totals of the whole defragmentation
     */
    public Totals end() {
        synchronized (memory.lock()) {
            if (!ended) {
                ended = true;
                if (!memory.isClosed()) {
                    counters.pagesFreed += pool.releaseEmptyPages();
                }
                for (SessionListener l : memory.session().listeners()) {
                    l.defragmentationEnded(this);
                }
            }
            return statistics();
        }
    }

    /** {@link #end()}. */
    @Override
    public void close() {
        end();
    }

    @Override
    public String toString() {
        Totals s = statistics();
        return "Defragmentation[" + memory + ", " + s + (done ? ", done" : "") + (ended ? ", ended" : "") + "]";
    }

}
