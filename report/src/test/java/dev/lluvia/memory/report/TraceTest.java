package dev.lluvia.memory.report;

import dev.lluvia.memory.BufferUsage;
import dev.lluvia.memory.ChannelType;
import dev.lluvia.memory.ImageDescriptor;
import dev.lluvia.memory.ImageFormat;
import dev.lluvia.memory.ImageTiling;
import dev.lluvia.memory.ImageUsage;
import dev.lluvia.memory.LeakPolicy;
import dev.lluvia.memory.Memory;
import dev.lluvia.memory.MemoryObject;
import dev.lluvia.memory.MemoryOptions;
import dev.lluvia.memory.MemoryPropertyFlag;
import dev.lluvia.memory.Session;
import dev.lluvia.memory.SessionOptions;
import dev.lluvia.memory.UnsupportedMemoryFlagsException;
import dev.lluvia.memory.alloc.AllocationAlgorithm;
import dev.lluvia.memory.alloc.AllocationStrategy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TraceTest {

    private static Session sim(String profile) {
        return Session.create(SessionOptions.defaults().withBackend("sim").withDevice(profile)
                .withLeakPolicy(LeakPolicy.IGNORE));
    }

    /**
     * Round trip: a seeded random trace, replayed, leaves the same placements, names and
     * statistics (and so the same dump) as the same calls made directly.
     */
    @ParameterizedTest
    @ValueSource(strings = {"nvidia-h100", "llvmpipe", "mobile-noncoherent"})
    void replayingATraceEqualsMakingTheCallsDirectly(String profile) {
        long seed = 0x7ace_0000L + profile.hashCode();
        Random random = new Random(seed);
        List<String> lines = new ArrayList<>();
        lines.add("# generated, seed " + seed);
        lines.add("memory dev DEVICE_LOCAL pageSize=256KiB");
        lines.add("memory host HOST_VISIBLE pageSize=128KiB");
        List<String> live = new ArrayList<>();
        for (int n = 0; n < 400; n++) {
            if (live.isEmpty() || random.nextInt(100) < 60) {
                String memory = random.nextBoolean() ? "dev" : "host";
                String id = "o" + n;
                if (random.nextBoolean()) {
                    lines.add("buffer " + id + " " + memory + " " + (1 + random.nextInt(20_000)));
                } else {
                    // Formats and shapes every sim profile accepts (no 64-bit or three-channel, 2D).
                    lines.add("image " + id + " " + memory + " " + (1 + random.nextInt(200)) + "x" + (2 + random.nextInt(199))
                            + " " + ChannelType.values()[random.nextInt(ChannelType.values().length - 1)]
                            + " " + new int[] {1, 2, 4}[random.nextInt(3)] + (memory.equals("host") ? " LINEAR" : ""));
                }
                live.add(id);
            } else {
                lines.add("close " + live.remove(random.nextInt(live.size())));
            }
        }
        Trace trace = Trace.parse("random.trace", lines);

        try (Session replayed = sim(profile); Session direct = sim(profile)) {
            Trace.Replay replay = trace.replay(replayed);
            assertEquals(trace.events().size(), replay.events());

            // The same calls, written out by hand from the events.
            Map<String, Memory> memories = new LinkedHashMap<>();
            Map<String, MemoryObject> objects = new LinkedHashMap<>();
            for (Trace.Event e : trace.events()) {
                if (e instanceof Trace.CreateMemory m) {
                    memories.put(m.id(), direct.createMemory(m.options().flags(), m.options().pageSize(),
                            m.options().exactFlagsMatch()));
                } else if (e instanceof Trace.CreateBuffer b) {
                    MemoryObject o = memories.get(b.memory()).createBuffer(b.size());
                    o.setName(b.id());
                    objects.put(b.id(), o);
                } else if (e instanceof Trace.CreateImage i) {
                    MemoryObject o = memories.get(i.memory()).createImage(i.descriptor());
                    o.setName(i.id());
                    objects.put(i.id(), o);
                } else if (e instanceof Trace.Close c) {
                    objects.remove(c.id()).close();
                }
            }
            assertEquals(objects.keySet(), replay.objects().keySet());
            for (Map.Entry<String, MemoryObject> e : objects.entrySet()) {
                MemoryObject r = replay.objects().get(e.getKey());
                assertEquals(e.getValue().allocationInfo(), r.allocationInfo(), e.getKey());
                assertEquals(e.getKey(), r.name());
            }
            assertEquals(direct.statistics(), replayed.statistics());
            assertEquals(direct.detailedStatistics(), replayed.detailedStatistics());
            assertEquals(VmaDump.toJson(SessionReport.of(direct)), VmaDump.toJson(SessionReport.of(replayed)));
        }
    }

    @Test
    void aTraceWrittenBackParsesToTheSameEvents() {
        Trace trace = Trace.read(Path.of("..", "cli", "examples", "frame.trace"));
        List<String> written = trace.lines();
        Trace again = Trace.parse("written.trace", written);
        assertEquals(trace.events().size(), again.events().size());
        for (int n = 0; n < written.size(); n++) {
            assertEquals(withLine(trace.events().get(n), n + 1), again.events().get(n), written.get(n));
        }
        assertEquals(written, again.lines());
        assertEquals("memory dev DEVICE_LOCAL pageSize=33554432 algorithm=TLSF strategy=MIN_TIME", written.get(0));
        assertEquals("buffer vertices dev 3145728 usage=TRANSFER_DST,VERTEX_BUFFER", written.get(2));
        assertEquals("image albedo dev 1024x1024x1 UINT8 4 OPTIMAL", written.get(4));
    }

    /** The same event on another line. */
    private static Trace.Event withLine(Trace.Event e, int line) {
        if (e instanceof Trace.CreateMemory m) {
            return new Trace.CreateMemory(line, m.id(), m.options());
        } else if (e instanceof Trace.CreateBuffer b) {
            return new Trace.CreateBuffer(line, b.id(), b.memory(), b.size(), b.usage());
        } else if (e instanceof Trace.CreateImage i) {
            return new Trace.CreateImage(line, i.id(), i.memory(), i.descriptor());
        }
        return new Trace.Close(line, ((Trace.Close) e).id());
    }

    @Test
    void everyEventParsesToTheCallItNames() {
        Trace trace = Trace.parse("t", List.of(
                "  # a comment line",
                "",
                "Memory m0 device_local|HOST_VISIBLE pageSize=1MiB exact   # trailing comment",
                "buffer b1 m0 4KiB usage=vertex_buffer,TRANSFER_DST",
                "image i1 m0 32x16x2 FLOAT32 4 LINEAR",
                "image i2 m0 8x8 uint8",
                "close b1",
                "close m0",
                "memory m1 HOST_VISIBLE algorithm=first_fit strategy=MIN_MEMORY emptyPageBudget=64MiB",
                "memory m2 HOST_VISIBLE emptyPageBudget=0"));
        assertEquals(List.of(
                new Trace.CreateMemory(3, "m0", MemoryOptions.of(EnumSet.of(MemoryPropertyFlag.DEVICE_LOCAL,
                        MemoryPropertyFlag.HOST_VISIBLE)).withPageSize(1 << 20).withExactFlagsMatch(true)),
                new Trace.CreateBuffer(4, "b1", "m0", 4096, EnumSet.of(BufferUsage.VERTEX_BUFFER, BufferUsage.TRANSFER_DST)),
                new Trace.CreateImage(5, "i1", "m0", ImageDescriptor.of(32, 16, ChannelType.FLOAT32, 4).withDepth(2)
                        .withTiling(ImageTiling.LINEAR)),
                new Trace.CreateImage(6, "i2", "m0", ImageDescriptor.of(8, 8, ChannelType.UINT8)),
                new Trace.Close(7, "b1"),
                new Trace.Close(8, "m0"),
                new Trace.CreateMemory(9, "m1", MemoryOptions.of(EnumSet.of(MemoryPropertyFlag.HOST_VISIBLE))
                        .withAlgorithm(AllocationAlgorithm.FIRST_FIT).withStrategy(AllocationStrategy.MIN_MEMORY)
                        .withEmptyPageBudget(64 << 20)),
                new Trace.CreateMemory(10, "m2", MemoryOptions.of(EnumSet.of(MemoryPropertyFlag.HOST_VISIBLE))
                        .withEmptyPageBudget(0))),
                trace.events());
        assertEquals("memory m1 HOST_VISIBLE pageSize=33554432 algorithm=FIRST_FIT strategy=MIN_MEMORY"
                + " emptyPageBudget=67108864", Trace.line(trace.events().get(6)));
    }

    /**
     * Traces written before images had formats, levels and layers still parse to what they meant;
     * the fields added since are written only where they differ from those defaults.
     */
    @Test
    void imageFormatsLevelsLayersAndPassesParseAndOldLinesStillDo() {
        Trace trace = Trace.parse("t", List.of(
                "memory m0 DEVICE_LOCAL",
                "image old m0 256x256x1 UINT8 4 OPTIMAL usage=SAMPLED align=256",
                "image mip m0 256x256 format=R8G8B8A8_UNORM levels=9",
                "image depth m0 64x64x1 format=d32_sfloat OPTIMAL usage=DEPTH_STENCIL_ATTACHMENT",
                "image cube m0 32x32 UINT8 4 layers=6 levels=2 LINEAR",
                "buffer b m0 64",
                "defragment m0 b,old"));
        assertEquals(List.of(
                new Trace.CreateMemory(1, "m0", MemoryOptions.of(EnumSet.of(MemoryPropertyFlag.DEVICE_LOCAL))),
                new Trace.CreateImage(2, "old", "m0", ImageDescriptor.of(256, 256, ChannelType.UINT8, 4)
                        .withUsage(EnumSet.of(ImageUsage.SAMPLED)), 256),
                new Trace.CreateImage(3, "mip", "m0", ImageDescriptor.of(256, 256, ImageFormat.R8G8B8A8_UNORM).withMipLevels(9)),
                new Trace.CreateImage(4, "depth", "m0", ImageDescriptor.of(64, 64, ImageFormat.D32_SFLOAT)
                        .withUsage(EnumSet.of(ImageUsage.DEPTH_STENCIL_ATTACHMENT))),
                new Trace.CreateImage(5, "cube", "m0", ImageDescriptor.of(32, 32, ChannelType.UINT8, 4).withArrayLayers(6)
                        .withMipLevels(2).withTiling(ImageTiling.LINEAR)),
                new Trace.CreateBuffer(6, "b", "m0", 64, BufferUsage.DEFAULT),
                new Trace.Defragment(7, "m0", List.of("b", "old"))), trace.events());
        assertEquals(List.of(
                "memory m0 DEVICE_LOCAL pageSize=33554432 algorithm=TLSF strategy=MIN_TIME",
                "image old m0 256x256x1 UINT8 4 OPTIMAL usage=SAMPLED align=256",
                "image mip m0 256x256x1 format=R8G8B8A8_UNORM OPTIMAL levels=9",
                "image depth m0 64x64x1 format=D32_SFLOAT OPTIMAL usage=DEPTH_STENCIL_ATTACHMENT",
                "image cube m0 32x32x1 UINT8 4 LINEAR levels=2 layers=6",
                "buffer b m0 64 usage=" + String.join(",", EnumSet.copyOf(BufferUsage.DEFAULT).stream().map(Enum::name).toList()),
                "defragment m0 b,old"), trace.lines());
        assertEquals(trace.events(), Trace.parse("t", trace.lines()).events(), "written back, it reads the same");
    }

    /** A replayed pass that would move other objects than recorded fails with the line. */
    @Test
    void aPassThatMovesOtherObjectsThanRecordedFailsWithItsLine() {
        try (Session session = sim("nvidia-h100")) {
            TraceException e = assertThrows(TraceException.class, () -> Trace.parse("t", List.of(
                    "memory m DEVICE_LOCAL pageSize=1MiB strategy=MIN_OFFSET", "buffer a m 4KiB", "buffer b m 4KiB",
                    "defragment m b")).replay(session));
            assertEquals(4, e.line());
            assertTrue(e.getMessage().contains("the pass moved [], not [b]"), e.getMessage());
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "frobnicate m0                    | 2 | unknown event 'frobnicate'",
            "memory m1 DEVICE_LOCL            | 2 | unknown memory property flag 'DEVICE_LOCL'",
            "memory m1 DEVICE_LOCAL pages=3   | 2 | unexpected 'pages=3'",
            "memory m1 DEVICE_LOCAL algorithm=BEST | 2 | unknown allocation algorithm 'BEST' (one of TLSF, FIRST_FIT, LINEAR)",
            "memory m1 DEVICE_LOCAL priority=1.5 | 2 | bad priority '1.5' (a number in [0, 1])",
            "memory m1 DEVICE_LOCAL emptyPageBudget=-5 | 2 | size '-5' must be positive",
            "memory m0 DEVICE_LOCAL           | 2 | ID 'm0' is already in use",
            "buffer b1 m9 1024                | 2 | unknown memory 'm9' (defined: m0)",
            "buffer b1 m0 12QiB               | 2 | bad size '12QiB'",
            "buffer b1 m0 -5                  | 2 | size '-5' must be positive",
            "buffer b1 m0                     | 2 | 'buffer' needs more",
            "buffer b1 m0 1024 usage=FAST     | 2 | unknown buffer usage 'FAST'",
            "buffer b1 m0 1024 usage=STORAGE_BUFFER align=64 more | 2 | unexpected 'more'",
            "buffer b1 m0 1024 align=48        | 2 | bad alignment 'align=48'",
            "buffer b1 m0 1024 fast           | 2 | unexpected 'fast'",
            "image i1 m0 32x32 UINT8 align=0   | 2 | bad alignment 'align=0'",
            "image i1 m0 32by32 UINT8         | 2 | bad image extent '32by32'",
            "image i1 m0 32x32 UINT7          | 2 | unknown channel type 'UINT7'",
            "image i1 m0 32x32 UINT8 9        | 2 | bad channel count '9'",
            "image i1 m0 32x32 UINT8 1 TILED  | 2 | unknown tiling 'TILED'",
            "close nothing                    | 2 | unknown ID 'nothing'",
            "image i1 m0 32x32 format=RGBA8   | 2 | unknown image format 'RGBA8'",
            "image i1 m0 32x32 UINT8 format=D32_SFLOAT | 2 | format D32_SFLOAT is stored as FLOAT32 x 1, not UINT8 x 1",
            "image i1 m0 32x32 UINT8 levels=0 | 2 | bad value 'levels=0' (levels=N, N a positive number)",
            "image i1 m0 32x32 UINT8 levels=7 | 2 | mipLevels must be 1 to 6 for a 32x32x1 image, was 7",
            "image i1 m0 32x32x2 UINT8 layers=2 | 2 | a 3D image (depth 2) has one array layer, not 2",
            "defragment m0 nothing            | 2 | unknown ID 'nothing'",
            "defragment m9 b1                 | 2 | unknown memory 'm9'",
    })
    void aBadLineNamesItsNumberAndTheBadToken(String bad, int line, String message) {
        TraceException e = assertThrows(TraceException.class,
                () -> Trace.parse("my.trace", List.of("memory m0 DEVICE_LOCAL", bad.trim())));
        assertEquals(line, e.line());
        assertTrue(e.getMessage().startsWith("my.trace line " + line + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }

    @Test
    void usingAClosedIdSaysOnWhichLineItWasClosed() {
        TraceException e = assertThrows(TraceException.class, () -> Trace.parse("t", List.of(
                "memory m DEVICE_LOCAL", "buffer b m 64", "close m", "buffer c m 64")));
        assertEquals("t line 4: memory 'm' was closed on line 3", e.getMessage());
        TraceException again = assertThrows(TraceException.class, () -> Trace.parse("t", List.of(
                "memory m DEVICE_LOCAL", "buffer b m 64", "close m", "close b")));
        assertEquals("t line 4: ID 'b' was closed on line 3", again.getMessage());
    }

    @Test
    void aBadLineLateInTheTraceCreatesNothing() {
        try (Session session = sim("llvmpipe")) {
            assertThrows(TraceException.class, () -> Trace.parse("t", List.of(
                    "memory m DEVICE_LOCAL", "buffer b m 64", "buffer c m nonsense")).replay(session));
            assertEquals(0, session.memories().size());
        }
    }

    @Test
    void aCallTheLibraryRefusesNamesTheLineAndKeepsTheCause() {
        try (Session session = sim("llvmpipe")) {
            Trace trace = Trace.parse("t", List.of("memory m DEVICE_LOCAL", "buffer b m 64",
                    "memory lazy LAZILY_ALLOCATED"));
            TraceException e = assertThrows(TraceException.class, () -> trace.replay(session));
            assertEquals(3, e.line());
            assertTrue(e.getMessage().startsWith("t line 3: memory lazy failed: "), e.getMessage());
            assertInstanceOf(UnsupportedMemoryFlagsException.class, e.getCause());
            // What ran before the failing line stays, for the report.
            assertEquals(1, session.statistics().allocationCount());
        }
    }

    @Test
    void closingAMemoryClosesItsObjects() {
        try (Session session = sim("nvidia-h100")) {
            Trace.Replay r = Trace.parse("t", List.of("memory a DEVICE_LOCAL", "memory b DEVICE_LOCAL",
                    "buffer x a 64", "buffer y b 64", "close a")).replay(session);
            assertEquals(Set.of("b"), r.memories().keySet());
            assertEquals(Set.of("y"), r.objects().keySet());
            assertEquals(1, session.statistics().allocationCount());
        }
    }

    @Test
    void theShippedExampleTraceReplays() {
        try (Session session = sim("nvidia-h100")) {
            Trace.Replay r = Trace.read(Path.of("..", "cli", "examples", "frame.trace")).replay(session);
            assertEquals(20, r.events());
            assertEquals(r.objects().size(), session.statistics().allocationCount());
            assertTrue(r.objects().get("big").allocationInfo().size() >= 256L << 20, "the 4096x4096 RGBA32F image");
        }
    }
}
