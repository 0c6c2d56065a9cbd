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
 */
class LiveObjects implements Iterable<MemoryObject> {
    /** The padding before {@link Memory.MemoryLock}'s fields; see there. */
    @SuppressWarnings("unused")
    private int p00; // the hole after the object header, else taken by the first int field
    private long p01, p02, p03, p04, p05, p06, p07, p08, p09, p10, p11, p12, p13, p14, p15, p16;
    private MemoryObject head;
    private MemoryObject tail;
    private int size;

    void add(MemoryObject o) {
        o.prevLive = tail;
        o.nextLive = null;
        if (tail == null) {
            head = o;
        } else {
            tail.nextLive = o;
        }
        tail = o;
        size++;
    }

    /** Removes an object that {@link #add} added and that was not removed since. */
    void remove(MemoryObject o) {
        MemoryObject prev = o.prevLive;
        MemoryObject next = o.nextLive;
        if (prev == null) {
            head = next;
        } else {
            prev.nextLive = next;
        }
        if (next == null) {
            tail = prev;
        } else {
            next.prevLive = prev;
        }
        o.prevLive = null;
        o.nextLive = null;
        size--;
    }

    int size() {
        return size;
    }

    /** A copy, safe to iterate while objects are removed. */
    List<MemoryObject> toList() {
        List<MemoryObject> out = new ArrayList<>(size);
        for (MemoryObject o = head; o != null; o = o.nextLive) {
            out.add(o);
        }
        return out;
    }

    @Override
    public Iterator<MemoryObject> iterator() {
        return new Iterator<>() {
            private MemoryObject next = head;

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
                next = o.nextLive;
                return o;
            }
        };
    }
}
