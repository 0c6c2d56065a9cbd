package dev.lluvia.memory.examples;

import dev.lluvia.memory.MemoryMetrics;
import dev.lluvia.memory.Session;
import dev.lluvia.memory.TransferPath;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;

import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * A Micrometer binder over {@link Session#metrics()}: gauges per heap (budget, usage, page bytes)
 * and per Memory (pages, bytes, objects, free ranges), counters of transfers and their bytes by
 * path. A scrape reads every meter, and each meter would otherwise walk the session's pages, so
 * the snapshot is taken at most once per {@code maxAgeMillis}. Memories created after
 * {@link #bindTo} get meters when it is called again. Micrometer holds a counter's object weakly:
 * keep the binder referenced (a field of the service) for as long as its meters are scraped. Compiled in the examples' tests only, so
 * that neither the library nor the examples need Micrometer.
 */
final class LluviaMemoryMeterBinder implements MeterBinder {

    private final Session session;
    private final long maxAgeNanos;
    private MemoryMetrics snapshot;
    private long takenAt;

    LluviaMemoryMeterBinder(Session session, long maxAgeMillis) {
        this.session = session;
        this.maxAgeNanos = maxAgeMillis * 1_000_000;
    }

    /** The latest snapshot, taken again when older than the maximum age; the last one once the session closed. */
    synchronized MemoryMetrics snapshot() {
        long now = System.nanoTime();
        if ((snapshot == null || now - takenAt >= maxAgeNanos) && !session.isClosed()) {
            try {
                snapshot = session.metrics();
                takenAt = now;
            } catch (IllegalStateException closed) {
                // keep the last snapshot
            }
        }
        return snapshot;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        MemoryMetrics first = snapshot();
        Tags base = Tags.of("session", Long.toString(first.session()), "device", first.device());
        for (MemoryMetrics.HeapEntry h : first.heaps()) {
            final int heap = h.heap();
            Tags tags = base.and("heap", Integer.toString(heap));
            gauge(registry, "lluvia.heap.budget", tags, "bytes", m -> m.heaps().get(heap).budget());
            gauge(registry, "lluvia.heap.usage", tags, "bytes", m -> m.heaps().get(heap).usage());
            gauge(registry, "lluvia.heap.pages", tags, "bytes", m -> m.heaps().get(heap).pageBytes());
            gauge(registry, "lluvia.heap.staging", tags, "bytes", m -> m.heaps().get(heap).stagingBytes());
        }
        for (MemoryMetrics.MemoryEntry e : first.memories()) {
            final int number = e.number();
            Tags tags = base.and("memory", Integer.toString(number), "type", Integer.toString(e.memoryType()));
            gauge(registry, "lluvia.memory.pages", tags, null, m -> memory(m, number).pages());
            gauge(registry, "lluvia.memory.page.bytes", tags, "bytes", m -> memory(m, number).pageBytes());
            gauge(registry, "lluvia.memory.objects", tags, null, m -> memory(m, number).objects());
            gauge(registry, "lluvia.memory.object.bytes", tags, "bytes", m -> memory(m, number).objectBytes());
            gauge(registry, "lluvia.memory.free.ranges", tags, null, m -> memory(m, number).freeRanges());
        }
        for (TransferPath path : TransferPath.values()) {
            Tags tags = base.and("path", path.name().toLowerCase(Locale.ROOT));
            FunctionCounter.builder("lluvia.transfers", this, b -> b.snapshot().transfers().get(path).transfers())
                    .tags(tags).register(registry);
            FunctionCounter.builder("lluvia.transfer.bytes", this, b -> b.snapshot().transfers().get(path).bytes())
                    .tags(tags).baseUnit("bytes").register(registry);
        }
    }

    /** A closed Memory reads as empty. */
    private static MemoryMetrics.MemoryEntry memory(MemoryMetrics m, int number) {
        for (MemoryMetrics.MemoryEntry e : m.memories()) {
            if (e.number() == number) {
                return e;
            }
        }
        return new MemoryMetrics.MemoryEntry(number, "", 0, 0, 0, 0, 0, 0, 0, 0);
    }

    private void gauge(MeterRegistry registry, String name, Tags tags, String unit, ToDoubleFunction<MemoryMetrics> value) {
        Gauge.builder(name, this, b -> value.applyAsDouble(b.snapshot())).tags(tags).baseUnit(unit).strongReference(true).register(registry);
    }
}
