package dev.lluvia.memory.vulkan;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.*;

/** {@link HandleMap} against a {@code HashMap} model, with pointer-like keys that collide in low bits. */
class HandleMapTest {

    @Test
    void agreesWithAHashMapUnderRandomPutsAndRemoves() {
        for (long seed = 1; seed <= 20; seed++) {
            Random random = new Random(seed);
            HandleMap<String> map = new HandleMap<>();
            Map<Long, String> model = new HashMap<>();
            List<Long> keys = new ArrayList<>();
            for (int step = 0; step < 20_000; step++) {
                int op = random.nextInt(10);
                if (op < 5 || keys.isEmpty()) {
                    // Multiples of 64 in a narrow range, as malloc'd handles are.
                    long key = 0x7f00_0000_0000L + 64L * (1 + random.nextInt(4096));
                    String value = "v" + step;
                    assertEquals(model.put(key, value), map.put(key, value), "put 0x" + Long.toHexString(key) + " seed " + seed);
                    keys.add(key);
                } else if (op < 8) {
                    long key = keys.remove(random.nextInt(keys.size()));
                    assertEquals(model.remove(key), map.remove(key), "remove 0x" + Long.toHexString(key) + " seed " + seed);
                } else {
                    long key = random.nextBoolean() && !keys.isEmpty() ? keys.get(random.nextInt(keys.size()))
                            : 0x7f00_0000_0000L + 64L * random.nextInt(8192);
                    assertEquals(model.get(key), map.get(key), "get 0x" + Long.toHexString(key) + " seed " + seed);
                }
                if (step % 1000 == 0) {
                    assertEquals(model.size(), map.size());
                }
            }
            for (Map.Entry<Long, String> e : model.entrySet()) {
                assertEquals(e.getValue(), map.get(e.getKey()));
            }
            Set<Long> seen = new HashSet<>();
            map.forEachKey(seen::add);
            assertEquals(model.keySet(), seen);
            map.clear();
            assertTrue(map.isEmpty());
        }
    }

    @Test
    void nullHandleOrValueIsRefused() {
        HandleMap<String> map = new HandleMap<>();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> map.put(0, "x"));
        assertTrue(e.getMessage().contains("0x0"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> map.put(8, null));
        assertNull(map.get(0));
        assertTrue(map.isEmpty());
    }

    /** Regression: remove(0) matched an empty slot and counted it off the size. */
    @Test
    void removingTheNullHandleChangesNothing() {
        HandleMap<String> map = new HandleMap<>();
        assertNull(map.remove(0));
        assertEquals(0, map.size());
        assertTrue(map.isEmpty());
        map.put(64, "a");
        assertNull(map.remove(0));
        assertNull(map.get(0));
        assertEquals(1, map.size());
        assertEquals("a", map.get(64));
        assertEquals("a", map.remove(64));
        assertTrue(map.isEmpty());
    }

    @Test
    void threadsPuttingAndRemovingTheirOwnKeysNeverSeeEachOthersChanges() throws InterruptedException {
        HandleMap<Integer> map = new HandleMap<>();
        AtomicInteger failures = new AtomicInteger();
        Thread[] threads = new Thread[4];
        for (int t = 0; t < threads.length; t++) {
            final int id = t;
            threads[t] = new Thread(() -> {
                for (int round = 0; round < 200; round++) {
                    for (int i = 1; i <= 500; i++) {
                        map.put(((long) i << 8) | id << 4, id);
                    }
                    for (int i = 1; i <= 500; i++) {
                        Integer v = map.remove(((long) i << 8) | id << 4);
                        if (v == null || v != id) {
                            failures.incrementAndGet();
                        }
                    }
                }
            });
            threads[t].start();
        }
        for (Thread t : threads) {
            t.join();
        }
        assertEquals(0, failures.get());
        assertTrue(map.isEmpty());
    }
    /**
     * Lookups read without the lock: readers of keys that stay in the map must always find them,
     * with their value, while a writer in the very same stripe puts and removes other keys (grows
     * from the smallest arrays, backward shifts across the readers' slots). Keys are chosen to
     * land in one stripe; the writer starts a fresh map 2,000 times, so the readers also race
     * 2,000 series of grows.
     */
    @Test
    void lookupsRacingWritesInTheirStripeFindEveryKeyThatStays() throws InterruptedException {
        final long seed = 24;
        Random random = new Random(seed);
        List<Long> sameStripe = new ArrayList<>();
        final long stripe = HandleMap.mix(0x7f00_0000_0040L) >>> 56;
        for (long k = 0x7f00_0000_0040L; sameStripe.size() < 200; k += 64) {
            if (HandleMap.mix(k) >>> 56 == stripe) {
                sameStripe.add(k);
            }
        }
        final List<Long> stay = new ArrayList<>(sameStripe.subList(0, 8));
        final List<Long> churn = new ArrayList<>(sameStripe.subList(8, sameStripe.size()));
        final java.util.concurrent.atomic.AtomicReference<HandleMap<Long>> current =
                new java.util.concurrent.atomic.AtomicReference<>();
        final AtomicInteger wrong = new AtomicInteger();
        final java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
        Thread[] readers = new Thread[3];
        for (int t = 0; t < readers.length; t++) {
            readers[t] = new Thread(() -> {
                while (!done.get()) {
                    final HandleMap<Long> map = current.get();
                    if (map != null) {
                        for (long k : stay) {
                            Long v = map.get(k);
                            if (v == null || v != ~k) {
                                wrong.incrementAndGet();
                            }
                        }
                    }
                }
            });
            readers[t].start();
        }
        try {
            for (int epoch = 0; epoch < 2000; epoch++) {
                final HandleMap<Long> map = new HandleMap<>();
                for (long k : stay) {
                    map.put(k, ~k);
                }
                current.set(map);
                java.util.Collections.shuffle(churn, random);
                for (long k : churn) {
                    map.put(k, k);
                }
                java.util.Collections.shuffle(churn, random);
                for (long k : churn) {
                    assertEquals(k, map.remove(k));
                }
                assertEquals(stay.size(), map.size());
            }
        } finally {
            done.set(true);
            for (Thread t : readers) {
                t.join();
            }
        }
        assertEquals(0, wrong.get(), "lookups that missed a key that stayed, or saw a wrong value (seed " + seed + ")");
    }
}
