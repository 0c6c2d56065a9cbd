package dev.lluvia.memory.contract;

import dev.lluvia.memory.Buffer;
import dev.lluvia.memory.LeakPolicy;
import dev.lluvia.memory.Memory;
import dev.lluvia.memory.MemoryPropertyFlag;
import dev.lluvia.memory.Session;
import dev.lluvia.memory.SessionOptions;

import java.lang.reflect.Method;
import java.util.EnumSet;
import java.util.OptionalLong;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The Java heap bytes one {@code Memory.createBuffer} + {@code Buffer.close} allocates once warmed
 * up, on one backend: what a program creating and closing buffers in a loop hands the garbage
 * collector. Measured in a JVM of its own ({@link #bytesPerBuffer}), as a program using one backend
 * would run: in a test JVM, other tests' backends make the SPI's call sites megamorphic, the JIT
 * then cannot scalar-replace the per-call records, and the figure depends on which tests ran first.
 */
public final class CreateCloseAllocation {

    private CreateCloseAllocation() {
    }

    /**
     * Runs {@link #main} in a child JVM; the bytes per buffer, or empty when the JDK has no
     * per-thread allocation counter.
     */
    public static OptionalLong bytesPerBuffer(String backend, String device, long pageSize) throws Exception {
        ChildJvm.Result r = ChildJvm.run(CreateCloseAllocation.class, 120, backend, device, Long.toString(pageSize));
        assertEquals(0, r.exitCode(), r.output());
        if (r.output().contains("no-counter")) {
            return OptionalLong.empty();
        }
        String line = r.output().lines().filter(l -> l.startsWith("bytes-per-buffer ")).findFirst()
                .orElseThrow(() -> new AssertionError("no figure from the child: " + r.output()));
        return OptionalLong.of(Long.parseLong(line.substring("bytes-per-buffer ".length()).trim()));
    }

    /**
     * Creates and closes buffers until warmed up, then prints {@code bytes-per-buffer N}, the least
     * of eight measured stretches (the JDK's per-thread allocation counter), or {@code no-counter}
     * without one.
     * Arguments: backend, device, page size.
     */
    public static void main(String[] args) throws ReflectiveOperationException {
        final long pageSize = Long.parseLong(args[2]);
        final Object threads = Class.forName("java.lang.management.ManagementFactory").getMethod("getThreadMXBean").invoke(null);
        final Method allocatedBytes;
        try {
            allocatedBytes = Class.forName("com.sun.management.ThreadMXBean").getMethod("getCurrentThreadAllocatedBytes");
        } catch (ClassNotFoundException e) {
            System.out.println("no-counter");
            return;
        }
        try (Session session = Session.create(SessionOptions.defaults().withBackend(args[0]).withDevice(args[1])
                .withLeakPolicy(LeakPolicy.IGNORE));
             Memory memory = session.createMemory(EnumSet.of(MemoryPropertyFlag.DEVICE_LOCAL), pageSize, false)) {
            final Buffer[] buffers = new Buffer[1000];
            churn(memory, buffers, 300); // pages, arrays and the JIT warmed up
            allocatedBytes.invoke(threads);
            // The least of several measured stretches: the steady state, without a stretch in which
            // the JIT still compiled (or deoptimised and compiled again) part of the path.
            final int rounds = 20;
            long perBuffer = Long.MAX_VALUE;
            final StringBuilder each = new StringBuilder();
            for (int stretch = 0; stretch < 8; stretch++) {
                final long before = (Long) allocatedBytes.invoke(threads);
                churn(memory, buffers, rounds);
                final long bytes = ((Long) allocatedBytes.invoke(threads) - before) / ((long) rounds * buffers.length);
                each.append(' ').append(bytes);
                perBuffer = Math.min(perBuffer, bytes);
            }
            System.out.println("stretches" + each);
            System.out.println("bytes-per-buffer " + perBuffer);
        }
    }

    /** Creates buffers of 4 KiB to 260 KiB, then closes them all, {@code rounds} times. */
    static void churn(Memory memory, Buffer[] buffers, int rounds) {
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
