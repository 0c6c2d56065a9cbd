package dev.lluvia.memory.benchmarks;

import static dev.lluvia.memory.benchmarks.OnDevice.check;
import static org.lwjgl.vulkan.VK10.*;

import dev.lluvia.memory.Buffer;
import dev.lluvia.memory.Memory;
import dev.lluvia.memory.MemoryPropertyFlag;
import dev.lluvia.memory.Session;
import dev.lluvia.memory.SessionOptions;
import dev.lluvia.memory.vulkan.VulkanBackend;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Locale;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicLong;
import org.lwjgl.PointerBuffer;
import org.lwjgl.system.MemoryStack;
import org.lwjgl.system.MemoryUtil;
import org.lwjgl.util.vma.Vma;
import org.lwjgl.util.vma.VmaAllocationCreateInfo;
import org.lwjgl.util.vma.VmaPoolCreateInfo;
import org.lwjgl.vulkan.VK10;
import org.lwjgl.vulkan.VK11;
import org.lwjgl.vulkan.VkBufferCreateInfo;
import org.lwjgl.vulkan.VkBufferMemoryRequirementsInfo2;
import org.lwjgl.vulkan.VkDevice;
import org.lwjgl.vulkan.VkMemoryAllocateInfo;
import org.lwjgl.vulkan.VkMemoryDedicatedRequirements;
import org.lwjgl.vulkan.VkMemoryRequirements;
import org.lwjgl.vulkan.VkMemoryRequirements2;

/**
 * Many threads creating and closing device-local buffers on one {@code VkDevice}, as a plain
 * program printing Markdown: for 1, 2, 4, 8 and 16 threads (or {@code --threads}), each thread
 * repeatedly creates {@value #BATCH} buffers of 4 KiB to 260 KiB and closes them, for
 * {@code --millis} (500) per configuration after a warm-up of the same length (and, before any row,
 * 4 x millis of each peer on two threads, for the JIT), {@code --windows} (5) times per
 * configuration, the peers taking turns window by window (forward, then backward), the median
 * reported: one window of one thread moved by up to 2x between runs on a shared host, for every
 * peer alike. The comparisons the targets make are also reported paired, window by window: a ratio
 * between two peers measured seconds apart moves less than either peer's own figure. Five peers:
 *
 * <ul>
 *   <li>(a) the library, one Memory (32 MiB pages) shared by all threads;</li>
 *   <li>(b) the library, one Memory per thread;</li>
 *   <li>(a) VMA, one allocator, {@code vmaCreateBuffer}/{@code vmaDestroyBuffer} from every thread;</li>
 *   <li>(b) VMA, one allocator with one {@code VmaPool} per thread;</li>
 *   <li>the driver alone, the ceiling of (b): each thread makes the same driver calls per buffer
 *       as the library's Vulkan backend ({@code vkCreateBuffer} with the same create info,
 *       {@code vkGetBufferMemoryRequirements2} with {@code VkMemoryDedicatedRequirements},
 *       {@code vkBindBufferMemory}, then {@code vkDestroyBuffer}) into its own 32 MiB
 *       {@code VkDeviceMemory} of the memory type the library chooses, allocated before the row is
 *       timed, at a bump offset aligned as the requirements say and reset after each batch; no
 *       allocator, no lock, no Java objects per buffer. What it cannot reach is the driver's.</li>
 * </ul>
 * Reported: millions of buffers (create + close) per second, over all threads; the scaling column
 * is that divided by the one-thread figure times the thread count.
 *
 * <p>Run: {@code java -cp <all jars> dev.lluvia.memory.benchmarks.ThreadBenchmark [--device NAME|INDEX]
 * [--threads 1,2,4,8,16] [--millis N] [--windows N] [--each-window]}; {@code --each-window} also prints every
 * window of every peer, with the garbage collections in it. With {@code --interleaved PAIRS} instead, item 4b's
 * comparison alone, the two peers' slices interleaved on the same threads (see {@code interleaved}); with
 * {@code --cpu ROUNDS [--cpu-peer INDEX]} instead, the
 * one-thread cost of a create + close per peer in CPU time (see {@code cpuTimes}). Run both with
 * {@code -XX:+AlwaysPreTouch}: the library makes garbage per buffer and the peers make none, so in
 * a short run without it the kernel's first touch of fresh heap pages (page faults, counted in the
 * thread's CPU time, and contended between threads) weighs on the library alone, a cost a program
 * that runs longer pays once.
 */
public final class ThreadBenchmark {

    static final int BATCH = 64;
    private static final int USAGE = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_TRANSFER_SRC_BIT
            | VK_BUFFER_USAGE_TRANSFER_DST_BIT;
    private static final long PAGE = 32L << 20;

    private ThreadBenchmark() {
    }

    /** One thread's work: create and close BATCH buffers; returns when done. */
    private interface Worker {
        void round(int thread, long[] sizes);
    }

    /** Makes the per-configuration state (memories, pools) and tears it down. */
    private interface Peer extends AutoCloseable {
        Worker worker(int threads);

        @Override
        void close();
    }

    public static void main(String[] args) throws Exception {
        String device = null;
        int[] threadCounts = {1, 2, 4, 8, 16};
        long millis = 500;
        int windows = 5;
        int cpuRounds = 0;
        int cpuPeer = -1;
        int interleavedPairs = 0;
        boolean eachWindow = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--device" -> device = args[++i];
                case "--cpu" -> cpuRounds = Integer.parseInt(args[++i]);
                case "--cpu-peer" -> cpuPeer = Integer.parseInt(args[++i]);
                case "--threads" -> threadCounts = Arrays.stream(args[++i].split(",")).mapToInt(Integer::parseInt).toArray();
                case "--millis" -> millis = Long.parseLong(args[++i]);
                case "--windows" -> windows = Integer.parseInt(args[++i]);
                case "--each-window" -> eachWindow = true;
                case "--interleaved" -> interleavedPairs = Integer.parseInt(args[++i]);
                default -> {
                    System.err.println("unknown argument " + args[i]
                            + "; usage: ThreadBenchmark [--device NAME|INDEX] [--threads 1,2,...] [--millis N] [--windows N]"
                            + " [--each-window] [--interleaved PAIRS] [--cpu ROUNDS [--cpu-peer INDEX]]");
                    System.exit(2);
                }
            }
        }
        if (interleavedPairs < 0 || interleavedPairs % 8 != 0) {
            System.err.println("--interleaved " + interleavedPairs + ": a positive multiple of 8 pairs, so that each quarter"
                    + " of the run (its spread) holds whole ABBA groups");
            System.exit(2);
        }
        final SessionOptions options = OnDevice.session(device);
        final long[] sizes = Workloads.gpuBufferSizes(BATCH);
        try (Session session = Session.create(options)) {
            final VulkanBackend vk = session.unwrap(VulkanBackend.class).orElseThrow();
            if (cpuRounds > 0) {
                cpuTimes(session, vk, sizes, cpuRounds, cpuPeer);
                return;
            }
            if (interleavedPairs > 0) {
                interleaved(session, vk, sizes, threadCounts, interleavedPairs, eachWindow);
                return;
            }
            System.out.printf(Locale.ROOT, "Device: %s; %d cores; each thread creates %d buffers of 4 KiB..260 KiB, then"
                    + " closes them, for %d ms (after as long a warm-up), median of %d such windows, the peers in turn%n%n",
                    session.device().name(), Runtime.getRuntime().availableProcessors(), BATCH, millis, windows);
            final String[] names = {"library (a): one shared Memory", "library (b): one Memory per thread",
                "VMA (a): one allocator", "VMA (b): one VmaPool per thread",
                "driver only: create + requirements + bind + destroy, one VkDeviceMemory per thread"};
            // The JIT first: every peer's path compiled before any row is timed.
            for (int p = 0; p < names.length; p++) {
                try (Peer peer = peer(p, session, vk)) {
                    run(peer.worker(2), 2, sizes, 4 * millis);
                }
            }
            final double[][] mops = new double[names.length][threadCounts.length];
            final double[][] cpuNs = new double[names.length][threadCounts.length];
            // Per window, the two comparisons the targets make, each between peers measured seconds
            // apart: (a) library / VMA, (b) library / driver only.
            final double[][] pairedA = new double[threadCounts.length][windows];
            final double[][] pairedB = new double[threadCounts.length][windows];
            for (int t = 0; t < threadCounts.length; t++) {
                final int n = threadCounts[t];
                final double[][] samples = new double[names.length][windows];
                final double[][] cpuSamples = new double[names.length][windows];
                final StringBuilder windowRows = new StringBuilder();
                for (int w = 0; w < windows; w++) {
                    // Forward in even windows, backward in odd ones: a host that speeds up or slows
                    // down over a window favours no peer over the windows.
                    for (int i = 0; i < names.length; i++) {
                        final int p = w % 2 == 0 ? i : names.length - 1 - i;
                        try (Peer peer = peer(p, session, vk)) {
                            final Worker worker = peer.worker(n);
                            run(worker, n, sizes, millis); // warm-up
                            final double[] r = run(worker, n, sizes, millis);
                            samples[p][w] = r[0];
                            cpuSamples[p][w] = r[1];
                            if (eachWindow) {
                                windowRows.append(String.format(Locale.ROOT, "| %d | %d | %s | %.2f | %.0f | %.0f | %.0f |%n",
                                        n, w + 1, names[p], r[0], r[1], r[2], r[3]));
                            }
                        }
                    }
                    pairedA[t][w] = samples[0][w] / samples[2][w];
                    pairedB[t][w] = samples[1][w] / samples[4][w];
                }
                if (eachWindow) {
                    if (t == 0) {
                        System.out.println("| threads | window | peer | M/s | CPU ns a buffer | collections | collection ms |\n"
                                + "|---:|---:|---|---:|---:|---:|---:|");
                    }
                    System.out.print(windowRows);
                    if (t == threadCounts.length - 1) {
                        System.out.println();
                    }
                }
                for (int p = 0; p < names.length; p++) {
                    mops[p][t] = median(samples[p]);
                    cpuNs[p][t] = median(cpuSamples[p]);
                }
            }
            System.out.print("| peer |");
            for (int n : threadCounts) {
                System.out.print(" " + n + " thr (M/s) | scaling |");
            }
            System.out.println();
            System.out.print("|---|");
            for (int ignored : threadCounts) {
                System.out.print("---:|---:|");
            }
            System.out.println();
            for (int p = 0; p < names.length; p++) {
                System.out.print("| " + names[p] + " |");
                for (int t = 0; t < threadCounts.length; t++) {
                    System.out.printf(Locale.ROOT, " %.2f | %.2f |", mops[p][t],
                            mops[p][t] / (mops[p][0] / threadCounts[0] * threadCounts[t]));
                }
                System.out.println();
            }
            System.out.println();
            for (int t = 0; t < threadCounts.length; t++) {
                System.out.printf(Locale.ROOT, "%d threads: library/VMA throughput (a) %.2f, (b) %.2f;"
                                + " library (b) / driver only %.2f%n", threadCounts[t],
                        mops[0][t] / mops[2][t], mops[1][t] / mops[3][t], mops[1][t] / mops[4][t]);
            }
            // The same comparisons window by window (the medians of the per-window ratios, and their
            // range). (b)'s scaling against the driver's, the ratio of ratios, is the paired ratio at
            // n threads over the paired ratio at the first count.
            System.out.printf(Locale.ROOT, "%nPaired, window by window (median [min, max] of %d windows):%n%n"
                    + "| threads | library / VMA, (a) | library (b) / driver only | (b) scaling / driver's scaling |%n"
                    + "|---:|---:|---:|---:|%n", windows);
            final double firstB = median(pairedB[0]);
            for (int t = 0; t < threadCounts.length; t++) {
                final double b = median(pairedB[t]);
                System.out.printf(Locale.ROOT, "| %d | %.2f [%.2f, %.2f] | %.2f [%.2f, %.2f] | %.2f |%n", threadCounts[t],
                        median(pairedA[t]), min(pairedA[t]), max(pairedA[t]),
                        b, min(pairedB[t]), max(pairedB[t]), b / firstB);
            }
            // Where the time goes when a row scales badly: the threads' own CPU time per buffer
            // grows with contention (locks, shared cache lines, a core's other hardware thread); a
            // flat CPU time under a falling throughput means the threads were not running.
            System.out.print("\nThread CPU time per create + close, ns (median of the windows; all threads' CPU time over"
                    + " all their buffers):\n\n| peer |");
            for (int n : threadCounts) {
                System.out.print(" " + n + " thr |");
            }
            System.out.print("\n|---|");
            for (int ignored : threadCounts) {
                System.out.print("---:|");
            }
            System.out.println();
            for (int p = 0; p < names.length; p++) {
                System.out.print("| " + names[p] + " |");
                for (int t = 0; t < threadCounts.length; t++) {
                    System.out.printf(Locale.ROOT, " %.0f |", cpuNs[p][t]);
                }
                System.out.println();
            }
        }
    }

    /** One slice of {@code --interleaved}, in milliseconds. */
    static final long SLICE_MILLIS = 50;

    /** Pairs of slices run and not recorded at each thread count of {@code --interleaved}, first. */
    static final int WARM_PAIRS = 10;

    /**
     * {@code --interleaved PAIRS}: item 4b's comparison, the scaling of (b) (one Memory per thread)
     * against the driver-only peer's, measured so that what the host does meanwhile falls on both
     * alike. At each thread count both peers are set up once and the same threads run them in turn,
     * all threads on the same peer at a time, in slices of {@value #SLICE_MILLIS} ms in ABBA order
     * ((b), driver, driver, (b), ...): {@value #WARM_PAIRS} pairs unrecorded, then PAIRS pairs (a
     * multiple of 8, so that each quarter of them holds whole ABBA groups).
     *
     * <p>Why not the windows of the main table: there each peer is set up anew and runs on new
     * threads, and a peer's window is a second or more from the other's. On the 16-vCPU GPU hosts
     * one thread's figure for the same code moved by up to 1.8x from window to window (276 to 489 ns
     * a buffer in one run), and the one-thread paired ratio, the denominator of every ratio of
     * ratios, inherited that: the host has stalls of 50-200 ms in which a core runs at a third of its
     * speed. Here a thread keeps its core for both peers, and the two slices of a pair are 50 ms
     * apart, so a stall falls on both peers' slices alike as often.
     *
     * <p>A peer's throughput is all its recorded slices' buffers over their time, collections
     * included where they fell (the library's slices: only it allocates), not a median of slices,
     * which would leave out the slices a collection fell in. Reported per thread count: each peer's
     * throughput and thread CPU time a buffer, the collections in its slices, (b) / driver, that
     * ratio over each quarter of the pairs (its spread), and the ratio of ratios: (b) / driver at n
     * threads over the same at the first count. With {@code --each-window}, every recorded slice too,
     * with the JVM's uptime at its start (to set beside {@code -Xlog} or {@code -XX:+PrintCompilation}
     * output) and the collections in it.
     */
    private static void interleaved(Session session, VulkanBackend vk, long[] sizes, int[] threadCounts, int pairs,
                                    boolean eachSlice) throws Exception {
        final StringBuilder sliceRows = new StringBuilder();
        final java.lang.management.RuntimeMXBean runtime = ManagementFactory.getRuntimeMXBean();
        System.out.printf(Locale.ROOT, "Device: %s; %d cores; library (b), one Memory per thread, and the driver-only peer"
                + " in turn on the same threads, slices of %d ms in ABBA order, %d pairs after %d unrecorded; each thread"
                + " creates %d buffers of 4 KiB..260 KiB, then closes them%n%n| threads | (b) M/s | driver M/s |"
                + " (b) CPU ns a buffer | driver CPU ns a buffer | collections in (b) / driver slices | (b) / driver"
                + " [quarters' min, max] | ratio of ratios |%n|---:|---:|---:|---:|---:|---:|---:|---:|%n",
                session.device().name(), Runtime.getRuntime().availableProcessors(), SLICE_MILLIS, pairs, WARM_PAIRS, BATCH);
        for (int p : new int[] {1, 4}) { // the JIT first, as for the main table
            try (Peer peer = peer(p, session, vk)) {
                run(peer.worker(2), 2, sizes, 2000);
            }
        }
        double first = Double.NaN;
        for (final int n : threadCounts) {
            final long[] buffers = new long[2];
            final long[] nanos = new long[2];
            final long[] cpu = new long[2];
            final long[] gcs = new long[2];
            final long[][] quarterBuffers = new long[4][2];
            final long[][] quarterNanos = new long[4][2];
            try (Peer library = new LibraryPeer(session, false); Peer driver = new DriverPeer(session, vk);
                 Slices slices = new Slices(new Worker[] {library.worker(n), driver.worker(n)}, n, sizes)) {
                for (int i = -2 * WARM_PAIRS; i < 2 * pairs; i++) {
                    final int p = (i & 3) == 0 || (i & 3) == 3 ? 0 : 1;
                    final long gc0 = collections()[0];
                    final long at = runtime.getUptime();
                    final long[] r = slices.run(p);
                    if (i >= 0) {
                        buffers[p] += r[0];
                        nanos[p] += r[1];
                        cpu[p] += r[2];
                        final long gc = collections()[0] - gc0;
                        gcs[p] += gc;
                        if (eachSlice) {
                            sliceRows.append(String.format(Locale.ROOT, "| %d | %d | %s | %d | %.2f | %.0f | %d |%n", n, i + 1,
                                    p == 0 ? "library (b)" : "driver only", at, throughput(r[0], r[1]),
                                    r[2] / (double) r[0], gc));
                        }
                        final int q = Math.min(3, i * 4 / (2 * pairs));
                        quarterBuffers[q][p] += r[0];
                        quarterNanos[q][p] += r[1];
                    }
                }
            }
            final double ratio = throughput(buffers[0], nanos[0]) / throughput(buffers[1], nanos[1]);
            double low = Double.MAX_VALUE;
            double high = 0;
            for (int q = 0; q < 4; q++) {
                final double r = throughput(quarterBuffers[q][0], quarterNanos[q][0])
                        / throughput(quarterBuffers[q][1], quarterNanos[q][1]);
                low = Math.min(low, r);
                high = Math.max(high, r);
            }
            if (Double.isNaN(first)) {
                first = ratio;
            }
            System.out.printf(Locale.ROOT, "| %d | %.2f | %.2f | %.0f | %.0f | %d / %d | %.3f [%.3f, %.3f] | %.3f |%n", n,
                    throughput(buffers[0], nanos[0]), throughput(buffers[1], nanos[1]), cpu[0] / (double) buffers[0],
                    cpu[1] / (double) buffers[1], gcs[0], gcs[1], ratio, low, high, ratio / first);
        }
        if (eachSlice) {
            System.out.print("\n| threads | slice | peer | JVM uptime at start, ms | M/s | CPU ns a buffer | collections |\n"
                    + "|---:|---:|---|---:|---:|---:|---:|\n" + sliceRows);
        }
    }

    /** Millions of buffers a second. */
    private static double throughput(long buffers, long nanos) {
        return buffers * 1e3 / nanos;
    }

    /**
     * The threads of {@code --interleaved}: started once, each runs the peer it is told, slice by
     * slice, so that it stays where the scheduler put it for every peer.
     */
    private static final class Slices implements AutoCloseable {
        private final Worker[] workers;
        private final CyclicBarrier start;
        private final CyclicBarrier end;
        private final Thread[] threads;
        private final long[] buffers;
        private final long[] elapsed;
        private final long[] cpu;
        private final Throwable[] failure = new Throwable[1];
        private volatile int peer;
        private volatile boolean stop;

        Slices(Worker[] workers, int n, long[] sizes) {
            this.workers = workers;
            this.start = new CyclicBarrier(n + 1);
            this.end = new CyclicBarrier(n + 1);
            this.threads = new Thread[n];
            // One slot per thread, 16 slots apart (128 bytes): threads write their own only.
            this.buffers = new long[16 * (n + 1)];
            this.elapsed = new long[16 * (n + 1)];
            this.cpu = new long[16 * (n + 1)];
            final ThreadMXBean mx = ManagementFactory.getThreadMXBean();
            for (int i = 0; i < n; i++) {
                final int id = i;
                final int slot = 16 * (i + 1);
                threads[i] = new Thread(() -> {
                    try {
                        while (true) {
                            start.await();
                            if (stop) {
                                return;
                            }
                            // A failing slice still reaches the end barrier, so that no one waits
                            // for it; run() then throws what it threw.
                            try {
                                final long[] r = rounds(this.workers[peer], id, sizes, SLICE_MILLIS, mx);
                                buffers[slot] = r[0];
                                elapsed[slot] = r[1];
                                cpu[slot] = r[2];
                            } catch (Throwable e) {
                                synchronized (failure) {
                                    if (failure[0] == null) {
                                        failure[0] = e;
                                    }
                                }
                            }
                            end.await();
                        }
                    } catch (InterruptedException | java.util.concurrent.BrokenBarrierException e) {
                        // the run is over
                    }
                }, "slice-" + i);
                threads[i].start();
            }
        }

        /** Runs one slice of peer {@code p} on every thread; returns {buffers, the longest thread's ns, CPU ns}. */
        long[] run(int p) throws Exception {
            peer = p;
            start.await();
            end.await();
            synchronized (failure) {
                if (failure[0] != null) {
                    throw new IllegalStateException("a benchmark thread failed", failure[0]);
                }
            }
            long total = 0;
            long longest = 0;
            long cpuTotal = 0;
            for (int i = 1; i <= threads.length; i++) {
                total += buffers[16 * i];
                longest = Math.max(longest, elapsed[16 * i]);
                cpuTotal += cpu[16 * i];
            }
            return new long[] {total, longest, cpuTotal};
        }

        @Override
        public void close() throws Exception {
            stop = true;
            start.await(); // every thread is at the start barrier between slices, failed or not
            for (Thread t : threads) {
                t.join();
            }
        }
    }

    private static double median(double[] values) {
        final double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    private static double min(double[] values) {
        return Arrays.stream(values).min().orElse(Double.NaN);
    }

    private static double max(double[] values) {
        return Arrays.stream(values).max().orElse(Double.NaN);
    }

    /**
     * {@code --cpu ROUNDS}: one thread, the cost of one create + close by each peer in this
     * thread's CPU time ({@code ThreadMXBean}), which a loaded machine's other processes do not
     * inflate as they do wall time: the peers take turns batch by batch, ROUNDS batches of
     * {@value #BATCH} each after as many for the JIT and a full collection; medians of the batches, and the library's
     * heap bytes allocated per create + close. The library's part above the driver-only peer is
     * what the library's Java costs. {@code --cpu-peer INDEX} (0-3, the table's rows) runs that peer
     * alone, for a profiler; the table then has its row only.
     */
    private static void cpuTimes(Session session, VulkanBackend vk, long[] sizes, int rounds, int only) {
        final com.sun.management.ThreadMXBean mx =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        final String[] names = {"library, 32 MiB pages", "library, 256 MiB pages", "VMA (vmaCreateBuffer)",
            "driver only: create + requirements + bind + destroy"};
        final Peer[] peers = {new LibraryPeer(session, false, PAGE), new LibraryPeer(session, false, 256L << 20),
            new VmaPeer(vk, false), new DriverPeer(session, vk)};
        try {
            final Worker[] workers = new Worker[peers.length];
            for (int p = 0; p < peers.length; p++) {
                workers[p] = peers[p].worker(1);
            }
            final double[][] ns = new double[peers.length][rounds];
            long libraryBytes = 0;
            for (int r = -rounds; r < rounds; r++) {
                if (r == 0) {
                    // The Memories' long-lived objects old, as in a program that has run a while: a
                    // young object stored into an old one costs G1's write barrier more than into a
                    // young one, and a short run would not collect before it measures.
                    System.gc();
                }
                for (int p = 0; p < peers.length; p++) {
                    if (only >= 0 && p != only) {
                        continue;
                    }
                    final long bytes = mx.getCurrentThreadAllocatedBytes();
                    final long t0 = mx.getCurrentThreadCpuTime();
                    workers[p].round(0, sizes);
                    final long t1 = mx.getCurrentThreadCpuTime();
                    if (r >= 0) {
                        ns[p][r] = (t1 - t0) / (double) sizes.length;
                        if (p == 0) {
                            libraryBytes += mx.getCurrentThreadAllocatedBytes() - bytes;
                        }
                    }
                }
            }
            System.out.printf(Locale.ROOT, "Device: %s; one thread, %d batches of %d buffers of 4 KiB..260 KiB created then"
                    + " closed, per peer in turn; thread CPU time%n%n| peer | ns per create + close (median) |"
                    + " / VMA | / driver only |%n|---|---:|---:|---:|%n", session.device().name(), rounds, BATCH);
            final double[] median = new double[peers.length];
            for (int p = 0; p < peers.length; p++) {
                final double[] sorted = ns[p].clone();
                Arrays.sort(sorted);
                median[p] = sorted[rounds / 2];
            }
            for (int p = 0; p < peers.length; p++) {
                if (only < 0) {
                    System.out.printf(Locale.ROOT, "| %s | %.0f | %.2f | %.2f |%n", names[p], median[p],
                            median[p] / median[2], median[p] / median[3]);
                } else if (p == only) {
                    System.out.printf(Locale.ROOT, "| %s | %.0f | | |%n", names[p], median[p]);
                }
            }
            if (only < 0) {
                System.out.printf(Locale.ROOT, "%nlibrary's Java per create + close (32 MiB pages, above the driver-only"
                        + " peer): %.0f ns", median[0] - median[3]);
            }
            if (only <= 0) {
                System.out.printf(Locale.ROOT, "%nheap allocated per create + close (library, 32 MiB pages): %.0f bytes%n",
                        libraryBytes / (double) rounds / sizes.length);
            }
        } finally {
            for (Peer p : peers) {
                p.close();
            }
        }
    }

    /**
     * Runs {@code threads} threads for {@code millis}; returns {millions of buffers created and
     * closed per second over all threads, the threads' CPU nanoseconds per buffer, the garbage
     * collections meanwhile and their milliseconds}.
     */
    private static double[] run(Worker worker, int threads, long[] sizes, long millis) throws Exception {
        final ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        final long[] gc0 = collections();
        final CyclicBarrier start = new CyclicBarrier(threads + 1);
        final AtomicLong done = new AtomicLong();
        final AtomicLong cpu = new AtomicLong();
        final long[] elapsed = new long[threads];
        final Throwable[] failure = new Throwable[1];
        final Thread[] pool = new Thread[threads];
        for (int i = 0; i < threads; i++) {
            final int id = i;
            pool[i] = new Thread(() -> {
                try {
                    start.await();
                    final long[] r = rounds(worker, id, sizes, millis, mx);
                    elapsed[id] = r[1];
                    cpu.addAndGet(r[2]);
                    done.addAndGet(r[0]);
                } catch (Throwable e) {
                    synchronized (failure) {
                        failure[0] = e;
                    }
                }
            }, "bench-" + i);
            pool[i].start();
        }
        start.await();
        for (Thread t : pool) {
            t.join();
        }
        if (failure[0] != null) {
            throw new IllegalStateException("a benchmark thread failed", failure[0]);
        }
        final long longest = Arrays.stream(elapsed).max().orElse(1);
        final long[] gc = collections();
        return new double[] {throughput(done.get(), longest), cpu.get() / (double) done.get(), gc[0] - gc0[0], gc[1] - gc0[1]};
    }

    /**
     * Rounds of {@code worker} on the calling thread, as thread {@code id}, until {@code millis} have
     * passed; returns {buffers created and closed, nanoseconds elapsed, this thread's CPU nanoseconds}.
     */
    private static long[] rounds(Worker worker, int id, long[] sizes, long millis, ThreadMXBean mx) {
        final long c0 = mx.getCurrentThreadCpuTime();
        final long t0 = System.nanoTime();
        final long deadline = t0 + millis * 1_000_000L;
        long rounds = 0;
        long now;
        do {
            worker.round(id, sizes);
            rounds++;
            now = System.nanoTime();
        } while (now < deadline);
        return new long[] {rounds * sizes.length, now - t0, mx.getCurrentThreadCpuTime() - c0};
    }

    /** {collections so far, their milliseconds}, over all the JVM's collectors. */
    private static long[] collections() {
        long count = 0;
        long millis = 0;
        for (java.lang.management.GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            count += Math.max(0, gc.getCollectionCount());
            millis += Math.max(0, gc.getCollectionTime());
        }
        return new long[] {count, millis};
    }

    private static Peer peer(int kind, Session session, VulkanBackend vk) {
        return switch (kind) {
            case 0 -> new LibraryPeer(session, true);
            case 1 -> new LibraryPeer(session, false);
            case 2 -> new VmaPeer(vk, false);
            case 3 -> new VmaPeer(vk, true);
            default -> new DriverPeer(session, vk);
        };
    }

    /** The driver's calls only, per thread into its own VkDeviceMemory; see the class Javadoc. */
    private static final class DriverPeer implements Peer {
        private final VkDevice device;
        private final int memoryType;
        private long[] memories = new long[0];
        private VkBufferCreateInfo[] infos = new VkBufferCreateInfo[0];
        private VkBufferMemoryRequirementsInfo2[] reqInfos = new VkBufferMemoryRequirementsInfo2[0];
        private VkMemoryRequirements2[] reqs = new VkMemoryRequirements2[0];
        private VkMemoryDedicatedRequirements[] dedicated = new VkMemoryDedicatedRequirements[0];
        private long[] out = new long[0];
        private long[] blocks = new long[0];

        DriverPeer(Session session, VulkanBackend vk) {
            this.device = vk.vkDevice();
            // The type a library Memory of the same flags gets, so that both bind into the same heap.
            try (Memory probe = session.createMemory(EnumSet.of(MemoryPropertyFlag.DEVICE_LOCAL), PAGE, false)) {
                this.memoryType = probe.memoryType().index();
            }
        }

        @Override
        public Worker worker(int threads) {
            memories = new long[threads];
            infos = new VkBufferCreateInfo[threads];
            reqInfos = new VkBufferMemoryRequirementsInfo2[threads];
            reqs = new VkMemoryRequirements2[threads];
            dedicated = new VkMemoryDedicatedRequirements[threads];
            out = new long[threads];
            blocks = new long[threads];
            try (MemoryStack stack = MemoryStack.stackPush()) {
                final VkMemoryAllocateInfo alloc = VkMemoryAllocateInfo.calloc(stack).sType$Default()
                        .allocationSize(PAGE).memoryTypeIndex(memoryType);
                final java.nio.LongBuffer p = stack.mallocLong(1);
                for (int i = 0; i < threads; i++) {
                    check(vkAllocateMemory(device, alloc, null, p), "vkAllocateMemory");
                    memories[i] = p.get(0);
                    final long block = blocks[i] = perThread();
                    long at = block;
                    infos[i] = VkBufferCreateInfo.create(at).sType$Default().usage(USAGE).sharingMode(VK_SHARING_MODE_EXCLUSIVE);
                    at += VkBufferCreateInfo.SIZEOF;
                    reqInfos[i] = VkBufferMemoryRequirementsInfo2.create(at).sType$Default();
                    at += VkBufferMemoryRequirementsInfo2.SIZEOF;
                    dedicated[i] = VkMemoryDedicatedRequirements.create(at).sType$Default();
                    at += VkMemoryDedicatedRequirements.SIZEOF;
                    reqs[i] = VkMemoryRequirements2.create(at).sType$Default().pNext(dedicated[i].address());
                    at += VkMemoryRequirements2.SIZEOF;
                    out[i] = at;
                }
            }
            final long[][] buffers = new long[threads][];
            return (thread, sizes) -> {
                final VkBufferCreateInfo ci = infos[thread];
                final VkBufferMemoryRequirementsInfo2 ri = reqInfos[thread];
                final VkMemoryRequirements2 req = reqs[thread];
                final long memory = memories[thread];
                final long o = out[thread];
                long[] b = buffers[thread];
                if (b == null) { // made by its thread: see perThread
                    b = buffers[thread] = new long[GAP + BATCH + GAP];
                }
                long offset = 0;
                for (int i = 0; i < sizes.length; i++) {
                    ci.size(sizes[i]);
                    check(VK10.nvkCreateBuffer(device, ci.address(), 0, o), "vkCreateBuffer");
                    final long buffer = MemoryUtil.memGetLong(o);
                    b[GAP + i] = buffer;
                    ri.buffer(buffer);
                    VK11.nvkGetBufferMemoryRequirements2(device, ri.address(), req.address());
                    final VkMemoryRequirements r = req.memoryRequirements();
                    final long alignment = r.alignment();
                    offset = (offset + alignment - 1) / alignment * alignment;
                    check(vkBindBufferMemory(device, buffer, memory, offset), "vkBindBufferMemory");
                    offset += r.size();
                }
                for (int i = 0; i < sizes.length; i++) {
                    VK10.nvkDestroyBuffer(device, b[GAP + i], 0);
                }
            };
        }

        @Override
        public void close() {
            for (int i = 0; i < memories.length; i++) {
                vkFreeMemory(device, memories[i], null);
                MemoryUtil.nmemAlignedFree(blocks[i]);
            }
        }
    }

    private static final class LibraryPeer implements Peer {
        private final Session session;
        private final boolean shared;
        private final long pageSize;
        private Memory[] memories = new Memory[0];

        LibraryPeer(Session session, boolean shared) {
            this(session, shared, PAGE);
        }

        LibraryPeer(Session session, boolean shared, long pageSize) {
            this.session = session;
            this.shared = shared;
            this.pageSize = pageSize;
        }

        @Override
        public Worker worker(int threads) {
            memories = new Memory[shared ? 1 : threads];
            for (int i = 0; i < memories.length; i++) {
                memories[i] = session.createMemory(EnumSet.of(MemoryPropertyFlag.DEVICE_LOCAL), pageSize, false);
            }
            final Buffer[][] made = new Buffer[threads][];
            return (thread, sizes) -> {
                final Memory memory = memories[shared ? 0 : thread];
                Buffer[] mine = made[thread];
                if (mine == null) { // made by its thread: see perThread
                    mine = made[thread] = new Buffer[GAP + BATCH + GAP];
                }
                for (int i = 0; i < sizes.length; i++) {
                    mine[GAP + i] = memory.createBuffer(sizes[i]);
                }
                for (int i = 0; i < sizes.length; i++) {
                    mine[GAP + i].close();
                }
            };
        }

        @Override
        public void close() {
            for (Memory m : memories) {
                m.close();
            }
        }
    }

    private static final class VmaPeer implements Peer {
        private final long allocator;
        private final boolean pools;
        private long[] poolHandles = new long[0];
        private final VkBufferCreateInfo info;

        VmaPeer(VulkanBackend vk, boolean pools) {
            this.pools = pools;
            allocator = OnDevice.vmaAllocator(vk);
            info = VkBufferCreateInfo.calloc().sType$Default().usage(USAGE).sharingMode(VK_SHARING_MODE_EXCLUSIVE).size(65536);
        }

        @Override
        public Worker worker(int threads) {
            final VmaAllocationCreateInfo[] allocInfo = new VmaAllocationCreateInfo[threads];
            if (pools) {
                poolHandles = new long[threads];
            }
            for (int i = 0; i < threads; i++) {
                allocInfo[i] = VmaAllocationCreateInfo.calloc().usage(Vma.VMA_MEMORY_USAGE_AUTO_PREFER_DEVICE);
                if (pools) {
                    try (MemoryStack stack = MemoryStack.stackPush()) {
                        final java.nio.IntBuffer type = stack.mallocInt(1);
                        check(Vma.vmaFindMemoryTypeIndexForBufferInfo(allocator, info, allocInfo[i], type),
                                "vmaFindMemoryTypeIndexForBufferInfo");
                        final VmaPoolCreateInfo pci = VmaPoolCreateInfo.calloc(stack).memoryTypeIndex(type.get(0))
                                .blockSize(PAGE);
                        final PointerBuffer p = stack.mallocPointer(1);
                        check(Vma.vmaCreatePool(allocator, pci, p), "vmaCreatePool");
                        poolHandles[i] = p.get(0);
                    }
                    allocInfo[i].pool(poolHandles[i]).usage(0);
                }
            }
            final long[][] buffers = new long[threads][];
            final long[][] allocations = new long[threads][];
            final long[] out = new long[threads];
            final VkBufferCreateInfo[] infos = new VkBufferCreateInfo[threads];
            for (int i = 0; i < threads; i++) {
                final long block = perThread();
                infos[i] = VkBufferCreateInfo.create(block).sType$Default().usage(USAGE).sharingMode(VK_SHARING_MODE_EXCLUSIVE);
                out[i] = block + VkBufferCreateInfo.SIZEOF;
            }
            cleanup = () -> {
                for (int i = 0; i < threads; i++) {
                    MemoryUtil.nmemAlignedFree(infos[i].address());
                    allocInfo[i].free();
                }
            };
            return (thread, sizes) -> {
                final long o = out[thread];
                final VkBufferCreateInfo ci = infos[thread];
                final long ai = allocInfo[thread].address();
                long[] b = buffers[thread];
                long[] a = allocations[thread];
                if (b == null) { // made by its thread: see perThread
                    b = buffers[thread] = new long[GAP + BATCH + GAP];
                    a = allocations[thread] = new long[GAP + BATCH + GAP];
                }
                for (int i = 0; i < sizes.length; i++) {
                    ci.size(sizes[i]);
                    check(Vma.nvmaCreateBuffer(allocator, ci.address(), ai, o, o + 8, 0), "vmaCreateBuffer");
                    b[GAP + i] = MemoryUtil.memGetLong(o);
                    a[GAP + i] = MemoryUtil.memGetAddress(o + 8);
                }
                for (int i = 0; i < sizes.length; i++) {
                    Vma.nvmaDestroyBuffer(allocator, b[GAP + i], a[GAP + i]);
                }
            };
        }

        private Runnable cleanup = () -> { };

        @Override
        public void close() {
            cleanup.run();
            for (long p : poolHandles) {
                Vma.vmaDestroyPool(allocator, p);
            }
            info.free();
            Vma.vmaDestroyAllocator(allocator);
        }
    }

    /**
     * A zeroed native block of {@value #THREAD_BLOCK} bytes for one thread's structs, on cache lines
     * of its own ({@code nmemAlignedFree} it). Every peer keeps what its threads write on every
     * buffer apart like this (native structs here; Java arrays allocated by their own thread, in its
     * own allocation buffer, with {@value #GAP} unused elements before and after, since a garbage
     * collection copies long-lived arrays side by side): side by side, two threads' structs or
     * arrays share a cache line, and each thread's writes would slow the other down by what the
     * benchmark measures, not by what the allocator or driver does.
     */
    private static long perThread() {
        final long block = MemoryUtil.nmemAlignedAlloc(THREAD_BLOCK, THREAD_BLOCK);
        if (block == 0) {
            throw new OutOfMemoryError("nmemAlignedAlloc of " + THREAD_BLOCK + " bytes");
        }
        MemoryUtil.memSet(block, 0, THREAD_BLOCK);
        return block;
    }

    /** Two cache lines of 128 bytes (a line and its adjacent-line prefetch pair) and more. */
    private static final int THREAD_BLOCK = 512;

    /** Unused elements before and after a thread's array: at least 128 bytes of padding either side. */
    private static final int GAP = 32;

}
