package dev.lluvia.memory.report;

import dev.lluvia.memory.contract.ChildJvm;
import dev.lluvia.memory.contract.LongRun;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link LongRun} with a trace recorded throughout, in a child JVM ({@link TraceLongRunChild}):
 * the replay of eight threads' recorded work, defragmentation passes included, gives the layout
 * the run ended with; 100,000 operations in CI, 10^7 with {@code -Dlluvia.longTests=true}.
 */
class TraceLongRunTest {

    @Test
    void aLongRunsTraceReplaysToTheLayoutItEndedWith() throws Exception {
        String output = ChildJvm.assertLongRunClean(TraceLongRunChild.class, "nvidia-h100", 100_000, 23);
        String trace = output.lines().filter(l -> l.startsWith("TRACE ")).findFirst().orElse("no TRACE line");
        assertTrue(ChildJvm.field(trace, "passes") > 0 && ChildJvm.field(trace, "objects") > 0, trace);
    }
}
