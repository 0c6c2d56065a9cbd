package dev.lluvia.memory;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * The live objects of one Memory in creation order, as an intrusive doubly linked list through
 * {@link MemoryObject}'s own link fields: add and remove are a few field writes, with no hashing,
 * boxing or node allocation on the create/close path. Guarded by the Memory's lock, which is this
 * list itself ({@link Memory.MemoryLock}).
 *
 * <p>The list keeps its newest end only, not both: this object lives as long as its Memory, so it
 * is soon in the collector's old generation, while the objects are mostly young, and every store
 * of a young object into an old one pays the collector's write barrier (under G1 a memory fence,
 * and a card of the shared card table dirtied again each time concurrent refinement cleaned it).
 * With the newest end only, a create stores into this object once, and closing any object but the
 * newest, which a program that closes in creation order does every time, stores only into that
 * object's neighbours. Walking the list oldest first, which only reports, leak checks and
 * defragmentation do, first finds the oldest end.
 */
class LiveObjects implements Iterable<MemoryObject> {
    /** The padding before {@link Memory.MemoryLock}'s fields; see there. */
    @SuppressWarnings("unused")
    private int p00; // the hole after the object header, else taken by the first int field
    private long p01, p02, p03, p04, p05, p06, p07, p08, p09, p10, p11, p12, p13, p14, p15, p16;
    private MemoryObject newest;
    private int size;

    void add(MemoryObject o) {
        final MemoryObject n = newest;
        o.olderLive = n;
        o.newerLive = null;
        if (n != null) {
            n.newerLive = o;
        }
        newest = o;
        size++;
    }

    /** Removes an object that {@link #add} added and that was not removed since. */
    void remove(MemoryObject o) {
        final MemoryObject older = o.olderLive;
        final MemoryObject newer = o.newerLive;
        if (newer == null) {
            newest = older;
        } else {
            newer.olderLive = older;
        }
        if (older != null) {
            older.newerLive = newer;
        }
        o.olderLive = null;
        o.newerLive = null;
        size--;
    }

    int size() {
        return size;
    }

    /** A copy in creation order, safe to iterate while objects are removed. */
    List<MemoryObject> toList() {
        List<MemoryObject> out = new ArrayList<>(size);
        for (MemoryObject o : this) {
            out.add(o);
        }
        return out;
    }

    /** The oldest live object, or null: the far end of the list, found by walking it. */
    private MemoryObject oldest() {
        MemoryObject o = newest;
        if (o == null) {
            return null;
        }
        while (o.olderLive != null) {
            o = o.olderLive;
        }
        return o;
    }

    /** Oldest first; the list must not change while this iterator is used (see {@link #toList()}). */
    @Override
    public Iterator<MemoryObject> iterator() {
        return new Iterator<>() {
            private MemoryObject next = oldest();

            @Override
            public boolean hasNext() {
                return next != null;
            }

            @Override
            public MemoryObject next() {
                if (next == null) {
                    throw new NoSuchElementException();
                }
                MemoryObject o = next;
                next = o.newerLive;
                return o;
            }
        };
    }
}
