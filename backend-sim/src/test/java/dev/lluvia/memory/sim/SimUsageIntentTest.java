package dev.lluvia.memory.sim;

import dev.lluvia.memory.Buffer;
import dev.lluvia.memory.Memory;
import dev.lluvia.memory.MemoryPropertyFlag;
import dev.lluvia.memory.MemoryType;
import dev.lluvia.memory.MemoryUsage;
import dev.lluvia.memory.Session;
import dev.lluvia.memory.SessionOptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@link Session#createMemory(MemoryUsage)} on every sim profile: the type each intent takes, and
 * data written into it through the mapping reads back. The H100 and mobile choices are the ones
 * measured or derived in ARCHITECTURE.md (readback on the host-cached type, never the BAR).
 */
class SimUsageIntentTest {

    /** Expected type index per usage (DEVICE_ONLY, UPLOAD, READBACK) for the profiles whose answer is known. */
    private static final Map<String, int[]> EXPECTED = Map.of(
            "nvidia-h100", new int[]{1, 4, 3},
            "llvmpipe", new int[]{0, 0, 0},
            // readback on the cached non-coherent type: the write/read below goes through flush/invalidate
            "mobile-noncoherent", new int[]{0, 1, 2});

    static Stream<String> profiles() {
        return SimProfiles.names().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("profiles")
    void eachIntentTakesItsRankedTypeAndMovesData(String profile) {
        try (Session session = Session.create(SessionOptions.defaults().withBackend("sim").withDevice(profile))) {
            List<MemoryType> types = session.device().memoryTypes();
            boolean hostOutsideDevice = types.stream().anyMatch(t -> t.isHostVisible()
                    && !t.flags().contains(MemoryPropertyFlag.DEVICE_LOCAL));
            int[] expected = EXPECTED.get(profile);
            MemoryUsage[] usages = MemoryUsage.values();
            for (int u = 0; u < usages.length; u++) {
                Memory memory = session.createMemory(usages[u], 1 << 20);
                if (expected != null) {
                    assertEquals(expected[u], memory.memoryType().index(), usages[u] + " on " + profile);
                }
                if (usages[u] != MemoryUsage.DEVICE_ONLY) {
                    assertTrue(memory.isMappable(), usages[u] + " must be host-visible: " + memory);
                } else {
                    assertTrue(memory.memoryFlags().contains(MemoryPropertyFlag.DEVICE_LOCAL), memory.toString());
                }
                if (usages[u] == MemoryUsage.READBACK && hostOutsideDevice) {
                    assertFalse(memory.memoryFlags().contains(MemoryPropertyFlag.DEVICE_LOCAL),
                            "readback never takes a BAR type while host memory exists: " + memory);
                }
                if (memory.isMappable()) {
                    Buffer b = memory.createBuffer(3000);
                    byte[] bytes = new byte[3000];
                    new java.util.Random(u).nextBytes(bytes);
                    b.write(0, ByteBuffer.wrap(bytes));
                    ByteBuffer back = ByteBuffer.allocate(3000);
                    b.read(0, back);
                    assertArrayEquals(bytes, back.array(), usages[u] + " on " + profile);
                    b.close();
                }
                memory.close();
            }
        }
    }
}
