package dev.lluvia.memory.vulkan;

import dev.lluvia.memory.contract.ChildJvm;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The core's {@code MappedSegments} (JDK 22+) on every Vulkan device present (lavapipe in CI), in
 * child JVMs running the shared {@code dev.lluvia.memory.segments.SegmentCases} on
 * {@link VulkanMappingChild}'s devices, validation on: after each kind of close and move every
 * access throws (after a Session close the page is unmapped and freed: the raw view crashed
 * there), and eight threads writing through segments while buffers close and move, memories close
 * and the session closes under them never crash nor write into another object. Run by the POM's
 * {@code jdk22} execution only, on the JDK 22+ JVM, whose class path has the segment cases.
 */
class VulkanSegmentViewTest {

    private static final String CASES = "dev.lluvia.memory.segments.SegmentCases";
    private static final String DEVICES = VulkanMappingChild.class.getName();
    private static final List<String> NATIVE_ACCESS = List.of("--enable-native-access=ALL-UNNAMED");
    /** Child JVMs of the race in one mvn verify; {@code -Dlluvia.longTests=true} runs more. */
    private static final int RACE_RUNS = Boolean.getBoolean("lluvia.longTests") ? 200 : 8;

    /** On the JDK 22+ JVM of the POM's execution; a {@code -Dtest=} filter also runs this class in the JDK 17 one. */
    private static void assumeJdk22() {
        assumeTrue(Runtime.version().feature() >= 22, "the segment cases run on JDK 22 or newer");
        VulkanTestSupport.assumeVulkan();
    }

    @ParameterizedTest(name = "device {0}")
    @MethodSource("dev.lluvia.memory.vulkan.VulkanTestSupport#devices")
    void everyAccessAfterEachKindOfCloseAndMoveThrows(String device) throws Exception {
        assumeJdk22();
        ChildJvm.Result r = ChildJvm.run(CASES, 180, NATIVE_ACCESS, DEVICES, device, "stale");
        assertEquals(0, r.exitCode(), "the child JVM " + (r.crashed() ? "crashed" : "failed") + ":\n" + r.output());
        assertEquals(4, r.output().lines().filter(l -> l.startsWith("PASS ")).count(), r.output());
    }

    @ParameterizedTest(name = "device {0}")
    @MethodSource("dev.lluvia.memory.vulkan.VulkanTestSupport#devices")
    void eightThreadsThroughSegmentsNeverCrashNorWriteElsewhere(String device) throws Exception {
        assumeJdk22();
        int crashes = 0;
        int failed = 0;
        StringBuilder failures = new StringBuilder();
        for (int i = 0; i < RACE_RUNS; i++) {
            ChildJvm.Result r = ChildJvm.run(CASES, 120, NATIVE_ACCESS, DEVICES, device, "race", Integer.toString(7000 + i));
            crashes += r.crashed() ? 1 : 0;
            failed += !r.crashed() && r.exitCode() != 0 ? 1 : 0;
            if (r.exitCode() != 0 && failures.length() < 20_000) {
                failures.append("--- exit ").append(r.exitCode()).append('\n').append(r.output());
            }
        }
        assertTrue(crashes == 0 && failed == 0, RACE_RUNS + " JVM runs, " + crashes + " crashes, " + failed + " failed\n"
                + failures);
    }
}
