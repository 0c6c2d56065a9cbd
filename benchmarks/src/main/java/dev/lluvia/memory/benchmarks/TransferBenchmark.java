package dev.lluvia.memory.benchmarks;

import dev.lluvia.memory.Buffer;
import dev.lluvia.memory.ChannelType;
import dev.lluvia.memory.Image;
import dev.lluvia.memory.ImageDescriptor;
import dev.lluvia.memory.Memory;
import dev.lluvia.memory.MemoryOptions;
import dev.lluvia.memory.MemoryPropertyFlag;
import dev.lluvia.memory.MemoryUsage;
import dev.lluvia.memory.Session;
import dev.lluvia.memory.SessionOptions;
import dev.lluvia.memory.spi.Resource;
import dev.lluvia.memory.vulkan.VulkanBackend;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import org.lwjgl.system.MemoryUtil;

/**
 * Transfer speed between a direct {@code ByteBuffer} and device-local memory, as a plain program
 * printing Markdown (and, with {@code --json FILE}, the same rows as JSON): for 4 KiB, 64 MiB and
 * 1 GiB (and {@code --sizes} to change that), the median GB/s (10^9 bytes per second) of
 *
 * <ul>
 *   <li>{@code Buffer.write} / {@code Buffer.read} through the public API on {@code DEVICE_LOCAL}
 *       memory: through the queue where that memory is not host-visible (discrete GPUs), through
 *       the mapping where it is (lavapipe, integrated GPUs); with imports always, never, and
 *       {@code auto} (the default: the faster way as measured);</li>
 *   <li>the queue path itself ({@code VulkanBackend.copyToBuffer}/{@code copyFromBuffer} on a
 *       device-local page), twice: importing the caller's buffer ({@code VK_EXT_external_memory_host},
 *       where the device has it) and through the staging buffers only;</li>
 *   <li>{@code Image.write} / {@code Image.read} of an 8192x8192 RGBA8 image (256 MiB), both ways;</li>
 *   <li>both again with the host side in pinned memory: a {@code mapByteBuffer()} of a buffer in
 *       {@link MemoryUsage#READBACK} memory (host-visible, cached), which the library copies from
 *       and into on the device without staging (the analogue of PyTorch's {@code pin_memory=True}),
 *       and in {@link MemoryUsage#UPLOAD} memory, device-local where the device has such a type:
 *       copies that never cross the link, the device's own cost of each copy;</li>
 *   <li>the peer: {@code memcpy} of the same bytes between two direct buffers, one thread.</li>
 * </ul>
 * The GPU machine's PyTorch reference (pinned host memory to and from the GPU) is
 * {@code benchmarks/scripts/torch_copy.py}, run by {@code benchmarks/scripts/run-gpu.sh}.
 *
 * <p>Run: {@code java -cp <all jars> dev.lluvia.memory.benchmarks.TransferBenchmark [--device NAME|INDEX]
 * [--rounds N] [--sizes 4096,67108864,...] [--image WIDTH] [--modes false,true,auto] [--json FILE]}; {@code --modes}
 * lists the values of {@link VulkanBackend#IMPORT_HOST_MEMORY_PROPERTY} to run (the pinned rows run with the first).
 */
public final class TransferBenchmark {

    private static final int USAGE = 0x20 | 0x1 | 0x2; // storage, transfer source and destination

    private TransferBenchmark() {
    }

    private record Row(String what, String mode, long bytes, String direction, double gbps, double memcpyGbps) {
    }

    public static void main(String[] args) throws IOException {
        String device = null;
        long[] sizes = {4096, 64L << 20, 1L << 30};
        int imageSide = 8192;
        Path json = null;
        String[] modes = {"true", "false", "auto"};
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--device" -> device = args[++i];
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--sizes" -> sizes = Arrays.stream(args[++i].split(",")).mapToLong(Long::parseLong).toArray();
                case "--image" -> imageSide = Integer.parseInt(args[++i]);
                case "--json" -> json = Path.of(args[++i]);
                case "--modes" -> modes = args[++i].split(",");
                default -> {
                    System.err.println("unknown argument " + args[i] + "; usage: TransferBenchmark [--device NAME|INDEX]"
                            + " [--rounds N] [--sizes B,B,...] [--image WIDTH] [--modes M,M,...] [--json FILE]");
                    System.exit(2);
                }
            }
        }
        final long largest = Arrays.stream(sizes).max().orElse(4096);
        final long imageBytes = 4L * imageSide * imageSide;
        final ByteBuffer src = MemoryUtil.memAlloc((int) Math.max(largest, imageBytes));
        final ByteBuffer dst = MemoryUtil.memAlloc((int) Math.max(largest, imageBytes));
        for (int i = 0; i + 8 <= src.capacity(); i += 8) {
            src.putLong(i, i * 0x9E3779B97F4A7C15L);
        }
        final List<Row> rows = new ArrayList<>();
        String deviceName = "?";
        try {
            boolean pinnedDone = false;
            for (String setting : modes) {
                final SessionOptions options = OnDevice.session(device)
                        .withProperty(VulkanBackend.IMPORT_HOST_MEMORY_PROPERTY, setting);
                try (Session session = Session.create(options)) {
                    final VulkanBackend vk = session.unwrap(VulkanBackend.class).orElseThrow();
                    deviceName = session.device().name();
                    final String mode = switch (setting) {
                        case "true" -> "import";
                        case "false" -> "staging (default)";
                        default -> "auto";
                    };
                    if (setting.equals("true") && !vk.importsHostMemory()) {
                        System.err.println(deviceName + " has no VK_EXT_external_memory_host: no import rows");
                        continue;
                    }
                    if (!setting.equals("auto")) {
                        for (long size : sizes) {
                            final double[] q = queue(vk, src, dst, (int) size, reps(size));
                            rows.add(new Row("queue copy (VulkanBackend.copyToBuffer/FromBuffer)", mode, size, "write", q[0], q[2]));
                            rows.add(new Row("queue copy (VulkanBackend.copyToBuffer/FromBuffer)", mode, size, "read", q[1], q[2]));
                        }
                        final double[] img = image(session, src, dst, imageSide, memcpy(src, dst, (int) imageBytes));
                        rows.add(new Row("Image.write/read " + imageSide + "x" + imageSide + " RGBA8", mode, imageBytes, "write", img[0], img[2]));
                        rows.add(new Row("Image.write/read " + imageSide + "x" + imageSide + " RGBA8", mode, imageBytes, "read", img[1], img[2]));
                    }
                    for (long size : sizes) {
                        final double[] api = api(session, src, dst, (int) size, reps(size), memcpy(src, dst, (int) size));
                        rows.add(new Row("Buffer.write/read, DEVICE_LOCAL memory", mode, size, "write", api[0], api[2]));
                        rows.add(new Row("Buffer.write/read, DEVICE_LOCAL memory", mode, size, "read", api[1], api[2]));
                    }
                    if (!pinnedDone) {
                        pinnedDone = true;
                        registered(session, src, dst, sizes, imageSide, rows);
                        pinned(session, MemoryOptions.of(MemoryUsage.READBACK), "READBACK", src, dst, sizes, imageSide, rows);
                        try {
                            pinned(session, MemoryOptions.of(MemoryUsage.UPLOAD), "UPLOAD", src, dst, sizes, imageSide, rows);
                        } catch (dev.lluvia.memory.LluviaException e) { // a small BAR heap, say
                            System.err.println("no UPLOAD rows: " + e.getMessage());
                        }
                        // Host memory that is not HOST_CACHED, where the device has such a type
                        // (NVIDIA's type 2): whether the device reads it faster than cached memory.
                        try {
                            pinned(session, MemoryOptions.of(EnumSet.of(MemoryPropertyFlag.HOST_VISIBLE,
                                    MemoryPropertyFlag.HOST_COHERENT)).withExactFlagsMatch(true), "uncached host",
                                    src, dst, sizes, imageSide, rows);
                        } catch (dev.lluvia.memory.UnsupportedMemoryFlagsException e) {
                            System.err.println("no uncached host rows: " + e.getMessage());
                        }
                    }
                }
            }
        } finally {
            MemoryUtil.memFree(src);
            MemoryUtil.memFree(dst);
        }
        System.out.printf(Locale.ROOT, "Device: %s; median of %d rounds (4 KiB: %d rounds of 1000 transfers); memcpy timed in"
                + " rounds of its own, after the transfers; %d cores%n%n", deviceName, rounds, ROUNDS_SMALL, Runtime.getRuntime().availableProcessors());
        System.out.println("| what | host side | bytes | direction | GB/s | memcpy GB/s | / memcpy |");
        System.out.println("|---|---|---:|---|---:|---:|---:|");
        for (Row r : rows) {
            System.out.printf(Locale.ROOT, "| %s | %s | %s | %s | %.2f | %.2f | %.2f |%n", r.what, r.mode, human(r.bytes),
                    r.direction, r.gbps, r.memcpyGbps, r.gbps / r.memcpyGbps);
        }
        if (json != null) {
            StringBuilder sb = new StringBuilder("{\"device\": \"").append(deviceName.replace("\"", "'")).append("\", \"rows\": [\n");
            for (int i = 0; i < rows.size(); i++) {
                Row r = rows.get(i);
                sb.append(String.format(Locale.ROOT, "  {\"what\": \"%s\", \"mode\": \"%s\", \"bytes\": %d, \"direction\": \"%s\","
                        + " \"gbps\": %.4f, \"memcpy_gbps\": %.4f}%s%n", r.what, r.mode, r.bytes, r.direction, r.gbps,
                        r.memcpyGbps, i + 1 < rows.size() ? "," : ""));
            }
            Files.writeString(json, sb.append("]}\n").toString());
        }
    }

    /** Repetitions timed together as one round: small transfers are timed in batches of 1000. */
    private static int reps(long size) {
        return size <= (1 << 20) ? 1000 : 1;
    }

    private static String human(long bytes) {
        if (bytes >= 1L << 30 && bytes % (1L << 30) == 0) {
            return (bytes >> 30) + " GiB";
        }
        if (bytes >= 1L << 20 && bytes % (1L << 20) == 0) {
            return (bytes >> 20) + " MiB";
        }
        if (bytes >= 1L << 10 && bytes % (1L << 10) == 0) {
            return (bytes >> 10) + " KiB";
        }
        return Long.toString(bytes);
    }

    private static double gbps(long bytes, long nanos) {
        return bytes / (double) nanos;
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }

    private static final int ROUNDS_SMALL = 7;
    private static int rounds = 5;

    /** {write, read, memcpy} GB/s through the backend's queue path into a device-local page. */
    private static double[] queue(VulkanBackend vk, ByteBuffer src, ByteBuffer dst, int size, int reps) {
        final Resource buffer = vk.createBuffer(size, USAGE);
        final int type = deviceLocalType(vk, buffer.requirements().memoryTypeBits());
        final long page = vk.allocatePage(type, buffer.requirements().size());
        try {
            vk.bindBuffer(buffer, page, 0);
            return time(size, reps,
                    () -> vk.copyToBuffer(buffer, 0, src.duplicate().limit(size)),
                    () -> vk.copyFromBuffer(buffer, 0, dst.duplicate().limit(size)),
                    memcpy(src, dst, size));
        } finally {
            vk.destroyBuffer(buffer);
            vk.freePage(page);
        }
    }

    /** {write, read, memcpy} GB/s of Buffer.write/read on DEVICE_LOCAL memory. */
    private static double[] api(Session session, ByteBuffer src, ByteBuffer dst, int size, int reps, Runnable peer) {
        try (Memory memory = session.createMemory(EnumSet.of(MemoryPropertyFlag.DEVICE_LOCAL),
                Math.max(32L << 20, 2L * size), false);
             Buffer buffer = memory.createBuffer(size)) {
            return time(size, reps,
                    () -> buffer.write(0, src.duplicate().limit(size)),
                    () -> buffer.read(0, dst.duplicate().limit(size)),
                    peer);
        }
    }

    /**
     * The pinned rows: Buffer.write/read and Image.write/read whose host side is the mapping of a
     * buffer in {@code hostMemory} of the same session, filled like {@code src}, which the library
     * copies on the device without staging. READBACK memory is host memory (pinned, cached): the
     * analogue of PyTorch's pinned copies, the peer a memcpy between two such mappings. UPLOAD
     * memory is a device-local host-visible (BAR) type where the device has one: the copy never
     * crosses the link, so its rows show what the device's copy itself costs (for images, the
     * layout change); host reads of a BAR are slow, so its peer is the memcpy of plain buffers.
     */
    private static void pinned(Session session, MemoryOptions hostMemory, String label, ByteBuffer plainSrc, ByteBuffer plainDst, long[] sizes,
                               int imageSide, List<Row> rows) {
        final long imageBytes = 4L * imageSide * imageSide;
        // Two host buffers and the device memory must fit the heap (lavapipe has one of 2 GiB for
        // everything): sizes over a quarter of the host memory's heap are left out.
        final int heap;
        try (Memory probe = session.createMemory(hostMemory)) {
            heap = probe.memoryType().heapIndex();
        }
        final long cap = session.device().memoryHeaps().get(heap).size() / 4;
        for (long size : sizes) {
            if (size > cap) {
                System.err.println("no pinned " + label + " row of " + human(size) + ": over a quarter of heap " + heap);
            }
        }
        sizes = Arrays.stream(sizes).filter(size -> size <= cap).toArray();
        final long largest = Math.max(Arrays.stream(sizes).max().orElse(4096), imageBytes);
        try (Memory host = session.createMemory(hostMemory);
             Buffer up = host.createBuffer(largest);
             Buffer down = host.createBuffer(largest)) {
            final ByteBuffer src = up.mapByteBuffer();
            final ByteBuffer dst = down.mapByteBuffer();
            for (int i = 0; i + 8 <= src.capacity(); i += 8) {
                src.putLong(i, i * 0x9E3779B97F4A7C15L);
            }
            final boolean bar = host.memoryFlags().contains(MemoryPropertyFlag.DEVICE_LOCAL);
            final ByteBuffer peerSrc = bar ? plainSrc : src;
            final ByteBuffer peerDst = bar ? plainDst : dst;
            final String mode = "pinned: mapped " + label + " type " + host.memoryType().index() + " " + host.memoryFlags();
            for (long size : sizes) {
                final double[] api;
                try {
                    api = api(session, src, dst, (int) size, reps(size), memcpy(peerSrc, peerDst, (int) size));
                } catch (dev.lluvia.memory.OutOfDeviceMemoryException e) {
                    // lavapipe's one heap (2 GiB) holds the two host buffers or the device memory of 1 GiB, not all three.
                    System.err.println("no " + mode + " row of " + human(size) + ": " + e.getMessage());
                    continue;
                }
                rows.add(new Row("Buffer.write/read, DEVICE_LOCAL memory", mode, size, "write", api[0], api[2]));
                rows.add(new Row("Buffer.write/read, DEVICE_LOCAL memory", mode, size, "read", api[1], api[2]));
            }
            final double[] img;
            try {
                img = image(session, src, dst, imageSide, memcpy(peerSrc, peerDst, (int) imageBytes));
            } catch (dev.lluvia.memory.OutOfDeviceMemoryException e) {
                System.err.println("no " + mode + " image rows: " + e.getMessage());
                return;
            }
            rows.add(new Row("Image.write/read " + imageSide + "x" + imageSide + " RGBA8", mode, imageBytes, "write", img[0], img[2]));
            rows.add(new Row("Image.write/read " + imageSide + "x" + imageSide + " RGBA8", mode, imageBytes, "read", img[1], img[2]));
        }
    }

    /**
     * The registered rows: Buffer.write/read and Image.write/read from and into the program's own
     * direct buffers (the plain ones every other row stages), registered once with the session
     * ({@code Session.registerHostMemory}): the device copies them in place, as PyTorch copies
     * memory made pinned with {@code cudaHostRegister}. The peer is the memcpy between them.
     */
    private static void registered(Session session, ByteBuffer src, ByteBuffer dst, long[] sizes, int imageSide,
                                   List<Row> rows) {
        final String mode = "registered: the program's direct buffers";
        try (dev.lluvia.memory.HostRegistration up = session.registerHostMemory(src);
             dev.lluvia.memory.HostRegistration down = session.registerHostMemory(dst)) {
            for (long size : sizes) {
                final double[] api = api(session, src, dst, (int) size, reps(size), memcpy(src, dst, (int) size));
                rows.add(new Row("Buffer.write/read, DEVICE_LOCAL memory", mode, size, "write", api[0], api[2]));
                rows.add(new Row("Buffer.write/read, DEVICE_LOCAL memory", mode, size, "read", api[1], api[2]));
            }
            final long imageBytes = 4L * imageSide * imageSide;
            final double[] img = image(session, src, dst, imageSide, memcpy(src, dst, (int) imageBytes));
            rows.add(new Row("Image.write/read " + imageSide + "x" + imageSide + " RGBA8", mode, imageBytes, "write", img[0], img[2]));
            rows.add(new Row("Image.write/read " + imageSide + "x" + imageSide + " RGBA8", mode, imageBytes, "read", img[1], img[2]));
        } catch (dev.lluvia.memory.UnsupportedExternalMemoryException | IllegalArgumentException e) {
            System.err.println("no registered rows: " + e.getMessage());
        }
    }

    /** {write, read, memcpy} GB/s of Image.write/read of a side x side RGBA8 image in DEVICE_LOCAL memory. */
    private static double[] image(Session session, ByteBuffer src, ByteBuffer dst, int side, Runnable peer) {
        final int bytes = 4 * side * side;
        try (Memory memory = session.createMemory(EnumSet.of(MemoryPropertyFlag.DEVICE_LOCAL), 32L << 20, false);
             Image image = memory.createImage(ImageDescriptor.of(side, side, ChannelType.UINT8, 4))) {
            return time(bytes, 1,
                    () -> image.write(src.duplicate().limit(bytes)),
                    () -> image.read(dst.duplicate().limit(bytes)),
                    peer);
        }
    }

    /** The peer: memcpy of the same bytes between the two direct buffers, one thread. */
    private static Runnable memcpy(ByteBuffer src, ByteBuffer dst, int size) {
        final long from = MemoryUtil.memAddress(src);
        final long to = MemoryUtil.memAddress(dst);
        return () -> MemoryUtil.memCopy(from, to, size);
    }

    /**
     * Median {write, read, memcpy} GB/s: rounds of the write then the read, then as many rounds of
     * the peer. The peer is not timed between the transfers: a memcpy just before a transfer
     * leaves the host's caches full of the bytes it read and wrote, and the device's reads of host
     * memory that follow ran 8-12% slower for it (64 MiB, an H100 host); PyTorch's reference copies
     * touch no host memory between copies, and neither do these.
     */
    private static double[] time(long size, int reps, Runnable write, Runnable read, Runnable copy) {
        final int n = reps > 1 ? ROUNDS_SMALL : rounds;
        final double[] w = new double[n + 1];
        final double[] r = new double[n + 1];
        final double[] c = new double[n + 1];
        for (int round = 0; round <= n; round++) { // round 0 warms up (pages, staging, JIT)
            long t0 = System.nanoTime();
            for (int i = 0; i < reps; i++) {
                write.run();
            }
            long t1 = System.nanoTime();
            for (int i = 0; i < reps; i++) {
                read.run();
            }
            long t2 = System.nanoTime();
            w[round] = gbps(size * reps, t1 - t0);
            r[round] = gbps(size * reps, t2 - t1);
        }
        for (int round = 0; round <= n; round++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < reps; i++) {
                copy.run();
            }
            c[round] = gbps(size * reps, System.nanoTime() - t0);
        }
        return new double[]{median(Arrays.copyOfRange(w, 1, w.length)), median(Arrays.copyOfRange(r, 1, r.length)),
            median(Arrays.copyOfRange(c, 1, c.length))};
    }

    private static int deviceLocalType(VulkanBackend vk, int bits) {
        // The first DEVICE_LOCAL type the buffer allows; on discrete GPUs that is the one the host cannot map.
        int hostVisibleFallback = -1;
        for (var t : vk.device().memoryTypes()) {
            if ((bits & (1 << t.index())) == 0 || !t.flags().contains(MemoryPropertyFlag.DEVICE_LOCAL)) {
                continue;
            }
            if (!t.isHostVisible()) {
                return t.index();
            }
            if (hostVisibleFallback < 0) {
                hostVisibleFallback = t.index();
            }
        }
        if (hostVisibleFallback < 0) {
            throw new IllegalStateException("no DEVICE_LOCAL memory type in bits " + Integer.toBinaryString(bits));
        }
        return hostVisibleFallback;
    }
}
