package dev.lluvia.memory.benchmarks;

import static org.lwjgl.system.MemoryUtil.memAddress;
import static dev.lluvia.memory.benchmarks.OnDevice.check;
import static org.lwjgl.vulkan.VK10.*;

import dev.lluvia.memory.Buffer;
import dev.lluvia.memory.MappedView;
import dev.lluvia.memory.Memory;
import dev.lluvia.memory.MemoryOptions;
import dev.lluvia.memory.MemoryPropertyFlag;
import dev.lluvia.memory.Session;
import dev.lluvia.memory.SessionOptions;
import dev.lluvia.memory.vulkan.VulkanBackend;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Locale;
import org.lwjgl.system.MemoryStack;
import org.lwjgl.system.MemoryUtil;
import org.lwjgl.util.vma.Vma;
import org.lwjgl.util.vma.VmaAllocationCreateInfo;
import org.lwjgl.vulkan.VkBufferCreateInfo;
import org.lwjgl.vulkan.VkDevice;
import org.lwjgl.vulkan.VkMemoryAllocateInfo;
import org.lwjgl.vulkan.VkMemoryRequirements;
import org.lwjgl.vulkan.VkPhysicalDeviceMemoryProperties;
import org.lwjgl.vulkan.VkPhysicalDeviceProperties;

/**
 * The GPU-level benchmark, on a real Vulkan device (the best one, or {@code --device}), as a plain
 * program printing a Markdown table: the work is milliseconds long and involves the driver, where
 * JMH's machinery adds nothing but time.
 *
 * <ol>
 *   <li><b>create/destroy</b>: {@code --buffers} (10,000) device-local buffers of mixed sizes
 *       (4 KiB to 256 KiB, VMA's generator, seed 16223), created one after the other and then all
 *       destroyed, by three peers on the same {@code VkDevice}:
 *       <ul>
 *         <li>the library: {@code Memory.createBuffer} / {@code Buffer.close} (32 MiB pages; then
 *             256 MiB pages, VMA's block size; then 32 MiB pages keeping every empty page, an
 *             empty-page budget of 1 GiB, which shows what the pages freed and allocated again
 *             each round cost under the default budget of 256 MiB);</li>
 *         <li>raw Vulkan, one {@code vkAllocateMemory} per buffer ({@code vkCreateBuffer},
 *             requirements, allocate, bind; {@code vkDestroyBuffer} + {@code vkFreeMemory}), in
 *             batches below the device's {@code maxMemoryAllocationCount};</li>
 *         <li>VMA: a real {@code VmaAllocator} on the session's device, {@code vmaCreateBuffer}
 *             with {@code VMA_MEMORY_USAGE_AUTO_PREFER_DEVICE} / {@code vmaDestroyBuffer}.</li>
 *       </ul>
 *       {@code --rounds} rounds each, the four pooled peers taking turns round by round (after 20
 *       discarded rounds of each, for the JIT); the first is reported apart (it allocates the pages /
 *       VMA's blocks), the others as a median, and the library's create + destroy over VMA's as the
 *       median of the rounds' ratios.</li>
 *   <li><b>page allocation</b>: {@code vkAllocateMemory} + {@code vkFreeMemory} of one 32 MiB
 *       device-local page, the cost a pooled allocator avoids.</li>
 *   <li><b>upload</b>: writing 64 MiB into a host-visible buffer with {@code Buffer.write}, against
 *       {@code MemoryUtil.memCopy} into the same buffer's mapping; best of {@code --rounds}.</li>
 *   <li><b>large objects</b>: {@code --large} (20) times, create a 64 MiB device-local buffer, close
 *       it, at the default page size (32 MiB, so the buffer gets a page of its own): the library with
 *       the default empty-page budget (a closed large object's page is kept and taken by the next),
 *       the library with a budget of 0 (every page goes back to the driver, the cost before the
 *       cache), and VMA ({@code vmaCreateBuffer}/{@code vmaDestroyBuffer}); then the library's whole
 *       loop with a 64 MiB write and read in it, each budget. Medians in milliseconds.</li>
 * </ol>
 * Run: {@code java -cp <all jars> dev.lluvia.memory.benchmarks.GpuBenchmark [--device NAME|INDEX]
 * [--buffers N] [--rounds N] [--raw-rounds N]}; on lavapipe, {@code --device llvmpipe}.
 */
public final class GpuBenchmark {

    private static final long PAGE = 32L << 20;
    private static final long VMA_BLOCK = 256L << 20;
    /** An empty-page budget above the benchmark's 722 MiB: no page is given back between rounds. */
    private static final long KEEP_ALL = 1L << 30;
    private static final int UPLOAD = 64 << 20;
    private static final int USAGE = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_TRANSFER_SRC_BIT
            | VK_BUFFER_USAGE_TRANSFER_DST_BIT;

    private GpuBenchmark() {
    }

    public static void main(String[] args) {
        String device = null;
        int buffers = 10_000;
        int rounds = 5;
        int rawRounds = -1;
        int large = 20;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--device" -> device = args[++i];
                case "--buffers" -> buffers = Integer.parseInt(args[++i]);
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--raw-rounds" -> rawRounds = Integer.parseInt(args[++i]);
                case "--large" -> large = Integer.parseInt(args[++i]);
                default -> {
                    System.err.println("unknown argument " + args[i]
                            + "; usage: GpuBenchmark [--device NAME|INDEX] [--buffers N] [--rounds N] [--raw-rounds N] [--large N]");
                    System.exit(2);
                }
            }
        }
        final SessionOptions options = OnDevice.session(device);
        final long[] sizes = Workloads.gpuBufferSizes(buffers);
        try (Session session = Session.create(options)) {
            final VulkanBackend vk = session.unwrap(VulkanBackend.class).orElseThrow();
            System.out.printf(Locale.ROOT, "Device: %s; %,d buffers of 4 KiB..260 KiB (total %,d MiB); %d rounds%n%n",
                    session.device().name(), buffers, Arrays.stream(sizes).sum() >> 20, rounds);
            // Warm-up, discarded: without it the first peer measured pays for the JIT of all of
            // them (on a loaded 2-core machine C2 took tens of rounds: 5.5 us per create in the
            // first 30 rounds, 0.9 us after, whatever the page size).
            try (Peers warm = new Peers(session, vk, sizes, true)) {
                warm.rounds(20);
            }
            // The peers take turns round by round, each keeping its Memory or allocator (and so
            // its kept pages or blocks) from one round to the next: most of a round is the driver's
            // page allocations, whose cost on a shared host drifts by tens of percent over seconds,
            // so a ratio of two rounds taken side by side is steadier than a ratio of two peers'
            // medians taken a minute apart.
            final double[][] create;
            final double[][] destroy;
            try (Peers peers = new Peers(session, vk, sizes, true)) {
                peers.rounds(rounds);
                create = peers.create;
                destroy = peers.destroy;
            }
            // One vkAllocateMemory per buffer takes hundreds of microseconds on some drivers (365 us
            // on the H100): --raw-rounds keeps that peer short.
            final double[] raw = raw(vk, sizes, rawRounds > 0 ? rawRounds : rounds);
            final double page = pageAllocation(vk, 10);
            final double[] lib = summarize(create[0], destroy[0]);
            final double[] lib256 = summarize(create[1], destroy[1]);
            final double[] libKeep = summarize(create[2], destroy[2]);
            final double[] vma = summarize(create[3], destroy[3]);
            System.out.println("| per buffer | create, first round (us) | destroy, first round (us) | create, median (us) | destroy, median (us) |");
            System.out.println("|---|---:|---:|---:|---:|");
            row("library (Memory.createBuffer), 32 MiB pages", lib);
            row("library (Memory.createBuffer), 256 MiB pages", lib256);
            row("library (Memory.createBuffer), 32 MiB pages, empty-page budget 1 GiB", libKeep);
            row("vkAllocateMemory per buffer", raw);
            row("VMA (vmaCreateBuffer)", vma);
            System.out.printf(Locale.ROOT, "%nvkAllocateMemory + vkFreeMemory of one 32 MiB page: %.1f us (median of 10)%n", page);
            System.out.printf(Locale.ROOT, "page allocation / library create (median): %.0fx; library / VMA create: %.2f"
                    + " (32 MiB pages), %.2f (256 MiB pages, VMA's block size), %.2f (32 MiB pages, budget 1 GiB);"
                    + " destroy: %.2f, %.2f, %.2f%n", page / lib[2], lib[2] / vma[2], lib256[2] / vma[2], libKeep[2] / vma[2],
                    lib[3] / vma[3], lib256[3] / vma[3], libKeep[3] / vma[3]);
            System.out.printf(Locale.ROOT, "create + destroy, library / VMA, the median of the rounds' ratios (rounds side by"
                    + " side, the first left out) [min, max]: %s (32 MiB pages), %s (256 MiB pages), %s (32 MiB pages,"
                    + " budget 1 GiB)%n", pairedRatio(create, destroy, 0), pairedRatio(create, destroy, 1),
                    pairedRatio(create, destroy, 2));
            upload(session, rounds);
            if (large > 0) {
                largeObjects(session, vk, large);
            }
        }
    }

    private static final int LARGE = 64 << 20;

    /** The large-object rows (see the class Javadoc): median milliseconds per create+close, and per loop. */
    private static void largeObjects(Session session, VulkanBackend vk, int times) {
        final ByteBuffer src = MemoryUtil.memAlloc(LARGE);
        final ByteBuffer dst = MemoryUtil.memAlloc(LARGE);
        try {
            for (int i = 0; i < LARGE; i += 8) {
                src.putLong(i, i * 0x9E3779B97F4A7C15L);
            }
            final double kept = largeLoop(session, times, MemoryOptions.DEFAULT_EMPTY_PAGE_BUDGET, null, null);
            final double freed = largeLoop(session, times, 0, null, null);
            final double vma;
            try (Peers alone = new Peers(session, vk, new long[] {LARGE}, false)) {
                alone.rounds(times + 1); // the first round apart, as the library's
                final double[] v = summarize(alone.create[3], alone.destroy[3]);
                vma = (v[2] + v[3]) / 1e3;
            }
            final double keptIo = largeLoop(session, times, MemoryOptions.DEFAULT_EMPTY_PAGE_BUDGET, src, dst);
            final double freedIo = largeLoop(session, times, 0, src, dst);
            System.out.printf(Locale.ROOT, "%n| 64 MiB device-local buffer, 32 MiB pages, %d times | median ms |%n|---|---:|%n", times);
            System.out.printf(Locale.ROOT, "| library create+close (default budget: the page is kept and reused) | %.3f |%n", kept);
            System.out.printf(Locale.ROOT, "| library create+close (budget 0: a driver allocation each time) | %.3f |%n", freed);
            System.out.printf(Locale.ROOT, "| VMA vmaCreateBuffer+vmaDestroyBuffer | %.3f |%n", vma);
            System.out.printf(Locale.ROOT, "| library create+write+read+close (default budget) | %.3f |%n", keptIo);
            System.out.printf(Locale.ROOT, "| library create+write+read+close (budget 0) | %.3f |%n", freedIo);
            System.out.printf(Locale.ROOT, "large create+close: library / VMA %.2f (default budget), %.2f (budget 0);"
                    + " loop with transfers: default / budget 0 %.2f%n", kept / vma, freed / vma, keptIo / freedIo);
        } finally {
            MemoryUtil.memFree(src);
            MemoryUtil.memFree(dst);
        }
    }

    /** Median ms of create (+ write and read when {@code src} is given) + close of one 64 MiB buffer. */
    private static double largeLoop(Session session, int times, long budget, ByteBuffer src, ByteBuffer dst) {
        final double[] ms = new double[times];
        try (Memory memory = session.createMemory(MemoryOptions.of(EnumSet.of(MemoryPropertyFlag.DEVICE_LOCAL))
                .withEmptyPageBudget(budget))) {
            for (int i = -1; i < times; i++) { // one round not counted: the first page is made in any case
                long t0 = System.nanoTime();
                try (Buffer b = memory.createBuffer(LARGE)) {
                    if (src != null) {
                        b.write(0, src.duplicate());
                        b.read(0, dst.duplicate());
                    }
                }
                if (i >= 0) {
                    ms[i] = (System.nanoTime() - t0) / 1e6;
                }
            }
        }
        Arrays.sort(ms);
        return ms[times / 2];
    }

    private static void row(String name, double[] r) {
        System.out.printf(Locale.ROOT, "| %s | %.2f | %.2f | %.2f | %.2f |%n", name, r[0], r[1], r[2], r[3]);
    }

    /** {first create, first destroy, median create, median destroy} in microseconds per buffer. */
    private static double[] summarize(double[] create, double[] destroy) {
        final int n = create.length;
        final double[] c = Arrays.copyOfRange(create, 1, n);
        final double[] d = Arrays.copyOfRange(destroy, 1, n);
        Arrays.sort(c);
        Arrays.sort(d);
        return new double[] {create[0], destroy[0], c.length == 0 ? create[0] : c[c.length / 2],
            d.length == 0 ? destroy[0] : d[d.length / 2]};
    }

    private static double[] raw(VulkanBackend vk, long[] sizes, int rounds) {
        final VkDevice device = vk.vkDevice();
        final double[] create = new double[rounds];
        final double[] destroy = new double[rounds];
        try (MemoryStack stack = MemoryStack.stackPush()) {
            final VkPhysicalDeviceProperties props = VkPhysicalDeviceProperties.malloc(stack);
            vkGetPhysicalDeviceProperties(vk.vkPhysicalDevice(), props);
            final int batch = (int) Math.min(sizes.length, Math.max(1, props.limits().maxMemoryAllocationCount() / 2 - 64));
            final VkPhysicalDeviceMemoryProperties mem = VkPhysicalDeviceMemoryProperties.malloc(stack);
            vkGetPhysicalDeviceMemoryProperties(vk.vkPhysicalDevice(), mem);
            final VkBufferCreateInfo info = VkBufferCreateInfo.calloc(stack).sType$Default()
                    .usage(USAGE).sharingMode(VK_SHARING_MODE_EXCLUSIVE);
            final VkMemoryRequirements req = VkMemoryRequirements.malloc(stack);
            final VkMemoryAllocateInfo alloc = VkMemoryAllocateInfo.calloc(stack).sType$Default();
            final java.nio.LongBuffer out = stack.mallocLong(1);
            final long[] buffer = new long[batch];
            final long[] memory = new long[batch];
            for (int r = 0; r < rounds; r++) {
                long createNs = 0;
                long destroyNs = 0;
                for (int start = 0; start < sizes.length; start += batch) {
                    final int end = Math.min(sizes.length, start + batch);
                    long t0 = System.nanoTime();
                    for (int i = start; i < end; i++) {
                        info.size(sizes[i]);
                        check(vkCreateBuffer(device, info, null, out), "vkCreateBuffer");
                        buffer[i - start] = out.get(0);
                        vkGetBufferMemoryRequirements(device, buffer[i - start], req);
                        alloc.allocationSize(req.size()).memoryTypeIndex(deviceLocalType(mem, req.memoryTypeBits()));
                        check(vkAllocateMemory(device, alloc, null, out), "vkAllocateMemory");
                        memory[i - start] = out.get(0);
                        check(vkBindBufferMemory(device, buffer[i - start], memory[i - start], 0), "vkBindBufferMemory");
                    }
                    long t1 = System.nanoTime();
                    for (int i = 0; i < end - start; i++) {
                        vkDestroyBuffer(device, buffer[i], null);
                        vkFreeMemory(device, memory[i], null);
                    }
                    long t2 = System.nanoTime();
                    createNs += t1 - t0;
                    destroyNs += t2 - t1;
                }
                create[r] = createNs / 1e3 / sizes.length;
                destroy[r] = destroyNs / 1e3 / sizes.length;
            }
        }
        return summarize(create, destroy);
    }

    /** The median [min, max] over rounds 1.. of peer {@code p}'s create + destroy over VMA's (peer 3). */
    private static String pairedRatio(double[][] create, double[][] destroy, int p) {
        final int n = create[p].length - 1;
        if (n < 1) {
            return "n/a";
        }
        final double[] ratios = new double[n];
        for (int r = 0; r < n; r++) {
            ratios[r] = (create[p][r + 1] + destroy[p][r + 1]) / (create[3][r + 1] + destroy[3][r + 1]);
        }
        Arrays.sort(ratios);
        return String.format(Locale.ROOT, "%.2f [%.2f, %.2f]", ratios[n / 2], ratios[0], ratios[n - 1]);
    }

    /**
     * The four pooled peers, open together: the library with 32 MiB pages, with 256 MiB pages, with
     * 32 MiB pages and an empty-page budget of 1 GiB (or none of these, {@code library} false), and
     * VMA; {@link #rounds} runs them in turn, a round each, and keeps microseconds per buffer in
     * {@code create[peer][round]} and {@code destroy[peer][round]} (VMA's at index 3).
     */
    private static final class Peers implements AutoCloseable {
        private final long[] sizes;
        private final Memory[] memories;
        private final Buffer[] made;
        private final long vma;
        private final VkBufferCreateInfo info;
        private final VmaAllocationCreateInfo allocInfo;
        private final long out;
        private final long[] buffer;
        private final long[] allocation;
        double[][] create;
        double[][] destroy;

        Peers(Session session, VulkanBackend vk, long[] sizes, boolean library) {
            this.sizes = sizes;
            final MemoryOptions device = MemoryOptions.of(EnumSet.of(MemoryPropertyFlag.DEVICE_LOCAL));
            memories = !library ? new Memory[0] : new Memory[] {
                session.createMemory(device.withPageSize(PAGE)),
                session.createMemory(device.withPageSize(VMA_BLOCK)),
                session.createMemory(device.withPageSize(PAGE).withEmptyPageBudget(KEEP_ALL))};
            made = new Buffer[sizes.length];
            vma = OnDevice.vmaAllocator(vk);
            info = VkBufferCreateInfo.calloc().sType$Default().usage(USAGE).sharingMode(VK_SHARING_MODE_EXCLUSIVE);
            allocInfo = VmaAllocationCreateInfo.calloc().usage(Vma.VMA_MEMORY_USAGE_AUTO_PREFER_DEVICE);
            out = MemoryUtil.nmemCalloc(2, Long.BYTES);
            buffer = new long[sizes.length];
            allocation = new long[sizes.length];
        }

        void rounds(int rounds) {
            create = new double[4][rounds];
            destroy = new double[4][rounds];
            for (int r = 0; r < rounds; r++) {
                for (int p = 0; p < memories.length; p++) {
                    libraryRound(p, r);
                }
                vmaRound(r);
            }
        }

        private void libraryRound(int p, int r) {
            final Memory memory = memories[p];
            final long t0 = System.nanoTime();
            for (int i = 0; i < sizes.length; i++) {
                made[i] = memory.createBuffer(sizes[i]);
            }
            final long t1 = System.nanoTime();
            for (Buffer b : made) {
                b.close();
            }
            final long t2 = System.nanoTime();
            create[p][r] = (t1 - t0) / 1e3 / sizes.length;
            destroy[p][r] = (t2 - t1) / 1e3 / sizes.length;
        }

        private void vmaRound(int r) {
            final long t0 = System.nanoTime();
            for (int i = 0; i < sizes.length; i++) {
                info.size(sizes[i]);
                check(Vma.nvmaCreateBuffer(vma, info.address(), allocInfo.address(), out, out + 8, 0), "vmaCreateBuffer");
                buffer[i] = MemoryUtil.memGetLong(out);
                allocation[i] = MemoryUtil.memGetAddress(out + 8);
            }
            final long t1 = System.nanoTime();
            for (int i = 0; i < sizes.length; i++) {
                Vma.nvmaDestroyBuffer(vma, buffer[i], allocation[i]);
            }
            final long t2 = System.nanoTime();
            create[3][r] = (t1 - t0) / 1e3 / sizes.length;
            destroy[3][r] = (t2 - t1) / 1e3 / sizes.length;
        }

        @Override
        public void close() {
            MemoryUtil.nmemFree(out);
            info.free();
            allocInfo.free();
            Vma.vmaDestroyAllocator(vma);
            for (Memory m : memories) {
                m.close();
            }
        }
    }

    /** Median microseconds of one {@code vkAllocateMemory} + {@code vkFreeMemory} of a 32 MiB page. */
    private static double pageAllocation(VulkanBackend vk, int times) {
        final double[] us = new double[times];
        try (MemoryStack stack = MemoryStack.stackPush()) {
            final VkPhysicalDeviceMemoryProperties mem = VkPhysicalDeviceMemoryProperties.malloc(stack);
            vkGetPhysicalDeviceMemoryProperties(vk.vkPhysicalDevice(), mem);
            final VkMemoryAllocateInfo alloc = VkMemoryAllocateInfo.calloc(stack).sType$Default()
                    .allocationSize(PAGE).memoryTypeIndex(deviceLocalType(mem, -1));
            final java.nio.LongBuffer out = stack.mallocLong(1);
            for (int i = 0; i < times; i++) {
                long t0 = System.nanoTime();
                check(vkAllocateMemory(vk.vkDevice(), alloc, null, out), "vkAllocateMemory");
                vkFreeMemory(vk.vkDevice(), out.get(0), null);
                us[i] = (System.nanoTime() - t0) / 1e3;
            }
        }
        Arrays.sort(us);
        return us[times / 2];
    }

    private static void upload(Session session, int rounds) {
        final ByteBuffer src = MemoryUtil.memAlloc(UPLOAD);
        for (int i = 0; i < UPLOAD; i += 8) {
            src.putLong(i, i * 0x9E3779B97F4A7C15L);
        }
        try (Memory host = session.createMemory(EnumSet.of(MemoryPropertyFlag.HOST_VISIBLE,
                MemoryPropertyFlag.HOST_COHERENT), 2L * UPLOAD, false);
             Buffer buffer = host.createBuffer(UPLOAD)) {
            // The raw view is what memCopy needs (an address), used only while the buffer is open.
            final ByteBuffer mapped = buffer.mapByteBuffer();
            final MappedView view = buffer.map();
            double bestLib = Double.MAX_VALUE;
            double bestRaw = Double.MAX_VALUE;
            double bestView = Double.MAX_VALUE;
            for (int r = 0; r < rounds + 1; r++) {
                long t0 = System.nanoTime();
                buffer.write(0, src.duplicate());
                long t1 = System.nanoTime();
                MemoryUtil.memCopy(memAddress(src), memAddress(mapped), UPLOAD);
                long t2 = System.nanoTime();
                view.put(0, src.duplicate());
                long t3 = System.nanoTime();
                if (r > 0) { // the first round faults the pages in
                    bestLib = Math.min(bestLib, (t1 - t0) / 1e9);
                    bestRaw = Math.min(bestRaw, (t2 - t1) / 1e9);
                    bestView = Math.min(bestView, (t3 - t2) / 1e9);
                }
            }
            final double gib = UPLOAD / (double) (1L << 30);
            System.out.printf(Locale.ROOT, "%n| upload of 64 MiB into %s | GiB/s (best of %d) |%n|---|---:|%n",
                    host.memoryFlags(), rounds);
            System.out.printf(Locale.ROOT, "| Buffer.write | %.2f |%n| memCopy into buffer.mapByteBuffer() (raw) | %.2f |%n"
                            + "| buffer.map().put (checked MappedView) | %.2f |%n",
                    gib / bestLib, gib / bestRaw, gib / bestView);
            System.out.printf(Locale.ROOT, "Buffer.write / memCopy: %.1f%%%n", 100 * bestRaw / bestLib);
        } finally {
            MemoryUtil.memFree(src);
        }
    }

    private static int deviceLocalType(VkPhysicalDeviceMemoryProperties mem, int allowed) {
        for (int t = 0; t < mem.memoryTypeCount(); t++) {
            if ((allowed & (1 << t)) != 0
                    && (mem.memoryTypes(t).propertyFlags() & VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT) != 0) {
                return t;
            }
        }
        throw new IllegalStateException("no DEVICE_LOCAL memory type in bits " + Integer.toBinaryString(allowed));
    }
}
