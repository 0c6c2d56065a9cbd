package dev.lluvia.memory.sim;

import dev.lluvia.memory.Buffer;
import dev.lluvia.memory.LeakPolicy;
import dev.lluvia.memory.Memory;
import dev.lluvia.memory.MemoryPropertyFlag;
import dev.lluvia.memory.Session;
import dev.lluvia.memory.SessionOptions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.reflect.Method;
import java.util.EnumSet;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The whole {@code Memory.createBuffer} / {@code Buffer.close} path, on the sim, stays within a
 * budget of Java heap bytes per buffer once warmed up: what a program creating and closing buffers
 * in a loop hands the garbage collector. The budget is what the path needs today (the Buffer, its
 * AllocationInfo, the SPI's Resource and MemoryRequirements, and the sim's own bookkeeping) with
 * some room; a change that adds per-call objects or boxing shows up here. Measured with the JDK's
 * per-thread allocation counter, reached by reflection (the test runs in a module).
 */
class CreateCloseAllocationTest {

    /**
     * Bytes per create + close, core and sim together: measured 599 (256 MiB pages) and 649
     * (32 MiB pages, whose pages come and go) on 2026-11-30, most of it the sim's bookkeeping.
     */
    static final long BUDGET = 768;

    @ParameterizedTest(name = "{0}-byte pages")
    @ValueSource(longs = {32L << 20, 256L << 20})
    void createAndCloseStayWithinTheBudgetOfBytesPerBuffer(long pageSize) throws ReflectiveOperationException {
        final Object threads = Class.forName("java.lang.management.ManagementFactory").getMethod("getThreadMXBean").invoke(null);
        final Method allocatedBytes;
        try {
            allocatedBytes = Class.forName("com.sun.management.ThreadMXBean").getMethod("getCurrentThreadAllocatedBytes");
        } catch (ClassNotFoundException e) {
            Assumptions.abort("needs the JDK's per-thread allocation counter");
            return;
        }
        try (Session session = Session.create(SessionOptions.defaults().withBackend("sim").withDevice("nvidia-h100")
                .withLeakPolicy(LeakPolicy.IGNORE));
             Memory memory = session.createMemory(EnumSet.of(MemoryPropertyFlag.DEVICE_LOCAL), pageSize, false)) {
            final Buffer[] buffers = new Buffer[1000];
            churn(memory, buffers, 30); // pages, arrays and the JIT warmed up
            allocatedBytes.invoke(threads);
            final long before = (Long) allocatedBytes.invoke(threads);
            final int rounds = 50;
            churn(memory, buffers, rounds);
            final long perBuffer = ((Long) allocatedBytes.invoke(threads) - before) / ((long) rounds * buffers.length);
            System.out.println("createBuffer + close: " + perBuffer + " bytes per buffer (" + pageSize + "-byte pages)");
            assertTrue(perBuffer <= BUDGET, "createBuffer + close allocated " + perBuffer
                    + " bytes per buffer, over the budget of " + BUDGET);
        }
    }

    /** Creates buffers of 4 KiB to 260 KiB, then closes them all, {@code rounds} times. */
    private static void churn(Memory memory, Buffer[] buffers, int rounds) {
        for (int r = 0; r < rounds; r++) {
            for (int i = 0; i < buffers.length; i++) {
                buffers[i] = memory.createBuffer((4096L << (i % 7)) + (i * 37L) % 4096);
            }
            for (Buffer b : buffers) {
                b.close();
            }
        }
    }
}
