package dev.lluvia.memory.alloc;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lluvia.memory.alloc.AllocatorModel.Kind;
import java.lang.reflect.Method;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Once its arrays have grown to the working set, an allocator creates no garbage: allocate and
 * free make no Java objects, so a busy page never triggers a GC. Measured with the JDK's per-thread
 * allocation counter ({@code com.sun.management.ThreadMXBean}), reached by reflection because the
 * tests compile inside the {@code dev.lluvia.memory} module, which does not read jdk.management.
 */
class HotPathAllocationTest {

    @ParameterizedTest
    @EnumSource(Kind.class)
    void warmedUpAllocateAndFreeAllocateNoObjects(Kind kind) throws ReflectiveOperationException {
        final Object threads = Class.forName("java.lang.management.ManagementFactory")
                .getMethod("getThreadMXBean").invoke(null);
        final Method allocatedBytes;
        try {
            allocatedBytes = Class.forName("com.sun.management.ThreadMXBean")
                    .getMethod("getCurrentThreadAllocatedBytes");
        } catch (ClassNotFoundException e) {
            Assumptions.abort("needs the JDK's per-thread allocation counter");
            return;
        }
        final BlockAllocator allocator = kind.create(1 << 24);
        final long[] handles = new long[1000];
        churn(allocator, handles, 20); // grows the arrays to the working set
        allocatedBytes.invoke(threads);
        final long before = (Long) allocatedBytes.invoke(threads);
        churn(allocator, handles, 200);
        final long allocated = (Long) allocatedBytes.invoke(threads) - before;
        // 400,000 allocate/free calls; a few hundred bytes of slack for the reflective call itself.
        assertTrue(allocated < 4096, kind + " allocated " + allocated + " bytes on the hot path");
    }

    /** Fills with 1000 allocations of mixed sizes and alignments, then frees them, FIFO. */
    private static void churn(BlockAllocator allocator, long[] handles, int rounds) {
        for (int round = 0; round < rounds; round++) {
            for (int i = 0; i < handles.length; i++) {
                handles[i] = allocator.allocate(1 + (i * 37L) % 5000, 1L << (i % 9));
            }
            for (long h : handles) {
                allocator.free(h);
            }
        }
    }
}
