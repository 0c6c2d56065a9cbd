package dev.lluvia.memory.vulkan;

import java.util.concurrent.locks.StampedLock;
import java.util.function.LongConsumer;

/**
 * The backend's table from a Vulkan handle to what it knows of the object, safe for concurrent
 * use. Handles are often pointers, multiples of 8 or 64 whose low bits are all zero; a
 * {@code ConcurrentHashMap<Long, V>} hashes those into a few bins that turn into trees, and boxes
 * every key, which made lookups the largest cost of creating a buffer. Here keys are plain
 * {@code long}s, mixed (MurmurHash3's finalizer) and stored by linear probing in one of
 * {@link #STRIPES} arrays, each written under its own lock and read without one (an optimistic
 * read, checked): no allocation per operation once grown.
 * {@code VK_NULL_HANDLE} (0) is never a key.
 *
 * <p>Pages and host registrations are kept here; buffers and images are not (their state is the
 * {@code Resource} the core holds, so that a create and a close write no shared table). Every
 * thread's page allocations, frees, maps and transfers go through these tables: 256 stripes, each
 * padded to a cache line of its own, make two threads rarely wait for the same lock or write the
 * same line (the measurements that led here are in docs/benchmark-log.md).
 */
final class HandleMap<V> {

    static final int STRIPES = 256;

    private final Stripe[] stripes = new Stripe[STRIPES];

    HandleMap() {
        for (int i = 0; i < STRIPES; i++) {
            stripes[i] = new Stripe();
        }
    }

    /** MurmurHash3's 64-bit finalizer: every input bit reaches the bits the table uses. */
    static long mix(long h) {
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h;
    }

    private Stripe stripe(long mixed) {
        return stripes[(int) (mixed >>> 56)];
    }

    /** The value of {@code key}, or null; null for 0, which is never a key. */
    @SuppressWarnings("unchecked")
    V get(long key) {
        if (key == 0) {
            return null;
        }
        final long m = mix(key);
        return (V) stripe(m).get(key, m);
    }

    /** Maps {@code key} to {@code value}; returns the value it replaced, or null. */
    @SuppressWarnings("unchecked")
    V put(long key, V value) {
        if (key == 0 || value == null) {
            throw new IllegalArgumentException("a handle map holds no null handle or value (key 0x"
                    + Long.toHexString(key) + ", value " + value + ")");
        }
        final long m = mix(key);
        return (V) stripe(m).put(key, m, value);
    }

    /**
     * Removes {@code key}; returns its value, or null if it was absent. 0 is never a key, and an
     * empty slot holds 0: looking it up would "find" an empty slot and count it off the size.
     */
    @SuppressWarnings("unchecked")
    V remove(long key) {
        if (key == 0) {
            return null;
        }
        final long m = mix(key);
        return (V) stripe(m).remove(key, m);
    }

    int size() {
        int n = 0;
        for (Stripe s : stripes) {
            n += s.size();
        }
        return n;
    }

    boolean isEmpty() {
        return size() == 0;
    }

    /** Calls {@code action} with each key (a snapshot per stripe), in no particular order. */
    void forEachKey(LongConsumer action) {
        for (Stripe s : stripes) {
            for (long k : s.keys()) {
                action.accept(k);
            }
        }
    }

    void clear() {
        for (Stripe s : stripes) {
            s.clear();
        }
    }

    /**
     * One open-addressing table; 0 marks an empty slot. Deletion shifts later entries back.
     * Writers hold the stripe's write lock (the stripe is the {@link StampedLock}, so its lock
     * word lies in the padded stripe itself); a lookup first reads without locking and keeps what
     * it found only if no write came meanwhile ({@link StampedLock#validate}), so the lookups of
     * every bind and transfer write no shared cache line. A read that raced a write is done again
     * under the read lock.
     */
    @SuppressWarnings("serial") // never serialised
    private static final class Stripe extends StampedLock {
        private long[] keys = new long[16];
        private Object[] values = new Object[16];
        private int size;
        /** Padding: a stripe's lock word and fields share no cache line with its neighbour's. */
        @SuppressWarnings("unused")
        private long p1, p2, p3, p4, p5, p6, p7;

        Object get(long key, long mixed) {
            final long optimistic = tryOptimisticRead();
            if (optimistic != 0) {
                final Object value = probe(keys, values, key, mixed);
                if (validate(optimistic)) {
                    return value;
                }
            }
            final long stamp = readLock();
            try {
                return probe(keys, values, key, mixed);
            } finally {
                unlockRead(stamp);
            }
        }

        /**
         * The value of {@code key} in the arrays, or null. Read without the lock the arrays may be
         * a grow's torn pair or be shifting: the bounds keep the probe safe and finite, and
         * {@link #validate} discards what it found.
         */
        private static Object probe(long[] ks, Object[] vs, long key, long mixed) {
            final int mask = ks.length - 1;
            if (vs.length != ks.length) {
                return null;
            }
            for (int i = (int) mixed & mask, n = 0; n <= mask; i = (i + 1) & mask, n++) {
                final long k = ks[i];
                if (k == key) {
                    return vs[i];
                }
                if (k == 0) {
                    return null;
                }
            }
            return null;
        }

        Object put(long key, long mixed, Object value) {
            final long stamp = writeLock();
            try {
                final int mask = keys.length - 1;
                int i = (int) mixed & mask;
                for (; keys[i] != 0; i = (i + 1) & mask) {
                    if (keys[i] == key) {
                        Object old = values[i];
                        values[i] = value;
                        return old;
                    }
                }
                keys[i] = key;
                values[i] = value;
                if (++size * 2 > keys.length) {
                    grow();
                }
                return null;
            } finally {
                unlockWrite(stamp);
            }
        }

        Object remove(long key, long mixed) {
            final long stamp = writeLock();
            try {
                final int mask = keys.length - 1;
                int i = (int) mixed & mask;
                while (keys[i] != key) {
                    if (keys[i] == 0) {
                        return null;
                    }
                    i = (i + 1) & mask;
                }
                final Object old = values[i];
                // Backward shift: move each later entry of the run into the hole if its home allows.
                int hole = i;
                for (int j = (i + 1) & mask; keys[j] != 0; j = (j + 1) & mask) {
                    final int home = (int) mix(keys[j]) & mask;
                    // The entry at j may move to the hole unless its home lies cyclically in (hole, j].
                    if (((j - home) & mask) >= ((j - hole) & mask)) {
                        keys[hole] = keys[j];
                        values[hole] = values[j];
                        hole = j;
                    }
                }
                keys[hole] = 0;
                values[hole] = null;
                size--;
                return old;
            } finally {
                unlockWrite(stamp);
            }
        }

        int size() {
            final long stamp = readLock();
            try {
                return size;
            } finally {
                unlockRead(stamp);
            }
        }

        long[] keys() {
            final long stamp = readLock();
            try {
                final long[] out = new long[size];
                int n = 0;
                for (long k : keys) {
                    if (k != 0) {
                        out[n++] = k;
                    }
                }
                return out;
            } finally {
                unlockRead(stamp);
            }
        }

        void clear() {
            final long stamp = writeLock();
            try {
                keys = new long[16];
                values = new Object[16];
                size = 0;
            } finally {
                unlockWrite(stamp);
            }
        }

        private void grow() {
            final long[] oldKeys = keys;
            final Object[] oldValues = values;
            keys = new long[oldKeys.length * 2];
            values = new Object[oldKeys.length * 2];
            final int mask = keys.length - 1;
            for (int j = 0; j < oldKeys.length; j++) {
                final long k = oldKeys[j];
                if (k != 0) {
                    int i = (int) mix(k) & mask;
                    while (keys[i] != 0) {
                        i = (i + 1) & mask;
                    }
                    keys[i] = k;
                    values[i] = oldValues[j];
                }
            }
        }
    }
}
