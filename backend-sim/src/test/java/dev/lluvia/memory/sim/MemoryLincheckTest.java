package dev.lluvia.memory.sim;

import dev.lluvia.memory.AllocationInfo;
import dev.lluvia.memory.Buffer;
import dev.lluvia.memory.LeakPolicy;
import dev.lluvia.memory.Memory;
import dev.lluvia.memory.MemoryObject;
import dev.lluvia.memory.MemoryPropertyFlag;
import dev.lluvia.memory.Session;
import dev.lluvia.memory.SessionOptions;
import dev.lluvia.memory.Statistics;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.jetbrains.lincheck.datastructures.StressOptions;
import org.junit.jupiter.api.Test;

import java.util.EnumSet;

/**
 * Linearizability of one {@link Memory} shared by threads, checked by Lincheck: every concurrent
 * run of creates, closes and statistics (including where each buffer lands: page and offset,
 * and which object ids are given) must give the results of some sequential order of the same
 * calls. The model checker explores thread switches at every shared-memory access and lock of the
 * core and the sim; the stress run executes scenarios on real threads. The sim referee checks
 * every bind on top. {@code -Dlluvia.longTests=true} explores ten times as many runs.
 *
 * <p>Pages of 8 KiB and buffers of 1000 to 5000 bytes: pages are added and released, and the
 * 5000-byte buffer (over half a page) takes a dedicated page.
 */
@Param(name = "id", gen = IntGen.class, conf = "1:4")
public class MemoryLincheckTest {

    private static final int SCALE = Boolean.getBoolean("lluvia.longTests") ? 10 : 1;

    private final Session session = Session.create(SessionOptions.defaults().withBackend("sim")
            .withDevice("llvmpipe").withLeakPolicy(LeakPolicy.IGNORE));
    private final Memory memory = session.createMemory(EnumSet.of(MemoryPropertyFlag.HOST_VISIBLE), 8192);

    /** Creates a buffer and says which id it got and where it was placed. */
    @Operation
    public String create(@Param(gen = IntGen.class, conf = "1:5") int thousands) {
        Buffer b = memory.createBuffer(thousands * 1000L);
        AllocationInfo info = b.allocationInfo(); // no other operation can reach b before create returns
        return b.id() + "@" + info.page() + ":" + info.offset();
    }

    /**
     * Closes the object of an id if the memory has it. Returns nothing on purpose: a "was it
     * there" answer would be decided by the lookup, a step before the close itself, and a test
     * bookkeeping of its own (a map of ids) is not atomic with the library's state, which an
     * earlier version of this test showed Lincheck finding. What the close did shows in the
     * statistics and in where later buffers are placed.
     */
    @Operation
    public void close(@Param(name = "id") int id) {
        for (MemoryObject o : memory.objects()) {
            if (o.id() == id) {
                o.close();
                return;
            }
        }
    }

    @Operation
    public Statistics statistics() {
        return memory.statistics();
    }

    @Operation
    public Statistics sessionStatistics() {
        return session.statistics();
    }

    @Test
    void modelChecking() {
        ModelCheckingOptions options = new ModelCheckingOptions()
                .iterations(4 * SCALE)
                .invocationsPerIteration(250 * SCALE)
                .threads(2)
                .actorsPerThread(3)
                .actorsBefore(1)
                .actorsAfter(1);
        options.check(MemoryLincheckTest.class);
    }

    @Test
    void stress() {
        StressOptions options = new StressOptions()
                .iterations(4 * SCALE)
                .invocationsPerIteration(75 * SCALE)
                .threads(3)
                .actorsPerThread(3);
        options.check(MemoryLincheckTest.class);
    }
}
