package dev.lluvia.memory.sim;

import dev.lluvia.memory.Defragmentation;
import dev.lluvia.memory.LeakPolicy;
import dev.lluvia.memory.Memory;
import dev.lluvia.memory.MemoryObject;
import dev.lluvia.memory.MemoryOptions;
import dev.lluvia.memory.MemoryPropertyFlag;
import dev.lluvia.memory.Session;
import dev.lluvia.memory.SessionOptions;
import org.junit.jupiter.api.Test;

import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static dev.lluvia.memory.contract.DefragmentationContract.assertContents;
import static dev.lluvia.memory.contract.DefragmentationContract.fragment;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Defragmentation on the sim beyond the shared {@link dev.lluvia.memory.contract.DefragmentationContract}
 * (run by {@link SimSharedContractsTest}): a copy the sim fails on purpose leaves every object where
 * it was, with its contents.
 */
class SimDefragmentationTest {

    private static Session open(String profile, boolean debug) {
        return Session.create(SessionOptions.defaults().withBackend("sim").withDevice(profile).withDebug(debug)
                .withLeakPolicy(LeakPolicy.IGNORE));
    }

    @Test
    void aFailedCopyLeavesTheObjectWhereItWasWithItsContents() {
        try (Session session = open("nvidia-h100", false)) {
            SimBackend sim = session.unwrap(SimBackend.class).orElseThrow();
            Memory memory = session.createMemory(MemoryOptions.of(EnumSet.of(MemoryPropertyFlag.DEVICE_LOCAL))
                    .withPageSize(256 * 1024));
            Map<MemoryObject, byte[]> live = fragment(memory, new Random(5), 80, 4, 20_000);
            List<dev.lluvia.memory.PageInfo> layout = memory.pages();
            int resources = sim.inspect().liveResourceCount();
            sim.inspect().injectFault(FaultPoint.TRANSFER, FaultRule.parse("next:1"));
            try (Defragmentation d = memory.beginDefragmentation(Long.MAX_VALUE, 1)) {
                assertThrows(dev.lluvia.memory.OutOfDeviceMemoryException.class, d::pass);
                assertEquals(resources, sim.inspect().liveResourceCount(), "the replacement was destroyed");
                assertEquals(layout, memory.pages(), "nothing moved");
                for (MemoryObject o : live.keySet()) {
                    assertEquals(0, o.moveCount());
                }
                assertFalse(d.pass().isEmpty(), "the next pass moves");
            }
            assertContents(live, "after a failed and a good pass");
        }
    }
}
