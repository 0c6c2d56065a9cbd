package dev.lluvia.memory.sim;

import dev.lluvia.memory.Buffer;
import dev.lluvia.memory.LeakPolicy;
import dev.lluvia.memory.Memory;
import dev.lluvia.memory.MemoryPropertyFlag;
import dev.lluvia.memory.Session;
import dev.lluvia.memory.SessionOptions;

import java.lang.reflect.Method;
import java.util.EnumSet;

/**
 * Run by {@link CreateCloseAllocationTest} in a JVM of its own: creates and closes buffers on the
 * sim until warmed up, then prints {@code bytes-per-buffer N} for the measured rounds (the JDK's
 * per-thread allocation counter), or {@code no-counter} without one. Argument: the page size.
 */
public final class CreateCloseAllocationProbe {

    private CreateCloseAllocationProbe() {
    }

    public static void main(String[] args) throws ReflectiveOperationException {
        final long pageSize = Long.parseLong(args[0]);
        final Object threads = Class.forName("java.lang.management.ManagementFactory").getMethod("getThreadMXBean").invoke(null);
        final Method allocatedBytes;
        try {
            allocatedBytes = Class.forName("com.sun.management.ThreadMXBean").getMethod("getCurrentThreadAllocatedBytes");
        } catch (ClassNotFoundException e) {
            System.out.println("no-counter");
            return;
        }
        try (Session session = Session.create(SessionOptions.defaults().withBackend("sim").withDevice("nvidia-h100")
                .withLeakPolicy(LeakPolicy.IGNORE));
             Memory memory = session.createMemory(EnumSet.of(MemoryPropertyFlag.DEVICE_LOCAL), pageSize, false)) {
            final Buffer[] buffers = new Buffer[1000];
            churn(memory, buffers, 50); // pages, arrays and the JIT warmed up
            allocatedBytes.invoke(threads);
            final long before = (Long) allocatedBytes.invoke(threads);
            final int rounds = 50;
            churn(memory, buffers, rounds);
            final long perBuffer = ((Long) allocatedBytes.invoke(threads) - before) / ((long) rounds * buffers.length);
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
