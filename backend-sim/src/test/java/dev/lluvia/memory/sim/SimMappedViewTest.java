package dev.lluvia.memory.sim;

import dev.lluvia.memory.Buffer;
import dev.lluvia.memory.LeakPolicy;
import dev.lluvia.memory.MappedView;
import dev.lluvia.memory.Memory;
import dev.lluvia.memory.MemoryPropertyFlag;
import dev.lluvia.memory.Session;
import dev.lluvia.memory.SessionOptions;
import dev.lluvia.memory.contract.ChildJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.EnumSet;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link MappedView} on the sim beyond the shared {@link dev.lluvia.memory.contract.MappedViewContract}
 * (run by {@link SimSharedContractsTest}): a buffer over 2 GiB, and (in child JVMs, see
 * {@link SimMappingChild}) the cases of issue 12: stale views after Buffer, Memory and Session
 * close, and closes racing eight threads' accesses.
 */
class SimMappedViewTest {

    private static final EnumSet<MemoryPropertyFlag> HOST = EnumSet.of(MemoryPropertyFlag.HOST_VISIBLE,
            MemoryPropertyFlag.HOST_COHERENT);

    private static Session open() {
        return Session.create(SessionOptions.defaults().withBackend("sim").withDevice("nvidia-h100")
                .withLeakPolicy(LeakPolicy.IGNORE));
    }

    @ParameterizedTest
    @ValueSource(strings = {"nvidia-h100", "llvmpipe"})
    void staleViewsThrowAndTheNewObjectsBytesStayIntact(String profile) throws Exception {
        ChildJvm.assertStaleCasesPass(SimMappingChild.class, profile);
    }

    @Test
    void closesRacingEightThreadsAccessesNeverCrashNorCorrupt() throws Exception {
        ChildJvm.assertRaceRunsClean(SimMappingChild.class, "nvidia-h100", 4);
    }

    /** Regression (issue 12): map() of a buffer over 2 GiB threw IllegalArgumentException while its Javadoc said IllegalStateException. */
    @Test
    void mappingMoreThanOneViewHoldsIsAnIllegalArgumentNamingTheLength() {
        try (Session s = open()) {
            Memory m = s.createMemory(HOST, 1 << 20, false);
            Buffer big = m.createBuffer((2L << 30) + 4096);
            for (org.junit.jupiter.api.function.Executable call : List.<org.junit.jupiter.api.function.Executable>of(
                    big::map, big::mapByteBuffer, () -> big.map(0, 1L << 31), () -> big.mapByteBuffer(4096, 2L << 30))) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
                assertTrue(e.getMessage().contains("Buffer#" + big.id()) && e.getMessage().contains("asked for"), e.getMessage());
            }
            // In parts it works (the sim backs pages over 2 GiB in 1 GiB chunks).
            MappedView tail = big.map(2L << 30, 4096);
            tail.putLong(4088, 42);
            assertEquals(42, big.map(2L << 30, 4096).getLong(4088));
        }
    }
}
