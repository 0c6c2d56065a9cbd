package dev.lluvia.memory.cli;

import dev.lluvia.memory.AllocationInfo;
import org.junit.jupiter.api.Test;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DemoCommandTest {

    private static final Pattern ALLOCATION = Pattern.compile("""
            (\\w+):
              page         : (\\d+)
              offset       : (\\d+)
              left padding : (\\d+)
              size         : (\\d+)
            """);

    @Test
    void demoOnTheH100ProfilePlacesTheSeedsObjectsAsTheDriverRequires() {
        CliRun run = CliRun.of("demo", "--profile", "nvidia-h100");
        assertEquals(0, run.exitCode(), run.transcript());
        String out = run.out();
        assertTrue(out.contains("""
                device memory:
                flags      : [DEVICE_LOCAL]
                isMappable : false
                pageCount  : 0
                pageSize   : 33554432
                """), run.transcript());
        // The H100 has a DEVICE_LOCAL|HOST_VISIBLE|HOST_COHERENT type (resizable BAR): no fallback.
        assertTrue(out.contains("""
                host memory:
                flags      : [DEVICE_LOCAL, HOST_VISIBLE, HOST_COHERENT]
                isMappable : true
                pageCount  : 0
                pageSize   : 33554432
                """), run.transcript());
        assertTrue(!out.contains("note:"), run.transcript());

        AllocationInfo buffer = allocation(run, "buffer");
        AllocationInfo image = allocation(run, "image");
        // Measured on the H100: buffer alignment 16, optimal image alignment 1024, 32x32 R8 = 2048 bytes.
        assertPlacement(run, buffer, 1024, 16);
        assertPlacement(run, image, 2048, 1024);
        assertApart(run, buffer, image, 1024);
        assertTrue(out.contains("device memory pageCount after allocation: 1\n"), run.transcript());
        assertTrue(out.contains("round trip: ok (4096 bytes)\n"), run.transcript());
    }

    @Test
    void demoDefragmentsTransfersMeetsAPageLimitAndReportsItsLeak() {
        CliRun run = CliRun.of("demo", "--profile", "nvidia-h100");
        assertEquals(0, run.exitCode(), run.transcript());
        String out = run.out();
        // 8 tiles of 4 MiB fill the first 32 MiB page; two closed there make room for the second page's two.
        assertTrue(out.contains("""
                defragmentation of device memory:
                  10 buffers of 4 MiB: pageCount 2
                  closed "tile 1" (page 0) and "tile 3" (page 0), leaving holes
                  2 passes moved 2 buffers (8 MiB) and freed 1 page: pageCount 1
                """), run.transcript());
        // The H100's device-local memory is not host-visible: the sim stages both ways.
        assertTrue(Pattern.compile("transfer: 64 MiB written into a device-memory buffer and read back: ok\n"
                + "  path STAGED x2; write [0-9.]+ ms \\([0-9.]+ GB/s\\), read [0-9.]+ ms \\([0-9.]+ GB/s\\)\n")
                .matcher(out).find(), run.transcript());
        assertTrue(out.contains("""
                page limit: a Memory of at most 1 page (MemoryOptions.withPageBounds(0, 1)) holds 2 buffers of 16 MiB; \
                the next is refused:
                  PageLimitException: a new page of 33554432 bytes of memory type 1 is needed and its Memory holds \
                maxPages (1) pages already
                  nothing changed: pageCount 1, objects 2
                """), run.transcript());
        assertTrue(out.contains("\nleak check (on purpose): the Memory is closed with its 2 buffers open; the demo's leak "
                + "policy is THROW, so closing frees them and reports:\n"), run.transcript());
        assertTrue(Pattern.compile("  MemoryLeakException: closing Memory\\[type 1 \\[DEVICE_LOCAL\\].* freed 2 live objects:\n"
                + "    Buffer#\\d+ \"half page 0\" .*\n    Buffer#\\d+ \"half page 1\" .*\n\\z").matcher(out).find(),
                run.transcript());
    }

    @Test
    void demoOnLlvmpipeUsesItsOneMemoryTypeForBoth() {
        CliRun run = CliRun.of("demo", "--profile", "llvmpipe");
        assertEquals(0, run.exitCode(), run.transcript());
        String flags = "flags      : [DEVICE_LOCAL, HOST_VISIBLE, HOST_COHERENT, HOST_CACHED]\n"
                + "isMappable : true\n";
        assertTrue(run.out().contains("device memory:\n" + flags), run.transcript());
        assertTrue(run.out().contains("host memory:\n" + flags), run.transcript());

        AllocationInfo buffer = allocation(run, "buffer");
        AllocationInfo image = allocation(run, "image");
        // Measured on lavapipe: buffer alignment 64, optimal image alignment 16, bufferImageGranularity 64.
        assertPlacement(run, buffer, 1024, 64);
        assertPlacement(run, image, 2048, 16);
        assertApart(run, buffer, image, 64);
        assertTrue(run.out().contains("round trip: ok (4096 bytes)\n"), run.transcript());
        // Device-local memory is host-visible there: the 64 MiB go through the buffer's mapping.
        assertTrue(run.out().contains("\n  path MAPPED x2; write "), run.transcript());
    }

    @Test
    void withoutADeviceLocalHostVisibleTypeTheDemoSaysSoAndUsesHostMemory() {
        // An H100 without resizable BAR: type 4 loses HOST_VISIBLE|HOST_COHERENT.
        CliRun run = CliRun.of("demo", "--profile", "nvidia-h100",
                "--backend-property", "lluvia.sim.profile.type.4.flags=DEVICE_LOCAL");
        assertEquals(0, run.exitCode(), run.transcript());
        assertTrue(run.out().contains("note: no memory type has [DEVICE_LOCAL, HOST_VISIBLE, HOST_COHERENT]; "
                + "using [HOST_VISIBLE, HOST_COHERENT] for the host memory\n"), run.transcript());
        assertTrue(run.out().contains("""
                host memory:
                flags      : [HOST_VISIBLE, HOST_COHERENT]
                isMappable : true
                """), run.transcript());
        assertTrue(run.out().contains("round trip: ok (4096 bytes)\n"), run.transcript());
    }

    @Test
    void demoPrintsTheSessionItRunsOn() {
        CliRun run = CliRun.of("demo", "--profile", "nvidia-h100", "--debug");
        assertEquals(0, run.exitCode(), run.transcript());
        assertTrue(run.out().startsWith("Session: backend sim, device "), run.transcript());
        assertTrue(run.out().lines().findFirst().orElseThrow().endsWith(", debug on"), run.transcript());
    }

    private static AllocationInfo allocation(CliRun run, String name) {
        Matcher m = ALLOCATION.matcher(run.out());
        while (m.find()) {
            if (m.group(1).equals(name)) {
                return new AllocationInfo(Integer.parseInt(m.group(2)), Long.parseLong(m.group(3)),
                        Long.parseLong(m.group(4)), Long.parseLong(m.group(5)));
            }
        }
        throw new AssertionError("no allocation info of " + name + " in\n" + run.transcript());
    }

    private static void assertPlacement(CliRun run, AllocationInfo info, long size, long alignment) {
        assertEquals(0, info.page(), run.transcript());
        assertEquals(size, info.size(), run.transcript());
        assertEquals(0, info.offset() % alignment, "offset not aligned to " + alignment + "\n" + run.transcript());
        assertTrue(info.leftPadding() >= 0 && info.leftPadding() < alignment, run.transcript());
    }

    /** The two objects do not overlap and, one linear and one optimal, share no granularity block. */
    private static void assertApart(CliRun run, AllocationInfo a, AllocationInfo b, long granularity) {
        AllocationInfo first = a.offset() <= b.offset() ? a : b;
        AllocationInfo second = first == a ? b : a;
        assertTrue(first.offset() + first.size() <= second.offset() - second.leftPadding(), "overlap\n" + run.transcript());
        assertTrue((first.offset() + first.size() - 1) / granularity < second.offset() / granularity,
                "a buffer and an image share a " + granularity + "-byte granularity block\n" + run.transcript());
    }
}
