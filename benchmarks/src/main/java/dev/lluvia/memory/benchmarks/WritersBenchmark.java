package dev.lluvia.memory.benchmarks;

import dev.lluvia.memory.Buffer;
import dev.lluvia.memory.Memory;
import dev.lluvia.memory.MemoryOptions;
import dev.lluvia.memory.MemoryPropertyFlag;
import dev.lluvia.memory.MemoryUsage;
import dev.lluvia.memory.Session;
import dev.lluvia.memory.SessionOptions;
import org.lwjgl.system.MemoryUtil;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Issue 24's "N threads writing large buffers of one Memory at once proceed in parallel": 1, 2
 * and 4 threads (or {@code --threads}) each write {@code --size} MiB (256) into a buffer of their
 * own in one {@code DEVICE_LOCAL} Memory with {@code Buffer.write}, {@code --rounds} (5) times
 * after one warm-up round, all starting together; reported, per thread count, the bytes of all
 * threads over the time until the last finished (GB/s), and that over one thread's figure. Two
 * sources: the program's own direct {@code ByteBuffer}s (staged: host copies into staging memory,
 * then device copies), and a {@code mapByteBuffer()} of a {@code READBACK} buffer per thread (pinned:
 * device copies only). Where writes take turns the aggregate stays at one thread's; where they
 * proceed side by side it grows until the link or the host's memory is the limit. Memory the host
 * can map (every type of a CPU device such as lavapipe) is written with host copies, not the
 * device's queue: there the figures are the host's memory bandwidth.
 *
 * <p>Run: {@code java -cp benchmarks/target/benchmarks.jar dev.lluvia.memory.benchmarks.WritersBenchmark
 * [--device NAME|INDEX] [--size MIB] [--threads 1,2,4] [--rounds N]}.
 */
public final class WritersBenchmark {

    private WritersBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        String device = null;
        int sizeMib = 256;
        int[] threads = {1, 2, 4};
        int rounds = 5;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--device" -> device = args[++i];
                case "--size" -> sizeMib = Integer.parseInt(args[++i]);
                case "--threads" -> threads = Arrays.stream(args[++i].split(",")).mapToInt(Integer::parseInt).toArray();
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                default -> {
                    System.err.println("unknown argument " + args[i]
                            + "; usage: WritersBenchmark [--device NAME|INDEX] [--size MIB] [--threads 1,2,4] [--rounds N]");
                    System.exit(2);
                }
            }
        }
        final SessionOptions options = OnDevice.session(device);
        final int size = sizeMib << 20;
        final int most = Arrays.stream(threads).max().orElse(1);
        try (Session session = Session.create(options);
             Memory memory = session.createMemory(MemoryOptions.of(EnumSet.of(MemoryPropertyFlag.DEVICE_LOCAL)));
             Memory host = session.createMemory(MemoryOptions.of(MemoryUsage.READBACK))) {
            System.out.printf(Locale.ROOT, "Device: %s; each thread writes %d MiB into its own buffer of one %s Memory;"
                    + " median of %d rounds%n%n", session.device().name(), sizeMib, memory.memoryFlags(), rounds);
            List<ByteBuffer> plain = new ArrayList<>();
            List<Buffer> pinned = new ArrayList<>();
            List<Buffer> targets = new ArrayList<>();
            for (int t = 0; t < most; t++) {
                ByteBuffer b = MemoryUtil.memAlloc(size);
                for (int i = 0; i < size; i += 8) {
                    b.putLong(i, (i + t) * 0x9E3779B97F4A7C15L);
                }
                plain.add(b);
                Buffer p = host.createBuffer(size);
                p.mapByteBuffer().put(b.duplicate());
                pinned.add(p);
                targets.add(memory.createBuffer(size));
            }
            System.out.println("| source | threads | GB/s, all threads | over one thread |");
            System.out.println("|---|---:|---:|---:|");
            ExecutorService pool = Executors.newFixedThreadPool(most);
            try {
                for (String source : new String[] {"the program's direct ByteBuffer (staged)", "mapByteBuffer() of READBACK memory (pinned)"}) {
                    double one = 0;
                    for (int n : threads) {
                        double[] rates = new double[rounds];
                        for (int r = -1; r < rounds; r++) {
                            double rate = round(pool, n, size, targets, t -> source.endsWith("(staged)")
                                    ? plain.get(t).duplicate() : pinned.get(t).mapByteBuffer());
                            if (r >= 0) {
                                rates[r] = rate;
                            }
                        }
                        Arrays.sort(rates);
                        double median = rates[rounds / 2];
                        if (n == 1) {
                            one = median;
                        }
                        System.out.printf(Locale.ROOT, "| %s | %d | %.2f | %s |%n", source, n, median,
                                one > 0 ? String.format(Locale.ROOT, "%.2f", median / one) : "-");
                    }
                }
            } finally {
                pool.shutdownNow();
                for (ByteBuffer b : plain) {
                    MemoryUtil.memFree(b);
                }
                for (Buffer b : targets) {
                    b.close();
                }
                for (Buffer b : pinned) {
                    b.close();
                }
            }
        }
    }

    /** One round: {@code n} threads write their source into their target at once; GB/s of all over the time to the last. */
    private static double round(ExecutorService pool, int n, int size, List<Buffer> targets,
                                java.util.function.IntFunction<ByteBuffer> source) throws Exception {
        CyclicBarrier start = new CyclicBarrier(n + 1);
        List<Future<?>> writes = new ArrayList<>();
        for (int t = 0; t < n; t++) {
            final int thread = t;
            writes.add(pool.submit(() -> {
                ByteBuffer src = source.apply(thread);
                start.await();
                targets.get(thread).write(0, src);
                return null;
            }));
        }
        start.await();
        long t0 = System.nanoTime();
        for (Future<?> f : writes) {
            f.get();
        }
        return (double) size * n / (System.nanoTime() - t0);
    }
}
