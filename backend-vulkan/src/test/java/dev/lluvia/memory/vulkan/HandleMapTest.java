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
}
