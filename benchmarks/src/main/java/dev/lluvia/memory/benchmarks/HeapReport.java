package dev.lluvia.memory.benchmarks;

import dev.lluvia.memory.alloc.AllocationStrategy;
import dev.lluvia.memory.alloc.BlockAllocator;
import dev.lluvia.memory.alloc.FirstFitAllocator;
import dev.lluvia.memory.alloc.TlsfAllocator;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Java heap bytes per live allocation of our block allocators, at 1k, 100k and 1M live, on the
 * scaling benchmark's state (1.5 x N allocations of {@code 32 + rand % 992} units, alignments
 * {1, 16, 64, 256}, a random third freed).
 *
 * <p>Two methods, printed side by side:
 * <ul>
 *   <li><b>arrays</b>: the exact size of every array the allocator references (its instance fields,
 *       read by reflection): {@code 16 + length x element size} bytes each, the 64-bit JVM's array
 *       header with compressed class pointers, plus the array fields' capacity in use
 *       - what the allocator holds now, including the slack of arrays that grew to the setup's
 *       peak (1.5 x N live) by doubling and never shrink; {@code records per live} (one record per
 *       allocation plus one per free range, for TLSF 24 bytes each) gives the part in use;</li>
 *   <li><b>GC</b>: {@code Runtime} used memory after {@code System.gc()} with the allocator
 *       reachable, minus the same without it (includes any object the arrays miss; noisier).</li>
 * </ul>
 * Run: {@code java -cp benchmarks/target/benchmarks.jar dev.lluvia.memory.benchmarks.HeapReport}.
 */
public final class HeapReport {

    private HeapReport() {
    }

    public static void main(String[] args) throws Exception {
        System.out.println("| allocator | live | free ranges | records per live | heap bytes (arrays) | per live (arrays) | per live (GC) |");
        System.out.println("|---|---:|---:|---:|---:|---:|---:|");
        for (int n : new int[] {1_000, 100_000, 1_000_000}) {
            for (String name : new String[] {"TLSF", "FIRST_FIT"}) {
                final long before = usedAfterGc();
                BlockAllocator allocator = fill(name, n);
                final long after = usedAfterGc();
                final long arrays = arrayBytes(allocator);
                final int free = allocator.statistics().freeRangeCount();
                System.out.printf(Locale.ROOT, "| %s | %,d | %,d | %.2f | %,d | %.1f | %.1f |%n", name, n, free,
                        (n + free) / (double) n, arrays, arrays / (double) n, (after - before) / (double) n);
                allocator = null;
            }
        }
    }

    static BlockAllocator fill(String name, int n) {
        final SplittableRandom rnd = new SplittableRandom(16223);
        final int made = n + n / 2;
        final long[] sizes = new long[made];
        final long[] alignments = new long[made];
        long sum = 0;
        for (int i = 0; i < made; i++) {
            sizes[i] = 32 + rnd.nextInt(992);
            alignments[i] = Workloads.ALIGNMENTS[rnd.nextInt(4)];
            sum += sizes[i] + alignments[i];
        }
        final long capacity = sum + sum / 4;
        final BlockAllocator a = name.equals("TLSF") ? new TlsfAllocator(capacity, AllocationStrategy.MIN_TIME)
                : new FirstFitAllocator(capacity);
        final long[] handles = new long[made];
        for (int i = 0; i < made; i++) {
            handles[i] = a.allocate(sizes[i], alignments[i]);
        }
        final boolean[] freed = new boolean[made];
        for (int k = 0; k < made - n; ) {
            final int i = rnd.nextInt(made);
            if (!freed[i]) {
                freed[i] = true;
                k++;
            }
        }
        for (int i = 0; i < made; i++) {
            if (freed[i]) {
                a.free(handles[i]);
            }
        }
        return a;
    }

    /** The bytes of every array the allocator's own fields point to. */
    static long arrayBytes(Object allocator) throws IllegalAccessException {
        long total = 0;
        for (Field f : allocator.getClass().getDeclaredFields()) {
            if (Modifier.isStatic(f.getModifiers()) || !f.getType().isArray()) {
                continue;
            }
            f.setAccessible(true);
            final Object array = f.get(allocator);
            if (array == null) {
                continue;
            }
            final int length = java.lang.reflect.Array.getLength(array);
            final Class<?> c = f.getType().getComponentType();
            final int element = c == long.class || c == double.class ? 8 : c == int.class || c == float.class ? 4
                    : c == short.class || c == char.class ? 2 : c == boolean.class || c == byte.class ? 1 : 4;
            total += 16 + (long) length * element;
        }
        return total;
    }

    private static long usedAfterGc() throws InterruptedException {
        final Runtime rt = Runtime.getRuntime();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(50);
            used = Math.min(used, rt.totalMemory() - rt.freeMemory());
        }
        return used;
    }
}
