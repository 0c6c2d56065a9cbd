package dev.lluvia.memory.sim;

import dev.lluvia.memory.Buffer;
import dev.lluvia.memory.MappedSegments;
import dev.lluvia.memory.Memory;
import dev.lluvia.memory.MemoryNotMappableException;
import dev.lluvia.memory.MemoryPropertyFlag;
import dev.lluvia.memory.Session;
import dev.lluvia.memory.contract.ChildJvm;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link MappedSegments} on the sim, on a JDK 22+ JVM: segments see the buffer's bytes, transfers
 * take segments, and (in child JVMs, {@link SegmentCases}) every access after each kind of close
 * or move throws, with no crash and no wrong byte over many runs.
 */
class SimSegmentViewTest {

    private static final List<String> NATIVE_ACCESS = List.of("--enable-native-access=ALL-UNNAMED");
    /** Child JVMs of the race in one mvn verify; {@code -Dlluvia.longTests=true} runs more. */
    private static final int RACE_RUNS = Boolean.getBoolean("lluvia.longTests") ? 200 : 8;

    @Test
    void aSegmentIsTheBuffersMappedBytes() {
        try (Session s = SegmentCases.open("nvidia-h100")) {
            Memory m = SegmentCases.host(s);
            Buffer b = m.createBuffer(1000);
            MemorySegment all = MappedSegments.map(b);
            assertEquals(1000, all.byteSize());
            all.set(ValueLayout.JAVA_INT, 8, 0x01020304);
            assertEquals(0x01020304, b.map().getInt(8), "the checked view sees the same bytes");
            MemorySegment part = MappedSegments.map(b, 8, 4);
            assertEquals(0x01020304, part.get(ValueLayout.JAVA_INT, 0));
            assertThrows(IndexOutOfBoundsException.class, () -> all.get(ValueLayout.JAVA_BYTE, 1000));
            assertThrows(IndexOutOfBoundsException.class, () -> MappedSegments.map(b, 990, 11));
            Memory device = s.createMemory(MemoryPropertyFlag.DEVICE_LOCAL);
            Buffer d = device.createBuffer(64);
            assertThrows(MemoryNotMappableException.class, () -> MappedSegments.map(d));
        }
    }

    @Test
    void transfersTakeSegmentsOfEveryKind() {
        try (Session s = SegmentCases.open("nvidia-h100"); Arena arena = Arena.ofConfined()) {
            Memory host = SegmentCases.host(s);
            Memory device = s.createMemory(MemoryPropertyFlag.DEVICE_LOCAL);
            Buffer target = device.createBuffer(4096);
            byte[] expected = new byte[4096];
            for (int i = 0; i < expected.length; i++) {
                expected[i] = (byte) (i * 7 + 3);
            }
            // In place: a segment of another buffer (a staging buffer of the program's).
            Buffer staging = host.createBuffer(4096);
            MemorySegment own = MappedSegments.map(staging);
            MemorySegment.copy(expected, 0, own, ValueLayout.JAVA_BYTE, 0, expected.length);
            MappedSegments.write(target, 0, own);
            MemorySegment back = arena.allocate(4096); // native memory of the program's: staged
            MappedSegments.read(target, 0, back);
            assertArrayEquals(expected, back.toArray(ValueLayout.JAVA_BYTE));
            // Heap segments of bytes and of ints.
            MemorySegment ints = MemorySegment.ofArray(new int[1024]);
            MappedSegments.read(target, 0, ints);
            assertArrayEquals(expected, ints.toArray(ValueLayout.JAVA_BYTE));
            MappedSegments.write(target, 0, MemorySegment.ofArray(new byte[4096]));
            own.fill((byte) 0x55);
            MappedSegments.read(target, 0, own);
            assertArrayEquals(new byte[4096], own.toArray(ValueLayout.JAVA_BYTE));
            MappedSegments.write(target, 4000, MemorySegment.ofArray(expected).asSlice(0, 96));
            assertThrows(IndexOutOfBoundsException.class, () -> MappedSegments.write(target, 4001, own.asSlice(0, 96)));
            assertThrows(IllegalArgumentException.class, () -> MappedSegments.read(target, 0, own.asReadOnly()));
            // A segment of a closed buffer is refused, naming the buffer.
            staging.close();
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> MappedSegments.write(target, 0, own));
            assertTrue(e.getMessage().startsWith("src is a segment whose scope has ended"), e.getMessage());
        }
    }

    @Test
    void everyAccessAfterEachKindOfCloseAndMoveThrowsInAChildJvm() throws Exception {
        ChildJvm.Result r = ChildJvm.run(SegmentCases.class, 180, NATIVE_ACCESS, "nvidia-h100", "stale");
        assertEquals(0, r.exitCode(), "the child JVM " + (r.crashed() ? "crashed" : "failed") + ":\n" + r.output());
        assertEquals(4, r.output().lines().filter(l -> l.startsWith("PASS ")).count(), r.output());
    }

    @Test
    void eightThreadsThroughSegmentsWhileBuffersCloseAndMoveNeverCrashOrWriteElsewhere() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<ChildJvm.Result>> runs = new ArrayList<>();
            for (int i = 0; i < RACE_RUNS; i++) {
                final String seed = Integer.toString(5000 + i);
                final String profile = i % 2 == 0 ? "nvidia-h100" : "mobile-noncoherent";
                runs.add(pool.submit(() -> ChildJvm.run(SegmentCases.class, 120, NATIVE_ACCESS, profile, "race", seed)));
            }
            int crashes = 0;
            int failed = 0;
            long accesses = 0;
            long refused = 0;
            StringBuilder failures = new StringBuilder();
            for (Future<ChildJvm.Result> f : runs) {
                ChildJvm.Result r = f.get();
                for (String line : r.output().lines().filter(l -> l.startsWith("RACE ")).toList()) {
                    accesses += ChildJvm.field(line, "accesses");
                    refused += ChildJvm.field(line, "refused");
                }
                crashes += r.crashed() ? 1 : 0;
                failed += !r.crashed() && r.exitCode() != 0 ? 1 : 0;
                if (r.exitCode() != 0 && failures.length() < 20_000) {
                    failures.append("--- exit ").append(r.exitCode()).append('\n').append(r.output());
                }
            }
            String summary = "SegmentCases race: " + RACE_RUNS + " JVM runs, " + crashes + " crashes, " + failed
                    + " failed, " + accesses + " segment accesses, " + refused + " refused after close or move";
            assertTrue(crashes == 0 && failed == 0 && accesses > 0 && refused > 0, summary + "\n" + failures);
        } finally {
            pool.shutdownNow();
        }
    }
}
