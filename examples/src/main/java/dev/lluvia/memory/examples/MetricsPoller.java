package dev.lluvia.memory.examples;

import dev.lluvia.memory.Buffer;
import dev.lluvia.memory.MemoryMetrics;
import dev.lluvia.memory.MemoryUsage;
import dev.lluvia.memory.Memory;
import dev.lluvia.memory.Session;
import dev.lluvia.memory.TransferPath;

import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Polls {@link Session#metrics()} on a timer and prints it as metric lines, the way a scraper's
 * gauge would read it, with no metrics library: {@code lluvia_heap_usage_bytes{heap="0"} 33554432}.
 * {@link #lines} is the whole mapping from the snapshot to named values with labels; a Micrometer
 * or OpenTelemetry binder registers one gauge per line (the tests have a Micrometer one).
 *
 * <p>Run: {@code java -cp 'examples/target/classes:examples/target/lib/*' dev.lluvia.memory.examples.MetricsPoller}
 */
public final class MetricsPoller {

    private MetricsPoller() {
    }

    /** The snapshot as {@code name{labels} value} lines, in a stable order. */
    public static List<String> lines(MemoryMetrics m) {
        List<String> out = new ArrayList<>();
        String session = "session=\"" + m.session() + "\"";
        for (MemoryMetrics.HeapEntry h : m.heaps()) {
            String labels = "{" + session + ",heap=\"" + h.heap() + "\"}";
            out.add("lluvia_heap_budget_bytes" + labels + " " + h.budget());
            out.add("lluvia_heap_usage_bytes" + labels + " " + h.usage());
            out.add("lluvia_heap_page_bytes" + labels + " " + h.pageBytes());
            out.add("lluvia_heap_staging_bytes" + labels + " " + h.stagingBytes());
        }
        for (MemoryMetrics.MemoryEntry e : m.memories()) {
            String labels = "{" + session + ",memory=\"" + e.number() + "\",type=\"" + e.memoryType() + "\"}";
            out.add("lluvia_memory_pages" + labels + " " + e.pages());
            out.add("lluvia_memory_page_bytes" + labels + " " + e.pageBytes());
            out.add("lluvia_memory_objects" + labels + " " + e.objects());
            out.add("lluvia_memory_object_bytes" + labels + " " + e.objectBytes());
            out.add("lluvia_memory_free_ranges" + labels + " " + e.freeRanges());
        }
        for (Map.Entry<TransferPath, MemoryMetrics.TransferEntry> t : m.transfers().entrySet()) {
            String labels = "{" + session + ",path=\"" + t.getKey().name().toLowerCase(java.util.Locale.ROOT) + "\"}";
            out.add("lluvia_transfers_total" + labels + " " + t.getValue().transfers());
            out.add("lluvia_transfer_bytes_total" + labels + " " + t.getValue().bytes());
        }
        return out;
    }

    /** Prints {@code session}'s metrics to {@code out} every {@code periodMillis} until the returned service is shut down. */
    public static ScheduledExecutorService start(Session session, PrintStream out, long periodMillis) {
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "lluvia-metrics");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleAtFixedRate(() -> {
            try {
                lines(session.metrics()).forEach(out::println);
                out.println();
            } catch (IllegalStateException closed) {
                timer.shutdown();
            }
        }, 0, periodMillis, TimeUnit.MILLISECONDS);
        return timer;
    }

    public static void main(String[] args) throws InterruptedException {
        try (Session session = Session.create()) {
            ScheduledExecutorService poller = start(session, System.out, 1000);
            Memory memory = session.createMemory(MemoryUsage.DEVICE_ONLY);
            List<Buffer> buffers = new ArrayList<>();
            ByteBuffer bytes = ByteBuffer.allocateDirect(1 << 16);
            for (int i = 0; i < 30; i++) {
                Buffer b = memory.createBuffer(1 << 20);
                b.write(0, bytes.clear());
                buffers.add(b);
                Thread.sleep(100);
            }
            buffers.forEach(Buffer::close);
            poller.shutdown();
            poller.awaitTermination(5, TimeUnit.SECONDS);
        }
    }
}
