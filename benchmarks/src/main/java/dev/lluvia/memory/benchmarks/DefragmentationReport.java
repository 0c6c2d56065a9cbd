package dev.lluvia.memory.benchmarks;

import dev.lluvia.memory.Buffer;
import dev.lluvia.memory.ChannelType;
import dev.lluvia.memory.Defragmentation;
import dev.lluvia.memory.DetailedStatistics;
import dev.lluvia.memory.ImageDescriptor;
import dev.lluvia.memory.LeakPolicy;
import dev.lluvia.memory.Memory;
import dev.lluvia.memory.MemoryObject;
import dev.lluvia.memory.MemoryOptions;
import dev.lluvia.memory.MemoryPropertyFlag;
import dev.lluvia.memory.Session;
import dev.lluvia.memory.SessionOptions;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;

/**
 * Defragmentation of a fragmented device-local Memory, as a plain program printing a Markdown
 * table: pages and largest free range before and after, bytes and objects moved, and the time of
 * each pass (median and maximum), on the best backend or the one named.
 *
 * <p>Workload ({@code --objects} N, default 4,000; {@code --page-mib} P, default 32): N objects in
 * P MiB pages, one image (64x64 to 256x256 RGBA8) for every four buffers (4 KiB to 256 KiB), sizes
 * from VMA's generator (seed 16223); every object gets a first byte written so the copies carry
 * data; then 60% of them, chosen by the same generator, are closed. Then passes of at most
 * {@code --pass-mib} (default 64) MiB and {@code --pass-objects} (default 500) objects run until one
 * moves nothing. Contents are checked afterwards on a sample of objects.
 *
 * <pre>
 *   java -cp ... dev.lluvia.memory.benchmarks.DefragmentationReport [--backend vulkan|sim] [--device NAME|INDEX]
 * </pre>
 */
public final class DefragmentationReport {

    private DefragmentationReport() {
    }

    public static void main(String[] args) {
        SessionOptions options = SessionOptions.defaults().withLeakPolicy(LeakPolicy.IGNORE);
        int objects = 4000;
        long pageMiB = 32;
        long passMiB = 64;
        int passObjects = 500;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--backend" -> options = options.withBackend(args[++i]);
                case "--device" -> options = options.withDevice(args[++i]);
                case "--objects" -> objects = Integer.parseInt(args[++i]);
                case "--page-mib" -> pageMiB = Long.parseLong(args[++i]);
                case "--pass-mib" -> passMiB = Long.parseLong(args[++i]);
                case "--pass-objects" -> passObjects = Integer.parseInt(args[++i]);
                default -> {
                    System.err.println("unknown argument " + args[i] + "; usage: DefragmentationReport [--backend NAME]"
                            + " [--device NAME|INDEX] [--objects N] [--page-mib P] [--pass-mib M] [--pass-objects K]");
                    System.exit(2);
                }
            }
        }
        try (Session session = Session.create(options)) {
            Memory memory = session.createMemory(MemoryOptions.of(EnumSet.of(MemoryPropertyFlag.DEVICE_LOCAL))
                    .withPageSize(pageMiB << 20));
            VmaRandom random = new VmaRandom(16223);
            List<MemoryObject> all = new ArrayList<>(objects);
            ByteBuffer one = ByteBuffer.allocateDirect(1);
            for (int i = 0; i < objects; i++) {
                MemoryObject o;
                if (i % 5 == 4) {
                    int side = 64 << random.nextBelow(3);
                    o = memory.createImage(ImageDescriptor.of(side, side, ChannelType.UINT8, 4));
                } else {
                    Buffer b = memory.createBuffer(4096L * (1 + random.nextBelow(64)));
                    one.put(0, (byte) i);
                    b.write(0, one.clear());
                    o = b;
                }
                all.add(o);
            }
            List<Buffer> kept = new ArrayList<>();
            for (MemoryObject o : all) {
                if (random.nextBelow(100) < 60) {
                    o.close();
                } else if (o instanceof Buffer b) {
                    kept.add(b);
                }
            }
            DetailedStatistics before = memory.detailedStatistics();
            List<Long> passNanos = new ArrayList<>();
            Defragmentation.Totals totals;
            long start = System.nanoTime();
            try (Defragmentation d = memory.beginDefragmentation(passMiB << 20, passObjects)) {
                while (!d.isDone()) {
                    long t0 = System.nanoTime();
                    d.pass();
                    passNanos.add(System.nanoTime() - t0);
                }
                totals = d.end();
            }
            long total = System.nanoTime() - start;
            DetailedStatistics after = memory.detailedStatistics();
            int checked = 0;
            for (int i = 0; i < kept.size(); i += Math.max(1, kept.size() / 200)) {
                Buffer b = kept.get(i);
                ByteBuffer back = ByteBuffer.allocateDirect(1);
                b.read(0, back);
                int index = all.indexOf(b);
                if (back.get(0) != (byte) index) {
                    throw new AssertionError(b + " lost its contents");
                }
                checked++;
            }
            long[] sorted = passNanos.stream().mapToLong(Long::longValue).sorted().toArray();
            System.out.printf(Locale.ROOT, "Defragmentation on %s (backend %s): %d objects in %d MiB pages, 60%% closed;"
                            + " passes of at most %d MiB / %d objects%n%n", session.device().name(), session.backendName(),
                    objects, pageMiB, passMiB, passObjects);
            System.out.println("| | pages | page MiB | objects | object MiB | free ranges | largest free MiB |");
            System.out.println("|---|---|---|---|---|---|---|");
            row("before", before);
            row("after", after);
            System.out.printf(Locale.ROOT, "%nmoved %d objects, %.1f MiB, in %d passes (the last moves nothing);"
                            + " %d pages freed; pass time median %.2f ms, max %.2f ms; total %.1f ms;"
                            + " first byte of %d moved-or-kept buffers checked%n",
                    totals.objectsMoved(), totals.bytesMoved() / 1048576.0, totals.passes(), totals.pagesFreed(),
                    sorted.length == 0 ? 0 : sorted[sorted.length / 2] / 1e6, sorted.length == 0 ? 0 : sorted[sorted.length - 1] / 1e6,
                    total / 1e6, checked);
            System.out.println("pass times (ms): " + Arrays.toString(Arrays.stream(sorted).mapToObj(
                    n -> String.format(Locale.ROOT, "%.2f", n / 1e6)).toArray()));
        }
    }

    private static void row(String what, DetailedStatistics s) {
        System.out.printf(Locale.ROOT, "| %s | %d | %.1f | %d | %.1f | %d | %.2f |%n", what, s.totals().pageCount(),
                s.totals().pageBytes() / 1048576.0, s.totals().allocationCount(), s.totals().allocationBytes() / 1048576.0,
                s.freeRangeCount(), s.largestFreeRange() / 1048576.0);
    }
}
