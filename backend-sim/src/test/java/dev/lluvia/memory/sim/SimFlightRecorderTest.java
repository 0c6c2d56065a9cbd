package dev.lluvia.memory.sim;

import dev.lluvia.memory.Buffer;
import dev.lluvia.memory.ChannelType;
import dev.lluvia.memory.Defragmentation;
import dev.lluvia.memory.IncompatibleMemoryTypeException;
import dev.lluvia.memory.LeakPolicy;
import dev.lluvia.memory.Memory;
import dev.lluvia.memory.MemoryPropertyFlag;
import dev.lluvia.memory.Session;
import dev.lluvia.memory.SessionOptions;
import jdk.jfr.EventType;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Records a workload on the sim's H100 profile with Flight Recorder, reads the file back with
 * {@link RecordingFile} and checks each event against what the workload did: pages allocated and
 * freed, objects created and closed, a refused create, defragmentation passes, transfers by path,
 * budget pressure, a leak, and the periodic heap and Memory statistics.
 */
class SimFlightRecorderTest {

    static final String PREFIX = "dev.lluvia.memory.";
    static final List<String> KINDS = List.of("PageAllocated", "PageFreed", "ObjectCreated", "ObjectClosed",
            "CreateRefused", "DefragmentationPass", "Transfer", "BudgetPressure", "LeakReported",
            "HeapStatistics", "MemoryStatistics");

    /** A recording of every allocator event: no duration threshold, every object, pressure from 0%. */
    static Recording recordEverything() {
        Recording r = new Recording();
        for (String kind : KINDS) {
            r.enable(PREFIX + kind).withThreshold(Duration.ZERO).withoutStackTrace();
        }
        r.enable(PREFIX + "ObjectCreated").with("minSize", "0");
        r.enable(PREFIX + "ObjectClosed").with("minSize", "0");
        r.enable(PREFIX + "BudgetPressure").with("pressure", "0");
        r.enable(PREFIX + "HeapStatistics").with("period", "endChunk");
        r.enable(PREFIX + "MemoryStatistics").with("period", "endChunk");
        return r;
    }

    private static Session open() {
        return Session.create(SessionOptions.defaults().withBackend("sim").withDevice("nvidia-h100")
                .withLeakPolicy(LeakPolicy.IGNORE));
    }

    private static Map<String, List<RecordedEvent>> byKind(Path file, long session) throws IOException {
        Map<String, List<RecordedEvent>> out = new TreeMap<>();
        for (RecordedEvent e : RecordingFile.readAllEvents(file)) {
            String name = e.getEventType().getName();
            if (name.startsWith(PREFIX) && e.getLong("session") == session) {
                out.computeIfAbsent(name.substring(PREFIX.length()), k -> new ArrayList<>()).add(e);
            }
        }
        return out;
    }

    private static long sum(List<RecordedEvent> events, String field) {
        return events.stream().mapToLong(e -> e.getLong(field)).sum();
    }

    @Test
    void eventsReadBackMatchTheWorkload(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("workload.jfr");
        long session;
        long allocatedPageBytes = 0;
        int allocatedPages;
        int objects = 0;
        long objectBytes = 0;
        int passes = 0;
        int moved = 0;
        long movedBytes = 0;
        String deviceName;
        int heaps;
        long mappedBytes;
        long stillOpenPages;
        try (Recording recording = recordEverything()) {
            recording.start();
            Session s = open();
            session = s.id();
            deviceName = s.device().name();
            heaps = s.device().memoryHeaps().size();
            // Device-local memory of 1 MiB pages: not host-visible on the H100, so writes are staged.
            Memory device = s.createMemory(EnumSet.of(MemoryPropertyFlag.DEVICE_LOCAL), 1 << 20, true);
            List<Buffer> buffers = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                Buffer b = device.createBuffer(100_000);
                buffers.add(b);
                objects++;
                objectBytes += b.allocationInfo().size();
            }
            allocatedPages = device.pageCount();
            allocatedPageBytes += device.statistics().pageBytes();
            buffers.get(0).write(0, ByteBuffer.allocate(4096));
            buffers.get(1).read(0, ByteBuffer.allocate(8192));
            // Every other buffer closed: defragmentation then has holes to fill.
            for (int i = 0; i < buffers.size(); i += 2) {
                buffers.get(i).close();
            }
            try (Defragmentation d = device.beginDefragmentation(Long.MAX_VALUE, Integer.MAX_VALUE)) {
                List<Defragmentation.Move> moves;
                do {
                    moves = d.pass();
                    passes++;
                    moved += moves.size();
                    for (Defragmentation.Move m : moves) {
                        movedBytes += m.from().size();
                    }
                } while (!moves.isEmpty());
            }
            assertTrue(moved > 0, "the workload moves something");
            // Host-visible memory: a write through the mapping.
            Memory host = s.createMemory(EnumSet.of(MemoryPropertyFlag.HOST_VISIBLE, MemoryPropertyFlag.HOST_COHERENT), 1 << 20, false);
            Buffer mapped = host.createBuffer(4096);
            objects++;
            mappedBytes = mapped.allocationInfo().size();
            objectBytes += mappedBytes;
            allocatedPages += host.pageCount();
            allocatedPageBytes += host.statistics().pageBytes();
            mapped.write(0, ByteBuffer.allocate(4096));
            // Optimal images are device-local only on the H100: refused in host-visible memory.
            assertThrows(IncompatibleMemoryTypeException.class, () -> host.createImage(32, 32, ChannelType.UINT8));
            host.close(); // mapped is still open: a leak (the policy ignores it)
            stillOpenPages = device.pageCount();
            s.close();
            recording.stop();
            recording.dump(file);
        }

        Map<String, List<RecordedEvent>> events = byKind(file, session);

        List<RecordedEvent> pages = events.get("PageAllocated");
        assertEquals(allocatedPages, pages.size(), "pages allocated");
        assertEquals(allocatedPageBytes, sum(pages, "bytes"));
        assertTrue(pages.stream().noneMatch(e -> e.getBoolean("dedicated")));
        assertEquals(deviceName, pages.get(0).getString("device"));
        assertEquals("Memory 1 (type 1 [DEVICE_LOCAL])", pages.get(0).getString("memory"));
        // Every page went back: at defragmentation's end, when host closed, and with the session.
        assertEquals(allocatedPages, events.get("PageFreed").size(), "pages freed");
        assertEquals(allocatedPageBytes, sum(events.get("PageFreed"), "bytes"));
        assertTrue(stillOpenPages < allocatedPages, "defragmentation freed a page");

        assertEquals(objects, events.get("ObjectCreated").size(), "objects created");
        assertEquals(objectBytes, sum(events.get("ObjectCreated"), "bytes"));
        // Closed by their own close(): the ten closed before defragmentation; the rest went with
        // their Memory or session, which the leak event (or nothing) reports instead.
        assertEquals(10, events.get("ObjectClosed").size(), "objects closed");

        RecordedEvent refused = events.get("CreateRefused").get(0);
        assertEquals(1, events.get("CreateRefused").size());
        assertEquals("IncompatibleMemoryTypeException", refused.getString("reason"));
        assertTrue(refused.getString("object").startsWith("Image#"), refused.getString("object"));

        List<RecordedEvent> defrag = events.get("DefragmentationPass");
        assertEquals(passes, defrag.size(), "passes");
        assertEquals(moved, sum(defrag, "objectsMoved"));
        assertEquals(movedBytes, sum(defrag, "bytesMoved"));

        List<RecordedEvent> transfers = events.get("Transfer");
        assertEquals(3, transfers.size());
        assertEquals(List.of("upload STAGED 4096", "download STAGED 8192", "upload MAPPED 4096"),
                transfers.stream().map(e -> e.getString("direction") + " " + e.getString("path") + " " + e.getLong("bytes")).toList());
        assertTrue(transfers.stream().allMatch(e -> e.getDouble("gbPerSecond") > 0));
        for (int i = 1; i < transfers.size(); i++) {
            // One event object per thread, begun again for each transfer: each has its own times.
            assertFalse(transfers.get(i).getStartTime().isBefore(transfers.get(i - 1).getEndTime()), "transfer " + i);
            assertFalse(transfers.get(i).getDuration().isNegative(), "transfer " + i);
        }

        // Pressure from 0%: every page allocation reports its heap, and so does each heap's last
        // statistics as the session closes.
        assertEquals(allocatedPages + heaps, events.get("BudgetPressure").size());
        assertEquals(heaps, events.get("HeapStatistics").size(), "one per heap as the session closed");
        assertEquals(1, events.get("MemoryStatistics").size(), "device memory, still open as the session closed");
        assertTrue(events.get("BudgetPressure").stream().allMatch(e -> e.getLong("budget") > 0));
        assertTrue(events.get("BudgetPressure").subList(0, allocatedPages).stream().allMatch(e -> e.getLong("usage") > 0),
                "a page was just allocated in the heap");

        // Two Memories closed with live objects: host (mapped) on its own, device with the session.
        List<RecordedEvent> leaks = events.get("LeakReported");
        assertEquals(2, leaks.size());
        RecordedEvent leak = leaks.get(0);
        assertEquals("Memory 2 (type 2 [HOST_VISIBLE, HOST_COHERENT])", leak.getString("memory"));
        assertEquals(1, leak.getInt("objects"));
        assertEquals(mappedBytes, leak.getLong("bytes"));
        assertEquals("IGNORE", leak.getString("policy"));
        assertEquals(10, leaks.get(1).getInt("objects"));
        assertEquals("Memory 1 (type 1 [DEVICE_LOCAL])", leaks.get(1).getString("memory"));
        assertTrue(leak.getString("objectNames").startsWith("Buffer#"), leak.getString("objectNames"));
    }

    @Test
    void periodicEventsReportEachHeapAndMemory(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("periodic.jfr");
        try (Session s = open(); Recording recording = recordEverything()) {
            Memory m = s.createMemory(EnumSet.of(MemoryPropertyFlag.DEVICE_LOCAL), 1 << 20, true);
            Buffer a = m.createBuffer(1000);
            m.createBuffer(3000);
            a.close(); // one hole before the second buffer, one after it
            recording.start();
            recording.stop(); // the end of the chunk emits the periodic events
            recording.dump(file);
            Map<String, List<RecordedEvent>> events = byKind(file, s.id());

            List<RecordedEvent> heaps = events.get("HeapStatistics");
            assertEquals(s.device().memoryHeaps().size(), heaps.size(), "one per heap");
            RecordedEvent heap0 = heaps.stream().filter(e -> e.getInt("heap") == 0).findFirst().orElseThrow();
            assertEquals(1 << 20, heap0.getLong("pageBytes"));
            assertEquals(m.statistics().allocationBytes(), heap0.getLong("objectBytes"));
            assertEquals(s.heapBudgets().get(0).budget(), heap0.getLong("budget"));

            RecordedEvent memory = events.get("MemoryStatistics").get(0);
            assertEquals(1, events.get("MemoryStatistics").size());
            assertEquals(1, memory.getInt("pages"));
            assertEquals(1, memory.getInt("objects"));
            assertEquals(m.detailedStatistics().freeRangeCount(), memory.getInt("freeRanges"));
            assertEquals(2, memory.getInt("freeRanges"));
            assertEquals(m.detailedStatistics().largestFreeRange(), memory.getLong("largestFreeRange"));
        }
    }

    @Test
    void defaultSettingsLeaveSmallObjectsOut(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("defaults.jfr");
        try (Session s = open(); Recording recording = new Recording()) {
            recording.enable(PREFIX + "ObjectCreated");
            recording.start();
            Memory m = s.createMemory(EnumSet.of(MemoryPropertyFlag.DEVICE_LOCAL));
            m.createBuffer(4096);
            m.createBuffer(2 << 20);
            recording.stop();
            recording.dump(file);
            List<RecordedEvent> created = byKind(file, s.id()).get("ObjectCreated");
            assertEquals(1, created.size(), "only the object of at least 1 MiB");
            assertEquals(2 << 20, created.get(0).getLong("bytes"));
        }
    }

    @Test
    void everyEventIsInOneCategoryWithLabelAndDescription() {
        try (Session s = open(); Recording recording = recordEverything()) {
            recording.start(); // registers the classes
            Set<String> found = jdk.jfr.FlightRecorder.getFlightRecorder().getEventTypes().stream()
                    .map(EventType::getName).filter(n -> n.startsWith(PREFIX)).collect(Collectors.toSet());
            assertEquals(KINDS.stream().map(k -> PREFIX + k).collect(Collectors.toSet()), found);
            for (EventType t : jdk.jfr.FlightRecorder.getFlightRecorder().getEventTypes()) {
                if (t.getName().startsWith(PREFIX)) {
                    assertEquals(List.of("Lluvia Memory"), t.getCategoryNames(), t.getName());
                    assertFalse(t.getLabel() == null || t.getLabel().isBlank(), t.getName());
                    assertFalse(t.getDescription() == null || t.getDescription().isBlank(), t.getName());
                }
            }
        }
    }
}
