package dev.lluvia.memory.examples;

import dev.lluvia.memory.Buffer;
import dev.lluvia.memory.Memory;
import dev.lluvia.memory.MemoryUsage;
import dev.lluvia.memory.Session;
import dev.lluvia.memory.SessionOptions;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The plain poller's lines and the Micrometer binder's meters against a workload on the Vulkan device (lavapipe in CI). */
class MetricsExamplesTest {

    @Test
    void pollerAndBinderReportTheWorkload() {
        try (Session s = Session.create(SessionOptions.defaults().withBackend("vulkan"))) {
            Memory m = s.createMemory(MemoryUsage.DEVICE_ONLY, 1 << 20);
            Buffer a = m.createBuffer(4096);
            Buffer b = m.createBuffer(8192);
            a.write(0, ByteBuffer.allocate(4096));

            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            LluviaMemoryMeterBinder binder = new LluviaMemoryMeterBinder(s, 0); // kept: counters hold it weakly
            binder.bindTo(registry);
            String session = Long.toString(s.id());
            assertEquals(2, registry.get("lluvia.memory.objects").tag("memory", "1").gauge().value());
            assertEquals(m.statistics().pageBytes(), registry.get("lluvia.memory.page.bytes").tag("session", session).gauge().value());
            int heap = m.memoryType().heapIndex();
            assertEquals(s.heapBudgets().get(heap).budget(),
                    registry.get("lluvia.heap.budget").tag("heap", Integer.toString(heap)).gauge().value());
            // lavapipe's one memory type is host-visible: the write went through the mapping.
            String path = m.isMappable() ? "mapped" : "staged";
            assertEquals(4096, registry.get("lluvia.transfer.bytes").tag("path", path).functionCounter().count());
            a.close();
            assertEquals(1, registry.get("lluvia.memory.objects").tag("memory", "1").gauge().value(), "read again: the age is 0");

            List<String> lines = MetricsPoller.lines(s.metrics());
            assertTrue(lines.contains("lluvia_memory_objects{session=\"" + session + "\",memory=\"1\",type=\""
                    + m.memoryType().index() + "\"} 1"), String.join("\n", lines));
            assertTrue(lines.contains("lluvia_transfer_bytes_total{session=\"" + session + "\",path=\"" + path + "\"} 4096"),
                    String.join("\n", lines));
            assertEquals(1, binder.snapshot().memories().get(0).objects());
            b.close(); // not left to the session, whose leak warning would print in the build
        }
    }
}
