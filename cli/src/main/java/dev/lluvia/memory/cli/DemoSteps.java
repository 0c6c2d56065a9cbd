package dev.lluvia.memory.cli;

import dev.lluvia.memory.Buffer;
import dev.lluvia.memory.Defragmentation;
import dev.lluvia.memory.Memory;
import dev.lluvia.memory.MemoryLeakException;
import dev.lluvia.memory.MemoryMetrics;
import dev.lluvia.memory.MemoryOptions;
import dev.lluvia.memory.MemoryPropertyFlag;
import dev.lluvia.memory.PageLimitException;
import dev.lluvia.memory.Session;
import dev.lluvia.memory.TransferPath;

import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The demo's steps after the memory page's scenario: what a long-running program meets, each with
 * the allocator's answer. Each step also fires the Flight Recorder events of its kind (a
 * defragmentation pass, a transfer slower than the default 1 ms threshold, a refused create, a
 * leak report), so that a recording of the demo shows every kind.
 */
final class DemoSteps {

    private static final long MIB = 1L << 20;
    /** Buffers the defragmentation step creates, and their size: one page and a bit of a second. */
    static final int TILES = 10;
    static final long TILE_BYTES = 4 * MIB;
    /** The tiles closed to leave holes (both on the first page). */
    private static final int[] CLOSED_TILES = {1, 3};
    /** The transfer step's bytes: large enough to take more than a millisecond on any device. */
    static final int TRANSFER_BYTES = 64 << 20;
    /** The page-limit step's buffers: half a page each. */
    static final long HALF_PAGE = DemoCommand.PAGE_SIZE / 2;

    private DemoSteps() {
    }

    /**
     * Fills {@code memory} past one page, closes two buffers of the first page and defragments:
     * the last page's buffers move into the holes, and the page left empty is freed.
     */
    static void defragment(Memory memory, PrintWriter out) {
        out.println();
        out.println("defragmentation of device memory:");
        List<Buffer> tiles = new ArrayList<>();
        try {
            for (int i = 0; i < TILES; i++) {
                Buffer b = memory.createBuffer(TILE_BYTES);
                b.setName("tile " + i);
                tiles.add(b);
            }
            out.println("  " + TILES + " buffers of " + mib(TILE_BYTES) + ": pageCount " + memory.pageCount());
            List<String> closed = new ArrayList<>();
            for (int i : CLOSED_TILES) {
                Buffer b = tiles.get(i);
                closed.add("\"" + b.name() + "\" (page " + b.allocationInfo().page() + ")");
                b.close();
            }
            out.println("  closed " + String.join(" and ", closed) + ", leaving holes");
            Defragmentation.Totals done;
            try (Defragmentation d = memory.beginDefragmentation(Long.MAX_VALUE, Integer.MAX_VALUE)) {
                while (!d.isDone()) {
                    d.pass();
                }
                done = d.end();
            }
            out.println("  " + done.passes() + " passes moved " + done.objectsMoved() + " buffers ("
                    + mib(done.bytesMoved()) + ") and freed " + done.pagesFreed() + " page"
                    + (done.pagesFreed() == 1 ? "" : "s") + ": pageCount " + memory.pageCount());
        } finally {
            for (Buffer b : tiles) {
                b.close();
            }
        }
    }

    /**
     * Writes {@value #TRANSFER_BYTES} bytes into a buffer of {@code memory} and reads them back;
     * prints the path the session counted and the speed of each. Returns whether the bytes came back.
     */
    static boolean transfer(Session session, Memory memory, PrintWriter out) {
        ByteBuffer src = ByteBuffer.allocateDirect(TRANSFER_BYTES);
        for (int i = 0; i < TRANSFER_BYTES; i += Long.BYTES) {
            src.putLong(i, i * 0x9E3779B97F4A7C15L);
        }
        ByteBuffer back = ByteBuffer.allocateDirect(TRANSFER_BYTES);
        Map<TransferPath, MemoryMetrics.TransferEntry> before = session.metrics().transfers();
        long write;
        long read;
        try (Buffer frame = memory.createBuffer(TRANSFER_BYTES)) {
            frame.setName("frame data");
            long start = System.nanoTime();
            frame.write(0, src.duplicate());
            write = System.nanoTime() - start;
            start = System.nanoTime();
            frame.read(0, back.duplicate());
            read = System.nanoTime() - start;
        }
        Map<TransferPath, MemoryMetrics.TransferEntry> after = session.metrics().transfers();
        List<String> paths = new ArrayList<>();
        for (TransferPath p : TransferPath.values()) {
            long n = count(after, p) - count(before, p);
            if (n > 0) {
                paths.add(p + (n == 1 ? "" : " x" + n));
            }
        }
        boolean ok = src.mismatch(back) < 0;
        out.println();
        out.println("transfer: " + mib(TRANSFER_BYTES) + " written into a device-memory buffer and read back: "
                + (ok ? "ok" : "FAILED, the bytes differ"));
        out.println("  path " + String.join(", ", paths) + "; write " + speed(write) + ", read " + speed(read));
        return ok;
    }

    private static long count(Map<TransferPath, MemoryMetrics.TransferEntry> transfers, TransferPath p) {
        MemoryMetrics.TransferEntry e = transfers.get(p);
        return e == null ? 0 : e.transfers();
    }

    /**
     * A Memory of at most one page takes buffers of half a page until a create is refused, which
     * changes nothing; then, on purpose, its buffers are left open as the Memory closes: the leak
     * is reported (the demo's session throws on leaks, so the report is printed here).
     */
    static void pageLimitAndLeak(Session session, PrintWriter out) {
        Memory capped = session.createMemory(MemoryOptions.of(EnumSet.of(MemoryPropertyFlag.DEVICE_LOCAL))
                .withPageSize(DemoCommand.PAGE_SIZE).withPageBounds(0, 1));
        int made = 0;
        String refused = null;
        while (refused == null && made <= 2) {
            try {
                capped.createBuffer(HALF_PAGE).setName("half page " + made);
                made++;
            } catch (PageLimitException e) {
                refused = e.getClass().getSimpleName() + ": " + e.getMessage();
            }
        }
        out.println();
        out.println("page limit: a Memory of at most 1 page (MemoryOptions.withPageBounds(0, 1)) holds " + made
                + " buffers of " + mib(HALF_PAGE) + "; the next is refused:");
        out.println("  " + (refused == null ? "not refused: " + made + " buffers fit" : refused));
        out.println("  nothing changed: pageCount " + capped.pageCount() + ", objects " + capped.objects().size());
        out.println();
        out.println("leak check (on purpose): the Memory is closed with its " + made + " buffers open; the demo's "
                + "leak policy is THROW, so closing frees them and reports:");
        try {
            capped.close();
            out.println("  nothing reported");
        } catch (MemoryLeakException e) {
            out.println("  " + e.getClass().getSimpleName() + ": " + e.getMessage().replace("\n", "\n  "));
        }
    }

    private static String mib(long bytes) {
        return bytes % MIB == 0 ? bytes / MIB + " MiB" : bytes + " bytes";
    }

    private static String speed(long nanos) {
        return String.format(Locale.ROOT, "%.1f ms (%.1f GB/s)", nanos / 1e6, (double) TRANSFER_BYTES / nanos);
    }
}
