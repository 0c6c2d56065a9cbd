package dev.lluvia.memory.sim;

import dev.lluvia.memory.contract.ChildJvm;
import dev.lluvia.memory.contract.LongRun;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link LongRun} on the sim's profiles, in a child JVM ({@link SimMappingChild}): eight threads,
 * defragmentation, aliases, views and transfers, every bind refereed; CI runs 200,000 operations
 * per profile, {@code -Dlluvia.longTests=true} 10^7.
 */
class SimLongRunTest {

    @ParameterizedTest
    @ValueSource(strings = {"nvidia-h100", "llvmpipe", "mobile-noncoherent"})
    void eightThreadsOfRandomWorkRunCleanOnEveryProfile(String profile) throws Exception {
        ChildJvm.assertLongRunClean(SimMappingChild.class, profile, 200_000, 22);
    }
}
